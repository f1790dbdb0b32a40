"""How an LMS proves a webhook is its own: each check runs over the raw body, in constant time, and
raises ``SignatureError`` (with what is wrong, never a secret) or returns.

- Standard Webhooks v1 (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
  §"Signature scheme"): ``webhook-signature`` lists ``v1,<base64 HMAC-SHA256>`` over
  ``"{webhook-id}.{webhook-timestamp}.{body}"`` under the secret ``whsec_<base64 key>``;
  the timestamp must lie within ``tolerance`` of ``now`` (the spec's replay protection; the
  reference libraries allow 5 minutes either way).
- A hex HMAC-SHA256 of the body (Thinkific's ``X-Thinkific-Hmac-Sha256``, Teachable's
  ``teachable-signature``).
- A shared token (Zapier/Make headers, Moodle's body field, a URL token), compared in constant time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from vcengine.errors import InputError, SignatureError

__all__ = [
    "STANDARD_WEBHOOKS_TOLERANCE",
    "new_standard_webhooks_secret",
    "new_token",
    "verify_hex_hmac",
    "verify_standard_webhook",
    "verify_token",
]

STANDARD_WEBHOOKS_TOLERANCE = timedelta(minutes=5)
_PREFIX = "whsec_"


def new_standard_webhooks_secret(random_bytes: Callable[[int], bytes]) -> str:
    """``whsec_`` + 32 random bytes in base64 (the spec allows 24 to 64)."""
    return _PREFIX + base64.b64encode(random_bytes(32)).decode("ascii")


def new_token(random_bytes: Callable[[int], bytes]) -> str:
    """A random token for senders that can only repeat a shared secret (43 URL-safe characters)."""
    return base64.urlsafe_b64encode(random_bytes(32)).rstrip(b"=").decode("ascii")


def standard_webhooks_key(secret: str) -> bytes:
    """The HMAC key of a ``whsec_`` secret; ``InputError`` if it is not one."""
    try:
        key = base64.b64decode(secret.removeprefix(_PREFIX), validate=True)
    except (binascii.Error, ValueError):
        raise InputError("a Standard Webhooks secret is whsec_ followed by base64") from None
    if not 24 <= len(key) <= 64:
        raise InputError("a Standard Webhooks secret holds 24 to 64 bytes")
    return key


def verify_standard_webhook(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    now: datetime,
    tolerance: timedelta = STANDARD_WEBHOOKS_TOLERANCE,
) -> str:
    """Check a Standard Webhooks request; returns its ``webhook-id`` (stable across retries)."""
    msg_id, stamp, signatures = (headers.get(f"webhook-{h}") for h in ("id", "timestamp", "signature"))
    if not (msg_id and stamp and signatures):
        raise SignatureError("missing the webhook-id, webhook-timestamp or webhook-signature header")
    if not stamp.isdigit() or len(stamp) > 12:
        raise SignatureError("webhook-timestamp is not a Unix time in seconds")
    sent = datetime.fromtimestamp(int(stamp), UTC)
    if abs(now - sent) > tolerance:
        raise SignatureError(
            f"webhook-timestamp is {int(abs((now - sent).total_seconds()))} s away from now "
            f"(at most {int(tolerance.total_seconds())} s): refused as a possible replay"
        )
    signed = msg_id.encode() + b"." + stamp.encode() + b"." + body
    expected = base64.b64encode(hmac.new(standard_webhooks_key(secret), signed, hashlib.sha256).digest())
    for candidate in signatures.split(" "):
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value.encode(), expected):
            return msg_id
    raise SignatureError("no v1 signature in webhook-signature matches the body")


def verify_hex_hmac(key: str, body: bytes, signature: str | None, header: str) -> None:
    """``signature`` must be the hex HMAC-SHA256 of ``body`` under ``key`` (case-insensitive)."""
    if not signature:
        raise SignatureError(f"missing the {header} header")
    expected = hmac.new(key.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(signature.strip().lower().encode(), expected.encode()):
        raise SignatureError(f"{header} does not match the body")


def verify_token(expected: str, given: str | None, where: str) -> None:
    """``given`` must equal ``expected``; ``where`` says where it was looked for."""
    if not given:
        raise SignatureError(f"missing the token ({where})")
    if not secrets.compare_digest(given.encode(), expected.encode()):
        raise SignatureError(f"wrong token ({where})")
