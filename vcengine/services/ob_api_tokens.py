"""The Open Badges API's Token Endpoint (RFC 6749 §4.1.3, §6; RFC 7636 §4.5), token revocation
(RFC 7009) and the bearer check of the resource endpoints (RFC 6750).

- ``authorization_code``: the code of one of the client's grants, its ``redirect_uri``, the PKCE
  ``code_verifier``; once. A code used twice revokes every token of its grant (RFC 6749 §4.1.2).
- ``refresh_token``: rotation: the pair is revoked and a new pair given, with the same or a
  narrower ``scope``. A refresh token used twice revokes every token of its grant (RFC 9700
  §4.14.2: the replay shows the token leaked).
- access tokens live ``ACCESS_LIFETIME``, refresh tokens ``REFRESH_LIFETIME``; both are 256
  random bits, stored as SHA-256 only.
"""

from __future__ import annotations

import base64
import hmac
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from vcengine.core.ob_api.scopes import read_scope
from vcengine.core.oid4vci.authorization import verify_pkce
from vcengine.errors import ProtocolError
from vcengine.services.context import Services
from vcengine.services.oid4vci_offers import secret_hash
from vcengine.services.ports import ObClientRecord, ObGrantRecord, ObTokenLookup, ObTokenRecord

__all__ = ["ACCESS_LIFETIME", "REFRESH_LIFETIME", "bearer", "exchange_code", "refresh", "revoke", "token"]

ACCESS_LIFETIME = timedelta(hours=1)
REFRESH_LIFETIME = timedelta(days=90)


@dataclass(frozen=True, slots=True)
class _Issued:
    access_token: str
    refresh_token: str
    record: ObTokenRecord

    def response(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": int(ACCESS_LIFETIME.total_seconds()),
            "refresh_token": self.refresh_token,
            "scope": self.record.scope,
        }


def _random(services: Services) -> str:
    return base64.urlsafe_b64encode(services.random_bytes(32)).rstrip(b"=").decode("ascii")


async def _issue(services: Services, grant: ObGrantRecord, scope: str) -> dict[str, Any]:
    access, refresh_token, now = _random(services), _random(services), services.now()
    record = ObTokenRecord(
        id=services.new_id(),
        grant_id=grant.id,
        client_id=grant.client_id,
        email=grant.email,
        scope=scope,
        access_hash=secret_hash(access),
        refresh_hash=secret_hash(refresh_token),
        created_at=now,
        access_expires_at=now + ACCESS_LIFETIME,
        refresh_expires_at=now + REFRESH_LIFETIME,
    )
    await services.store.create_ob_token(record)
    return _Issued(access, refresh_token, record).response()


def _granted(client: ObClientRecord, grant_type: str) -> None:
    if grant_type not in client.metadata["grant_types"]:
        raise ProtocolError("unauthorized_client", f"this client did not register the {grant_type} grant")


async def exchange_code(services: Services, client: ObClientRecord, form: dict[str, str]) -> dict[str, Any]:
    """The ``authorization_code`` grant: the token response."""
    _granted(client, "authorization_code")
    code = form.get("code")
    if not code:
        raise ProtocolError("invalid_request", "code is required")
    grant = await services.store.find_ob_grant("code_hash", secret_hash(code))
    if grant is None or grant.client_id != client.id:
        raise ProtocolError("invalid_grant", "unknown authorization code")
    if form.get("redirect_uri") != grant.redirect_uri:
        raise ProtocolError("invalid_grant", "redirect_uri must be that of the authorization request")
    if not verify_pkce(form.get("code_verifier"), grant.code_challenge):
        raise ProtocolError("invalid_grant", "the code_verifier does not match the code_challenge (PKCE)")
    now = services.now()
    if not await services.store.redeem_ob_code(grant.id, now):
        current = await services.store.find_ob_grant("id", grant.id)
        if current is not None and current.code_used_at is not None:  # a replay: the code leaked
            await services.store.revoke_ob_grant(grant.id, now)
        raise ProtocolError("invalid_grant", "the authorization code was used or has expired")
    scope = grant.scope
    if form.get("scope"):
        scope = read_scope(form["scope"], frozenset(grant.scope.split()))
    return await _issue(services, grant, scope)


async def refresh(services: Services, client: ObClientRecord, form: dict[str, str]) -> dict[str, Any]:
    """The ``refresh_token`` grant, with rotation."""
    _granted(client, "refresh_token")
    value = form.get("refresh_token")
    if not value:
        raise ProtocolError("invalid_request", "refresh_token is required")
    old = await services.store.find_ob_token("refresh_hash", secret_hash(value))
    if old is None or old.client_id != client.id:
        raise ProtocolError("invalid_grant", "unknown refresh token")
    now = services.now()
    if old.refresh_expires_at <= now:
        raise ProtocolError("invalid_grant", "the refresh token has expired")
    if old.revoked_at is not None or not await services.store.revoke_ob_token(old.id, now):
        await services.store.revoke_ob_grant(old.grant_id, now)
        raise ProtocolError("invalid_grant", "the refresh token was used or revoked")
    scope = read_scope(form["scope"], frozenset(old.scope.split())) if form.get("scope") else old.scope
    grant = await services.store.find_ob_grant("id", old.grant_id)
    if grant is None:
        raise ProtocolError("invalid_grant", "unknown refresh token")
    return await _issue(services, grant, scope)


async def token(services: Services, client: ObClientRecord, form: dict[str, str]) -> dict[str, Any]:
    """The Token Endpoint by ``grant_type``."""
    grant_type = form.get("grant_type")
    if grant_type == "authorization_code":
        return await exchange_code(services, client, form)
    if grant_type == "refresh_token":
        return await refresh(services, client, form)
    raise ProtocolError("unsupported_grant_type", "grant_type must be authorization_code or refresh_token")


async def revoke(services: Services, client: ObClientRecord, form: dict[str, str]) -> None:
    """RFC 7009 §2.1: revoke the pair of the access or refresh token ``token`` of this client.
    An unknown token, or another client's, is not an error (§2.2)."""
    value = form.get("token")
    if not value:
        raise ProtocolError("invalid_request", "token is required")
    hint = form.get("token_type_hint")
    order: tuple[ObTokenLookup, ...] = ("access_hash", "refresh_hash")
    if hint == "refresh_token":
        order = ("refresh_hash", "access_hash")
    for by in order:
        found = await services.store.find_ob_token(by, secret_hash(value))
        if found is not None:
            if found.client_id == client.id:
                await services.store.revoke_ob_token(found.id, services.now())
            return


async def bearer(services: Services, authorization: str | None, scope: str) -> ObTokenRecord:
    """The live access token of an ``Authorization: Bearer`` header that carries ``scope``:
    ``ProtocolError("invalid_token")`` (401) or ``("insufficient_scope")`` (403) otherwise."""
    kind, _, value = (authorization or "").partition(" ")
    if kind.lower() != "bearer" or not value.strip() or len(value) > 512:
        raise ProtocolError("invalid_token", "an access token is required (Authorization: Bearer)")
    record = await services.store.find_ob_token("access_hash", secret_hash(value.strip()))
    if (
        record is None
        or record.revoked_at is not None
        or record.access_expires_at <= services.now()
        or not hmac.compare_digest(record.access_hash, secret_hash(value.strip()))
    ):
        raise ProtocolError("invalid_token", "the access token is unknown, expired or revoked")
    if scope not in record.scope.split():
        raise ProtocolError("insufficient_scope", f"the access token lacks the scope {scope}")
    return record
