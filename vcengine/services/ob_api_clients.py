"""Clients of the Open Badges API: OAuth 2.0 Dynamic Client Registration (RFC 7591 §3, as the
1EdTech Security Framework profiles it) and client authentication (``client_secret_basic``,
RFC 6749 §2.3.1).

The client secret is 256 random bits, returned once in the registration response and stored as
SHA-256 only (like every high-entropy secret here: ``oid4vci_offers.secret_hash``)."""

from __future__ import annotations

import base64
import binascii
import hmac
from typing import Any
from urllib.parse import unquote_plus

from vcengine.core.ob_api.registration import read_client_metadata
from vcengine.errors import ProtocolError
from vcengine.services.context import Services
from vcengine.services.oid4vci_offers import secret_hash
from vcengine.services.ports import ObClientRecord

__all__ = ["authenticate", "register"]


def _random(services: Services) -> str:
    return base64.urlsafe_b64encode(services.random_bytes(32)).rstrip(b"=").decode("ascii")


async def register(services: Services, body: Any) -> dict[str, Any]:
    """Register a client from its metadata: the RFC 7591 §3.2.1 response (``client_id``,
    ``client_secret`` — the only time it is shown — and the metadata as registered)."""
    metadata = read_client_metadata(body, allow_loopback=services.allow_loopback_webhooks)
    client_id, secret, now = services.new_id(), _random(services), services.now()
    await services.store.create_ob_client(ObClientRecord(client_id, secret_hash(secret), metadata, now))
    return {
        "client_id": client_id,
        "client_secret": secret,
        "client_id_issued_at": int(now.timestamp()),
        "client_secret_expires_at": 0,
        **metadata,
    }


def _basic(header: str | None) -> tuple[str, str] | None:
    scheme, _, value = (header or "").partition(" ")
    if scheme.lower() != "basic" or not value or len(value) > 1024:
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, colon, secret = decoded.partition(":")
    return (unquote_plus(client_id), unquote_plus(secret)) if colon else None


async def authenticate(services: Services, authorization: str | None) -> ObClientRecord:
    """The client of an ``Authorization: Basic`` header; ``ProtocolError("invalid_client")``
    (HTTP 401) when it is missing, unknown or its secret is wrong."""
    credentials = _basic(authorization)
    client = None if credentials is None else await services.store.get_ob_client(credentials[0][:200])
    if credentials is None or client is None:
        raise ProtocolError(
            "invalid_client", "client authentication failed (HTTP Basic: client_id, client_secret)"
        )
    if not hmac.compare_digest(secret_hash(credentials[1]), client.secret_hash):
        raise ProtocolError(
            "invalid_client", "client authentication failed (HTTP Basic: client_id, client_secret)"
        )
    return client
