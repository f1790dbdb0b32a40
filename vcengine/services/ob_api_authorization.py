"""The learner's consent to an Open Badges API client: the authorization code flow with PKCE
(RFC 6749 §4.1, RFC 7636; OB 3.0 §6.2.2), the learner signing in with an emailed one-time link
like in the wallets' flow (``oid4vci_authorization``).

1. ``start`` checks an Authorization Request of a registered client (``client_id`` known and
   ``redirect_uri`` one of its registered URIs, else the error is shown, not redirected; then
   ``response_type=code``, PKCE S256, ``scope`` within the client's, else redirected) and makes it
   a MAC'd *ticket* (nothing stored for a GET anyone can send); the page asks for an email address.
2. ``request_sign_in`` stores the grant with the address (once per ticket) and a durable job
   (``SIGN_IN_KIND``, ``ob_api_emails``) that emails a one-time link if the address has
   credentials here; the page says the same either way.
3. The link (``open_sign_in``, a GET that changes nothing) shows the client and the scopes it
   asks for; ``approve`` uses the link once and sends the browser back with ``code``, ``state``
   and ``iss`` (RFC 9207); ``deny`` sends ``access_denied``.
4. The Token Endpoint exchanges the code (``ob_api_tokens``).

Link tokens and codes are 256 random bits, stored as SHA-256 only.
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

from vcengine.core.ob_api.discovery import BASE_PATH
from vcengine.core.ob_api.scopes import read_scope
from vcengine.errors import Conflict, InputError, NotFound, ProtocolError
from vcengine.services.context import Services
from vcengine.services.jobs import new_job
from vcengine.services.keystore import derive_key
from vcengine.services.oid4vci_offers import secret_hash
from vcengine.services.ports import ObClientRecord, ObGrantRecord

__all__ = [
    "CODE_LIFETIME",
    "REQUEST_LIFETIME",
    "SIGN_IN_KIND",
    "SIGN_IN_LIFETIME",
    "Authorization",
    "SignIn",
    "approve",
    "deny",
    "issue_sign_in_link",
    "open_sign_in",
    "redirect",
    "request_sign_in",
    "start",
]

REQUEST_LIFETIME = timedelta(minutes=30)
SIGN_IN_LIFETIME = timedelta(minutes=15)
CODE_LIFETIME = timedelta(minutes=5)
SIGN_IN_KIND = "ob_api_sign_in"
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]{1,63}")
_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")
_GONE = "this sign-in link was used or has expired: start again from the application"


@dataclass(frozen=True, slots=True)
class Authorization:
    """A checked authorization request, for the page that asks for the learner's address."""

    client: ObClientRecord
    scope: str
    ticket: str


@dataclass(frozen=True, slots=True)
class SignIn:
    """An open sign-in link: the grant and the client asking."""

    grant: ObGrantRecord
    client: ObClientRecord


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _key(services: Services) -> bytes:
    return derive_key(services.master_key, "ob-api/authorization-ticket")


def issuer_id(services: Services) -> str:
    """The authorization server's identifier (``iss`` of RFC 9207)."""
    return f"{services.base_url}{BASE_PATH}"


def redirect(redirect_uri: str, params: dict[str, str]) -> str:
    return f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{urlencode(params)}"


async def client_of(services: Services, params: dict[str, str]) -> tuple[ObClientRecord, str]:
    """The registered client and its redirect URI; ``ProtocolError`` to *show* (never redirect)."""
    client_id, redirect_uri = params.get("client_id") or "", params.get("redirect_uri") or ""
    client = await services.store.get_ob_client(client_id[:200]) if client_id else None
    if client is None:
        raise ProtocolError("invalid_client", "unknown client_id: register the client first")
    if redirect_uri not in client.metadata["redirect_uris"]:
        raise ProtocolError(
            "invalid_request", "redirect_uri must be one of the client's registered redirect_uris"
        )
    return client, redirect_uri


async def start(services: Services, params: dict[str, str]) -> Authorization:
    """Check an Authorization Request. ``ProtocolError`` from ``client_of`` is shown; any later
    one is redirected (``redirect`` with ``error``, ``state`` and ``iss``)."""
    client, redirect_uri = await client_of(services, params)
    if params.get("response_type") != "code":
        raise ProtocolError("unsupported_response_type", "response_type must be code")
    if params.get("code_challenge_method") != "S256":
        raise ProtocolError(
            "invalid_request", "PKCE is required: code_challenge_method=S256 (plain is refused)"
        )
    challenge = params.get("code_challenge") or ""
    if not _CHALLENGE.fullmatch(challenge):
        raise ProtocolError("invalid_request", "code_challenge must be base64url(SHA-256(code_verifier))")
    state = params.get("state")
    if state is not None and len(state) > 500:
        raise ProtocolError("invalid_request", "state is at most 500 characters")
    scope = read_scope(params.get("scope"), frozenset(str(client.metadata["scope"]).split()))
    body = {
        "c": client.id,
        "r": redirect_uri,
        "s": scope,
        "p": challenge,
        "t": state,
        "e": int((services.now() + REQUEST_LIFETIME).timestamp()),
        "n": _b64(services.random_bytes(16)),
    }
    data = json.dumps(body, separators=(",", ":")).encode("utf-8")
    mac = hmac.new(_key(services), data, hashlib.sha256).digest()
    return Authorization(client, scope, f"{_b64(data)}.{_b64(mac)}")


def _read_ticket(services: Services, ticket: str) -> dict[str, Any]:
    data_part, _, mac_part = ticket.partition(".")
    try:
        data, mac = _unb64(data_part), _unb64(mac_part)
    except (binascii.Error, ValueError):
        raise NotFound("no such sign-in: start again from the application") from None
    expected = hmac.new(_key(services), data, hashlib.sha256).digest()
    if len(ticket) > 8192 or not hmac.compare_digest(mac, expected):
        raise NotFound("no such sign-in: start again from the application")
    body: dict[str, Any] = json.loads(data)
    if body["e"] <= services.now().timestamp():
        raise NotFound("this sign-in has expired: start again from the application")
    return body


async def request_sign_in(services: Services, ticket: str, email: str) -> None:
    """Store the grant for ``email`` (once per ticket) and the job that emails the link."""
    body = _read_ticket(services, ticket)
    address = email.strip().lower()
    if not _EMAIL.fullmatch(address):
        raise InputError("is not an email address", path="email")
    now = services.now()
    grant = ObGrantRecord(
        id=services.new_id(),
        client_id=body["c"],
        redirect_uri=body["r"],
        scope=body["s"],
        code_challenge=body["p"],
        email=address,
        handle_hash=secret_hash(ticket),
        created_at=now,
        expires_at=datetime.fromtimestamp(body["e"], tz=UTC),
        state=body["t"],
    )
    try:
        await services.store.create_ob_grant(grant)
    except Conflict:
        return  # this ticket asked already: the link is on its way
    # the job belongs to no organization: the learner is the resource owner here
    await services.store.add_job(new_job(services.new_id(), "", SIGN_IN_KIND, {"grantId": grant.id}, now))
    services.wake_jobs()


async def issue_sign_in_link(services: Services, grant_id: str) -> tuple[ObGrantRecord, str] | None:
    """A fresh one-time link for the grant (its hash replaces an earlier one); None when there
    is nothing to sign in to any more."""
    grant = await services.store.find_ob_grant("id", grant_id)
    now = services.now()
    if grant is None or grant.code_hash is not None or grant.expires_at <= now:
        return None
    token = _b64(services.random_bytes(32))
    await services.store.set_ob_sign_in_link(grant.id, secret_hash(token), now + SIGN_IN_LIFETIME)
    return grant, f"{services.base_url}{BASE_PATH}/sign-in/{token}"


async def open_sign_in(services: Services, token: str) -> SignIn:
    """The grant the link ``token`` leads to while it can be used; ``NotFound`` otherwise."""
    grant = await services.store.find_ob_grant("login_hash", secret_hash(token))
    if grant is None:
        raise NotFound("no such sign-in link: start again from the application")
    if (
        grant.code_hash is not None
        or grant.login_expires_at is None
        or grant.login_expires_at <= services.now()
    ):
        raise NotFound(_GONE)
    client = await services.store.get_ob_client(grant.client_id)
    if client is None:
        raise NotFound(_GONE)
    return SignIn(grant, client)


def _back(services: Services, grant: ObGrantRecord, params: dict[str, str]) -> str:
    if grant.state is not None:
        params["state"] = grant.state
    params["iss"] = issuer_id(services)
    return redirect(grant.redirect_uri, params)


async def approve(services: Services, token: str) -> str:
    """The learner consents: the link is used (once) and the client's redirect URL with a code."""
    grant = (await open_sign_in(services, token)).grant
    code, now = _b64(services.random_bytes(32)), services.now()
    if not await services.store.approve_ob_grant(
        grant.id, secret_hash(token), now, secret_hash(code), now + CODE_LIFETIME
    ):
        raise NotFound(_GONE)
    return _back(services, grant, {"code": code})


async def deny(services: Services, token: str) -> str:
    """The learner refuses: the link is used up and the client told ``access_denied``."""
    grant = (await open_sign_in(services, token)).grant
    now = services.now()
    if not await services.store.approve_ob_grant(
        grant.id, secret_hash(token), now, secret_hash(_b64(services.random_bytes(32))), now
    ):
        raise NotFound(_GONE)
    refused = {"error": "access_denied", "error_description": "the learner refused"}
    return _back(services, grant, refused)
