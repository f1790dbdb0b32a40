"""The webhook event types: one registry of what an endpoint may subscribe to.

Each type names the stored event (``EventRecord.type``) it is sent for. A feature that emits a
new kind of event adds one line here and passes its events to ``services.webhooks`` with the
write that records them; nothing else changes (the GraphQL enum of event types is built from
this registry). Types follow the Standard Webhooks convention ``<group>.<event>``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from vcengine.errors import InputError

__all__ = ["EVENT_TYPES", "WebhookEventType", "check_event_types", "webhook_type_of"]


@dataclass(frozen=True, slots=True)
class WebhookEventType:
    name: str
    event: str
    description: str


EVENT_TYPES: Mapping[str, WebhookEventType] = {
    t.name: t
    for t in (
        WebhookEventType("credential.issued", "issued", "A credential was issued (signed and stored)."),
        WebhookEventType("credential.revoked", "revoked", "A credential was revoked for good."),
        WebhookEventType("credential.suspended", "suspended", "A credential was suspended."),
        WebhookEventType("credential.unsuspended", "unsuspended", "A suspended credential is valid again."),
        WebhookEventType(
            "credential.expired", "expired", "A credential's validUntil passed (unless revoked)."
        ),
        WebhookEventType("credential.delivered", "delivered", "A credential's email was accepted by SMTP."),
        WebhookEventType("credential.claimed", "claimed", "The earner accepted the credential."),
        WebhookEventType(
            "credential.wallet_imported",
            "wallet_imported",
            "The earner's wallet reported the credential accepted (OID4VCI notification).",
        ),
        WebhookEventType(
            "integration.event.failed",
            "integration.event.failed",
            "An event from an integration (an LMS, say) could not be processed.",
        ),
    )
}

_BY_EVENT = {t.event: t.name for t in EVENT_TYPES.values()}


def webhook_type_of(event_type: str) -> str | None:
    """The webhook type sent for a stored event of ``event_type`` (None: none is sent)."""
    return _BY_EVENT.get(event_type)


def check_event_types(names: Iterable[str]) -> tuple[str, ...]:
    """The subscribed types, sorted and once each; ``InputError`` for none or an unknown one."""
    chosen = sorted(set(names))
    if not chosen:
        raise InputError("subscribe to at least one event type", path="events")
    unknown = [n for n in chosen if n not in EVENT_TYPES]
    if unknown:
        known = ", ".join(EVENT_TYPES)
        raise InputError(f"unknown event type {unknown[0]!r} (known: {known})", path="events")
    return tuple(chosen)
