"""A read-only view over a credential as received: OB 3.0 / VC 1.1 / VC 2.0 names, the
string-or-array forms OB 3.0 §serialization allows, never copied, never mutated."""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from vcengine.core.contexts import VC_V1_CONTEXT
from vcengine.core.dates import parse_date_time
from vcengine.core.model import (
    OB_TYPES,
    as_list,
    matches_identity,
)

__all__ = ["CredentialView"]


def _id_of(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and isinstance(value.get("id"), str):
        return str(value["id"])
    return None


def _objects(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in as_list(value) if isinstance(item, Mapping)]


class CredentialView:
    """Read-only accessors over a credential dict as received (never copied, never mutated).

    Accessors return ``None`` or an empty list for absent or malformed values; validation is
    :mod:`vcengine.core.schema`'s job. Dates follow VCDM 2.0 or, for VC 1.1 documents, the
    ``issuanceDate`` / ``expirationDate`` names; a date without timezone is read as UTC.
    """

    __slots__ = ("doc",)

    def __init__(self, doc: Mapping[str, Any]) -> None:
        self.doc = doc

    @property
    def contexts(self) -> list[Any]:
        return as_list(self.doc.get("@context"))

    @property
    def is_vc11(self) -> bool:
        contexts = self.contexts
        return bool(contexts) and contexts[0] == VC_V1_CONTEXT

    @property
    def id(self) -> str | None:
        return _id_of(self.doc)

    @property
    def types(self) -> list[str]:
        return [item for item in as_list(self.doc.get("type")) if isinstance(item, str)]

    @property
    def is_open_badge(self) -> bool:
        return not OB_TYPES.isdisjoint(self.types)

    @property
    def name(self) -> str | None:
        value = self.doc.get("name")
        return value if isinstance(value, str) else None

    @property
    def issuer(self) -> Mapping[str, Any] | None:
        """The issuer Profile object, or None when the issuer is given only as a URI."""
        value = self.doc.get("issuer")
        return value if isinstance(value, Mapping) else None

    @property
    def issuer_id(self) -> str | None:
        return _id_of(self.doc.get("issuer"))

    @property
    def subjects(self) -> list[Mapping[str, Any]]:
        return _objects(self.doc.get("credentialSubject"))

    @property
    def subject(self) -> Mapping[str, Any] | None:
        subjects = self.subjects
        return subjects[0] if subjects else None

    @property
    def subject_id(self) -> str | None:
        return _id_of(self.subject)

    @property
    def identifiers(self) -> list[Mapping[str, Any]]:
        return _objects((self.subject or {}).get("identifier"))

    @property
    def achievement(self) -> Mapping[str, Any] | None:
        value = (self.subject or {}).get("achievement")
        return value if isinstance(value, Mapping) else None

    @property
    def achievement_id(self) -> str | None:
        return _id_of(self.achievement)

    @property
    def achievement_name(self) -> str | None:
        value = (self.achievement or {}).get("name")
        return value if isinstance(value, str) else None

    @property
    def valid_from(self) -> datetime | None:
        return self._date("issuanceDate" if self.is_vc11 else "validFrom")

    @property
    def valid_until(self) -> datetime | None:
        return self._date("expirationDate" if self.is_vc11 else "validUntil")

    @property
    def credential_status(self) -> list[Mapping[str, Any]]:
        return _objects(self.doc.get("credentialStatus"))

    @property
    def credential_schema(self) -> list[Mapping[str, Any]]:
        return _objects(self.doc.get("credentialSchema"))

    @property
    def proofs(self) -> list[Mapping[str, Any]]:
        return _objects(self.doc.get("proof"))

    @property
    def evidence(self) -> list[Mapping[str, Any]]:
        return _objects(self.doc.get("evidence"))

    @property
    def endorsements(self) -> list[Mapping[str, Any]]:
        return _objects(self.doc.get("endorsement"))

    @property
    def endorsement_jwts(self) -> list[str]:
        return [item for item in as_list(self.doc.get("endorsementJwt")) if isinstance(item, str)]

    def matches_recipient(self, value: str, identity_type: str | None = None) -> bool:
        """OB 3.0 recipient check: ``value`` equals the subject id or matches an identifier."""
        if self.subject_id is not None and hmac.compare_digest(self.subject_id.encode(), value.encode()):
            return True
        return any(
            matches_identity(item, value)
            for item in self.identifiers
            if identity_type is None or item.get("identityType") == identity_type
        )

    def _date(self, name: str) -> datetime | None:
        value = self.doc.get(name)
        if value is None:
            return None
        moment = parse_date_time(value, path=f"$.{name}")
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)

    def __repr__(self) -> str:
        return f"CredentialView(id={self.id!r}, types={self.types!r})"
