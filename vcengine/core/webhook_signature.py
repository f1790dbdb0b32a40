"""Standard Webhooks signatures: the ``webhook-id``, ``webhook-timestamp`` and
``webhook-signature`` headers of a delivery, and the ``whsec_`` secrets they are made with.

https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
(§ Signature scheme): the signed content is ``{msg_id}.{timestamp}.{body}``; the signature is
HMAC-SHA256 under the base64-decoded secret, sent as ``v1,{base64}``; several signatures are
separated by spaces. A secret is 24 to 64 random bytes, base64-encoded, prefixed ``whsec_``.
Pure: the random bytes and the time come in as arguments.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping

from vcengine.errors import InputError

__all__ = ["SECRET_PREFIX", "sign", "signed_headers", "webhook_secret"]

SECRET_PREFIX = "whsec_"


def webhook_secret(random: bytes) -> str:
    """A secret of the ``random`` bytes (24 to 64 of them): ``whsec_`` + base64."""
    if not 24 <= len(random) <= 64:
        raise InputError("a webhook secret is 24 to 64 random bytes")
    return SECRET_PREFIX + base64.b64encode(random).decode("ascii")


def _key(secret: str) -> bytes:
    if not secret.startswith(SECRET_PREFIX):
        raise InputError("a webhook secret starts with whsec_")
    try:
        return base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except binascii.Error:
        raise InputError("a webhook secret is whsec_ and base64") from None


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``v1,`` signature of ``body`` sent as message ``msg_id`` at ``timestamp`` (Unix seconds)."""
    content = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signed_headers(secrets: list[str], msg_id: str, timestamp: int, body: bytes) -> Mapping[str, str]:
    """The three headers of a delivery, signed with each of ``secrets`` (two while one rotates)."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(sign(s, msg_id, timestamp, body) for s in secrets),
    }
