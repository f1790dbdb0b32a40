"""The OB 2.0 RevocationList: the signed assertions an issuer has revoked.

https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html#RevocationList —
``revokedAssertions`` holds assertion ids as strings, or objects with an ``id`` (or a legacy
``uid``) and an optional ``revocationReason``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vcengine.core.ob2.context import check_context, has_type
from vcengine.errors import InputError

__all__ = ["MAX_ENTRIES", "Revocation", "RevocationList", "parse_revocation_list"]

MAX_ENTRIES = 100_000


@dataclass(frozen=True, slots=True)
class Revocation:
    id: str | None
    uid: str | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class RevocationList:
    id: str
    entries: tuple[Revocation, ...]

    def find(self, assertion_id: str, uid: str | None = None) -> Revocation | None:
        """The entry revoking the assertion with ``assertion_id`` (or legacy ``uid``), if any."""
        for entry in self.entries:
            if entry.id == assertion_id or (uid is not None and entry.uid == uid):
                return entry
        return None


def _entry(value: Any) -> Revocation:
    if isinstance(value, str) and value:
        return Revocation(value, None, None)
    if isinstance(value, Mapping):
        entry_id, uid, reason = value.get("id"), value.get("uid"), value.get("revocationReason")
        if value.get("revoked", True) is False:
            raise InputError("a revokedAssertions entry says revoked: false")
        if (isinstance(entry_id, str) and entry_id) or (isinstance(uid, str) and uid):
            return Revocation(
                entry_id if isinstance(entry_id, str) else None,
                uid if isinstance(uid, str) else None,
                reason if isinstance(reason, str) else None,
            )
    raise InputError("a revokedAssertions entry must be an assertion id or an object with an id (or uid)")


def parse_revocation_list(doc: Any) -> RevocationList:
    what = "the RevocationList"
    if not isinstance(doc, Mapping):
        raise InputError(f"{what} is not a JSON object")
    check_context(doc, what=what)
    if not has_type(doc, ("RevocationList",)):
        raise InputError(f"{what}'s type {doc.get('type')!r} does not include RevocationList")
    revoked = doc.get("revokedAssertions")
    if revoked is None:
        raise InputError(f"{what} has no revokedAssertions")
    entries = revoked if isinstance(revoked, list) else [revoked]
    if len(entries) > MAX_ENTRIES:
        raise InputError(f"{what} has more than {MAX_ENTRIES} entries")
    return RevocationList(id=str(doc.get("id")), entries=tuple(_entry(e) for e in entries))
