"""The credentials this instance issued, as the verifier looks them up: by id, from a bounded cache.

A stored credential's signed document never changes (status changes rewrite its status list and
the record's ``status``, never the document; nothing deletes it), so what is kept here — its id,
its organization and a digest of its document — cannot be made stale by another instance. Its
status is never kept: the verifier reads its status list's version afresh every time.

The verifier uses it to tell an exact copy of a stored credential (bounded cost: this instance
signed it) from anything else a client sends, and to count a verification without a read.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cachetools import LRUCache

from vcengine.services.context import Services
from vcengine.services.ports import CredentialRecord

__all__ = ["MAX_CACHED", "StoredCredential", "copy_of", "find"]

MAX_CACHED = 4096
_CACHE = "stored-credentials"


@dataclass(frozen=True, slots=True)
class StoredCredential:
    """A credential as stored: its record's id, its organization and ``digest`` (see ``_digest``)."""

    id: str
    org_id: str
    digest: bytes


def _digest(credential: str | Mapping[str, Any]) -> bytes | None:
    """SHA-256 of a compact JWS as it is, or of a JSON credential's canonical form (sorted keys, no
    spaces): equal for byte-for-byte copies only — JSON ``1``, ``1.0`` and ``true`` differ here,
    unlike in Python's ``==``. None for what is not JSON."""
    if isinstance(credential, str):
        text = credential
    else:
        try:
            text = json.dumps(credential, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        except (TypeError, ValueError):
            return None
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def _stored(record: CredentialRecord) -> StoredCredential:
    document = record.document["jwt"] if record.proof_format == "vc-jwt" else record.document
    digest = _digest(document)
    assert digest is not None, "a stored credential is JSON"
    return StoredCredential(record.id, record.org_id, digest)


async def find(services: Services, credential_id: object) -> StoredCredential | None:
    """The stored credential whose id (its page URL) is ``credential_id``; None if there is none."""
    prefix = f"{services.base_url}/credentials/"
    if not isinstance(credential_id, str) or not credential_id.startswith(prefix):
        return None
    record_id = credential_id.removeprefix(prefix)
    cache: LRUCache[str, StoredCredential] | None = services.cache.get(_CACHE)
    if cache is None:
        cache = services.cache[_CACHE] = LRUCache(maxsize=MAX_CACHED)
    found = cache.get(record_id)
    if found is None:
        record = await services.store.find_credential(record_id)
        if record is None:
            return None  # not kept: it may be stored later, through any instance
        found = cache[record_id] = _stored(record)
    return found


async def copy_of(
    services: Services, credential: str | Mapping[str, Any], claims: Mapping[str, Any]
) -> StoredCredential | None:
    """The stored credential of which ``credential`` (whose claims are ``claims``) is an exact
    copy; None when it is not one."""
    stored = await find(services, claims.get("id"))
    return stored if stored is not None and stored.digest == _digest(credential) else None
