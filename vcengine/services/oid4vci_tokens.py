"""The Token Endpoint's pre-authorized code grant (OID4VCI 1.0 §6) and the Nonce Endpoint (§7).

Token request (RFC 6749 §4.1.3 form parameters): ``grant_type`` =
``urn:ietf:params:oauth:grant-type:pre-authorized_code``, ``pre-authorized_code``, ``tx_code``
(exactly when the offer asked for one) and optionally ``authorization_details``
(``[{"type": "openid_credential", "credential_configuration_id"}]``, RFC 9396). Errors (§6.3):
``invalid_request`` (a parameter missing, or a ``tx_code`` the offer did not ask for),
``invalid_grant`` (unknown, used or expired code, wrong ``tx_code``), ``unsupported_grant_type``,
``invalid_authorization_details``. After ``MAX_TX_CODE_FAILURES`` wrong codes the offer is dead.

The access token is random (256 bits), stored as SHA-256, lives ``TOKEN_LIFETIME`` and issues
each offered configuration once. ``credential_identifiers`` are the configuration ids.

A ``c_nonce`` is ``base64url(expiry || 16 random bytes || HMAC)`` under a key derived from the
master key: any instance checks it without a store read, and the Credential Endpoint records it
as used (``Store.use_nonce``), so it is accepted once. It also goes into the token response for
wallets of draft 13, which expect it there.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from vcengine.core import jsontext
from vcengine.core.oid4vci.metadata import PRE_AUTHORIZED_CODE_GRANT
from vcengine.errors import InputError, ProtocolError
from vcengine.services.context import Services
from vcengine.services.keystore import derive_key
from vcengine.services.oid4vci_offers import secret_hash, tx_code_mac
from vcengine.services.ports import CredentialOfferRecord

__all__ = [
    "MAX_TX_CODE_FAILURES",
    "NONCE_LIFETIME",
    "TOKEN_LIFETIME",
    "TokenGrant",
    "check_nonce",
    "exchange_pre_authorized_code",
    "new_nonce",
    "offer_for_token",
]

TOKEN_LIFETIME = timedelta(minutes=10)
NONCE_LIFETIME = timedelta(minutes=5)
MAX_TX_CODE_FAILURES = 5
_NONCE_MAC = 16


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """The Token Response (§6.2): secrets here are shown once, to the wallet."""

    access_token: str
    expires_in: int
    c_nonce: str
    c_nonce_expires_in: int
    authorization_details: list[dict[str, Any]] | None = field(default=None)

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "c_nonce": self.c_nonce,
            "c_nonce_expires_in": self.c_nonce_expires_in,
        }
        if self.authorization_details is not None:
            body["authorization_details"] = self.authorization_details
        return body

    def __repr__(self) -> str:
        return f"TokenGrant(expires_in={self.expires_in})"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _nonce_key(services: Services) -> bytes:
    return derive_key(services.master_key, "oid4vci/c_nonce")


def new_nonce(services: Services) -> tuple[str, int]:
    """A fresh ``c_nonce`` and its lifetime in seconds."""
    expires = int((services.now() + NONCE_LIFETIME).timestamp())
    body = expires.to_bytes(8, "big") + services.random_bytes(16)
    mac = hmac.new(_nonce_key(services), body, hashlib.sha256).digest()[:_NONCE_MAC]
    return _b64(body + mac), int(NONCE_LIFETIME.total_seconds())


def check_nonce(services: Services, nonce: str) -> datetime:
    """When ``nonce`` (one of ours, unexpired) expires; ``ProtocolError("invalid_nonce")`` otherwise.
    Whether it was used already is the store's to say (``use_nonce``)."""
    try:
        raw = base64.urlsafe_b64decode(nonce + "=" * (-len(nonce) % 4)) if len(nonce) <= 64 else b""
    except (binascii.Error, ValueError):
        raw = b""
    body, mac = raw[:-_NONCE_MAC], raw[-_NONCE_MAC:]
    expected = hmac.new(_nonce_key(services), body, hashlib.sha256).digest()[:_NONCE_MAC]
    if len(body) != 24 or not hmac.compare_digest(mac, expected):
        raise ProtocolError("invalid_nonce", "the nonce was not issued by this credential issuer")
    expires = datetime.fromtimestamp(int.from_bytes(body[:8], "big"), tz=UTC)
    if expires <= services.now():
        raise ProtocolError("invalid_nonce", "the nonce has expired: get a fresh one from the nonce endpoint")
    return expires


def _authorization_details(raw: str | None, offer: CredentialOfferRecord) -> list[dict[str, Any]] | None:
    if raw is None:
        return None
    try:
        details = jsontext.loads(raw, max_bytes=16 * 1024)
    except InputError as exc:
        raise ProtocolError("invalid_authorization_details", f"not JSON: {exc.message}") from None
    if not isinstance(details, list) or not details:
        raise ProtocolError(
            "invalid_authorization_details", "authorization_details must be a non-empty array"
        )
    out = []
    for detail in details:
        if not isinstance(detail, Mapping) or detail.get("type") != "openid_credential":
            raise ProtocolError("invalid_authorization_details", 'each entry has type "openid_credential"')
        cid = detail.get("credential_configuration_id")
        if cid not in offer.configuration_ids:
            raise ProtocolError("invalid_authorization_details", f"{cid!r} was not offered")
        out.append(
            {"type": "openid_credential", "credential_configuration_id": cid, "credential_identifiers": [cid]}
        )
    return out


async def _check_tx_code(services: Services, offer: CredentialOfferRecord, form: Mapping[str, str]) -> None:
    given = form.get("tx_code")
    if offer.tx_code_mac is None:
        if given is not None:
            raise ProtocolError("invalid_request", "this offer has no transaction code: do not send tx_code")
        return
    if not given:
        raise ProtocolError("invalid_request", "this offer needs the transaction code (tx_code)")
    if offer.tx_code_failures >= MAX_TX_CODE_FAILURES:
        raise ProtocolError("invalid_grant", "too many wrong transaction codes: ask for a new offer")
    if len(given) <= 64 and hmac.compare_digest(tx_code_mac(services, offer.id, given), offer.tx_code_mac):
        return
    failures = await services.store.record_tx_code_failure(offer.id)
    left = max(MAX_TX_CODE_FAILURES - failures, 0)
    raise ProtocolError("invalid_grant", f"wrong transaction code ({left} attempts left)")


async def exchange_pre_authorized_code(
    services: Services, issuer_id: str, form: Mapping[str, str]
) -> TokenGrant:
    """Redeem a pre-authorized code (once) for an access token; see the module docstring."""
    grant_type = form.get("grant_type")
    if grant_type is None:
        raise ProtocolError("invalid_request", "grant_type is required")
    if grant_type != PRE_AUTHORIZED_CODE_GRANT:
        raise ProtocolError("unsupported_grant_type", f"grant_type must be {PRE_AUTHORIZED_CODE_GRANT}")
    code = form.get("pre-authorized_code")
    if not code:
        raise ProtocolError("invalid_request", "pre-authorized_code is required")
    offer = await services.store.find_credential_offer("code_hash", secret_hash(code))
    now = services.now()
    if offer is None or offer.issuer_id != issuer_id:
        raise ProtocolError("invalid_grant", "unknown pre-authorized code")
    if await services.store.find_authorization_request("offer_id", offer.id) is not None:
        raise ProtocolError("invalid_grant", "an authorization code is not a pre-authorized code")
    if offer.redeemed_at is not None:
        raise ProtocolError("invalid_grant", "the pre-authorized code was used already")
    if offer.expires_at <= now:
        raise ProtocolError("invalid_grant", "the pre-authorized code has expired")
    await _check_tx_code(services, offer, form)
    details = _authorization_details(form.get("authorization_details"), offer)
    token = _b64(services.random_bytes(32))
    expires = now + TOKEN_LIFETIME
    redeemed = await services.store.redeem_credential_offer(
        offer.id, now, secret_hash(token), expires, MAX_TX_CODE_FAILURES
    )
    if not redeemed:
        raise ProtocolError("invalid_grant", "the pre-authorized code was used already")
    nonce, nonce_lifetime = new_nonce(services)
    return TokenGrant(token, int(TOKEN_LIFETIME.total_seconds()), nonce, nonce_lifetime, details)


async def offer_for_token(
    services: Services, issuer_id: str, authorization: str | None
) -> CredentialOfferRecord:
    """The offer an ``Authorization: Bearer`` access token was issued for (RFC 6750 §2.1);
    ``ProtocolError("invalid_token")`` when it is missing, unknown, of another issuer or expired."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ProtocolError("invalid_token", "send the access token as Authorization: Bearer <token>")
    offer = await services.store.find_credential_offer("token_hash", secret_hash(token.strip()))
    if offer is None or offer.issuer_id != issuer_id or offer.token_expires_at is None:
        raise ProtocolError("invalid_token", "unknown access token")
    if offer.token_expires_at <= services.now():
        raise ProtocolError("invalid_token", "the access token has expired")
    return offer
