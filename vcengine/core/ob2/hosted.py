"""HostedBadge rules: the assertion at its id is the truth, within the issuer's declared scope.

OB 2.0 §HostedBadge Verification: "If starting with a full assertion that indicates
HostedBadge verification, the input data should only be trusted to identify the URI of the
hosted verification file, and upon loading the hosted verification file, the retrieved data
should be used as the Assertion value." The Assertion ``id`` "must be within the permitted
scope for hosted verification declared in issuer Profile": its ``verification`` object's
``startsWith`` prefixes and ``allowedOrigins`` hosts, by default the host of the issuer
Profile ``id``. A host answering 410 Gone, or serving the assertion with ``revoked: true``,
revokes it.
https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html#HostedBadge
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from vcengine.core.ob2.context import member
from vcengine.core.ob2.profile import Profile, strings
from vcengine.errors import InputError

__all__ = ["CLAIMS", "Scope", "differences", "in_scope", "is_http_url"]

#: The members a presented copy must state as its host does: what the verdict speaks for.
CLAIMS = ("id", "recipient", "badge", "issuedOn", "expires", "verification", "revoked")


def is_http_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = urllib.parse.urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


@dataclass(frozen=True, slots=True)
class Scope:
    outcome: Literal["pass", "fail", "indeterminate"]
    reason: str


def in_scope(assertion_id: str, profile: Profile) -> Scope:
    """Whether the issuer's hosted-verification policy covers ``assertion_id``."""
    policy = profile.verification
    if isinstance(policy, str):
        return Scope(
            "indeterminate",
            f"the issuer's verification policy is given by reference ({policy}); not supported",
        )
    policy = policy or {}
    prop = policy.get("verificationProperty", "id")
    if prop not in ("id", "@id"):
        return Scope("indeterminate", f"verificationProperty {prop!r} is not supported (only id)")
    try:
        prefixes = strings(policy["startsWith"], "startsWith") if policy.get("startsWith") is not None else ()
        origins = (
            strings(policy["allowedOrigins"], "allowedOrigins")
            if policy.get("allowedOrigins") is not None
            else ()
        )
    except InputError as exc:
        return Scope("fail", f"the issuer's verification policy is malformed: {exc.message}")
    if prefixes and not any(assertion_id.startswith(p) for p in prefixes):
        return Scope(
            "fail", f"the assertion id {assertion_id} starts with none of {list(prefixes)} (startsWith)"
        )
    if not origins:
        if not is_http_url(profile.id):
            if prefixes:
                return Scope(
                    "pass", f"the assertion id starts with the issuer's declared prefix {list(prefixes)}"
                )
            return Scope(
                "indeterminate",
                f"the issuer {profile.id} is not an HTTP(S) URL and declares neither allowedOrigins nor "
                "startsWith: nothing binds the hosted assertion to it",
            )
        origins = (str(urllib.parse.urlsplit(profile.id).hostname),)
    host = urllib.parse.urlsplit(assertion_id)
    allowed = {o.lower() for o in origins}
    if (host.hostname or "").lower() in allowed or host.netloc.lower() in allowed:
        return Scope("pass", f"the assertion is hosted on {host.netloc}, an allowed origin of the issuer")
    return Scope(
        "fail",
        f"the assertion is hosted on {host.netloc}, not in the issuer's allowed origins {sorted(allowed)}",
    )


def _claim(doc: Mapping[str, Any], name: str) -> Any:
    value = member(doc, name)
    if name == "badge" and isinstance(value, Mapping):
        return value.get("id")  # an embedded BadgeClass stands for its id
    return value


def differences(presented: Mapping[str, Any], hosted: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """The members in which the presented copy and the hosted assertion differ: (claims, others)."""
    claims = [name for name in CLAIMS if _claim(presented, name) != _claim(hosted, name)]
    others = sorted(
        name
        for name in set(presented) | set(hosted)
        if name not in CLAIMS and name != "verify" and presented.get(name) != hosted.get(name)
    )
    return claims, others
