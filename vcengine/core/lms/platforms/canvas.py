"""Canvas Live Events over HTTPS, plain JSON form (https://developerdocs.instructure.com/services/canvas/data-services/live-events).

Body ``{"metadata": {..., "event_name", "event_time", ...}, "body": {...}}`` with values
stringified. ``course_completed`` ("all of the module requirements in a course are met") and
``course_progress`` share the body ``{progress: {requirement_count, requirement_completed_count,
completed_at, ...}, user: {id, name, email}, course: {id, name, account_id, sis_source_id}}``:
the first becomes course_completed, the second enrollment_progress (completed / required).
Other events are answered and ignored.

Without "Sign Payload" Canvas sends no proof: the integration's token rides in the webhook URL
(``?token=``), compared in constant time. With "Sign Payload" on, the body is a JWT whose
claims are this same JSON (``canvas_jwt``), checked against the integration's ``jwksUrl``.
Canvas sends no event id: the event's id is made of its name, learner, course and
``completed_at`` (Canvas emits ``course_completed`` again when a completion time changes).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vcengine.core.lms.platforms._common import event_from, learner, mapping, stable_id, text
from vcengine.core.lms.platforms.delivery import Delivery
from vcengine.core.lms.signatures import verify_token
from vcengine.errors import InputError

__all__ = ["authenticate_url_token", "read"]


def authenticate_url_token(secret: str, query: Mapping[str, str]) -> None:
    verify_token(secret, query.get("token"), "the webhook URL's token parameter")


def _progress(progress: Mapping[str, Any]) -> float:
    try:
        required = float(str(progress.get("requirement_count")))
        done = float(str(progress.get("requirement_completed_count")))
    except ValueError:
        raise InputError("requirement counts are not numbers", path="$.body.progress") from None
    return 100.0 if required <= 0 else min(max(done * 100 / required, 0.0), 100.0)


def read(doc: Any, headers: Mapping[str, str]) -> Delivery:
    envelope = mapping(doc, "$")
    metadata = mapping(envelope.get("metadata"), "$.metadata")
    name = text(metadata.get("event_name"))
    if name not in ("course_completed", "course_progress"):
        return Delivery((), envelope, f"{name} is not a completion event")
    body = mapping(envelope.get("body"), "$.body")
    user = mapping(body.get("user"), "$.body.user")
    course = mapping(body.get("course"), "$.body.course")
    progress = mapping(body.get("progress"), "$.body.progress")
    event: dict[str, Any] = {
        "id": stable_id(
            name, user.get("id"), course.get("id"), progress.get("completed_at"), metadata.get("event_time")
        ),
        "event": "course_completed" if name == "course_completed" else "enrollment_progress",
        "occurredAt": text(metadata.get("event_time")),
        "learner": learner(user.get("email"), user.get("name"), user.get("id")),
        "course": {
            k: v for k, v in {"id": text(course.get("id")), "name": text(course.get("name"))}.items() if v
        },
    }
    if name == "course_progress":
        event["percentage"] = _progress(progress)
    return Delivery((event_from(event, email_required=False),), envelope)
