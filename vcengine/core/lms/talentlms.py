"""TalentLMS's REST API (v1), read for course completions: URLs and answers, no I/O.

TalentLMS has no reliable webhooks, so vcengine polls (``services.talentlms_polling``). The API
is ``https://<domain>.talentlms.com/api/v1/…`` with HTTP Basic authentication, the API key as
the user name and an empty password. What is read:

- ``GET courses`` — every course (``[{"id", "name", …}]``), for a rule that names no course;
- ``GET courses/id:{course}`` — the course with ``users: [{"id", "name", "role",
  "completion_percentage", "completed_on", …}]``;
- ``GET getuserstatusincourse/course_id:{course},user_id:{user}`` — ``completion_status``
  ("Completed"), ``completed_on_timestamp`` (Unix seconds), ``score``;
- ``GET users/id:{user}`` — ``email``, ``first_name``, ``last_name``.

Errors come as ``{"error": {"type", "message"}}`` with an HTTP error status. Field names and
shapes follow the API reference as published by TalentLMS and used by its client libraries.
"""

from __future__ import annotations

import base64
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from vcengine.core.lms.platforms._common import text
from vcengine.errors import InputError

__all__ = [
    "Completion",
    "authorization",
    "check_site",
    "completion",
    "course_ids",
    "course_url",
    "courses_url",
    "learner_ids",
    "source_id",
    "status_url",
    "user_email",
    "user_url",
]

MAX_USERS = 10_000  # users read from one course answer


@dataclass(frozen=True, slots=True)
class Completion:
    """A learner's completed course, as ``getuserstatusincourse`` reports it."""

    course_id: str
    user_id: str
    completed_at: datetime
    score: float | None


def check_site(url: str) -> str:
    """The portal's base URL (``https://acme.talentlms.com``), without a trailing slash."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment:
        raise InputError(
            "siteUrl must be the portal's https URL, e.g. https://acme.talentlms.com", path="siteUrl"
        )
    return urllib.parse.urlunsplit(("https", parts.netloc, parts.path.rstrip("/"), "", ""))


def _api(site: str, path: str) -> str:
    return f"{site.rstrip('/')}/api/v1/{path}"


def _segment(value: str) -> str:
    if not value.isascii() or not value.isalnum():
        raise InputError(f"a TalentLMS id is alphanumeric, not {value!r:.40}", path="courseId")
    return value


def courses_url(site: str) -> str:
    return _api(site, "courses")


def course_url(site: str, course_id: str) -> str:
    return _api(site, f"courses/id:{_segment(course_id)}")


def status_url(site: str, course_id: str, user_id: str) -> str:
    return _api(site, f"getuserstatusincourse/course_id:{_segment(course_id)},user_id:{_segment(user_id)}")


def user_url(site: str, user_id: str) -> str:
    return _api(site, f"users/id:{_segment(user_id)}")


def authorization(api_key: str) -> str:
    """HTTP Basic with the API key as the user name and no password."""
    return "Basic " + base64.b64encode(f"{api_key}:".encode()).decode("ascii")


def source_id(course_id: str, user_id: str) -> str:
    """The event id of a completion: one per learner and course, whichever poll finds it."""
    return f"talentlms:course:{course_id}:user:{user_id}"


def course_ids(answer: Any) -> list[str]:
    """The ids of ``GET courses``."""
    if not isinstance(answer, list):
        raise InputError("TalentLMS answered the course list with something other than a list")
    return [cid for item in answer if isinstance(item, Mapping) and (cid := text(item.get("id")))]


def learner_ids(answer: Any) -> list[str]:
    """The users of ``GET courses/id:…`` who may have completed it (a learner at 100 %, or with a
    completion date); instructors and administrators are left out."""
    if not isinstance(answer, Mapping):
        raise InputError("TalentLMS answered the course with something other than an object")
    users = answer.get("users") or []
    if not isinstance(users, Sequence) or isinstance(users, str):
        raise InputError("the course's users are not a list")
    out = []
    for user in list(users)[:MAX_USERS]:
        if not isinstance(user, Mapping) or (uid := text(user.get("id"))) is None:
            continue
        if text(user.get("role")) not in (None, "learner"):
            continue
        percent = text(user.get("completion_percentage"))
        if text(user.get("completed_on")) or percent in ("100", "100.0", "100.00"):
            out.append(uid)
    return out


def completion(course_id: str, user_id: str, answer: Any) -> Completion | None:
    """The completion ``getuserstatusincourse`` reports, or None if the course is not completed."""
    if not isinstance(answer, Mapping):
        raise InputError("TalentLMS answered the course status with something other than an object")
    if str(answer.get("completion_status", "")).strip().lower() != "completed":
        return None
    stamp = answer.get("completed_on_timestamp")
    try:
        at = datetime.fromtimestamp(int(str(stamp)), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise InputError(f"completed_on_timestamp is not a Unix time: {stamp!r:.40}") from None
    score_text = text(answer.get("score"))
    try:
        score = float(score_text) if score_text is not None else None
    except ValueError:
        score = None
    return Completion(course_id, user_id, at, score)


def user_email(answer: Any) -> tuple[str | None, str | None]:
    """``(email, name)`` of ``GET users/id:…``."""
    if not isinstance(answer, Mapping):
        raise InputError("TalentLMS answered the user with something other than an object")
    name = " ".join(p for p in (text(answer.get("first_name")), text(answer.get("last_name"))) if p)
    return text(answer.get("email")), name or None
