"""Wallet-initiated issuance: the authorization code flow with PKCE (OID4VCI 1.0 §5-6, RFC 6749
§4.1, RFC 7636), the learner signing in with an emailed one-time link.

1. The wallet sends the learner's browser to the Authorization Endpoint (``start``): the request
   is checked (``core.oid4vci.authorization``) and becomes a MAC'd *ticket* valid
   ``REQUEST_LIFETIME`` (nothing stored for a GET anyone can send); the page asks for the
   learner's email address.
2. ``request_sign_in`` stores the request with the address (once per ticket) and a durable job
   (``SIGN_IN_KIND``) that emails a one-time link (``SIGN_IN_LIFETIME``) if the address has
   badges of this issuer; the page says the same either way (no address probing).
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
import binascii
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from vcengine.core.oid4vci.authorization import AuthorizationRequest, read_authorization_request, verify_pkce
from vcengine.core.oid4vci.metadata import Display, credential_configurations
from vcengine.errors import Conflict, InputError, NotFound, ProtocolError
from vcengine.services.context import Services
from vcengine.services.jobs import new_job
from vcengine.services.keystore import derive_key
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
    "learner_badges",
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


def _ticket_key(services: Services) -> bytes:
    return derive_key(services.master_key, "oid4vci/authorization-ticket")


def start(
    services: Services, issuer: IssuerRecord, params: dict[str, str]
) -> tuple[AuthorizationRequest, str]:
    """Check an Authorization Request: (the request, its *ticket*). Nothing is stored yet (a GET
    that anyone can send must not grow the store): the ticket is the checked request, MAC'd under
    a key derived from the master key, and comes back with the learner's email address.

    ``ProtocolError`` from ``read_client`` must be shown; any later one redirected."""
    request = read_authorization_request(params, _configurations())
    body = {
        "i": issuer.id,
        "c": request.client.client_id,
        "r": request.client.redirect_uri,
        "p": request.code_challenge,
        "k": list(request.configuration_ids),
        "s": request.state,
        "e": int((services.now() + REQUEST_LIFETIME).timestamp()),
        "n": _b64(services),
    }
    data = json.dumps(body, separators=(",", ":")).encode("utf-8")
    mac = hmac.new(_ticket_key(services), data, hashlib.sha256).digest()
    return request, f"{_encode(data)}.{_encode(mac)}"


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _read_ticket(services: Services, issuer: IssuerRecord, ticket: str) -> dict[str, Any]:
    data_part, _, mac_part = ticket.partition(".")
    try:
        data = base64.urlsafe_b64decode(data_part + "=" * (-len(data_part) % 4))
        mac = base64.urlsafe_b64decode(mac_part + "=" * (-len(mac_part) % 4))
    except (binascii.Error, ValueError):
        raise NotFound("no such sign-in: start again from your wallet") from None
    expected = hmac.new(_ticket_key(services), data, hashlib.sha256).digest()
    if len(ticket) > 8192 or not hmac.compare_digest(mac, expected):
        raise NotFound("no such sign-in: start again from your wallet")
    body: dict[str, Any] = json.loads(data)
    if body["i"] != issuer.id:
        raise NotFound("no such sign-in: start again from your wallet")
    if body["e"] <= services.now().timestamp():
        raise NotFound("this sign-in has expired: start again from your wallet")
    return body


async def request_sign_in(services: Services, issuer: IssuerRecord, ticket: str, email: str) -> None:
    """Email a one-time sign-in link to ``email`` for the request ``ticket`` carries (once per
    ticket), by a durable job."""
    body = _read_ticket(services, issuer, ticket)
    address = email.strip().lower()
    if not _EMAIL.fullmatch(address):
        raise InputError("is not an email address", path="email")
    now = services.now()
    record = AuthorizationRequestRecord(
        id=services.new_id(),
        org_id=issuer.org_id,
        issuer_id=issuer.id,
        client_id=body["c"],
        redirect_uri=body["r"],
        code_challenge=body["p"],
        configuration_ids=tuple(body["k"]),
        handle_hash=secret_hash(ticket),
        created_at=now,
        expires_at=datetime.fromtimestamp(body["e"], tz=UTC),
        state=body["s"],
        email=address,
    )
    try:
        await services.store.create_authorization_request(record)
    except Conflict:
        return  # this ticket asked already: the link is on its way
    job = new_job(services.new_id(), record.org_id, SIGN_IN_KIND, {"requestId": record.id}, now)
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


async def learner_badges(
    services: Services, record: AuthorizationRequestRecord
) -> tuple[CredentialRecord, ...]:
    if record.email is None:
        return ()
    wanted = CredentialFilter(issuer_id=record.issuer_id, recipient=record.email, status="active")
    page = await services.store.list_credentials(record.org_id, wanted, None, MAX_BADGES)
    now = services.now()
    return tuple(c for c in page.items if c.valid_until is None or c.valid_until > now)


async def open_sign_in(services: Services, issuer_id: str, token: str) -> SignIn:
    """The sign-in ``token`` leads to, while it can be used; ``NotFound`` otherwise."""
    record = await services.store.find_authorization_request("login_hash", secret_hash(token))
    if record is None or record.issuer_id != issuer_id:
        raise NotFound("no such sign-in link: start again from your wallet")
    now = services.now()
    if record.signed_in_at is not None or record.login_expires_at is None or record.login_expires_at <= now:
        raise NotFound("this sign-in link was used or has expired: start again from your wallet")
    return SignIn(record, await learner_badges(services, record))


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
