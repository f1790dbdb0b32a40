"""Which award rules an event meets (``core.lms.rules``), and the event schema's checks."""

from __future__ import annotations

from typing import Any

import pytest

from vcengine.core.lms.event import LearnerEvent, event_schema, validate_event
from vcengine.core.lms.rules import event_counts_for, is_met
from vcengine.errors import InputError


def ev(kind: str = "course_completed", **extra: Any) -> LearnerEvent:
    doc: dict[str, Any] = {"id": "e", "event": kind, "learner": {"email": "Ada@Example.org"}}
    doc.setdefault("course", {"id": "c1"})
    doc.update(extra)
    return validate_event(doc)


def test_course_completed_matches_its_course_or_any() -> None:
    assert event_counts_for("course_completed", {}, ev())
    assert event_counts_for("course_completed", {"courseId": "c1"}, ev())
    assert not event_counts_for("course_completed", {"courseId": "c2"}, ev())
    assert not event_counts_for("course_completed", {}, ev("enrollment_progress", percentage=100))


@pytest.mark.parametrize(
    ("conditions", "score", "passes"),
    [
        ({"minPercentage": 80}, (8, 10), True),
        ({"minPercentage": 80}, (7.99, 10), False),
        ({"minScore": 40}, (40, 50), True),
        ({"minScore": 40}, (39.5, 50), False),
        ({"minScore": 40, "minPercentage": 90}, (44, 50), False),
        ({"quizId": "q2", "minScore": 0}, (50, 50), False),
        ({"quizId": "q1", "minScore": 0}, (0, 50), True),
    ],
)
def test_quiz_scores(conditions: dict[str, Any], score: tuple[float, float], passes: bool) -> None:
    event = ev("quiz_passed", quiz={"id": "q1", "score": score[0], "maxScore": score[1]})
    assert event_counts_for("quiz_passed", conditions, event) is passes


def test_enrollment_progress_and_completion_as_100_percent() -> None:
    assert event_counts_for(
        "enrollment_progress", {"percentage": 50}, ev("enrollment_progress", percentage=50)
    )
    assert not event_counts_for(
        "enrollment_progress", {"percentage": 50}, ev("enrollment_progress", percentage=49.9)
    )
    assert event_counts_for("enrollment_progress", {"percentage": 100}, ev())


def test_tags_and_modules() -> None:
    tagged = validate_event({"id": "t", "event": "tag_added", "learner": {"email": "a@b.co"}, "tag": "done"})
    assert event_counts_for("tag_added", {"tag": "done"}, tagged)
    assert not event_counts_for("tag_added", {"tag": "Done"}, tagged)
    module = ev("module_completed", module={"id": "m2"})
    rule = {"moduleIds": ["m1", "m2"], "matchAll": True}
    assert event_counts_for("modules_completed", rule, module)
    assert not event_counts_for("modules_completed", {"moduleIds": ["m9"]}, module)
    assert not is_met("modules_completed", rule, {"m2"})
    assert is_met("modules_completed", rule, {"m1", "m2", "m7"})
    assert is_met("modules_completed", {**rule, "matchAll": False}, {"m2"})
    assert is_met("course_completed", {}, ())


def test_the_event_is_read_as_given() -> None:
    event = ev()
    assert (event.source_id, event.kind, event.email, event.course_id) == (
        "e",
        "course_completed",
        "ada@example.org",
        "c1",
    )


@pytest.mark.parametrize(
    ("doc", "where", "what"),
    [
        (
            {"event": "tag_added", "learner": {"email": "a@b.co"}, "tag": "x"},
            "$",
            "'id' is a required property",
        ),
        ({"id": "e", "event": "graduated", "learner": {"email": "a@b.co"}}, "$.event", "graduated"),
        (
            {"id": "e", "event": "tag_added", "tag": "x", "learner": {"email": "not-an-email"}},
            "$.learner.email",
            "does not match",
        ),
        (
            {"id": "e", "event": "quiz_passed", "learner": {"email": "a@b.co"}},
            "$",
            "'quiz' is a required property",
        ),
        (
            {
                "id": "e",
                "event": "enrollment_progress",
                "learner": {"email": "a@b.co"},
                "course": {"id": "c"},
                "percentage": 101,
            },
            "$.percentage",
            "101",
        ),
        ([], "$", "is not of type 'object'"),
    ],
)
def test_the_schema_names_the_first_problem_and_where(doc: Any, where: str, what: str) -> None:
    with pytest.raises(InputError, match=what) as caught:
        validate_event(doc)
    assert caught.value.path == where


def test_platforms_may_name_learners_by_id_only() -> None:
    doc = {"id": "e", "event": "course_completed", "learner": {"id": "23"}, "course": {"id": "7"}}
    with pytest.raises(InputError):
        validate_event(doc)
    event = validate_event(doc, email_required=False)
    assert event.email is None and event.learner_id == "23"
    with pytest.raises(InputError):
        validate_event({**doc, "learner": {}}, email_required=False)
    assert event_schema()["properties"]["learner"]["required"] == ["email"]  # the published one is untouched
