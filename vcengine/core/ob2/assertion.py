"""The OB 2.0 Assertion and its IdentityObject: what the badge says, read strictly.

https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html#Assertion —
required: ``id``, ``type`` (``Assertion``), ``recipient`` (an IdentityObject), ``badge``
(a BadgeClass URL or object), ``verification`` (``HostedBadge``/``hosted`` or
``SignedBadge``/``signed``; alias ``verify``) and ``issuedOn`` (an ISO 8601 DateTime with a
time zone). ``expires``, ``revoked`` and ``revocationReason`` are read when present.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, TypeGuard

from vcengine.core.dates import parse_date_time
from vcengine.core.ob2.context import check_context, has_type, member
from vcengine.errors import InputError

__all__ = ["Assertion", "IdentityObject", "Method", "is_iri", "parse_assertion", "parse_ob2_date"]

Method = Literal["hosted", "signed"]

_IDENTITY_HASH = re.compile(r"(sha256|md5)\$([0-9a-fA-F]+)")
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+")
_MAX_TEXT = 4096


@dataclass(frozen=True, slots=True)
class IdentityObject:
    """``recipient``: the property ``type`` (email, url, telephone, id…), the ``identity`` value
    or its ``sha256$``/``md5$`` hash, and the ``salt`` that was appended before hashing."""

    type: str
    identity: str
    hashed: bool
    salt: str = ""

    def describe(self) -> str:
        if not self.hashed:
            return f"{self.type} {self.identity}"
        salted = f"with salt {self.salt!r}" if self.salt else "without salt"
        return f"{self.type} {self.identity}, hashed {salted}"


@dataclass(frozen=True, slots=True)
class Assertion:
    id: str
    recipient: IdentityObject
    badge: str | Mapping[str, Any]
    method: Method
    creator: str | None
    issued_on: datetime
    expires: datetime | None
    revoked: bool
    json: Mapping[str, Any] = field(repr=False)

    @property
    def badge_id(self) -> str | None:
        badge = self.badge.get("id") if isinstance(self.badge, Mapping) else self.badge
        return badge if isinstance(badge, str) else None


def is_iri(value: Any) -> TypeGuard[str]:
    """An absolute IRI (``scheme:rest``, no spaces): what OB 2.0 ``id``s must be."""
    return isinstance(value, str) and len(value) <= _MAX_TEXT and _IRI.fullmatch(value) is not None


def parse_ob2_date(value: Any, name: str) -> datetime:
    """An OB 2.0 DateTime: ISO 8601 with the time and a time zone indicator (read as xsd:dateTime)."""
    moment = parse_date_time(value, path=f"$.{name}") if isinstance(value, str) else None
    if moment is None:
        raise InputError(
            f"must be an ISO 8601 date and time string, not {type(value).__name__}", path=f"$.{name}"
        )
    if moment.tzinfo is None:
        raise InputError(f"{value!r} has no time zone; OB 2.0 DateTime requires one", path=f"$.{name}")
    return moment


def _text(node: Mapping[str, Any], name: str, where: str, *, required: bool = True) -> str | None:
    value = node.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value or len(value) > _MAX_TEXT:
        raise InputError(f"{name} must be a non-empty string", path=f"{where}.{name}")
    return value


def _identity_object(value: Any) -> IdentityObject:
    if not isinstance(value, Mapping):
        raise InputError("recipient must be an IdentityObject (a JSON object)", path="$.recipient")
    check_context(value, what="the recipient", required=False)
    kind = _text(value, "type", "$.recipient")
    identity = _text(value, "identity", "$.recipient")
    hashed = value.get("hashed", False)  # required by the spec; absent reads as not hashed
    if not isinstance(hashed, bool):
        raise InputError("hashed must be true or false", path="$.recipient.hashed")
    salt = value.get("salt", "")
    if salt is None:
        salt = ""
    if not isinstance(salt, str) or len(salt) > _MAX_TEXT:
        raise InputError("salt must be a string", path="$.recipient.salt")
    assert kind is not None and identity is not None
    if hashed and not _IDENTITY_HASH.fullmatch(identity):
        raise InputError(
            "a hashed identity must be 'sha256$<hex>' or 'md5$<hex>'", path="$.recipient.identity"
        )
    return IdentityObject(kind, identity, hashed, salt)


def _method(value: Any) -> tuple[Method, str | None]:
    if not isinstance(value, Mapping):
        raise InputError("verification must be a VerificationObject (a JSON object)", path="$.verification")
    check_context(value, what="the verification object", required=False)
    if has_type(value, ("HostedBadge",)):
        method: Method = "hosted"
    elif has_type(value, ("SignedBadge",)):
        method = "signed"
    else:
        raise InputError(
            f"verification type {value.get('type')!r} is neither HostedBadge (hosted) nor SignedBadge",
            path="$.verification.type",
        )
    creator = value.get("creator")
    if creator is not None and (method != "signed" or not isinstance(creator, str) or not creator):
        raise InputError(
            "creator is the URL of a CryptographicKey, in a SignedBadge", path="$.verification.creator"
        )
    return method, creator


def parse_assertion(doc: Any) -> Assertion:
    """Read an OB 2.0 Assertion; ``InputError`` (``ContextError`` for an unknown context) if it is not one."""
    if not isinstance(doc, Mapping):
        raise InputError("an OB 2.0 assertion is a JSON object")
    check_context(doc, what="the assertion")
    if not has_type(doc, ("Assertion",)):
        raise InputError(f"type {doc.get('type')!r} does not include Assertion", path="$.type")
    assertion_id = _text(doc, "id", "$")
    if not is_iri(assertion_id):
        raise InputError(f"id must be an absolute IRI, not {assertion_id!r:.80}", path="$.id")
    missing = [name for name in ("recipient", "badge", "issuedOn") if doc.get(name) is None]
    if member(doc, "verification") is None:
        missing.append("verification")
    if missing:
        raise InputError(f"missing required properties: {', '.join(missing)}")
    badge = doc["badge"]
    if not (isinstance(badge, str) and badge) and not isinstance(badge, Mapping):
        raise InputError("badge must be a BadgeClass URL or a BadgeClass object", path="$.badge")
    method, creator = _method(member(doc, "verification"))
    issued_on = parse_ob2_date(doc["issuedOn"], "issuedOn")
    expires = parse_ob2_date(doc["expires"], "expires") if doc.get("expires") is not None else None
    revoked = doc.get("revoked", False)
    if not isinstance(revoked, bool):
        raise InputError("revoked must be true or false", path="$.revoked")
    assert assertion_id is not None
    return Assertion(
        id=assertion_id,
        recipient=_identity_object(doc["recipient"]),
        badge=badge,
        method=method,
        creator=creator,
        issued_on=issued_on,
        expires=expires,
        revoked=revoked,
        json=doc,
    )
