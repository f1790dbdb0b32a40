"""vcengine's own event format (``core.lms.event``): GENERIC integrations sign it with Standard
Webhooks; ZAPIER and MAKE, which cannot sign, send ``Authorization: Bearer <token>``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from vcengine.core.lms.event import validate_event
from vcengine.core.lms.platforms._common import mapping
from vcengine.core.lms.platforms.delivery import Delivery
from vcengine.core.lms.signatures import verify_standard_webhook, verify_token

__all__ = ["authenticate_bearer", "authenticate_signed", "read"]


def authenticate_signed(
    secret: str, headers: Mapping[str, str], query: Mapping[str, str], body: bytes, now: datetime
) -> None:
    verify_standard_webhook(secret, headers, body, now)


def authenticate_bearer(
    secret: str, headers: Mapping[str, str], query: Mapping[str, str], body: bytes, now: datetime
) -> None:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    verify_token(secret, token.strip() if scheme.lower() == "bearer" else None, "Authorization: Bearer")


def read(doc: Any, headers: Mapping[str, str]) -> Delivery:
    return Delivery((validate_event(mapping(doc, "$")),), doc)
