"""Thinkific webhooks (https://support.thinkific.dev/hc/en-us/articles/4422658311703-Webhooks-Documentation).

Envelope ``{id, resource, action, tenant_id, created_at, payload}``; the topic is
``resource.action`` (also in ``X-Thinkific-Topic``). Authenticity: ``X-Thinkific-Hmac-Sha256`` is
the hex HMAC-SHA256 of the raw body under the site's API key (private apps) or the app's client
secret (public apps) — the integration's secret. There is no timestamp, so no replay window;
redeliveries carry the same ``id`` and are recognised by it.

Topics read: ``enrollment.completed`` (the enrolment reached 100 %) -> course_completed,
``enrollment.progress`` (``percentage_completed``, a string such as ``"24.0"``) ->
enrollment_progress, ``lesson.completed`` -> module_completed (the lesson). Other topics are
answered and ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from vcengine.core.lms.platforms._common import event_from, learner, mapping, text
from vcengine.core.lms.platforms.delivery import Delivery
from vcengine.core.lms.signatures import verify_hex_hmac
from vcengine.errors import InputError

__all__ = ["HEADER", "authenticate", "read"]

HEADER = "X-Thinkific-Hmac-Sha256"
_KINDS = {
    "enrollment.completed": "course_completed",
    "enrollment.progress": "enrollment_progress",
    "lesson.completed": "module_completed",
}


def authenticate(
    secret: str, headers: Mapping[str, str], query: Mapping[str, str], body: bytes, now: datetime
) -> None:
    verify_hex_hmac(secret, body, headers.get(HEADER.lower()), HEADER)


def _percentage(value: Any) -> float:
    try:
        return min(max(float(str(value)), 0.0), 100.0)
    except ValueError:
        raise InputError("is not a number", path="$.payload.percentage_completed") from None


def read(doc: Any, headers: Mapping[str, str]) -> Delivery:
    envelope = mapping(doc, "$")
    topic = f"{envelope.get('resource')}.{envelope.get('action')}"
    kind = _KINDS.get(topic)
    if kind is None:
        return Delivery((), envelope, f"{topic} is not a learning event")
    payload = mapping(envelope.get("payload"), "$.payload")
    user = mapping(payload.get("user"), "$.payload.user")
    course: Mapping[str, Any] = payload["course"] if isinstance(payload.get("course"), Mapping) else {}
    first, last = text(user.get("first_name")), text(user.get("last_name"))
    name = " ".join(p for p in (first, last) if p) or None
    event: dict[str, Any] = {
        "id": text(envelope.get("id")),
        "event": kind,
        "occurredAt": text(envelope.get("created_at")),
        "learner": learner(user.get("email"), name, user.get("id")),
        "course": {
            "id": text(course.get("id")) or text(payload.get("course_id")),
            "name": text(course.get("name")),
        },
    }
    event["course"] = {k: v for k, v in event["course"].items() if v is not None}
    if kind == "enrollment_progress":
        event["percentage"] = _percentage(payload.get("percentage_completed"))
    if kind == "module_completed":
        lesson = mapping(payload.get("lesson"), "$.payload.lesson")
        event["module"] = {"id": text(lesson.get("id"))}
    return Delivery((event_from(event),), envelope)
