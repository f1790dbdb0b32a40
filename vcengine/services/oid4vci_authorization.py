"""Wallet-initiated issuance: the authorization code flow with PKCE (OID4VCI 1.0 §5-6, RFC 6749
§4.1, RFC 7636), the learner signing in with an emailed one-time link.

1. The wallet sends the learner's browser to the Authorization Endpoint (``start``): the request
   is checked (``core.oid4vci.authorization``) and kept ``REQUEST_LIFETIME``; the page asks for
   the learner's email address.
2. ``request_sign_in`` takes the address once and stores a durable job (``SIGN_IN_KIND``) that
   emails a one-time link (``SIGN_IN_LIFETIME``); the answer is the same whether or not the
   address has badges here (no address probing).
3. The link (``open_sign_in``: a GET, which changes nothing, as mail scanners follow links) lists
   the learner's active badges of this issuer; choosing one (``choose``) uses the link (once) and
   makes an offer of that credential whose code is the authorization code (``CODE_LIFETIME``);
   the browser goes back to the wallet's ``redirect_uri`` with ``code``, ``state`` and ``iss``
   (RFC 9207).
4. The Token Endpoint (``exchange_authorization_code``) takes ``code``, ``redirect_uri``,
   ``client_id`` (both as in step 1) and ``code_verifier`` (PKCE S256); from there on the offer's
   access token works like the pre-authorized code's (``oid4vci_issuance``).

The authorization code and the link token are random (256 bits) and stored as SHA-256 only; an
authorization code is not a pre-authorized code and the other way round.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from vcengine.core.oid4vci.authorization import AuthorizationRequest, read_authorization_request, verify_pkce
from vcengine.core.oid4vci.metadata import Display, credential_configurations
from vcengine.errors import InputError, NotFound, ProtocolError
from vcengine.services.context import Services
from vcengine.services.jobs import new_job
from vcengine.services.oid4vci_offers import credential_issuer_id, secret_hash
from vcengine.services.oid4vci_tokens import MAX_TX_CODE_FAILURES, TOKEN_LIFETIME, TokenGrant, new_nonce
from vcengine.services.ports import (
    AuthorizationRequestRecord,
    CredentialFilter,
    CredentialOfferRecord,
    CredentialRecord,
    IssuerRecord,
)

__all__ = [
    "CODE_LIFETIME",
    "REQUEST_LIFETIME",
    "SIGN_IN_KIND",
    "SIGN_IN_LIFETIME",
    "SignIn",
    "choose",
    "error_redirect",
    "exchange_authorization_code",
    "issue_sign_in_link",
    "open_sign_in",
    "request_sign_in",
    "sign_in_url",
    "start",
]

REQUEST_LIFETIME = timedelta(minutes=30)
SIGN_IN_LIFETIME = timedelta(minutes=15)
CODE_LIFETIME = timedelta(minutes=5)
SIGN_IN_KIND = "oid4vci_sign_in"
MAX_BADGES = 50
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]{1,63}")


@dataclass(frozen=True, slots=True)
class SignIn:
    """An open sign-in link: the request it answers and the learner's badges to choose from."""

    request: AuthorizationRequestRecord
    credentials: tuple[CredentialRecord, ...]


def _b64(services: Services) -> str:
    return base64.urlsafe_b64encode(services.random_bytes(32)).rstrip(b"=").decode("ascii")


def sign_in_url(services: Services, issuer_id: str, token: str) -> str:
    return f"{credential_issuer_id(services, issuer_id)}/oid4vci/sign-in/{token}"


def _configurations() -> dict[str, dict[str, Any]]:
    return credential_configurations(Display(name="-"))


def error_redirect(redirect_uri: str, error: ProtocolError, state: str | None, issuer: str) -> str:
    """Where a refused (but redirectable) request sends the browser (RFC 6749 §4.1.2.1)."""
    params = {"error": error.code, "error_description": error.message, "iss": issuer}
    if state is not None:
        params["state"] = state
    return f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{urlencode(params)}"


async def start(
    services: Services, issuer: IssuerRecord, params: dict[str, str]
) -> tuple[AuthorizationRequest, str]:
    """Check and keep an Authorization Request; (the request, the sign-in page's handle).

    ``ProtocolError`` from ``read_client`` must be shown; any later one redirected."""
    request = read_authorization_request(params, _configurations())
    handle, now = _b64(services), services.now()
    record = AuthorizationRequestRecord(
        id=services.new_id(),
        org_id=issuer.org_id,
        issuer_id=issuer.id,
        client_id=request.client.client_id,
        redirect_uri=request.client.redirect_uri,
        code_challenge=request.code_challenge,
        configuration_ids=request.configuration_ids,
        handle_hash=secret_hash(handle),
        created_at=now,
        expires_at=now + REQUEST_LIFETIME,
        state=request.state,
    )
    await services.store.create_authorization_request(record)
    return request, handle


async def _request_by(services: Services, issuer_id: str, by: Any, value: str) -> AuthorizationRequestRecord:
    record = await services.store.find_authorization_request(by, secret_hash(value))
    if record is None or record.issuer_id != issuer_id:
        raise NotFound("no such sign-in")
    return record


async def request_sign_in(services: Services, issuer_id: str, handle: str, email: str) -> None:
    """Email a one-time sign-in link to ``email`` (once per request), by a durable job."""
    record = await _request_by(services, issuer_id, "handle_hash", handle)
    address = email.strip().lower()
    if not _EMAIL.fullmatch(address):
        raise InputError("is not an email address", path="email")
    if record.expires_at <= services.now():
        raise NotFound("this sign-in has expired: start again from your wallet")
    if not await services.store.request_sign_in(record.id, address, services.now()):
        return  # asked already: the link is on its way
    job = new_job(services.new_id(), record.org_id, SIGN_IN_KIND, {"requestId": record.id}, services.now())
    await services.store.add_job(job)
    services.wake_jobs()


async def issue_sign_in_link(
    services: Services, request_id: str
) -> tuple[AuthorizationRequestRecord, str] | None:
    """A fresh one-time sign-in link for the request (its hash stored, replacing an earlier one):
    (the request, the link). None when there is nothing to sign in to any more (used, expired,
    no address given)."""
    record = await services.store.find_authorization_request("id", request_id)
    now = services.now()
    if record is None or record.email is None or record.signed_in_at is not None or record.expires_at <= now:
        return None
    token = _b64(services)
    await services.store.set_sign_in_link(record.id, secret_hash(token), now + SIGN_IN_LIFETIME)
    return record, sign_in_url(services, record.issuer_id, token)


async def _badges(services: Services, record: AuthorizationRequestRecord) -> tuple[CredentialRecord, ...]:
    if record.email is None:
        return ()
    wanted = CredentialFilter(issuer_id=record.issuer_id, recipient=record.email, status="active")
    page = await services.store.list_credentials(record.org_id, wanted, None, MAX_BADGES)
    now = services.now()
    return tuple(c for c in page.items if c.valid_until is None or c.valid_until > now)


async def open_sign_in(services: Services, issuer_id: str, token: str) -> SignIn:
    """The sign-in ``token`` leads to, while it can be used; ``NotFound`` otherwise."""
    record = await _request_by(services, issuer_id, "login_hash", token)
    now = services.now()
    if record.signed_in_at is not None or record.login_expires_at is None or record.login_expires_at <= now:
        raise NotFound("this sign-in link was used or has expired: start again from your wallet")
    return SignIn(record, await _badges(services, record))


async def choose(services: Services, issuer_id: str, token: str, credential_id: str) -> str:
    """Use the sign-in link for one of the learner's badges: the wallet's redirect URL with the code."""
    sign_in = await open_sign_in(services, issuer_id, token)
    record = sign_in.request
    credential = next((c for c in sign_in.credentials if c.id == credential_id), None)
    if credential is None:
        raise NotFound("not one of your badges here", path="credential")
    code, now = _b64(services), services.now()
    offer = CredentialOfferRecord(
        id=services.new_id(),
        org_id=record.org_id,
        issuer_id=record.issuer_id,
        credential_id=credential.id,
        configuration_ids=record.configuration_ids,
        code_hash=secret_hash(code),
        handle_hash=secret_hash(_b64(services)),  # never published: no offer by reference
        created_at=now,
        expires_at=now + CODE_LIFETIME,
    )
    await services.store.create_credential_offer(offer)
    if not await services.store.complete_sign_in(record.id, secret_hash(token), now, offer.id):
        raise NotFound("this sign-in link was used or has expired: start again from your wallet")
    params = {"code": code, "iss": credential_issuer_id(services, issuer_id)}
    if record.state is not None:
        params["state"] = record.state
    return f"{record.redirect_uri}{'&' if '?' in record.redirect_uri else '?'}{urlencode(params)}"


async def exchange_authorization_code(services: Services, issuer_id: str, form: dict[str, str]) -> TokenGrant:
    """The ``authorization_code`` grant of the Token Endpoint (RFC 6749 §4.1.3, RFC 7636 §4.5)."""
    code = form.get("code")
    if not code:
        raise ProtocolError("invalid_request", "code is required")
    offer = await services.store.find_credential_offer("code_hash", secret_hash(code))
    request = None if offer is None else await services.store.find_authorization_request("offer_id", offer.id)
    if offer is None or request is None or offer.issuer_id != issuer_id:
        raise ProtocolError("invalid_grant", "unknown authorization code")
    if form.get("client_id") != request.client_id or form.get("redirect_uri") != request.redirect_uri:
        raise ProtocolError(
            "invalid_grant", "client_id and redirect_uri must be those of the authorization request"
        )
    if not verify_pkce(form.get("code_verifier"), request.code_challenge):
        raise ProtocolError("invalid_grant", "the code_verifier does not match the code_challenge (PKCE)")
    now = services.now()
    if offer.redeemed_at is not None or offer.expires_at <= now:
        raise ProtocolError("invalid_grant", "the authorization code was used or has expired")
    token = _b64(services)
    if not await services.store.redeem_credential_offer(
        offer.id, now, secret_hash(token), now + TOKEN_LIFETIME, MAX_TX_CODE_FAILURES
    ):
        raise ProtocolError("invalid_grant", "the authorization code was used already")
    nonce, nonce_lifetime = new_nonce(services)
    details = [
        {"type": "openid_credential", "credential_configuration_id": cid, "credential_identifiers": [cid]}
        for cid in offer.configuration_ids
    ]
    return TokenGrant(token, int(TOKEN_LIFETIME.total_seconds()), nonce, nonce_lifetime, details)
