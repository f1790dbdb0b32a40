"""Recipient identity: is this badge awarded to the person (email, url, telephone…) expected?

OB 2.0 IdentityObject and IdentityHash: a hashed identity is ``sha256$<hex>`` or ``md5$<hex>``
of the identity value with the ``salt`` appended.
https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html#IdentityObject
"""

from __future__ import annotations

import hashlib
import hmac

from vcengine.core.ob2.assertion import IdentityObject

__all__ = ["identity_hash", "matches"]


def identity_hash(value: str, salt: str, algorithm: str) -> str:
    """``<algorithm>$<hex digest of value + salt>`` (IdentityHash)."""
    data = (value + salt).encode("utf-8")
    if algorithm == "sha256":
        return "sha256$" + hashlib.sha256(data).hexdigest()
    if algorithm == "md5":
        return "md5$" + hashlib.md5(data, usedforsecurity=False).hexdigest()
    raise ValueError(f"IdentityHash algorithm {algorithm!r} is not sha256 or md5")


def _candidates(recipient: IdentityObject, expected: str) -> list[str]:
    value = expected.strip()
    # Issuers commonly lower-case an email address before hashing it; the domain part is
    # case-insensitive and few mail systems treat the local part otherwise.
    if recipient.type == "email" and value.lower() != value:
        return [value, value.lower()]
    return [value]


def matches(recipient: IdentityObject, expected: str) -> bool:
    """True when ``expected`` is the recipient's identity (hashed with its salt, if hashed)."""
    for candidate in _candidates(recipient, expected):
        if not recipient.hashed:
            if hmac.compare_digest(candidate.encode(), recipient.identity.encode()):
                return True
            continue
        algorithm, _, digest = recipient.identity.partition("$")
        computed = identity_hash(candidate, recipient.salt, algorithm.lower())
        if hmac.compare_digest(computed.encode(), f"{algorithm.lower()}${digest.lower()}".encode()):
            return True
    return False
