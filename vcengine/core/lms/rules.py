"""Which award rules an event meets.

A rule is a trigger and conditions (``AwardRuleRecord.conditions``, JSON):

- ``course_completed``: ``courseId`` (absent: any course);
- ``quiz_passed``: ``quizId`` (absent: any quiz), ``minScore`` and/or ``minPercentage``
  (of ``score / maxScore``);
- ``enrollment_progress``: ``percentage`` (at least), ``courseId``; a completed course is 100 %;
- ``tag_added``: ``tag`` (exact);
- ``modules_completed``: ``moduleIds`` and ``matchAll`` (all of them, else any), ``courseId``;
  progress accumulates per learner, so ``modules_done`` gives what the learner completed so far.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from vcengine.core.lms.event import LearnerEvent

__all__ = ["event_counts_for", "is_met"]


def event_counts_for(trigger: str, conditions: Mapping[str, Any], event: LearnerEvent) -> bool:
    """Whether ``event`` is of the kind and subject the rule watches (before accumulated progress)."""
    course = conditions.get("courseId")
    if course is not None and event.course_id != str(course):
        return False
    if trigger == "course_completed":
        return event.kind == "course_completed"
    if trigger == "quiz_passed":
        return event.kind == "quiz_passed" and _passes(conditions, event)
    if trigger == "enrollment_progress":
        done = 100.0 if event.kind == "course_completed" else event.percentage
        threshold = float(conditions.get("percentage", 100))
        return (
            event.kind in ("enrollment_progress", "course_completed")
            and done is not None
            and done >= threshold
        )
    if trigger == "tag_added":
        return event.kind == "tag_added" and event.tag == conditions.get("tag")
    if trigger == "modules_completed":
        return event.kind == "module_completed" and event.module_id in _modules(conditions)
    return False


def is_met(trigger: str, conditions: Mapping[str, Any], modules_done: Collection[str] = ()) -> bool:
    """After ``event_counts_for``: whether the rule is met (only module rules need more)."""
    if trigger != "modules_completed":
        return True
    wanted = _modules(conditions)
    done = wanted & set(modules_done)
    return done == wanted if conditions.get("matchAll", True) else bool(done)


def _modules(conditions: Mapping[str, Any]) -> set[str]:
    return {str(m) for m in conditions.get("moduleIds", ())}


def _passes(conditions: Mapping[str, Any], event: LearnerEvent) -> bool:
    quiz = conditions.get("quizId")
    if quiz is not None and event.quiz_id != str(quiz):
        return False
    score = event.score
    if score is None:
        return False
    points, maximum = score
    if (minimum := conditions.get("minScore")) is not None and points < float(minimum):
        return False
    minimum_pct = conditions.get("minPercentage")
    return minimum_pct is None or points * 100 >= float(minimum_pct) * maximum
