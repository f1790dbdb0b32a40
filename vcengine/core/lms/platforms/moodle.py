"""Moodle: core event data as its webhook plugins post it.

``local_webhooks`` (https://github.com/valentineus/moodle-webhooks) posts ``$event->get_data()``
as JSON plus ``host``, ``token`` (the shared token, in the body: the integration's secret) and
``extra``; several ids arrive as strings. ``tool_trigger`` (catalyst/moodle-tool_trigger) posts
what its workflow step templates, JSON-encoded with every value a string — configure it to send
the same fields (``eventname``, ``courseid``, ``relateduserid``, ``timecreated``, ``token``) and,
where the workflow can look it up, the learner's ``email`` and ``fullname``.

Events read (standard event data, https://moodledev.io/docs/apis/core/events):
``\\core\\event\\course_completed`` -> course_completed (the learner is ``relateduserid``),
``\\core\\event\\course_module_completion_updated`` -> module_completed (the module is
``contextinstanceid``; ``other.completionstate`` 0 means un-completed and is ignored).
Moodle sends no email with these events: without an ``email`` field the event is kept and
rejected until its learner can be found (replayable). Moodle events carry no id either: the
event's id is made of its name, object, learner, course and ``timecreated``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from vcengine.core.lms.platforms._common import event_from, learner, mapping, stable_id, text
from vcengine.core.lms.platforms.delivery import Delivery
from vcengine.core.lms.signatures import verify_token

__all__ = ["authenticate", "read"]

COURSE_COMPLETED = "\\core\\event\\course_completed"
MODULE_COMPLETION = "\\core\\event\\course_module_completion_updated"


def authenticate(secret: str, body_doc: Any) -> None:
    """The ``token`` field of the body (Moodle's plugins cannot sign)."""
    token = body_doc.get("token") if isinstance(body_doc, Mapping) else None
    verify_token(secret, text(token), "the body's token field")


def _occurred(value: Any) -> str | None:
    stamp = text(value)
    if stamp is None or not stamp.isdigit() or len(stamp) > 12:
        return None
    return datetime.fromtimestamp(int(stamp), UTC).isoformat().replace("+00:00", "Z")


def _completion_state(other: Any) -> str | None:
    return text(other.get("completionstate")) if isinstance(other, Mapping) else None


def read(doc: Any, headers: Mapping[str, str]) -> Delivery:
    data = mapping(doc, "$")
    kept = {k: v for k, v in data.items() if k != "token"}
    name = text(data.get("eventname"))
    if name not in (COURSE_COMPLETED, MODULE_COMPLETION):
        return Delivery((), kept, f"{name} is not a completion event")
    if name == MODULE_COMPLETION and _completion_state(data.get("other")) == "0":
        return Delivery((), kept, "the module was marked not complete")
    learner_id = text(data.get("relateduserid"))
    event: dict[str, Any] = {
        "id": stable_id(
            name, data.get("objectid"), learner_id, data.get("courseid"), data.get("timecreated")
        ),
        "event": "course_completed" if name == COURSE_COMPLETED else "module_completed",
        "occurredAt": _occurred(data.get("timecreated")),
        "learner": learner(data.get("email"), data.get("fullname"), learner_id),
        "course": {"id": text(data.get("courseid"))} if text(data.get("courseid")) else None,
    }
    if name == MODULE_COMPLETION:
        event["module"] = {"id": text(data.get("contextinstanceid"))}
    return Delivery((event_from(event, email_required=False),), kept)
