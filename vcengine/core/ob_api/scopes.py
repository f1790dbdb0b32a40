"""The OAuth 2.0 scopes of the Open Badges API (OB 3.0 §6.1, "Scopes") and reading ``scope``."""

from __future__ import annotations

from vcengine.errors import ProtocolError

__all__ = [
    "ALL",
    "CREDENTIAL_READONLY",
    "CREDENTIAL_UPSERT",
    "OFFLINE_ACCESS",
    "PROFILE_READONLY",
    "PROFILE_UPDATE",
    "read_scope",
]

_BASE = "https://purl.imsglobal.org/spec/ob/v3p0/scope/"
CREDENTIAL_READONLY = _BASE + "credential.readonly"
CREDENTIAL_UPSERT = _BASE + "credential.upsert"
PROFILE_READONLY = _BASE + "profile.readonly"
PROFILE_UPDATE = _BASE + "profile.update"
ALL = {
    CREDENTIAL_READONLY: "Permission to read AchievementCredentials for the authenticated entity.",
    CREDENTIAL_UPSERT: "Permission to create or update AchievementCredentials for the authenticated entity.",
    PROFILE_READONLY: "Permission to read the profile for the authenticated entity.",
    PROFILE_UPDATE: "Permission to update the profile for the authenticated entity.",
}
OFFLINE_ACCESS = (
    "offline_access"  # asked with the others in the spec's examples; refresh tokens are always given
)


def read_scope(
    scope: str | None, allowed: frozenset[str] | None = None, *, code: str = "invalid_scope"
) -> str:
    """``scope`` as a space-separated set of known scopes (within ``allowed`` if given), in the
    order given, without duplicates; ``ProtocolError(code)`` otherwise."""
    if not scope or len(scope) > 2000:
        raise ProtocolError(code, "scope is required: one or more of the Open Badges API scopes")
    wanted = list(dict.fromkeys(scope.split()))
    for item in wanted:
        if item not in ALL and item != OFFLINE_ACCESS:
            raise ProtocolError(code, f"unknown scope {item[:100]!r}")
        if allowed is not None and item not in allowed:
            raise ProtocolError(code, f"scope {item[:100]!r} was not granted to this client")
    if not any(item in ALL for item in wanted):
        raise ProtocolError(code, "ask for at least one of the Open Badges API scopes")
    return " ".join(wanted)
