"""``Store`` on MongoDB through PyMongo's ``AsyncMongoClient``, for several API instances.

Every promise of the port rests on single-document atomic operations and unique indexes (no
multi-document transactions, so it also holds on a standalone server):

- idempotent issuance: a partial unique index on (org_id, idempotency_key); the loser of a race
  gets ``DuplicateKeyError`` and returns the winner's credential. A batch
  (``insert_credentials``) is one ordered ``insert_many``, resumed without the items whose
  keys are used; on a duplicate id it deletes what it inserted, so it is all or nothing unless
  the process dies in between (then each stored credential still carries its event and jobs);
- status positions without a hot counter: each list has ``shards`` cursor documents
  (``status_cursors``, created when the list is opened, before it becomes reachable); a claim
  is one ``find_one_and_update`` with ``$inc`` guarded by ``next <= limit - count``, and when
  fewer than ``count`` positions remain, a compare-and-set of ``next`` to ``limit``.
  Instances spread over the shards, so no single document takes every write;
- one active list per (org, issuer, purpose): a pointer document in ``active_status_lists``
  (unique index), created by ``insert_one`` and moved by an ``update_one`` conditional on the
  list it replaces; the loser's list is deleted and the winner's returned;
- status list changes: compare-and-set on ``version``. The credential statuses and events a
  change decided are written into the list document by that same update (``pending``), then
  copied out (credential updates guarded by ``status_version``, events inserted once by id)
  and removed; an issued credential carries its ``issued`` event the same way (``outbox``).
  So nothing is ever visible without what was decided with it: if a process dies in between,
  the next save or read of that list, ``count_events`` of the org, or ``start`` copies out what
  it left (copying twice changes nothing);
- an organization keeps one admin key (``revoke_api_key(keep_admin=True)``): the intent to
  revoke an admin key is reserved by a compare-and-set on the version of the org's document in
  ``admin_key_guards``, after checking that another unreserved admin key remains, so concurrent
  revocations decide one after the other; then the key is revoked and the reservation dropped.

Upserts with ``$setOnInsert`` are avoided on purpose (nx-27017 drops those fields from
``find_one_and_update``). Driver errors are translated: connection and server-selection
failures -> ``StoreUnavailable`` (fast: ``server_selection_timeout`` defaults to 5 s);
duplicate keys -> ``Conflict``; anything else -> ``StoreError``.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Coroutine, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, ParamSpec, TypeVar

from bson.errors import BSONError
from pymongo import AsyncMongoClient, ReturnDocument, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, ConnectionFailure, DuplicateKeyError, PyMongoError

from vcengine.errors import Conflict, InputError, NotFound, StoreError, StoreUnavailable
from vcengine.services.ports import (
    AchievementRecord,
    AnalyticsFilter,
    ApiKeyRecord,
    AuthorizationLookup,
    AuthorizationRequestRecord,
    AwardRuleRecord,
    ClaimTokenRecord,
    CredentialFilter,
    CredentialInsert,
    CredentialOfferRecord,
    CredentialRecord,
    DailyCount,
    DeliveryAttemptRecord,
    EarnerProfileRecord,
    EmailTemplateRecord,
    EventOutcome,
    EventRecord,
    FunnelCounts,
    IntegrationEventRecord,
    IntegrationRecord,
    IssuerBrandingRecord,
    IssuerKeyRecord,
    IssuerRecord,
    JobRecord,
    JobState,
    ObClientRecord,
    ObCredentialRecord,
    ObGrantLookup,
    ObGrantRecord,
    ObProfileRecord,
    ObTokenLookup,
    ObTokenRecord,
    ObUpsert,
    OfferSecret,
    OrganizationRecord,
    Page,
    StatusListRecord,
    StatusNoticeRecord,
    StatusTransition,
    WebhookAttemptRecord,
    WebhookEndpointRecord,
    active_list_key,
    webhook_queue,
)
from vcengine.storage import _mongo_analytics as ma
from vcengine.storage import _mongo_delivery as md
from vcengine.storage import _mongo_docs as m
from vcengine.storage import _mongo_jobs as mj
from vcengine.storage import _mongo_lms as ml
from vcengine.storage import _mongo_ob_api as mob
from vcengine.storage import _mongo_oid4vci as mo
from vcengine.storage import _mongo_webhooks as mw
from vcengine.storage._codec import (
    decode_cursor,
    dump_json,
    encode_cursor,
    encode_time,
    refuse_repeated_ids,
    revoked_list_of,
)

__all__ = ["MongoStore"]

P = ParamSpec("P")
#: How long a reservation to revoke an admin key holds (see ``_reserve_admin_revocation``).
_RESERVATION = timedelta(seconds=60)
#: "null or missing": what ``{"field": None}`` means, spelled so that nx-27017 also honours it
#: next to an ``$or`` (it matches nothing for ``None`` there)
_NULL = {"$in": [None]}
T = TypeVar("T")
Doc = dict[str, Any]


def _translated(fn: Callable[P, Coroutine[Any, Any, T]]) -> Callable[P, Coroutine[Any, Any, T]]:
    """Turn driver exceptions into the store errors of ``vcengine.errors`` (``args[0]`` is the store)."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await fn(*args, **kwargs)
        except DuplicateKeyError as exc:
            raise Conflict(f"already stored ({_brief(exc)})") from exc
        except BulkWriteError as exc:
            if all(e.get("code") == 11000 for e in exc.details.get("writeErrors", [])):
                raise Conflict("already stored (duplicate key)") from exc
            raise StoreError(f"MongoDB failed: {_brief(exc)}") from exc
        except ConnectionFailure as exc:
            where = args[0].address if isinstance(args[0], MongoStore) else "?"
            raise StoreUnavailable(f"MongoDB is unavailable at {where}: {_brief(exc)}") from exc
        except (PyMongoError, BSONError) as exc:
            raise StoreError(f"MongoDB failed: {_brief(exc)}") from exc

    return wrapper


def _with_outbox(item: CredentialInsert) -> Doc:
    """The credential's document, carrying its event and jobs until they are copied out."""
    doc = m.credential_doc(item.credential)
    if item.event is not None or item.jobs:
        doc["outbox"] = [] if item.event is None else [m.event_doc(item.event)]
    if item.jobs:
        doc["outbox_jobs"] = [mj.job_doc(j) for j in item.jobs]
    return doc


def _brief(exc: Exception) -> str:
    return str(exc).split(", Timeout:")[0][:300]


class MongoStore:
    """``Store`` in database ``database`` of the MongoDB deployment at ``uri``."""

    def __init__(
        self, uri: str, database: str = "vcengine", *, server_selection_timeout: float = 5.0
    ) -> None:
        self._uri, self._database, self._timeout = uri, database, server_selection_timeout
        self._client: AsyncMongoClient[Doc] | None = None

    @property
    def address(self) -> str:
        """The URI without credentials, for messages."""
        scheme, _, rest = self._uri.partition("://")
        return f"{scheme}://{rest.rpartition('@')[2]}" if rest else self._uri

    def __repr__(self) -> str:
        return f"MongoStore({self.address!r}, {self._database!r})"

    def _c(self, name: str) -> AsyncCollection[Doc]:
        if self._client is None:
            raise StoreError("the MongoDB store is not started")
        return self._client[self._database][name]

    @_translated
    async def start(self) -> None:
        if self._client is not None:
            return
        ms = int(self._timeout * 1000)
        self._client = AsyncMongoClient(
            self._uri, serverSelectionTimeoutMS=ms, connectTimeoutMS=ms, appname="vcengine", tz_aware=True
        )
        try:
            await self._client[self._database].command("ping")
            for name, indexes in (
                *m.INDEXES.items(),
                ("jobs", mj.INDEXES),
                *mw.INDEXES.items(),
                ("events", ma.INDEXES),
                *ml.INDEXES.items(),
                *md.INDEXES.items(),
                *mo.INDEXES.items(),
                *mob.INDEXES.items(),
            ):
                await self._c(name).create_indexes(indexes)
            await self._migrate()
            for org in await self._c("organizations").find({}, projection={"_id": True}).to_list():
                await self._copy_out_left_behind(org["_id"])
        except BaseException:
            await self.close()
            raise

    async def _migrate(self) -> None:
        """Bring documents written before ``status_version`` and ``revoked_list`` up to date (once:
        the ``meta`` collection records the schema). Version 3 needs no rewrite: documents without
        ``status_size`` are lists of size 1, and a credential's ``achievement_id`` may be null
        from now on, which a store at version 3 announces. A newer schema is refused."""
        meta = self._c("meta")
        recorded = await meta.find_one({"_id": "schema"})
        if recorded is not None and recorded["version"] > m.SCHEMA_VERSION:
            newer = recorded["version"]
            raise StoreError(
                f"the store was written by a newer vcengine (schema {newer} > {m.SCHEMA_VERSION})"
            )
        if recorded is not None and recorded["version"] == m.SCHEMA_VERSION:
            return
        await self._c("credentials").update_many(
            {"status_version": {"$exists": False}}, {"$set": {"status_version": 0}}
        )
        lists = self._c("status_lists")
        legacy = await lists.find(
            {"purpose": "suspension", "revoked_list": {"$exists": False}}, projection={"length": True}
        ).to_list()
        for doc in legacy:
            revoked = (
                await self._c("credentials")
                .find({"status_list_id": doc["_id"], "status": "revoked"}, projection={"status_index": True})
                .to_list()
            )
            encoded = revoked_list_of(doc["length"], (d["status_index"] for d in revoked))
            await lists.update_one(
                {"_id": doc["_id"], "revoked_list": {"$exists": False}}, {"$set": {"revoked_list": encoded}}
            )
        if recorded is None:
            await self._insert_once("meta", [{"_id": "schema", "version": m.SCHEMA_VERSION}])
        else:
            await meta.update_one(
                {"_id": "schema", "version": {"$lt": m.SCHEMA_VERSION}},
                {"$set": {"version": m.SCHEMA_VERSION}},
            )

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.close()

    async def drop_database(self) -> None:
        """Remove everything this store holds (tests use a fresh database each)."""
        if self._client is not None:
            await self._client.drop_database(self._database)

    async def _find_one(self, collection: str, query: Doc, convert: Callable[[Doc], T]) -> T | None:
        doc = await self._c(collection).find_one(query)
        return None if doc is None else convert(doc)

    async def _find(self, collection: str, query: Doc, convert: Callable[[Doc], T], *order: str) -> list[T]:
        cursor = self._c(collection).find(query).sort([(f, 1) for f in (*order, "_id")])
        return [convert(doc) for doc in await cursor.to_list()]

    async def _page(
        self,
        collection: str,
        query: Doc,
        order: str,
        convert: Callable[[Doc], Any],
        after: str | None,
        limit: int,
    ) -> Page:
        if limit < 1:
            raise InputError("a page needs a limit of at least 1")
        if after is not None:
            query["page_key"] = {"$gt": m.page_key(*decode_cursor(after))}
        cursor = self._c(collection).find(query).sort("page_key", 1).limit(limit + 1)
        docs = await cursor.to_list()
        last = docs[limit - 1] if len(docs) > limit else None
        return Page(
            [convert(d) for d in docs[:limit]],
            None if last is None else encode_cursor(last[order], last["_id"]),
        )

    # -- organizations and API keys --------------------------------------------------------------

    @_translated
    async def create_organization(self, org: OrganizationRecord) -> None:
        await self._c("organizations").insert_one(m.organization_doc(org))

    @_translated
    async def get_organization(self, org_id: str) -> OrganizationRecord | None:
        return await self._find_one("organizations", {"_id": org_id}, m.organization)

    @_translated
    async def list_organizations(self) -> Sequence[OrganizationRecord]:
        return await self._find("organizations", {}, m.organization, "created_at")

    @_translated
    async def create_api_key(self, key: ApiKeyRecord) -> None:
        await self._c("api_keys").insert_one(m.api_key_doc(key))

    @_translated
    async def find_api_key(self, prefix: str) -> ApiKeyRecord | None:
        return await self._find_one("api_keys", {"prefix": prefix}, m.api_key)

    @_translated
    async def get_api_key(self, org_id: str, key_id: str) -> ApiKeyRecord | None:
        return await self._find_one("api_keys", {"_id": key_id, "org_id": org_id}, m.api_key)

    @_translated
    async def list_api_keys(
        self, org_id: str, after: str | None, limit: int, *, include_revoked: bool = True
    ) -> Page:
        # (created_at, _id) keyset without a page_key field, so keys stored before this listing
        # existed need no migration; an org has few keys, the (org_id, created_at) index serves
        if limit < 1:
            raise InputError("a page needs a limit of at least 1")
        query: Doc = {"org_id": org_id}
        if not include_revoked:
            query["revoked_at"] = _NULL
        if after is not None:
            created, key_id = decode_cursor(after)
            query["$or"] = [{"created_at": {"$gt": created}}, {"created_at": created, "_id": {"$gt": key_id}}]
        cursor = self._c("api_keys").find(query).sort([("created_at", 1), ("_id", 1)]).limit(limit + 1)
        docs = await cursor.to_list()
        last = docs[limit - 1] if len(docs) > limit else None
        return Page(
            [m.api_key(d) for d in docs[:limit]],
            None if last is None else encode_cursor(last["created_at"], last["_id"]),
        )

    @_translated
    async def revoke_api_key(
        self, org_id: str, key_id: str, at: datetime, *, keep_admin: bool = False
    ) -> ApiKeyRecord | None:
        key = await self._find_one("api_keys", {"_id": key_id, "org_id": org_id}, m.api_key)
        if key is None or key.revoked_at is not None:
            return key
        if not (keep_admin and "admin" in key.scopes):
            return await self._revoke_key(org_id, key_id, at)
        if not await self._reserve_admin_revocation(org_id, key_id, at):
            return key
        try:
            return await self._revoke_key(org_id, key_id, at)
        finally:
            await self._c("admin_key_guards").update_one(
                {"_id": org_id}, {"$unset": {f"revoking.{key_id}": ""}}
            )

    async def _revoke_key(self, org_id: str, key_id: str, at: datetime) -> ApiKeyRecord | None:
        query = {"_id": key_id, "org_id": org_id}
        await self._c("api_keys").update_one(
            {**query, "revoked_at": None}, {"$set": {"revoked_at": encode_time(at)}}
        )
        return await self._find_one("api_keys", query, m.api_key)

    async def _reserve_admin_revocation(self, org_id: str, key_id: str, at: datetime) -> bool:
        """Record, in one compare-and-set on the org's guard document, the intent to revoke the
        admin key ``key_id`` — if another unrevoked admin key remains that no other revocation has
        reserved. Concurrent reservations serialize on the guard's ``version``; a reservation
        older than ``_RESERVATION`` (its instance died before revoking) is ignored."""
        guards, keys = self._c("admin_key_guards"), self._c("api_keys")
        stale = encode_time(at - _RESERVATION)
        while True:
            guard = await guards.find_one({"_id": org_id})
            if guard is None:
                with contextlib.suppress(DuplicateKeyError):  # another instance created it first
                    await guards.insert_one({"_id": org_id, "version": 0, "revoking": {}})
                continue
            reserved = [k for k, when in guard.get("revoking", {}).items() if when > stale]
            query = {
                "org_id": org_id,
                "scopes": "admin",
                "revoked_at": _NULL,
                "_id": {"$nin": [key_id, *reserved]},
            }
            if not await keys.find(query, projection={"_id": True}).limit(1).to_list():
                return False
            taken = await guards.update_one(
                {"_id": org_id, "version": guard["version"]},
                {"$set": {"version": guard["version"] + 1, f"revoking.{key_id}": encode_time(at)}},
            )
            if taken.matched_count == 1:
                return True
            # another revocation reserved first: decide again with what it reserved

    @_translated
    async def record_api_key_use(self, key_id: str, at: datetime) -> None:
        # $max: fixed-width instants compare as text, and null or missing is below any text
        # (nx-27017 matches the wrong document for ``{"_id": …, "$or": […]}`` on this collection)
        await self._c("api_keys").update_one({"_id": key_id}, {"$max": {"last_used_at": encode_time(at)}})

    # -- issuers and keys ------------------------------------------------------------------------

    @_translated
    async def create_issuer(self, issuer: IssuerRecord) -> None:
        await self._c("issuers").insert_one(m.issuer_doc(issuer))

    @_translated
    async def get_issuer(self, org_id: str, issuer_id: str) -> IssuerRecord | None:
        return await self._find_one("issuers", {"_id": issuer_id, "org_id": org_id}, m.issuer)

    @_translated
    async def find_issuer(self, issuer_id: str) -> IssuerRecord | None:
        return await self._find_one("issuers", {"_id": issuer_id}, m.issuer)

    @_translated
    async def list_issuers(self, org_id: str) -> Sequence[IssuerRecord]:
        return await self._find("issuers", {"org_id": org_id}, m.issuer, "created_at")

    @_translated
    async def add_issuer_key(self, key: IssuerKeyRecord) -> None:
        await self._c("issuer_keys").insert_one(m.issuer_key_doc(key))

    @_translated
    async def retire_issuer_keys(self, org_id: str, issuer_id: str, at: datetime) -> None:
        await self._c("issuer_keys").update_many(
            {"org_id": org_id, "issuer_id": issuer_id, "status": "active"},
            {"$set": {"status": "retired", "retired_at": encode_time(at)}},
        )

    @_translated
    async def list_issuer_keys(self, issuer_id: str) -> Sequence[IssuerKeyRecord]:
        return await self._find("issuer_keys", {"issuer_id": issuer_id}, m.issuer_key, "created_at")

    # -- achievements ----------------------------------------------------------------------------

    @_translated
    async def create_achievement(self, achievement: AchievementRecord) -> None:
        await self._c("achievements").insert_one(m.achievement_doc(achievement))

    @_translated
    async def get_achievement(self, org_id: str, achievement_id: str) -> AchievementRecord | None:
        return await self._find_one("achievements", {"_id": achievement_id, "org_id": org_id}, m.achievement)

    @_translated
    async def list_achievements(self, org_id: str, after: str | None, limit: int) -> Page:
        return await self._page("achievements", {"org_id": org_id}, "created_at", m.achievement, after, limit)

    # -- credentials -----------------------------------------------------------------------------

    @_translated
    async def insert_credential(
        self, credential: CredentialRecord, event: EventRecord | None = None, jobs: Sequence[JobRecord] = ()
    ) -> CredentialRecord:
        doc = _with_outbox(CredentialInsert(credential, event, jobs))
        try:
            await self._c("credentials").insert_one(doc)
        except DuplicateKeyError:
            if (existing := await self._stored_under_key(credential)) is not None:
                return existing
            raise
        if "outbox" in doc:
            await self._copy_out_outboxes([doc])
        return credential

    @_translated
    async def insert_credentials(self, items: Sequence[CredentialInsert]) -> list[CredentialRecord]:
        """One ordered ``insert_many``. An item whose idempotency key is used stops it; it goes on
        without every item whose key is used (one look-up for them all, so a replayed batch costs
        two round trips, not two per item). On any other duplicate, what it inserted is deleted
        before the ``Conflict``."""
        refuse_repeated_ids(items)
        docs = [_with_outbox(item) for item in items]
        stored = [item.credential for item in items]
        pending, inserted = list(range(len(items))), []
        while pending:
            try:
                await self._c("credentials").insert_many([docs[i] for i in pending], ordered=True)
            except BulkWriteError as exc:
                if not (errors := exc.details.get("writeErrors")):
                    raise
                at, duplicate = errors[0]["index"], errors[0].get("code") == 11000
                inserted += pending[:at]
                failed = pending[at]
                rest = await self._not_replayed(items, pending[at:], stored) if duplicate else [failed]
                if rest[:1] == [failed]:  # not a used key: undo the batch
                    undo = [items[i].credential.id for i in inserted]
                    await self._c("credentials").delete_many({"_id": {"$in": undo}})
                    if duplicate:
                        why = f"credential {items[failed].credential.id} is already stored"
                        raise Conflict(f"{why}: none of the batch is stored") from None
                    raise
                pending = rest
            else:
                inserted += pending
                break
        await self._copy_out_outboxes([docs[i] for i in inserted if "outbox" in docs[i]])
        return stored

    async def _not_replayed(
        self, items: Sequence[CredentialInsert], indexes: list[int], stored: list[CredentialRecord]
    ) -> list[int]:
        """Those of ``indexes`` whose idempotency key is not used yet; each of the others gets the
        credential stored under its key in ``stored``."""
        keyed: dict[tuple[str, str], list[int]] = {}
        for i in indexes:
            if (key := items[i].credential.idempotency_key) is not None:
                keyed.setdefault((items[i].credential.org_id, key), []).append(i)
        replayed: set[int] = set()
        for org_id in {org for org, _ in keyed}:
            query = {"org_id": org_id, "idempotency_key": {"$in": [k for o, k in keyed if o == org_id]}}
            async for doc in self._c("credentials").find(query):
                for i in keyed.get((org_id, doc["idempotency_key"]), []):
                    stored[i] = m.credential(doc)
                    replayed.add(i)
        return [i for i in indexes if i not in replayed]

    async def _stored_under_key(self, credential: CredentialRecord) -> CredentialRecord | None:
        """The credential stored under ``credential``'s idempotency key in its org, if any."""
        if credential.idempotency_key is None:
            return None
        query = {"org_id": credential.org_id, "idempotency_key": credential.idempotency_key}
        return await self._find_one("credentials", query, m.credential)

    @_translated
    async def get_credential(self, org_id: str, credential_id: str) -> CredentialRecord | None:
        return await self._find_one("credentials", {"_id": credential_id, "org_id": org_id}, m.credential)

    @_translated
    async def find_credential(self, credential_id: str) -> CredentialRecord | None:
        return await self._find_one("credentials", {"_id": credential_id}, m.credential)

    @_translated
    async def get_by_idempotency_key(self, org_id: str, key: str) -> CredentialRecord | None:
        return await self._find_one("credentials", {"org_id": org_id, "idempotency_key": key}, m.credential)

    @_translated
    async def list_credentials(
        self, org_id: str, filter: CredentialFilter, after: str | None, limit: int
    ) -> Page:
        return await self._page(
            "credentials", _credential_query(org_id, filter), "issued_at", m.credential, after, limit
        )

    # -- status lists ----------------------------------------------------------------------------

    @_translated
    async def active_status_list(
        self, org_id: str, issuer_id: str, purpose: str, status_size: int = 1
    ) -> StatusListRecord | None:
        pointer = await self._c("active_status_lists").find_one(
            {"org_id": org_id, "issuer_id": issuer_id, "purpose": active_list_key(purpose, status_size)}
        )
        if pointer is None:
            return None
        return await self._find_one("status_lists", {"_id": pointer["list_id"]}, m.status_list)

    @_translated
    async def open_status_list(self, new: StatusListRecord, *, replacing: str | None) -> StatusListRecord:
        cursors = [
            {"_id": m.cursor_id(new.id, i), "list_id": new.id, "shard": i, "next": 0}
            for i in range(new.shards)
        ]
        # a duplicate list id fails here, first (shard 0 of every opened list exists), so what
        # _forget removes below is only ever this call's own cursors
        await self._c("status_cursors").insert_many(cursors)
        try:
            await self._c("status_lists").insert_one(m.status_list_doc(new))
            won = await self._point_to(new, replacing)
        except BaseException:
            await self._forget(new.id, keep_list=True)
            raise
        if won:
            if replacing is not None:
                await self._c("status_lists").update_one({"_id": replacing}, {"$set": {"full": True}})
            return new
        await self._forget(new.id, keep_list=False)
        current = await self.active_status_list(new.org_id, new.issuer_id, new.purpose, new.status_size)
        if current is None:  # pointers are never deleted, so this cannot happen
            raise StoreError("the active status list vanished")
        return current

    async def _point_to(self, new: StatusListRecord, replacing: str | None) -> bool:
        """Make the (org, issuer, purpose) pointer name ``new`` if it names ``replacing``."""
        key = {
            "org_id": new.org_id,
            "issuer_id": new.issuer_id,
            "purpose": active_list_key(new.purpose, new.status_size),
        }
        pointers = self._c("active_status_lists")
        if replacing is not None:
            moved = await pointers.update_one({**key, "list_id": replacing}, {"$set": {"list_id": new.id}})
            if moved.matched_count == 1:
                return True
        try:
            await pointers.insert_one({**key, "list_id": new.id})
        except DuplicateKeyError:
            return False
        return True

    async def _forget(self, list_id: str, *, keep_list: bool) -> None:
        """Remove a list that never became active (best effort: it is unreachable anyway)."""
        try:
            await self._c("status_cursors").delete_many({"list_id": list_id})
            if not keep_list:
                await self._c("status_lists").delete_one({"_id": list_id})
        except PyMongoError:
            pass

    @_translated
    async def claim_positions(self, list_id: str, shard: int, count: int, limit: int) -> range:
        cursors, key, count = self._c("status_cursors"), m.cursor_id(list_id, shard), max(count, 0)
        while True:
            before = await cursors.find_one_and_update(
                {"_id": key, "next": {"$lte": limit - count}},
                {"$inc": {"next": count}},
                projection={"next": True},
                return_document=ReturnDocument.BEFORE,
            )
            if before is not None:
                return range(before["next"], before["next"] + count)
            current = await cursors.find_one({"_id": key}, projection={"next": True})
            if current is None:
                raise NotFound(f"no shard {shard} of status list {list_id}")
            start = current["next"]
            if start >= limit:
                return range(start, start)
            taken = await cursors.update_one({"_id": key, "next": start}, {"$set": {"next": limit}})
            if taken.matched_count == 1:
                return range(start, limit)
            # another instance moved the cursor in between: try again

    @_translated
    async def get_status_list(self, list_id: str) -> StatusListRecord | None:
        return await self._read_list({"_id": list_id})

    @_translated
    async def find_status_list_by_url(self, url: str) -> StatusListRecord | None:
        return await self._read_list({"url": url})

    async def _read_list(self, query: Doc) -> StatusListRecord | None:
        doc = await self._c("status_lists").find_one(query)
        if doc is None:
            return None
        if doc.get("pending"):  # what a writer decided with this version, maybe not copied out yet
            await self._copy_out_pending(doc)
        return m.status_list(doc)

    @_translated
    async def status_list_urls(self) -> Sequence[str]:
        cursor = self._c("status_lists").find({}, projection={"url": True}).sort([("_id", 1)])
        return [str(doc["url"]) for doc in await cursor.to_list()]

    @_translated
    async def status_list_version(self, url: str) -> int | None:
        doc = await self._c("status_lists").find_one({"url": url}, projection={"version": True})
        return None if doc is None else int(doc["version"])

    @_translated
    async def save_status_list(
        self,
        record: StatusListRecord,
        *,
        expected_version: int,
        transitions: Sequence[StatusTransition] = (),
    ) -> None:
        lists = self._c("status_lists")
        current = await lists.find_one({"_id": record.id}, projection={"version": True, "pending": True})
        if current is None:
            raise NotFound(f"no status list {record.id}")
        if current["version"] != expected_version:
            raise Conflict(f"status list {record.id} changed since version {expected_version}")
        if current.get("pending"):  # replaced below: copy out what the previous change decided first
            await self._copy_out_pending(current)
        version = expected_version + 1
        changes: Doc = {
            "encoded_list": record.encoded_list,
            "revoked_list": record.revoked_list,
            "credential": m.status_list_doc(record)["credential"],
            "updated_at": encode_time(record.updated_at),
            "version": version,
        }
        update: Doc = {"$set": changes}
        if transitions:
            changes["pending"] = [_transition_doc(t, version) for t in transitions]
        else:
            update["$unset"] = {"pending": ""}
        result = await lists.update_one({"_id": record.id, "version": expected_version}, update)
        if result.matched_count == 0:
            raise Conflict(f"status list {record.id} changed since version {expected_version}")
        if transitions:
            await self._copy_out_pending({"_id": record.id, **changes})

    # -- what a document carries for other collections -------------------------------------------

    async def _copy_out_pending(self, doc: Doc) -> None:
        """Apply the transitions kept in a status list document, then drop them from it."""
        pending = doc["pending"]
        await self._c("credentials").bulk_write(
            [
                UpdateOne(
                    {
                        "_id": p["credential_id"],
                        "org_id": p["org_id"],
                        "status_version": {"$lt": p["version"]},
                    },
                    {"$set": {"status": p["status"], "status_version": p["version"]}},
                )
                for p in pending
            ],
            ordered=False,
        )
        await self._insert_once("events", [p["event"] for p in pending])
        await self._insert_once("jobs", [j for p in pending for j in p.get("jobs", [])])
        await self._c("status_lists").update_one(
            {"_id": doc["_id"], "version": doc["version"]}, {"$unset": {"pending": ""}}
        )

    async def _copy_out_outboxes(self, docs: Sequence[Doc]) -> None:
        """Store the events and jobs credential documents carry, then drop them from them."""
        if not docs:
            return
        await self._insert_once("events", [e for d in docs for e in d.get("outbox", [])])
        await self._insert_once("jobs", [j for d in docs for j in d.get("outbox_jobs", [])])
        await self._c("credentials").update_many(
            {"_id": {"$in": [d["_id"] for d in docs]}}, {"$unset": {"outbox": "", "outbox_jobs": ""}}
        )

    async def _copy_out_left_behind(self, org_id: str) -> None:
        """Copy out what a killed process left in the documents of ``org_id``."""
        async for doc in self._c("credentials").find({"org_id": org_id, "outbox": {"$exists": True}}):
            await self._copy_out_outboxes([doc])
        lists = self._c("status_lists").find(
            {"org_id": org_id, "pending": {"$exists": True}}, projection={"version": True, "pending": True}
        )
        async for doc in lists:
            if doc.get("pending"):
                await self._copy_out_pending(doc)

    async def _insert_once(self, collection: str, docs: list[Doc]) -> None:
        """Insert ``docs``; those whose ``_id`` is stored already are left as they are."""
        if not docs:
            return
        try:
            await self._c(collection).insert_many(docs, ordered=False)
        except BulkWriteError as exc:
            if any(e.get("code") != 11000 for e in exc.details.get("writeErrors", [])):
                raise

    # -- oid4vci --------------------------------------------------------------------------------

    @_translated
    async def create_credential_offer(self, offer: CredentialOfferRecord) -> None:
        offers, stale = self._c("credential_offers"), encode_time(offer.created_at - timedelta(days=1))
        await offers.delete_many(
            {
                "expires_at": {"$lte": stale},
                "$or": [{"token_expires_at": _NULL}, {"token_expires_at": {"$lte": stale}}],
            }
        )
        await offers.insert_one(mo.offer_doc(offer))

    @_translated
    async def get_credential_offer(self, org_id: str, offer_id: str) -> CredentialOfferRecord | None:
        return await self._find_one("credential_offers", {"_id": offer_id, "org_id": org_id}, mo.offer)

    @_translated
    async def find_credential_offer(self, by: OfferSecret, value: str) -> CredentialOfferRecord | None:
        if by not in ("code_hash", "handle_hash", "token_hash"):
            raise ValueError(f"not an offer secret: {by}")
        return await self._find_one("credential_offers", {by: value}, mo.offer)

    @_translated
    async def record_tx_code_failure(self, offer_id: str) -> int:
        doc = await self._c("credential_offers").find_one_and_update(
            {"_id": offer_id}, {"$inc": {"tx_code_failures": 1}}, return_document=ReturnDocument.AFTER
        )
        return 0 if doc is None else int(doc["tx_code_failures"])

    @_translated
    async def redeem_credential_offer(
        self, offer_id: str, at: datetime, token_hash: str, token_expires_at: datetime, max_failures: int
    ) -> bool:
        moment = encode_time(at)
        result = await self._c("credential_offers").update_one(
            {
                "_id": offer_id,
                "redeemed_at": _NULL,
                "expires_at": {"$gt": moment},
                "tx_code_failures": {"$lt": max_failures},
            },
            {
                "$set": {
                    "redeemed_at": moment,
                    "token_hash": token_hash,
                    "token_expires_at": encode_time(token_expires_at),
                }
            },
        )
        return result.modified_count == 1

    @_translated
    async def mark_configuration_issued(self, offer_id: str, configuration_id: str, at: datetime) -> bool:
        result = await self._c("credential_offers").update_one(
            {
                "_id": offer_id,
                "token_expires_at": {"$gt": encode_time(at)},
                "issued_configurations": {"$nin": [configuration_id]},
            },
            {"$push": {"issued_configurations": configuration_id}},
        )
        return result.modified_count == 1

    @_translated
    async def use_nonce(self, nonce_hash: str, expires_at: datetime, at: datetime) -> bool:
        nonces = self._c("used_nonces")
        await nonces.delete_many({"expires_at": {"$lte": encode_time(at)}})
        try:
            await nonces.insert_one({"_id": nonce_hash, "expires_at": encode_time(expires_at)})
        except DuplicateKeyError:
            return False
        return True

    @_translated
    async def create_authorization_request(self, request: AuthorizationRequestRecord) -> None:
        requests = self._c("authorization_requests")
        await requests.delete_many(
            {"expires_at": {"$lte": encode_time(request.created_at - timedelta(hours=1))}}
        )
        await requests.insert_one(mo.request_doc(request))

    @_translated
    async def find_authorization_request(
        self, by: AuthorizationLookup, value: str
    ) -> AuthorizationRequestRecord | None:
        if by not in ("id", "handle_hash", "login_hash", "offer_id"):
            raise ValueError(f"not an authorization request lookup: {by}")
        return await self._find_one(
            "authorization_requests", {"_id" if by == "id" else by: value}, mo.request
        )

    @_translated
    async def set_sign_in_link(self, request_id: str, login_hash: str, login_expires_at: datetime) -> None:
        await self._c("authorization_requests").update_one(
            {"_id": request_id},
            {"$set": {"login_hash": login_hash, "login_expires_at": encode_time(login_expires_at)}},
        )

    @_translated
    async def complete_sign_in(self, request_id: str, login_hash: str, at: datetime, offer_id: str) -> bool:
        moment = encode_time(at)
        result = await self._c("authorization_requests").update_one(
            {
                "_id": request_id,
                "login_hash": login_hash,
                "signed_in_at": _NULL,
                "login_expires_at": {"$gt": moment},
            },
            {"$set": {"signed_in_at": moment, "offer_id": offer_id}},
        )
        return result.modified_count == 1

    # -- ob_api ----------------------------------------------------------------------------------

    @_translated
    async def create_ob_client(self, client: ObClientRecord) -> None:
        await self._c("ob_clients").insert_one(mob.client_doc(client))

    @_translated
    async def get_ob_client(self, client_id: str) -> ObClientRecord | None:
        return await self._find_one("ob_clients", {"_id": client_id}, mob.client)

    @_translated
    async def create_ob_grant(self, grant: ObGrantRecord) -> None:
        await self._c("ob_grants").insert_one(mob.grant_doc(grant))

    @_translated
    async def find_ob_grant(self, by: ObGrantLookup, value: str) -> ObGrantRecord | None:
        if by not in ("id", "handle_hash", "login_hash", "code_hash"):
            raise ValueError(f"not a grant lookup: {by}")
        return await self._find_one("ob_grants", {"_id" if by == "id" else by: value}, mob.grant)

    @_translated
    async def set_ob_sign_in_link(self, grant_id: str, login_hash: str, login_expires_at: datetime) -> None:
        update = {"login_hash": login_hash, "login_expires_at": encode_time(login_expires_at)}
        await self._c("ob_grants").update_one({"_id": grant_id}, {"$set": update})

    @_translated
    async def approve_ob_grant(
        self, grant_id: str, login_hash: str, at: datetime, code_hash: str, code_expires_at: datetime
    ) -> bool:
        result = await self._c("ob_grants").update_one(
            {
                "_id": grant_id,
                "login_hash": login_hash,
                "login_expires_at": {"$gt": encode_time(at)},
                "code_hash": {"$exists": False},
            },
            {"$set": {"code_hash": code_hash, "code_expires_at": encode_time(code_expires_at)}},
        )
        return result.modified_count == 1

    @_translated
    async def redeem_ob_code(self, grant_id: str, at: datetime) -> bool:
        moment = encode_time(at)
        result = await self._c("ob_grants").update_one(
            {"_id": grant_id, "code_used_at": {"$exists": False}, "code_expires_at": {"$gt": moment}},
            {"$set": {"code_used_at": moment}},
        )
        return result.modified_count == 1

    @_translated
    async def create_ob_token(self, token: ObTokenRecord) -> None:
        await self._c("ob_tokens").insert_one(mob.token_doc(token))

    @_translated
    async def find_ob_token(self, by: ObTokenLookup, value: str) -> ObTokenRecord | None:
        if by not in ("access_hash", "refresh_hash"):
            raise ValueError(f"not a token lookup: {by}")
        return await self._find_one("ob_tokens", {by: value}, mob.token)

    @_translated
    async def revoke_ob_token(self, token_id: str, at: datetime) -> bool:
        result = await self._c("ob_tokens").update_one(
            {"_id": token_id, "revoked_at": {"$exists": False}}, {"$set": {"revoked_at": encode_time(at)}}
        )
        return result.modified_count == 1

    @_translated
    async def revoke_ob_grant(self, grant_id: str, at: datetime) -> int:
        result = await self._c("ob_tokens").update_many(
            {"grant_id": grant_id, "revoked_at": {"$exists": False}},
            {"$set": {"revoked_at": encode_time(at)}},
        )
        return result.modified_count

    @_translated
    async def count_learner_credentials(self, email: str, since: datetime | None) -> int:
        return await self._c("credentials").count_documents(mob.learner_query(email, since))

    @_translated
    async def list_learner_credentials(
        self, email: str, since: datetime | None, offset: int, limit: int
    ) -> list[CredentialRecord]:
        cursor = self._c("credentials").find(mob.learner_query(email, since)).sort("page_key", 1)
        cursor = cursor.skip(offset).limit(limit)  # page_key: (issued_at, id)
        return [m.credential(doc) for doc in await cursor.to_list()]

    @_translated
    async def upsert_ob_credential(self, record: ObCredentialRecord) -> ObUpsert:
        stored = self._c("ob_credentials")
        fields = mob.credential_fields(record)
        identity = {"email": record.email, "equality": record.key}
        try:
            await stored.insert_one({"_id": record.id, **identity, **fields})
        except DuplicateKeyError:
            pass  # one with this key is stored: replace it unless it is newer
        else:
            return "created"
        result = await stored.update_one(
            {"email": record.email, "equality": record.key, "issued_at": {"$lte": fields["issued_at"]}},
            {"$set": fields},
        )
        return "replaced" if result.matched_count == 1 else "unchanged"

    @_translated
    async def count_ob_credentials(self, email: str, since: datetime | None) -> int:
        return await self._c("ob_credentials").count_documents(mob.since_query({"email": email}, since))

    @_translated
    async def list_ob_credentials(
        self, email: str, since: datetime | None, offset: int, limit: int
    ) -> list[ObCredentialRecord]:
        cursor = self._c("ob_credentials").find(mob.since_query({"email": email}, since))
        cursor = cursor.sort([("issued_at", 1), ("_id", 1)]).skip(offset).limit(limit)
        return [mob.credential(doc) for doc in await cursor.to_list()]

    @_translated
    async def get_ob_profile(self, email: str) -> ObProfileRecord | None:
        return await self._find_one("ob_profiles", {"_id": email}, mob.profile)

    @_translated
    async def put_ob_profile(self, record: ObProfileRecord) -> None:
        update = {"profile": dump_json(record.profile), "updated_at": encode_time(record.updated_at)}
        await self._c("ob_profiles").update_one({"_id": record.email}, {"$set": update}, upsert=True)

    # -- events ----------------------------------------------------------------------------------

    @_translated
    async def add_event(self, event: EventRecord, jobs: Sequence[JobRecord] = ()) -> None:
        doc = m.event_doc(event)
        if jobs:  # kept in the event document until copied out (see insert_credential)
            doc["outbox_jobs"] = [mj.job_doc(j) for j in jobs]
        await self._c("events").insert_one(doc)
        if jobs:
            await self._copy_out_event_jobs(doc)

    @_translated
    async def add_events(self, events: Sequence[EventRecord]) -> None:
        await self._insert_once("events", [m.event_doc(e) for e in events])

    async def _copy_out_event_jobs(self, doc: Doc) -> None:
        await self._insert_once("jobs", doc.get("outbox_jobs", []))
        await self._c("events").update_one({"_id": doc["_id"]}, {"$unset": {"outbox_jobs": ""}})

    @_translated
    async def count_events(self, org_id: str, type: str) -> int:
        await self._copy_out_left_behind(org_id)
        return await self._c("events").count_documents({"org_id": org_id, "type": type})

    # -- jobs ------------------------------------------------------------------------------------

    @_translated
    async def add_job(self, job: JobRecord) -> bool:
        try:
            await self._c("jobs").insert_one(mj.job_doc(job))
        except DuplicateKeyError:
            return False
        return True

    @_translated
    async def claim_jobs(
        self, kinds: Sequence[str], now: datetime, lease_until: datetime, limit: int
    ) -> Sequence[JobRecord]:
        if not kinds or limit < 1:
            return []
        await self._copy_out_left_jobs()
        at, jobs = encode_time(now), self._c("jobs")
        candidates = (
            await jobs.find(mj.runnable(list(kinds), at)).sort([("due_at", 1), ("_id", 1)]).to_list(limit * 4)
        )
        claimed: list[JobRecord] = []
        for doc in candidates:
            if len(claimed) == limit:
                break
            if doc.get("queue") is not None and not await self._heads_queue(doc):
                continue
            won = await jobs.find_one_and_update(
                {"_id": doc["_id"], "state": doc["state"], "attempts": doc["attempts"]},
                {
                    "$set": {"state": "running", "lease_until": encode_time(lease_until)},
                    "$inc": {"attempts": 1},
                },
                return_document=ReturnDocument.AFTER,
            )
            if won is not None:
                claimed.append(mj.job(won))
        return claimed

    async def _heads_queue(self, doc: Doc) -> bool:
        """Is ``doc`` the oldest unfinished job of its queue?"""
        head = await self._c("jobs").find_one(
            {"queue": doc["queue"], "state": {"$in": mj.UNFINISHED}}, sort=[("page_key", 1)]
        )
        return head is not None and head["_id"] == doc["_id"]

    async def _copy_out_left_jobs(self) -> None:
        """Copy out the jobs a killed process left in credential, event and status list documents
        (see ``insert_credential``, ``add_event``, ``save_status_list``)."""
        async for doc in self._c("credentials").find({"outbox_jobs": {"$exists": True}}).limit(100):
            await self._copy_out_outboxes([doc])
        async for doc in self._c("events").find({"outbox_jobs": {"$exists": True}}).limit(100):
            await self._copy_out_event_jobs(doc)
        lists = self._c("status_lists").find(
            {"pending": {"$exists": True}}, projection={"version": True, "pending": True}
        )
        async for doc in lists.limit(100):
            if doc.get("pending"):
                await self._copy_out_pending(doc)

    async def _settle(self, job_id: str, attempt: int, state: JobState, changes: Doc) -> bool:
        result = await self._c("jobs").update_one(
            {"_id": job_id, "state": "running", "attempts": attempt},
            {"$set": {"state": state, "lease_until": None, **changes}},
        )
        return result.modified_count == 1

    @_translated
    async def finish_job(
        self, job_id: str, attempt: int, at: datetime, result: Mapping[str, Any] | None
    ) -> bool:
        return await self._settle(
            job_id, attempt, "done", {"finished_at": encode_time(at), "result": mj.j(result)}
        )

    @_translated
    async def retry_job(self, job_id: str, attempt: int, due_at: datetime, error: str) -> bool:
        return await self._settle(
            job_id, attempt, "pending", {"due_at": encode_time(due_at), "last_error": error}
        )

    @_translated
    async def fail_job(
        self, job_id: str, attempt: int, at: datetime, error: str, result: Mapping[str, Any] | None = None
    ) -> bool:
        changes = {"finished_at": encode_time(at), "last_error": error, "result": mj.j(result)}
        return await self._settle(job_id, attempt, "failed", changes)

    @_translated
    async def get_job(self, org_id: str, job_id: str) -> JobRecord | None:
        return await self._find_one("jobs", {"_id": job_id, "org_id": org_id}, mj.job)

    @_translated
    async def list_jobs(
        self, org_id: str, kind: str, states: Sequence[JobState] | None, after: str | None, limit: int
    ) -> Page:
        query: Doc = {"org_id": org_id, "kind": kind}
        if states is not None:
            query["state"] = {"$in": list(states)}
        return await self._page("jobs", query, "created_at", mj.job, after, limit)

    @_translated
    async def requeue_job(self, org_id: str, job_id: str, due_at: datetime) -> JobRecord | None:
        doc = await self._c("jobs").find_one_and_update(
            {"_id": job_id, "org_id": org_id, "state": {"$in": ["done", "failed"]}},
            {
                "$set": {
                    "state": "pending",
                    "due_at": encode_time(due_at),
                    "created_at": encode_time(due_at),
                    "finished_at": None,
                }
            },
            return_document=ReturnDocument.AFTER,
        )
        return None if doc is None else mj.job(doc)

    # -- webhooks --------------------------------------------------------------------------------

    @_translated
    async def create_webhook_endpoint(self, endpoint: WebhookEndpointRecord) -> None:
        await self._c("webhook_endpoints").insert_one(mw.endpoint_doc(endpoint))

    @_translated
    async def get_webhook_endpoint(self, org_id: str, endpoint_id: str) -> WebhookEndpointRecord | None:
        return await self._find_one("webhook_endpoints", {"_id": endpoint_id, "org_id": org_id}, mw.endpoint)

    @_translated
    async def list_webhook_endpoints(self, org_id: str) -> Sequence[WebhookEndpointRecord]:
        return await self._find("webhook_endpoints", {"org_id": org_id}, mw.endpoint, "created_at")

    @_translated
    async def update_webhook_endpoint(
        self, org_id: str, endpoint_id: str, changes: Mapping[str, Any]
    ) -> WebhookEndpointRecord | None:
        query = {"_id": endpoint_id, "org_id": org_id}
        fields = mw.endpoint_changes(changes)
        if fields:
            await self._c("webhook_endpoints").update_one(query, {"$set": fields})
        return await self._find_one("webhook_endpoints", query, mw.endpoint)

    @_translated
    async def delete_webhook_endpoint(self, org_id: str, endpoint_id: str) -> bool:
        gone = await self._c("webhook_endpoints").delete_one({"_id": endpoint_id, "org_id": org_id})
        if gone.deleted_count != 1:
            return False
        await self._c("webhook_attempts").delete_many({"org_id": org_id, "endpoint_id": endpoint_id})
        return True

    @_translated
    async def add_webhook_attempt(self, attempt: WebhookAttemptRecord) -> None:
        await self._insert_once("webhook_attempts", [mw.attempt_doc(attempt)])

    @_translated
    async def list_webhook_attempts(
        self, org_id: str, delivery_ids: Sequence[str]
    ) -> Sequence[WebhookAttemptRecord]:
        if not delivery_ids:
            return []
        query = {"org_id": org_id, "delivery_id": {"$in": list(delivery_ids)}}
        return await self._find("webhook_attempts", query, mw.attempt, "delivery_id", "attempt", "at")

    @_translated
    async def list_webhook_deliveries(
        self, org_id: str, endpoint_id: str, after: str | None, limit: int
    ) -> Page:
        query = {"queue": webhook_queue(endpoint_id), "org_id": org_id}
        return await self._page("jobs", query, "created_at", mj.job, after, limit)

    # -- analytics -------------------------------------------------------------------------------

    async def _analytics_credentials(self, org_id: str, f: AnalyticsFilter) -> set[str] | None:
        query = ma.credential_query(org_id, f)
        if query is None:
            return None
        found = self._c("credentials").find(query, projection={"_id": True})
        return {doc["_id"] async for doc in found}

    @_translated
    async def daily_event_counts(self, org_id: str, filter: AnalyticsFilter) -> Sequence[DailyCount]:
        await self._copy_out_left_behind(org_id)
        allowed = await self._analytics_credentials(org_id, filter)
        projection = {"at": True, "type": True, "credential_id": True}
        docs = await self._c("events").find(ma.range_query(org_id, filter), projection=projection).to_list()
        return ma.daily(docs, allowed)

    @_translated
    async def funnel_counts(self, org_id: str, filter: AnalyticsFilter) -> FunnelCounts:
        await self._copy_out_left_behind(org_id)
        allowed = await self._analytics_credentials(org_id, filter)
        events = self._c("events")
        issued = await events.find(
            ma.range_query(org_id, filter, type="issued"), projection={"credential_id": True}
        ).to_list()
        ids = {d["credential_id"] for d in issued if allowed is None or d.get("credential_id") in allowed}
        stored = self._c("credentials").find(
            {"org_id": org_id, "_id": {"$in": sorted(ids)}}, projection={"_id": True}
        )
        cohort = {doc["_id"] async for doc in stored}
        if not cohort:
            return FunnelCounts()
        stage_docs = await events.find(
            {"org_id": org_id, "type": {"$in": ma.STAGE_TYPES}},
            projection={"credential_id": True, "type": True},
        ).to_list()
        return FunnelCounts(len(cohort), **ma.stages_reached(stage_docs, cohort))

    # -- lms -------------------------------------------------------------------------------------

    @_translated
    async def create_integration(self, integration: IntegrationRecord) -> None:
        await self._c("lms_integrations").insert_one(ml.integration_doc(integration))

    @_translated
    async def get_integration(self, org_id: str, integration_id: str) -> IntegrationRecord | None:
        query = {"_id": integration_id, "org_id": org_id}
        return await self._find_one("lms_integrations", query, ml.integration)

    @_translated
    async def find_integration(self, integration_id: str) -> IntegrationRecord | None:
        return await self._find_one("lms_integrations", {"_id": integration_id}, ml.integration)

    @_translated
    async def list_integrations(self, org_id: str) -> Sequence[IntegrationRecord]:
        return await self._find("lms_integrations", {"org_id": org_id}, ml.integration, "created_at")

    @_translated
    async def save_integration(self, integration: IntegrationRecord) -> bool:
        doc = ml.integration_doc(integration)
        query = {"_id": doc.pop("_id"), "org_id": doc.pop("org_id")}
        result = await self._c("lms_integrations").update_one(query, {"$set": doc})
        return result.matched_count == 1

    @_translated
    async def delete_integration(self, org_id: str, integration_id: str) -> bool:
        result = await self._c("lms_integrations").delete_one({"_id": integration_id, "org_id": org_id})
        if result.deleted_count != 1:
            return False
        await self._c("lms_award_rules").delete_many({"org_id": org_id, "integration_id": integration_id})
        return True

    @_translated
    async def create_award_rule(self, rule: AwardRuleRecord) -> None:
        await self._c("lms_award_rules").insert_one(ml.rule_doc(rule))

    @_translated
    async def list_award_rules(self, org_id: str, integration_id: str | None) -> Sequence[AwardRuleRecord]:
        query: Doc = {"org_id": org_id}
        if integration_id is not None:
            query["integration_id"] = integration_id
        return await self._find("lms_award_rules", query, ml.rule, "created_at")

    @_translated
    async def delete_award_rule(self, org_id: str, rule_id: str) -> bool:
        result = await self._c("lms_award_rules").delete_one({"_id": rule_id, "org_id": org_id})
        return result.deleted_count == 1

    @_translated
    async def add_integration_event(
        self, event: IntegrationEventRecord, job: JobRecord | None = None
    ) -> bool:
        # no multi-document transactions here: the event first, then its job (a crash between the
        # two is completed by the redelivery, which stores the job it finds missing)
        try:
            await self._c("lms_events").insert_one(ml.event_doc(event))
            new = True
        except DuplicateKeyError:
            new = False
        if job is not None:
            with contextlib.suppress(DuplicateKeyError):
                await self._c("jobs").insert_one(mj.job_doc(job))
        return new

    @_translated
    async def get_integration_event(self, org_id: str, event_id: str) -> IntegrationEventRecord | None:
        return await self._find_one("lms_events", {"_id": event_id, "org_id": org_id}, ml.event)

    @_translated
    async def list_integration_events(
        self,
        org_id: str,
        integration_id: str | None,
        outcome: EventOutcome | None,
        after: str | None,
        limit: int,
        *,
        received_after: datetime | None = None,
        received_before: datetime | None = None,
    ) -> Page:
        query: Doc = {"org_id": org_id}
        if integration_id is not None:
            query["integration_id"] = integration_id
        if outcome is not None:
            query["outcome"] = outcome
        received: Doc = {}
        if received_after is not None:
            received["$gte"] = encode_time(received_after)
        if received_before is not None:
            received["$lt"] = encode_time(received_before)
        if received:
            query["received_at"] = received
        return await self._page("lms_events", query, "received_at", ml.event, after, limit)

    @_translated
    async def settle_integration_event(
        self,
        org_id: str,
        event_id: str,
        outcome: EventOutcome,
        reason: str | None,
        credential_ids: Sequence[str],
        at: datetime | None,
    ) -> bool:
        changes = {
            "outcome": outcome,
            "reason": reason,
            "credential_ids": list(credential_ids),
            "processed_at": None if at is None else encode_time(at),
        }
        query = {"_id": event_id, "org_id": org_id}
        result = await self._c("lms_events").update_one(query, {"$set": changes})
        return result.matched_count == 1

    @_translated
    async def add_learner_progress(
        self, org_id: str, rule_id: str, learner: str, items: Sequence[str]
    ) -> frozenset[str]:
        key_parts = (org_id, rule_id, learner)
        key = ml.progress_key(*key_parts)
        progress = self._c("lms_progress")
        for item in items:
            with contextlib.suppress(DuplicateKeyError):
                await progress.insert_one({"_id": ml.progress_key(*key_parts, item), "key": key})
        docs = await progress.find({"key": key}).to_list()
        return frozenset(ml.progress_item(d["_id"]) for d in docs)

    # -- delivery --------------------------------------------------------------------------------

    @_translated
    async def add_delivery_attempt(self, attempt: DeliveryAttemptRecord) -> bool:
        try:
            await self._c("delivery_attempts").insert_one(md.attempt_doc(attempt))
        except DuplicateKeyError:
            return False
        return True

    @_translated
    async def list_delivery_attempts(
        self, org_id: str, credential_id: str
    ) -> Sequence[DeliveryAttemptRecord]:
        query = {"org_id": org_id, "credential_id": credential_id}
        cursor = self._c("delivery_attempts").find(query).sort([("at", 1), ("attempt", 1), ("id", 1)])
        return [md.attempt(d) for d in await cursor.to_list()]

    @_translated
    async def add_claim_token(self, token: ClaimTokenRecord) -> None:
        await self._c("claim_tokens").insert_one(md.token_doc(token))

    @_translated
    async def find_claim_token(self, token_hash: str) -> ClaimTokenRecord | None:
        return await self._find_one("claim_tokens", {"_id": token_hash}, md.token)

    @_translated
    async def accept_claim(self, token_hash: str, at: datetime) -> ClaimTokenRecord | None:
        tokens = self._c("claim_tokens")
        await tokens.update_one(
            {"_id": token_hash, "claimed_at": _NULL}, {"$set": {"claimed_at": encode_time(at)}}
        )
        return await self._find_one("claim_tokens", {"_id": token_hash}, md.token)

    @_translated
    async def claimed_at(self, org_id: str, credential_id: str) -> datetime | None:
        query = {"org_id": org_id, "credential_id": credential_id, "claimed_at": {"$ne": None}}
        cursor = self._c("claim_tokens").find(query).sort([("claimed_at", 1)]).limit(1)
        docs = await cursor.to_list()
        return md.token(docs[0]).claimed_at if docs else None

    @_translated
    async def put_status_notice(self, notice: StatusNoticeRecord) -> None:
        doc = md.notice_doc(notice)
        await self._c("status_notices").replace_one({"_id": doc["_id"]}, doc, upsert=True)

    @_translated
    async def find_status_notice(self, credential_id: str) -> StatusNoticeRecord | None:
        return await self._find_one("status_notices", {"_id": credential_id}, md.notice)

    @_translated
    async def put_email_template(self, template: EmailTemplateRecord) -> None:
        doc = md.template_doc(template)
        await self._c("email_templates").replace_one({"_id": doc["_id"]}, doc, upsert=True)

    @_translated
    async def get_email_template(self, org_id: str) -> EmailTemplateRecord | None:
        return await self._find_one("email_templates", {"_id": org_id}, md.template)

    @_translated
    async def put_issuer_branding(self, branding: IssuerBrandingRecord) -> None:
        doc = md.branding_doc(branding)
        try:
            await self._c("issuer_branding").replace_one(
                {"_id": doc["_id"], "org_id": doc["org_id"]}, doc, upsert=True
            )
        except DuplicateKeyError:  # the issuer's branding belongs to another organization
            return

    @_translated
    async def find_issuer_branding(self, issuer_id: str) -> IssuerBrandingRecord | None:
        return await self._find_one("issuer_branding", {"_id": issuer_id}, md.branding)

    @_translated
    async def put_earner_profile(self, profile: EarnerProfileRecord) -> None:
        doc = md.profile_doc(profile)
        query = {"_id": doc["_id"], "org_id": doc["org_id"], "subject_key": doc["subject_key"]}
        await self._c("earner_profiles").replace_one(query, doc, upsert=True)

    @_translated
    async def find_earner_profile(self, slug: str) -> EarnerProfileRecord | None:
        return await self._find_one("earner_profiles", {"_id": slug}, md.profile)

    @_translated
    async def find_earner_profile_of(self, org_id: str, subject_key: str) -> EarnerProfileRecord | None:
        query = {"org_id": org_id, "subject_key": subject_key}
        return await self._find_one("earner_profiles", query, md.profile)


def _transition_doc(t: StatusTransition, version: int) -> Doc:
    doc = m.transition_doc(t, version)
    if t.jobs:
        doc["jobs"] = [mj.job_doc(j) for j in t.jobs]
    return doc


def _credential_query(org_id: str, f: CredentialFilter) -> Doc:
    query: Doc = {"org_id": org_id}
    for field, value in (
        ("achievement_id", f.achievement_id),
        ("issuer_id", f.issuer_id),
        ("status", f.status),
    ):
        if value is not None:
            query[field] = value
    if f.recipient is not None:
        query["recipient_values"] = {
            "$in": [f.recipient]
        }  # = equality; nx-27017 needs $in on an indexed array
    issued: Doc = {}
    if f.issued_after is not None:
        issued["$gt"] = encode_time(f.issued_after)
    if f.issued_before is not None:
        issued["$lt"] = encode_time(f.issued_before)
    if issued:
        query["issued_at"] = issued
    return query
