"""Teachable webhooks (https://docs.teachable.com/docs/webhook-events-and-data).

Events read: ``Enrollment.completed`` ("a user completes 100 % of a course") -> course_completed,
``LectureProgress.created`` ("a user completes a lecture") -> module_completed (the lecture).
Other events are answered and ignored.

Teachable's payload field names are not all documented and vary between events, so they are read
defensively: the event type from ``type`` (or ``event``/``event_trigger``), the object from
``object`` (or ``data``), the learner from ``object.user`` (``email``, ``name``, ``id``), the
course from ``object.course`` or ``object.course_id``, the lecture from ``object.lecture`` or
``object.lecture_id``; the event id from ``id`` (or ``hook_event_id``).

Authenticity: ``teachable-signature``, the hex HMAC-SHA256 of the raw body under the webhook's
secret (third-party sources only: unverified against a real school).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from vcengine.core.lms.platforms._common import event_from, learner, mapping, text
from vcengine.core.lms.platforms.delivery import Delivery
from vcengine.core.lms.signatures import verify_hex_hmac

__all__ = ["HEADER", "authenticate", "read"]

HEADER = "teachable-signature"
_KINDS = {"Enrollment.completed": "course_completed", "LectureProgress.created": "module_completed"}


def authenticate(
    secret: str, headers: Mapping[str, str], query: Mapping[str, str], body: bytes, now: datetime
) -> None:
    verify_hex_hmac(secret, body, headers.get(HEADER), HEADER)


def _first(doc: Mapping[str, Any], *names: str) -> Any:
    return next((doc[n] for n in names if doc.get(n) is not None), None)


def _id_of(obj: Mapping[str, Any], name: str) -> str | None:
    nested = obj.get(name)
    return text(nested.get("id")) if isinstance(nested, Mapping) else text(obj.get(f"{name}_id"))


def read(doc: Any, headers: Mapping[str, str]) -> Delivery:
    envelope = mapping(doc, "$")
    kind_name = text(_first(envelope, "type", "event", "event_trigger"))
    kind = _KINDS.get(kind_name or "")
    if kind is None:
        return Delivery((), envelope, f"{kind_name} is not a completion event")
    obj = mapping(_first(envelope, "object", "data"), "$.object")
    user = mapping(obj.get("user"), "$.object.user")
    course: Mapping[str, Any] = obj["course"] if isinstance(obj.get("course"), Mapping) else {}
    event: dict[str, Any] = {
        "id": text(_first(envelope, "id", "hook_event_id")),
        "event": kind,
        "occurredAt": text(_first(envelope, "created", "created_at")),
        "learner": learner(user.get("email"), user.get("name"), user.get("id")),
        "course": {
            k: v for k, v in {"id": _id_of(obj, "course"), "name": text(course.get("name"))}.items() if v
        },
    }
    if kind == "module_completed":
        event["module"] = {"id": _id_of(obj, "lecture")}
    return Delivery((event_from(event),), envelope)
