"""Reading TalentLMS API answers: sites, ids in URLs, learners, completions, users."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from vcengine.core.lms import talentlms
from vcengine.errors import InputError


def test_sites_and_urls() -> None:
    assert talentlms.check_site("https://acme.talentlms.com/") == "https://acme.talentlms.com"
    for bad in ("http://acme.talentlms.com", "https://acme.talentlms.com/?x=1", "acme"):
        with pytest.raises(InputError, match="siteUrl"):
            talentlms.check_site(bad)
    site = "https://acme.talentlms.com"
    assert (
        talentlms.status_url(site, "7", "12") == f"{site}/api/v1/getuserstatusincourse/course_id:7,user_id:12"
    )
    with pytest.raises(InputError, match="alphanumeric"):
        talentlms.course_url(site, "7,user_id:1")  # no injection into the path's own syntax
    assert talentlms.authorization("k") == "Basic azo="


def test_learners_completions_and_users() -> None:
    course = {
        "users": [
            {"id": 1, "role": "learner", "completion_percentage": 100},
            {"id": "2", "role": "learner", "completion_percentage": "99", "completed_on": ""},
            {"id": "3", "role": "instructor", "completed_on": "01/12/2026"},
            {"id": "4", "completed_on": "01/12/2026, 08:00:00"},
            "junk",
        ]
    }
    assert talentlms.learner_ids(course) == ["1", "4"]
    with pytest.raises(InputError):
        talentlms.learner_ids([])
    done = talentlms.completion(
        "7", "1", {"completion_status": "Completed", "completed_on_timestamp": "1764576000", "score": "88.5"}
    )
    assert (
        done is not None
        and done.completed_at == datetime(2025, 12, 1, 8, 0, tzinfo=UTC)
        and done.score == 88.5
    )
    assert talentlms.completion("7", "1", {"completion_status": "In progress"}) is None
    with pytest.raises(InputError, match="Unix time"):
        talentlms.completion(
            "7", "1", {"completion_status": "Completed", "completed_on_timestamp": "yesterday"}
        )
    assert talentlms.user_email({"email": "a@b.co", "first_name": "A", "last_name": None}) == ("a@b.co", "A")
    assert talentlms.course_ids([{"id": 3}, {"name": "no id"}, 5]) == ["3"]
