"""Each platform's webhook, read: how its sender is authenticated and what learner events its
body carries (as ``core.lms.event`` JSON, validated by the event schema).

``authenticate`` runs before the body is trusted (over the raw bytes, where the scheme signs
them); ``read`` turns the parsed body into events — none, with the reason, for a delivery that is
no learning event (a Thinkific ``order.created``, say) — and the body as it is kept, with the
secrets it carries removed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from vcengine.core.lms.event import LearnerEvent, validate_event
from vcengine.core.lms.signatures import verify_standard_webhook, verify_token
from vcengine.errors import InputError, UnsupportedError

__all__ = ["Delivery", "authenticate", "read"]


@dataclass(frozen=True, slots=True)
class Delivery:
    """What one request carries: its events, the body as kept, and why there is no event."""

    events: tuple[LearnerEvent, ...]
    raw: Mapping[str, Any] = field(default_factory=dict)
    ignored: str | None = None


def _bearer(headers: Mapping[str, str]) -> str | None:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def authenticate(
    platform: str,
    secret: str,
    headers: Mapping[str, str],
    query: Mapping[str, str],
    body: bytes,
    now: datetime,
) -> None:
    """``SignatureError`` unless the request proves it comes from the integration's sender.
    ``headers`` have lower-case names."""
    if platform == "generic":
        verify_standard_webhook(secret, headers, body, now)
    elif platform in ("zapier", "make"):
        verify_token(secret, _bearer(headers), "Authorization: Bearer")
    else:
        raise UnsupportedError(f"{platform} webhooks are not received yet")


def read(platform: str, doc: Any, headers: Mapping[str, str]) -> Delivery:
    """The events of the parsed body ``doc``; ``InputError`` for a body the platform never sends."""
    if platform in ("generic", "zapier", "make"):
        if not isinstance(doc, Mapping):
            raise InputError("the body must be one event object", path="$")
        return Delivery((validate_event(doc),), doc)
    raise UnsupportedError(f"{platform} webhooks are not received yet")
