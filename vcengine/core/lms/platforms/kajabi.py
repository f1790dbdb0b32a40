"""Kajabi: ``tag_added`` hooks (https://developers.kajabi.com — outbound hooks ``purchase``,
``form_submission``, ``tag_added``, ``tag_removed``, ``payment_succeeded``, ``order_created``).

Kajabi sends no course-completion event: a Kajabi automation "when a course (or assessment) is
completed, add tag X" turns completion into ``tag_added``, which a TAG_ADDED rule awards. The hook
payload's field names are not documented beyond JSON:API-style samples, so they are read
defensively: the contact's email and name from ``contact``/``member``/``data.attributes``
(``email``, ``name``), the tag from ``tag.name`` (or ``tag`` as text, or
``data.relationships.tag``), the event id from ``id`` (else made of contact, tag and
``created_at``). Other events are answered and ignored.

Kajabi's signature scheme is undocumented: the integration's token rides in the webhook URL
(``?token=``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vcengine.core.lms.platforms._common import event_from, learner, mapping, stable_id, text
from vcengine.core.lms.platforms.delivery import Delivery
from vcengine.errors import InputError

__all__ = ["read"]


def _person(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    for name in ("contact", "member", "person"):
        if isinstance(doc.get(name), Mapping):
            found: Mapping[str, Any] = doc[name]
            return found
    data = doc.get("data")
    if isinstance(data, Mapping) and isinstance(data.get("attributes"), Mapping):
        attributes: Mapping[str, Any] = data["attributes"]
        return attributes
    raise InputError("names no contact (contact, member or data.attributes)", path="$")


def _tag(doc: Mapping[str, Any], person: Mapping[str, Any]) -> str | None:
    for holder in (doc, person):
        tag = holder.get("tag")
        if isinstance(tag, Mapping):
            return text(tag.get("name"))
        if text(tag):
            return text(tag)
    return None


def read(doc: Any, headers: Mapping[str, str]) -> Delivery:
    envelope = mapping(doc, "$")
    event_name = text(envelope.get("event")) or text(envelope.get("type")) or "tag_added"
    if event_name != "tag_added":
        return Delivery((), envelope, f"{event_name} is not tag_added")
    person = _person(envelope)
    tag = _tag(envelope, person)
    if tag is None:
        raise InputError("names no tag", path="$.tag")
    email = person.get("email")
    event: dict[str, Any] = {
        "id": text(envelope.get("id"))
        or stable_id("tag_added", text(email), tag, envelope.get("created_at")),
        "event": "tag_added",
        "occurredAt": text(envelope.get("created_at")),
        "learner": learner(email, person.get("name"), person.get("id")),
        "tag": tag,
    }
    return Delivery((event_from(event),), envelope)
