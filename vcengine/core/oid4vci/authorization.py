"""The Authorization Request of the authorization code flow (OID4VCI 1.0 §5, RFC 6749 §4.1,
RFC 7636 PKCE), read and checked.

Two stages, because RFC 6749 §4.1.2.1 forbids redirecting to a URI that was not checked:

- ``read_client``: ``client_id`` and ``redirect_uri``. A wallet is a public client that is not
  registered here, so any ``client_id`` (printable, at most 200 characters) is taken, and the
  ``redirect_uri`` must be an absolute URI without fragment: ``https``, ``http`` on a loopback
  host (RFC 8252 §7.3), or a private-use scheme of the wallet app (RFC 8252 §7.1), never
  ``javascript:``, ``data:``, ``file:`` and the like. A refusal here is shown, not redirected.
- ``read_authorization_request``: ``response_type=code``; PKCE with ``code_challenge_method=S256``
  (``plain`` is refused); what to issue, by ``scope`` (each configuration's ``scope`` value) and/or
  ``authorization_details`` (``openid_credential`` with a ``credential_configuration_id``);
  ``state`` passed back as given. A refusal here is redirected with its ``error`` code.

``verify_pkce`` checks a ``code_verifier`` against the ``code_challenge`` (RFC 7636 §4.6).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from vcengine.core import jsontext
from vcengine.errors import InputError, ProtocolError

__all__ = ["AuthorizationRequest", "Client", "read_authorization_request", "read_client", "verify_pkce"]

_PRINTABLE = re.compile(r"[\x20-\x7e]{1,200}")
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*")
_FORBIDDEN_SCHEMES = frozenset(
    {"javascript", "data", "file", "vbscript", "about", "blob", "filesystem", "ftp", "ws", "wss"}
)
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})
_VERIFIER = re.compile(r"[A-Za-z0-9._~-]{43,128}")
_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")


@dataclass(frozen=True, slots=True)
class Client:
    client_id: str
    redirect_uri: str


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    client: Client
    code_challenge: str
    configuration_ids: tuple[str, ...]
    state: str | None


def read_client(params: Mapping[str, str]) -> Client:
    """The client and where to send it back; ``ProtocolError`` (to show, not redirect) otherwise."""
    client_id, redirect_uri = params.get("client_id"), params.get("redirect_uri")
    if not client_id or not _PRINTABLE.fullmatch(client_id):
        raise ProtocolError("invalid_request", "client_id is required (printable, at most 200 characters)")
    if not redirect_uri or len(redirect_uri) > 2000:
        raise ProtocolError("invalid_request", "redirect_uri is required (at most 2000 characters)")
    parts = urlsplit(redirect_uri)
    scheme = parts.scheme.lower()
    if not _SCHEME.fullmatch(scheme) or parts.fragment or "#" in redirect_uri:
        raise ProtocolError("invalid_request", "redirect_uri must be an absolute URI without a fragment")
    if scheme in _FORBIDDEN_SCHEMES:
        raise ProtocolError("invalid_request", f"redirect_uri may not use the {scheme}: scheme")
    if scheme == "http" and parts.hostname not in _LOOPBACK:
        raise ProtocolError("invalid_request", "an http redirect_uri must be on a loopback host; use https")
    if scheme in ("http", "https") and not parts.netloc:
        raise ProtocolError("invalid_request", "redirect_uri has no host")
    return Client(client_id, redirect_uri)


def _configurations_of(
    params: Mapping[str, str], configurations: Mapping[str, Mapping[str, Any]]
) -> tuple[str, ...]:
    by_scope = {c["scope"]: cid for cid, c in configurations.items() if "scope" in c}
    chosen: list[str] = []
    for scope in (params.get("scope") or "").split():
        if scope in by_scope:
            chosen.append(by_scope[scope])
        elif scope != "openid":
            raise ProtocolError("invalid_scope", f"unknown scope {scope[:80]!r}")
    raw = params.get("authorization_details")
    if raw is not None:
        try:
            details = jsontext.loads(raw, max_bytes=16 * 1024)
        except InputError as exc:
            raise ProtocolError("invalid_authorization_details", f"not JSON: {exc.message}") from None
        if not isinstance(details, list) or not details:
            raise ProtocolError(
                "invalid_authorization_details", "authorization_details must be a non-empty array"
            )
        for detail in details:
            cid = detail.get("credential_configuration_id") if isinstance(detail, Mapping) else None
            if (
                not isinstance(detail, Mapping)
                or detail.get("type") != "openid_credential"
                or cid not in configurations
            ):
                raise ProtocolError(
                    "invalid_authorization_details",
                    'each entry is {"type": "openid_credential", "credential_configuration_id": <id>}',
                )
            chosen.append(str(cid))
    if not chosen:
        raise ProtocolError("invalid_request", "ask for a credential: scope or authorization_details")
    return tuple(dict.fromkeys(chosen))


def read_authorization_request(
    params: Mapping[str, str], configurations: Mapping[str, Mapping[str, Any]]
) -> AuthorizationRequest:
    """The whole request; after ``read_client`` passed, each refusal is redirected to the client."""
    client = read_client(params)
    if params.get("response_type") != "code":
        raise ProtocolError("unsupported_response_type", "response_type must be code")
    method = params.get("code_challenge_method")
    if method != "S256":
        raise ProtocolError(
            "invalid_request", "PKCE is required: code_challenge_method=S256 (plain is refused)"
        )
    challenge = params.get("code_challenge") or ""
    if not _CHALLENGE.fullmatch(challenge):
        raise ProtocolError(
            "invalid_request", "code_challenge must be base64url(SHA-256(code_verifier)), 43 characters"
        )
    state = params.get("state")
    if state is not None and len(state) > 500:
        raise ProtocolError("invalid_request", "state is at most 500 characters")
    return AuthorizationRequest(client, challenge, _configurations_of(params, configurations), state)


def verify_pkce(code_verifier: str | None, code_challenge: str) -> bool:
    """RFC 7636 §4.6 with S256: ``base64url(SHA-256(code_verifier)) == code_challenge``."""
    if code_verifier is None or not _VERIFIER.fullmatch(code_verifier):
        return False
    digest = hashlib.sha256(code_verifier.encode("ascii")).digest()
    computed = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return hmac.compare_digest(computed, code_challenge)
