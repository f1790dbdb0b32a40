"""Client metadata of OAuth 2.0 Dynamic Client Registration (RFC 7591 §2) as the 1EdTech
Security Framework profiles it for the Open Badges API (OB 3.0 §6.2.1 "Dynamic Client
Registration"): no initial access token; ``client_name``, ``client_uri``, ``logo_uri``,
``tos_uri``, ``policy_uri``, ``software_id``, ``software_version``, ``redirect_uris`` and ``scope``
required; ``token_endpoint_auth_method`` only ``client_secret_basic``, ``grant_types`` only
``authorization_code`` and ``refresh_token``, ``response_types`` only ``code``; every URL
``https`` on the same host as ``client_uri`` (loopback ``http`` allowed when ``allow_loopback``,
for development). Refusals are ``ProtocolError`` with RFC 7591 §3.2.2 codes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from vcengine.core.ob_api.scopes import read_scope
from vcengine.errors import ProtocolError

__all__ = ["GRANT_TYPES", "read_client_metadata"]

GRANT_TYPES = ("authorization_code", "refresh_token")
_URLS = ("client_uri", "logo_uri", "tos_uri", "policy_uri")
_STRINGS = ("client_name", "software_id", "software_version")
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
MAX_REDIRECT_URIS = 10


def _bad(message: str) -> ProtocolError:
    return ProtocolError("invalid_client_metadata", message)


def _url(value: Any, name: str, allow_loopback: bool, *, code: str = "invalid_client_metadata") -> str:
    if not isinstance(value, str) or not value or len(value) > 2000:
        raise ProtocolError(code, f"{name} must be a URL (at most 2000 characters)")
    parts = urlsplit(value)
    loopback = parts.scheme == "http" and parts.hostname in _LOOPBACK and allow_loopback
    if not (parts.scheme == "https" or loopback) or not parts.hostname or parts.fragment:
        raise ProtocolError(code, f"{name} must be an https URL without a fragment")
    return value


def _list(body: Mapping[str, Any], name: str, allowed: tuple[str, ...], default: list[str]) -> list[str]:
    value = body.get(name, default)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise _bad(f"{name} must be a non-empty array of strings")
    unknown = [v for v in value if v not in allowed]
    if unknown:
        raise _bad(f"{name} may only hold {', '.join(allowed)} (not {unknown[0][:50]!r})")
    return list(dict.fromkeys(value))


def read_client_metadata(body: Any, *, allow_loopback: bool) -> dict[str, Any]:
    """The metadata to register (with the defaults filled in); ``ProtocolError`` otherwise."""
    if not isinstance(body, Mapping):
        raise _bad("the request body must be a JSON object of client metadata")
    for name in _STRINGS:
        value = body.get(name)
        if not isinstance(value, str) or not value.strip() or len(value) > 200:
            raise _bad(f"{name} is required (a string of at most 200 characters)")
    urls = {name: _url(body.get(name), name, allow_loopback) for name in _URLS}
    redirects = body.get("redirect_uris")
    if not isinstance(redirects, list) or not 0 < len(redirects) <= MAX_REDIRECT_URIS:
        raise ProtocolError("invalid_redirect_uri", f"redirect_uris must list 1 to {MAX_REDIRECT_URIS} URLs")
    checked = [_url(r, "each redirect_uri", allow_loopback, code="invalid_redirect_uri") for r in redirects]
    host = urlsplit(urls["client_uri"]).hostname
    for name, value in (*urls.items(), *(("redirect_uris", r) for r in checked)):
        if urlsplit(value).hostname != host:
            raise _bad(f"{name} must be on the host of client_uri ({host})")
    method = body.get("token_endpoint_auth_method", "client_secret_basic")
    if method != "client_secret_basic":
        raise _bad("token_endpoint_auth_method must be client_secret_basic")
    contacts = body.get("contacts", [])
    if not isinstance(contacts, list) or not all(isinstance(c, str) and len(c) <= 320 for c in contacts):
        raise _bad("contacts must be an array of email addresses")
    return {
        **{name: body[name] for name in _STRINGS},
        **urls,
        "redirect_uris": checked,
        "scope": read_scope(body.get("scope"), code="invalid_client_metadata"),
        "token_endpoint_auth_method": method,
        "grant_types": _list(body, "grant_types", GRANT_TYPES, list(GRANT_TYPES)),
        "response_types": _list(body, "response_types", ("code",), ["code"]),
        "contacts": contacts[:10],
    }
