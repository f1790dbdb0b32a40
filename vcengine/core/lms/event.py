"""The learner event: what every platform's webhook is turned into before rules see it.

Its JSON form is vcengine's own event format, the one GENERIC, ZAPIER and MAKE integrations send
(``lms-event.schema.json``, served at ``/schemas/lms-event.json``)::

    {"id": "<source event id>", "event": "course_completed" | "quiz_passed" | "module_completed"
     | "tag_added" | "enrollment_progress", "occurredAt", "learner": {"email", "name"?, "id"?},
     "course": {"id", "name"?}, "quiz"?: {"id", "score", "maxScore"}, "module"?: {"id"},
     "tag"?, "percentage"?}

Platform adapters (``platforms``) build this JSON and it is validated by the same schema, so a
rule never sees an event the schema would refuse.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from vcengine.errors import InputError

__all__ = ["EventKind", "LearnerEvent", "event_schema", "validate_event"]

EventKind = Literal["course_completed", "quiz_passed", "module_completed", "tag_added", "enrollment_progress"]


@cache
def event_schema() -> Mapping[str, Any]:
    """The JSON Schema (draft 2020-12) of the event JSON."""
    text = resources.files("vcengine.core.lms").joinpath("lms-event.schema.json").read_text("utf-8")
    schema: Mapping[str, Any] = json.loads(text)
    return schema


@cache
def _validator(email_required: bool) -> Draft202012Validator:
    schema = copy.deepcopy(dict(event_schema()))
    if not email_required:  # a platform that names learners by id only (Moodle): looked up later
        learner = schema["properties"]["learner"]
        learner["required"] = []
        learner["anyOf"] = [{"required": ["email"]}, {"required": ["id"]}]
    return Draft202012Validator(schema)


def validate_event(doc: Any, *, email_required: bool = True) -> LearnerEvent:
    """The event ``doc`` describes; ``InputError`` naming the first problem (and where) otherwise.
    Without ``email_required``, a learner may be named by ``id`` alone (a platform's user id)."""
    error = best_match(_validator(email_required).iter_errors(doc))
    if error is not None:
        path = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        raise InputError(error.message, path=path)
    return LearnerEvent.of(doc)


@dataclass(frozen=True, slots=True)
class LearnerEvent:
    """A validated event (see the module docstring); ``json`` is the event JSON it came from.
    ``email`` is None when the platform named the learner by its own user id only."""

    source_id: str
    kind: EventKind
    email: str | None
    json: Mapping[str, Any]

    @classmethod
    def of(cls, doc: Mapping[str, Any]) -> LearnerEvent:
        email = doc["learner"].get("email")
        return cls(doc["id"], doc["event"], email.strip().lower() if email else None, doc)

    @property
    def learner_id(self) -> str | None:
        value = self.json["learner"].get("id")
        return str(value) if value is not None else None

    @property
    def name(self) -> str | None:
        name = self.json["learner"].get("name")
        return str(name).strip() if name else None

    @property
    def course_id(self) -> str | None:
        return _id_of(self.json.get("course"))

    @property
    def quiz_id(self) -> str | None:
        return _id_of(self.json.get("quiz"))

    @property
    def module_id(self) -> str | None:
        return _id_of(self.json.get("module"))

    @property
    def tag(self) -> str | None:
        tag = self.json.get("tag")
        return str(tag) if tag is not None else None

    @property
    def score(self) -> tuple[float, float] | None:
        """(score, maximum) of a quiz event."""
        quiz = self.json.get("quiz")
        return (float(quiz["score"]), float(quiz["maxScore"])) if quiz else None

    @property
    def percentage(self) -> float | None:
        value = self.json.get("percentage")
        return float(value) if value is not None else None


def _id_of(part: Any) -> str | None:
    return str(part["id"]) if isinstance(part, Mapping) and "id" in part else None
