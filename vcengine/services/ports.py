"""The ports of the service layer: the records it stores and the store it needs.

Two adapters implement ``Store`` and pass one contract suite (``tests/storage/``):
``vcengine.storage.sqlite`` (the embedded default) and ``vcengine.storage.mongo`` (PyMongo's
``AsyncMongoClient``). Adapters translate driver errors into ``StoreError`` /
``StoreUnavailable`` / ``Conflict``; nothing above them sees a driver exception.

Every method that reads or writes tenant data takes the ``org_id`` and must never return or
change another organization's records. Records are immutable values; JSON documents (credentials,
profiles, achievements) stay JSON (``dict``) — they are the source of truth.

What every adapter guarantees (the contract suite checks each point):

- JSON documents and ``bytes`` come back exactly as written (key order, numbers, Unicode);
- datetimes must be timezone-aware (a naive one is a ``ValueError``, a bug in the caller); they
  come back in UTC, exact to the microsecond;
- ``create_*`` / ``add_*`` with an id that exists raise ``Conflict`` (so do a second API key with
  the same ``prefix`` and a second status list with the same ``url``);
- lists come in (created_at, id) order unless a method says otherwise; pages are keyset pages
  whose ``next`` cursor is opaque; a cursor that is not one of ours is an ``InputError``;
- a write either happens whole or not at all (an exception means nothing of it is visible);
  where one call writes several records (a credential and its ``issued`` event; a status list and
  the transitions decided with it) they are one write: SQLite commits them in one transaction;
  MongoDB, which has no multi-document transactions here, writes them into the one document
  that decides (the credential, the status list) and copies them out at once, and whatever a
  killed process left there is copied out by the next read of that document (see the adapter).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

__all__ = [
    "AchievementRecord",
    "ApiKeyRecord",
    "CredentialFilter",
    "CredentialRecord",
    "EventRecord",
    "IssuerKeyRecord",
    "IssuerRecord",
    "OrganizationRecord",
    "Page",
    "Scope",
    "StatusListRecord",
    "StatusTransition",
    "Store",
]

Scope = Literal["read", "issue", "revoke", "admin"]
CredentialStatus = Literal["active", "revoked", "suspended"]
ProofFormat = Literal["eddsa-rdfc-2022", "eddsa-jcs-2022", "vc-jwt"]


@dataclass(frozen=True, slots=True)
class OrganizationRecord:
    id: str
    name: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    """An API key, stored as ``prefix`` (shown to users, looked up) + ``secret_hash`` (never the key).

    ``created_by`` is the id of the key that created it (None: an operator, with ``vcengine admin``
    or at the first start); ``last_used_at`` is when it last authenticated, to the minute."""

    id: str
    org_id: str
    name: str
    prefix: str
    secret_hash: str
    scopes: frozenset[Scope]
    created_at: datetime
    revoked_at: datetime | None = None
    created_by: str | None = None
    last_used_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class IssuerRecord:
    """An issuer profile (OB 3.0 Profile JSON in ``profile``; ``profile["id"]`` is the issuer id)."""

    id: str
    org_id: str
    profile: Mapping[str, Any]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class IssuerKeyRecord:
    """An issuer's signing key. ``encrypted_secret`` is AES-GCM ciphertext under the master key;
    the plaintext secret never reaches a store. Retired keys stay published for verification."""

    id: str
    org_id: str
    issuer_id: str
    verification_method: str
    public_key_multibase: str
    encrypted_secret: bytes
    status: Literal["active", "retired"]
    created_at: datetime
    retired_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AchievementRecord:
    """A badge class: the OB 3.0 Achievement JSON, plus how its badge image is made."""

    id: str
    org_id: str
    issuer_id: str
    achievement: Mapping[str, Any]
    created_at: datetime
    image_png: bytes | None = None
    image_svg: bytes | None = None


@dataclass(frozen=True, slots=True)
class CredentialRecord:
    """An issued credential. ``document`` is the signed JSON (or ``{"jwt": token}`` for VC-JWT
    with the unsigned credential under ``"credential"``). ``idempotency_key`` is unique per org.

    ``status`` is a copy of what the credential's status list decided (the list is the source of
    truth: see ``save_status_list``); ``status_version`` is the version of that list which set it
    (0: as issued), so a late copy never overwrites a newer one."""

    id: str
    org_id: str
    issuer_id: str
    achievement_id: str
    recipient: Mapping[str, Any]
    document: Mapping[str, Any]
    proof_format: ProofFormat
    issued_at: datetime
    status: CredentialStatus = "active"
    status_list_id: str | None = None
    status_index: int | None = None
    idempotency_key: str | None = None
    valid_until: datetime | None = None
    status_version: int = 0


@dataclass(frozen=True, slots=True)
class StatusListRecord:
    """A status list of one issuer and purpose: its bits and its last signed list credential.

    ``version`` increments on every change (optimistic concurrency: ``save_status_list`` with
    ``expected_version`` fails with ``Conflict`` if another instance changed it first).
    ``revoked_list`` (suspension lists only) is the ``encoded_list`` of the entries revoked for
    good: their published bit is set and stays set; "" while there are none."""

    id: str
    org_id: str
    issuer_id: str
    purpose: Literal["revocation", "suspension"]
    url: str
    encoded_list: str
    version: int
    updated_at: datetime
    credential: Mapping[str, Any] | None = None
    permutation_key: bytes = field(default=b"", repr=False)
    length: int = 131_072
    shards: int = 16
    full: bool = False
    revoked_list: str = ""


@dataclass(frozen=True, slots=True)
class EventRecord:
    """Something that happened to a credential: issued, revoked, suspended, unsuspended, viewed…"""

    id: str
    org_id: str
    type: str
    credential_id: str | None
    at: datetime
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StatusTransition:
    """A credential's new ``status``, decided by a change of its status list, and the event that
    records it (``save_status_list`` stores both with the list)."""

    credential_id: str
    org_id: str
    status: CredentialStatus
    event: EventRecord


@dataclass(frozen=True, slots=True)
class CredentialFilter:
    """Every field set must match. ``recipient`` equals one of the recipient's string values
    (email, name or identifier, compared exactly); ``issued_after`` is exclusive, ``issued_before`` too."""

    achievement_id: str | None = None
    issuer_id: str | None = None
    recipient: str | None = None
    status: CredentialStatus | None = None
    issued_after: datetime | None = None
    issued_before: datetime | None = None


@dataclass(frozen=True, slots=True)
class Page:
    """A keyset page: ``items`` in (issued_at, id) order after ``after``; ``next`` to continue.

    ``next`` is an opaque cursor (``None`` on the last page); achievements page by (created_at, id).
    ``limit`` must be at least 1 (else ``InputError``)."""

    items: Sequence[Any]
    next: str | None


class Store(Protocol):
    """Everything the service needs to persist. All methods are async; all are org-scoped."""

    async def start(self) -> None:
        """Connect and create what the store needs (tables, indexes). Idempotent."""

    async def close(self) -> None: ...

    # organizations and API keys
    async def create_organization(self, org: OrganizationRecord) -> None: ...
    async def get_organization(self, org_id: str) -> OrganizationRecord | None: ...
    async def list_organizations(self) -> Sequence[OrganizationRecord]: ...
    async def create_api_key(self, key: ApiKeyRecord) -> None: ...
    async def find_api_key(self, prefix: str) -> ApiKeyRecord | None:
        """By prefix across all orgs (authentication happens before the org is known)."""

    async def get_api_key(self, org_id: str, key_id: str) -> ApiKeyRecord | None: ...
    async def list_api_keys(
        self, org_id: str, after: str | None, limit: int, *, include_revoked: bool = True
    ) -> Page:
        """The org's keys in (created_at, id) order; only the unrevoked ones unless ``include_revoked``."""

    async def revoke_api_key(
        self, org_id: str, key_id: str, at: datetime, *, keep_admin: bool = False
    ) -> ApiKeyRecord | None:
        """Revoke the key and return it as stored now; None if it is not in the org. A second call
        keeps the first ``revoked_at``.

        With ``keep_admin``, a key whose revocation would leave the org without an unrevoked key
        with the ``admin`` scope is returned unrevoked instead. That decision and the revocation
        are one atomic step against every other ``keep_admin`` revocation, on every instance: two
        concurrent revocations of an org's last two admin keys never both succeed."""

    async def record_api_key_use(self, key_id: str, at: datetime) -> None:
        """Set the key's ``last_used_at`` to ``at`` unless it is already ``at`` or later."""

    # issuers and keys
    async def create_issuer(self, issuer: IssuerRecord) -> None: ...
    async def get_issuer(self, org_id: str, issuer_id: str) -> IssuerRecord | None: ...
    async def find_issuer(self, issuer_id: str) -> IssuerRecord | None:
        """By issuer id across orgs: public pages and DID documents are not org-scoped."""

    async def list_issuers(self, org_id: str) -> Sequence[IssuerRecord]: ...
    async def add_issuer_key(self, key: IssuerKeyRecord) -> None: ...
    async def retire_issuer_keys(self, org_id: str, issuer_id: str, at: datetime) -> None:
        """Mark every active key of the issuer retired (before adding the new one, on rotation)."""

    async def list_issuer_keys(self, issuer_id: str) -> Sequence[IssuerKeyRecord]:
        """Active and retired keys of an issuer (public data; not org-scoped), oldest first."""

    # achievements
    async def create_achievement(self, achievement: AchievementRecord) -> None: ...
    async def get_achievement(self, org_id: str, achievement_id: str) -> AchievementRecord | None: ...
    async def list_achievements(self, org_id: str, after: str | None, limit: int) -> Page: ...

    # credentials
    async def insert_credential(
        self, credential: CredentialRecord, event: EventRecord | None = None
    ) -> CredentialRecord:
        """Insert, with ``event`` (its ``issued`` event) in the same write: never one without the
        other (an event whose id is stored already is left as it is). If ``idempotency_key``
        was already used in the org, insert neither and return the credential stored under it
        (exactly one credential per key, across instances)."""

    async def get_credential(self, org_id: str, credential_id: str) -> CredentialRecord | None: ...
    async def find_credential(self, credential_id: str) -> CredentialRecord | None:
        """By id across orgs: the credential's public URL is not org-scoped."""

    async def get_by_idempotency_key(self, org_id: str, key: str) -> CredentialRecord | None: ...
    async def list_credentials(
        self, org_id: str, filter: CredentialFilter, after: str | None, limit: int
    ) -> Page: ...
    # status lists: allocation is atomic across API instances, without one hot counter
    async def active_status_list(
        self, org_id: str, issuer_id: str, purpose: str
    ) -> StatusListRecord | None: ...
    async def open_status_list(self, new: StatusListRecord, *, replacing: str | None) -> StatusListRecord:
        """Make ``new`` the active list of (org, issuer, purpose) if the active one is ``replacing``
        (None: there is none); otherwise return the list another instance opened first.

        The winner's list is stored with its ``shards`` cursors at 0 and ``replacing`` is marked
        ``full``; a loser's ``new`` is not kept. ``Conflict`` if ``new.id`` or ``new.url`` exists."""

    async def claim_positions(self, list_id: str, shard: int, count: int, limit: int) -> range:
        """Atomically advance the cursor of (list, shard) by up to ``count``, never past ``limit``.

        Returns the offsets claimed, ``range(old cursor, new cursor)``: empty once the shard is
        exhausted; never the same offset twice, across instances. ``NotFound`` if the list was
        not opened with ``open_status_list`` or ``shard`` is not below its ``shards``."""

    async def get_status_list(self, list_id: str) -> StatusListRecord | None: ...
    async def find_status_list_by_url(self, url: str) -> StatusListRecord | None: ...
    async def status_list_urls(self) -> Sequence[str]:
        """The URL of every status list, of every organization (in a stable order): what the service
        publishes and must keep re-signing before each signed list expires."""

    async def status_list_version(self, url: str) -> int | None:
        """Just the stored ``version`` of the list at ``url`` (None: no such list): a cheap read,
        so every instance can tell whether what it holds in memory is still current."""

    async def save_status_list(
        self,
        record: StatusListRecord,
        *,
        expected_version: int,
        transitions: Sequence[StatusTransition] = (),
    ) -> None:
        """Replace the list if its stored version is ``expected_version``; else raise Conflict.

        What changes: ``encoded_list``, ``revoked_list``, ``credential`` and ``updated_at``; the
        stored ``version`` becomes ``expected_version + 1`` (whatever ``record.version`` says).
        Identity, url, key, length, shards and ``full`` never change here. ``NotFound`` if there
        is no such list.

        ``transitions`` are written with the list: each credential (in its org) gets the new
        ``status`` and ``status_version = expected_version + 1`` unless a newer version of its
        list already set it, and each event is stored once (an event whose id is stored already
        is left as it is). Nothing of them is written if the compare-and-set fails."""

    # events (analytics, subscriptions)
    async def add_event(self, event: EventRecord) -> None: ...
    async def count_events(self, org_id: str, type: str) -> int: ...
