"""The embedded store: ``Store`` on the standard library's ``sqlite3``, one file, no server.

One connection in WAL mode, used only from one dedicated worker thread, so the event loop never
blocks on the disk and the connection is never shared between threads. Several ``SqliteStore``
instances (processes) may open the same file: every multi-step write runs in a
``BEGIN IMMEDIATE`` transaction, which takes SQLite's single write lock first (waiting up to
``busy_timeout``), so a status-position claim or an idempotent insert reads and writes with no
other writer in between; a credential and its ``issued`` event (or a batch of them), or a
status list and the credential statuses and events decided with it, commit together or not at
all. Every ``sqlite3`` error is translated: busy/locked, I/O, full disk or a file that cannot be
opened -> ``StoreUnavailable``; a unique constraint -> ``Conflict``; anything else ->
``StoreError``.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from vcengine.errors import Conflict, InputError, NotFound, StoreError, StoreUnavailable
from vcengine.private_files import create_private_file, private_dir, tighten
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
from vcengine.storage import _sqlite_analytics as analytics_sql
from vcengine.storage import _sqlite_delivery as delivery_sql
from vcengine.storage import _sqlite_jobs as jobs_sql
from vcengine.storage import _sqlite_lms as lms_sql
from vcengine.storage import _sqlite_ob_api as ob_sql
from vcengine.storage import _sqlite_oid4vci as offers_sql
from vcengine.storage import _sqlite_schema as s
from vcengine.storage import _sqlite_webhooks as wh
from vcengine.storage._codec import (
    decode_cursor,
    dump_json,
    encode_cursor,
    encode_time,
    maybe_time,
    refuse_repeated_ids,
    revoked_list_of,
)

__all__ = ["SqliteStore"]

T = TypeVar("T")
Connection = sqlite3.Connection

# events written with what they record: an event id stored already is that same event, kept as is
_INSERT_EVENT_ONCE = (
    f"INSERT INTO events ({s.EVENT}) VALUES ({s.placeholders(s.EVENT)}) ON CONFLICT (id) DO NOTHING"
)

# primary result codes (https://www.sqlite.org/rescode.html) meaning "try again later"
_UNAVAILABLE = {5: "busy", 6: "locked", 10: "I/O error", 13: "disk full", 14: "cannot open"}


class SqliteStore:
    """``Store`` in the SQLite file ``path`` (its directory is created at ``start``)."""

    def __init__(self, path: Path | str, *, busy_timeout: float = 5.0) -> None:
        self.path = Path(path)
        self._busy_ms = int(busy_timeout * 1000)
        self._executor: ThreadPoolExecutor | None = None
        self._conn: Connection | None = None

    def __repr__(self) -> str:
        return f"SqliteStore({str(self.path)!r})"

    # -- plumbing -------------------------------------------------------------------------------

    async def start(self) -> None:
        if self._executor is not None:
            return
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vcengine-sqlite")
        try:
            await asyncio.get_running_loop().run_in_executor(self._executor, self._guarded, self._open)
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        executor, self._executor = self._executor, None
        if executor is None:
            return
        await asyncio.get_running_loop().run_in_executor(executor, self._close_connection)
        executor.shutdown(wait=False)

    def _close_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def _open(self) -> None:
        try:
            private_dir(self.path.parent)
        except OSError as exc:
            raise StoreError(f"cannot create the data directory {self.path.parent}: {exc.strerror}") from None
        try:
            # SQLite creates the -wal and -shm files with the database file's mode: 0600 here.
            create_private_file(self.path)
            for suffix in ("-wal", "-shm"):
                if (companion := Path(f"{self.path}{suffix}")).exists():
                    tighten(companion)
        except OSError as exc:
            raise StoreError(f"cannot open the SQLite store {self.path}: {exc.strerror}") from None
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=self._busy_ms / 1000)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the SQLite store {self.path}: {exc}") from None
        self._conn = conn
        conn.execute(f"PRAGMA busy_timeout = {self._busy_ms}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        _transaction(conn, _create_all)

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        if self._executor is None:
            raise StoreError("the SQLite store is not started")
        return await asyncio.get_running_loop().run_in_executor(self._executor, self._call, fn, args)

    def _call(self, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
        conn = self._conn
        if conn is None:
            raise StoreError("the SQLite store is closed")
        return self._guarded(lambda: fn(conn, *args))

    def _guarded(self, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except sqlite3.Error as exc:
            raise _translate(exc, self.path) from exc

    async def _write(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(conn, *args)`` in one ``BEGIN IMMEDIATE`` transaction: all of it or nothing."""
        return await self._run(_transaction, fn, *args)

    async def _execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return await self._run(lambda c: c.execute(sql, params).rowcount)

    async def _one(self, convert: Callable[[s.Row], T], sql: str, params: Sequence[Any]) -> T | None:
        row = await self._run(lambda c: c.execute(sql, params).fetchone())
        return None if row is None else convert(row)

    async def _all(self, convert: Callable[[s.Row], T], sql: str, params: Sequence[Any] = ()) -> list[T]:
        rows = await self._run(lambda c: c.execute(sql, params).fetchall())
        return [convert(row) for row in rows]

    async def _insert(self, table: str, columns: str, row: s.Row) -> None:
        await self._execute(f"INSERT INTO {table} ({columns}) VALUES ({s.placeholders(columns)})", row)

    # -- organizations and API keys --------------------------------------------------------------

    async def create_organization(self, org: OrganizationRecord) -> None:
        await self._insert("organizations", s.ORGANIZATION, s.organization_row(org))

    async def get_organization(self, org_id: str) -> OrganizationRecord | None:
        return await self._one(
            s.organization, f"SELECT {s.ORGANIZATION} FROM organizations WHERE id = ?", [org_id]
        )

    async def list_organizations(self) -> Sequence[OrganizationRecord]:
        return await self._all(
            s.organization, f"SELECT {s.ORGANIZATION} FROM organizations ORDER BY created_at, id"
        )

    async def create_api_key(self, key: ApiKeyRecord) -> None:
        await self._insert("api_keys", s.API_KEY, s.api_key_row(key))

    async def find_api_key(self, prefix: str) -> ApiKeyRecord | None:
        return await self._one(s.api_key, f"SELECT {s.API_KEY} FROM api_keys WHERE prefix = ?", [prefix])

    async def get_api_key(self, org_id: str, key_id: str) -> ApiKeyRecord | None:
        sql = f"SELECT {s.API_KEY} FROM api_keys WHERE org_id = ? AND id = ?"
        return await self._one(s.api_key, sql, [org_id, key_id])

    async def list_api_keys(
        self, org_id: str, after: str | None, limit: int, *, include_revoked: bool = True
    ) -> Page:
        where = ["org_id = ?"] + ([] if include_revoked else ["revoked_at IS NULL"])
        return await self._page(s.api_key, "api_keys", s.API_KEY, "created_at", where, [org_id], after, limit)

    async def revoke_api_key(
        self, org_id: str, key_id: str, at: datetime, *, keep_admin: bool = False
    ) -> ApiKeyRecord | None:
        return await self._write(_revoke_api_key, org_id, key_id, encode_time(at), keep_admin)

    async def record_api_key_use(self, key_id: str, at: datetime) -> None:
        sql = (
            "UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)"
        )
        moment = encode_time(at)
        await self._execute(sql, [moment, key_id, moment])

    # -- issuers and keys ------------------------------------------------------------------------

    async def create_issuer(self, issuer: IssuerRecord) -> None:
        await self._insert("issuers", s.ISSUER, s.issuer_row(issuer))

    async def get_issuer(self, org_id: str, issuer_id: str) -> IssuerRecord | None:
        sql = f"SELECT {s.ISSUER} FROM issuers WHERE org_id = ? AND id = ?"
        return await self._one(s.issuer, sql, [org_id, issuer_id])

    async def find_issuer(self, issuer_id: str) -> IssuerRecord | None:
        return await self._one(s.issuer, f"SELECT {s.ISSUER} FROM issuers WHERE id = ?", [issuer_id])

    async def list_issuers(self, org_id: str) -> Sequence[IssuerRecord]:
        sql = f"SELECT {s.ISSUER} FROM issuers WHERE org_id = ? ORDER BY created_at, id"
        return await self._all(s.issuer, sql, [org_id])

    async def add_issuer_key(self, key: IssuerKeyRecord) -> None:
        await self._insert("issuer_keys", s.ISSUER_KEY, s.issuer_key_row(key))

    async def retire_issuer_keys(self, org_id: str, issuer_id: str, at: datetime) -> None:
        sql = (
            "UPDATE issuer_keys SET status = 'retired', retired_at = ? "
            "WHERE org_id = ? AND issuer_id = ? AND status = 'active'"
        )
        await self._execute(sql, [encode_time(at), org_id, issuer_id])

    async def list_issuer_keys(self, issuer_id: str) -> Sequence[IssuerKeyRecord]:
        sql = f"SELECT {s.ISSUER_KEY} FROM issuer_keys WHERE issuer_id = ? ORDER BY created_at, id"
        return await self._all(s.issuer_key, sql, [issuer_id])

    # -- achievements ----------------------------------------------------------------------------

    async def create_achievement(self, achievement: AchievementRecord) -> None:
        await self._insert("achievements", s.ACHIEVEMENT, s.achievement_row(achievement))

    async def get_achievement(self, org_id: str, achievement_id: str) -> AchievementRecord | None:
        sql = f"SELECT {s.ACHIEVEMENT} FROM achievements WHERE org_id = ? AND id = ?"
        return await self._one(s.achievement, sql, [org_id, achievement_id])

    async def list_achievements(self, org_id: str, after: str | None, limit: int) -> Page:
        where, params = ["org_id = ?"], [org_id]
        return await self._page(
            s.achievement, "achievements", s.ACHIEVEMENT, "created_at", where, params, after, limit
        )

    # -- credentials -----------------------------------------------------------------------------

    async def insert_credential(
        self, credential: CredentialRecord, event: EventRecord | None = None, jobs: Sequence[JobRecord] = ()
    ) -> CredentialRecord:
        return await self._write(_insert_credential, credential, event, list(jobs))

    async def insert_credentials(self, items: Sequence[CredentialInsert]) -> list[CredentialRecord]:
        return await self._write(_insert_credentials, list(items))

    async def get_credential(self, org_id: str, credential_id: str) -> CredentialRecord | None:
        sql = f"SELECT {s.CREDENTIAL} FROM credentials WHERE org_id = ? AND id = ?"
        return await self._one(s.credential, sql, [org_id, credential_id])

    async def find_credential(self, credential_id: str) -> CredentialRecord | None:
        return await self._one(
            s.credential, f"SELECT {s.CREDENTIAL} FROM credentials WHERE id = ?", [credential_id]
        )

    async def get_by_idempotency_key(self, org_id: str, key: str) -> CredentialRecord | None:
        sql = f"SELECT {s.CREDENTIAL} FROM credentials WHERE org_id = ? AND idempotency_key = ?"
        return await self._one(s.credential, sql, [org_id, key])

    async def list_credentials(
        self, org_id: str, filter: CredentialFilter, after: str | None, limit: int
    ) -> Page:
        where, params = _credential_filter(org_id, filter)
        return await self._page(
            s.credential, "credentials", s.CREDENTIAL, "issued_at", where, params, after, limit
        )

    async def _page(
        self,
        convert: Callable[[s.Row], Any],
        table: str,
        columns: str,
        order: str,
        where: list[str],
        params: list[Any],
        after: str | None,
        limit: int,
    ) -> Page:
        if limit < 1:
            raise InputError("a page needs a limit of at least 1")
        if after is not None:
            where.append(f"({order}, id) > (?, ?)")
            params.extend(decode_cursor(after))
        sql = f"SELECT {columns} FROM {table} WHERE {' AND '.join(where)} ORDER BY {order}, id LIMIT ?"
        rows = await self._run(lambda c: c.execute(sql, [*params, limit + 1]).fetchall())
        items = [convert(row) for row in rows[:limit]]
        last = rows[limit - 1] if len(rows) > limit else None
        return Page(
            items, None if last is None else encode_cursor(last[columns.split(", ").index(order)], last[0])
        )

    # -- status lists ----------------------------------------------------------------------------

    async def active_status_list(
        self, org_id: str, issuer_id: str, purpose: str, status_size: int = 1
    ) -> StatusListRecord | None:
        sql = (
            f"SELECT {', '.join('l.' + c for c in s.STATUS_LIST.split(', '))} FROM active_status_lists a "
            "JOIN status_lists l ON l.id = a.list_id WHERE a.org_id = ? AND a.issuer_id = ? AND a.purpose = ?"
        )
        return await self._one(s.status_list, sql, [org_id, issuer_id, active_list_key(purpose, status_size)])

    async def open_status_list(self, new: StatusListRecord, *, replacing: str | None) -> StatusListRecord:
        return await self._write(_open_status_list, new, replacing)

    async def claim_positions(self, list_id: str, shard: int, count: int, limit: int) -> range:
        return await self._write(_claim, list_id, shard, count, limit)

    async def get_status_list(self, list_id: str) -> StatusListRecord | None:
        return await self._one(
            s.status_list, f"SELECT {s.STATUS_LIST} FROM status_lists WHERE id = ?", [list_id]
        )

    async def find_status_list_by_url(self, url: str) -> StatusListRecord | None:
        return await self._one(
            s.status_list, f"SELECT {s.STATUS_LIST} FROM status_lists WHERE url = ?", [url]
        )

    async def status_list_urls(self) -> Sequence[str]:
        return await self._all(lambda row: str(row[0]), "SELECT url FROM status_lists ORDER BY id")

    async def status_list_version(self, url: str) -> int | None:
        return await self._one(
            lambda row: int(row[0]), "SELECT version FROM status_lists WHERE url = ?", [url]
        )

    async def save_status_list(
        self,
        record: StatusListRecord,
        *,
        expected_version: int,
        transitions: Sequence[StatusTransition] = (),
    ) -> None:
        await self._write(_save_status_list, record, expected_version, list(transitions))

    # -- oid4vci --------------------------------------------------------------------------------

    async def create_credential_offer(self, offer: CredentialOfferRecord) -> None:
        await self._write(offers_sql.insert, offer)

    async def get_credential_offer(self, org_id: str, offer_id: str) -> CredentialOfferRecord | None:
        sql = f"SELECT {offers_sql.COLUMNS} FROM credential_offers WHERE org_id = ? AND id = ?"
        return await self._one(offers_sql.offer, sql, [org_id, offer_id])

    async def find_credential_offer(self, by: OfferSecret, value: str) -> CredentialOfferRecord | None:
        return await self._one(offers_sql.offer, offers_sql.select_by(by), [value])

    async def record_tx_code_failure(self, offer_id: str) -> int:
        return await self._write(offers_sql.record_tx_code_failure, offer_id)

    async def redeem_credential_offer(
        self, offer_id: str, at: datetime, token_hash: str, token_expires_at: datetime, max_failures: int
    ) -> bool:
        return await self._write(offers_sql.redeem, offer_id, at, token_hash, token_expires_at, max_failures)

    async def mark_configuration_issued(self, offer_id: str, configuration_id: str, at: datetime) -> bool:
        return await self._write(offers_sql.mark_issued, offer_id, configuration_id, at)

    async def use_nonce(self, nonce_hash: str, expires_at: datetime, at: datetime) -> bool:
        return await self._write(offers_sql.use_nonce, nonce_hash, expires_at, at)

    async def create_authorization_request(self, request: AuthorizationRequestRecord) -> None:
        await self._write(offers_sql.insert_request, request)

    async def find_authorization_request(
        self, by: AuthorizationLookup, value: str
    ) -> AuthorizationRequestRecord | None:
        return await self._one(offers_sql.request, offers_sql.select_request_by(by), [value])

    async def set_sign_in_link(self, request_id: str, login_hash: str, login_expires_at: datetime) -> None:
        await self._write(offers_sql.set_sign_in_link, request_id, login_hash, login_expires_at)

    async def complete_sign_in(self, request_id: str, login_hash: str, at: datetime, offer_id: str) -> bool:
        return await self._write(offers_sql.complete_sign_in, request_id, login_hash, at, offer_id)

    # -- ob_api ----------------------------------------------------------------------------------

    async def create_ob_client(self, client: ObClientRecord) -> None:
        await self._insert("ob_clients", ob_sql.CLIENT, ob_sql.client_row(client))

    async def get_ob_client(self, client_id: str) -> ObClientRecord | None:
        sql = f"SELECT {ob_sql.CLIENT} FROM ob_clients WHERE id = ?"
        return await self._one(ob_sql.client, sql, [client_id])

    async def create_ob_grant(self, grant: ObGrantRecord) -> None:
        await self._insert("ob_grants", ob_sql.GRANT, ob_sql.grant_row(grant))

    async def find_ob_grant(self, by: ObGrantLookup, value: str) -> ObGrantRecord | None:
        return await self._one(ob_sql.grant, ob_sql.select_grant_by(by), [value])

    async def set_ob_sign_in_link(self, grant_id: str, login_hash: str, login_expires_at: datetime) -> None:
        sql = "UPDATE ob_grants SET login_hash = ?, login_expires_at = ? WHERE id = ?"
        await self._execute(sql, [login_hash, encode_time(login_expires_at), grant_id])

    async def approve_ob_grant(
        self, grant_id: str, login_hash: str, at: datetime, code_hash: str, code_expires_at: datetime
    ) -> bool:
        return await self._write(ob_sql.approve, grant_id, login_hash, at, code_hash, code_expires_at)

    async def redeem_ob_code(self, grant_id: str, at: datetime) -> bool:
        return await self._write(ob_sql.redeem, grant_id, at)

    async def create_ob_token(self, token: ObTokenRecord) -> None:
        await self._insert("ob_tokens", ob_sql.TOKEN, ob_sql.token_row(token))

    async def find_ob_token(self, by: ObTokenLookup, value: str) -> ObTokenRecord | None:
        return await self._one(ob_sql.token, ob_sql.select_token_by(by), [value])

    async def revoke_ob_token(self, token_id: str, at: datetime) -> bool:
        sql = "UPDATE ob_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"
        return await self._execute(sql, [encode_time(at), token_id]) == 1

    async def revoke_ob_grant(self, grant_id: str, at: datetime) -> int:
        sql = "UPDATE ob_tokens SET revoked_at = ? WHERE grant_id = ? AND revoked_at IS NULL"
        return await self._execute(sql, [encode_time(at), grant_id])

    async def count_learner_credentials(self, email: str, since: datetime | None) -> int:
        return await self._run(ob_sql.count_learner, email, since)

    async def list_learner_credentials(
        self, email: str, since: datetime | None, offset: int, limit: int
    ) -> list[CredentialRecord]:
        return await self._run(ob_sql.list_learner, email, since, offset, limit)

    async def upsert_ob_credential(self, record: ObCredentialRecord) -> ObUpsert:
        return await self._write(ob_sql.upsert, record)

    async def count_ob_credentials(self, email: str, since: datetime | None) -> int:
        return await self._run(ob_sql.count_upserted, email, since)

    async def list_ob_credentials(
        self, email: str, since: datetime | None, offset: int, limit: int
    ) -> list[ObCredentialRecord]:
        return await self._run(ob_sql.list_upserted, email, since, offset, limit)

    async def get_ob_profile(self, email: str) -> ObProfileRecord | None:
        sql = "SELECT email, profile, updated_at FROM ob_profiles WHERE email = ?"
        return await self._one(ob_sql.profile, sql, [email])

    async def put_ob_profile(self, record: ObProfileRecord) -> None:
        await self._write(ob_sql.put_profile, record)

    # -- events ----------------------------------------------------------------------------------

    async def add_event(self, event: EventRecord, jobs: Sequence[JobRecord] = ()) -> None:
        await self._write(_add_event, event, list(jobs))

    async def add_events(self, events: Sequence[EventRecord]) -> None:
        if events:
            await self._write(lambda c: c.executemany(_INSERT_EVENT_ONCE, [s.event_row(e) for e in events]))

    async def count_events(self, org_id: str, type: str) -> int:
        sql = "SELECT count(*) FROM events WHERE org_id = ? AND type = ?"
        count = await self._one(lambda row: int(row[0]), sql, [org_id, type])
        return count or 0

    # -- jobs ------------------------------------------------------------------------------------

    async def add_job(self, job: JobRecord) -> bool:
        return await self._write(jobs_sql.insert, [job]) == 1

    async def claim_jobs(
        self, kinds: Sequence[str], now: datetime, lease_until: datetime, limit: int
    ) -> Sequence[JobRecord]:
        if not kinds or limit < 1:
            return []
        return await self._write(jobs_sql.claim, list(kinds), now, lease_until, limit)

    async def finish_job(
        self, job_id: str, attempt: int, at: datetime, result: Mapping[str, Any] | None
    ) -> bool:
        changes = {"finished_at": encode_time(at), "result": _json_or_none(result)}
        return await self._write(jobs_sql.settle, job_id, attempt, "done", changes)

    async def retry_job(self, job_id: str, attempt: int, due_at: datetime, error: str) -> bool:
        changes = {"due_at": encode_time(due_at), "last_error": error}
        return await self._write(jobs_sql.settle, job_id, attempt, "pending", changes)

    async def fail_job(
        self, job_id: str, attempt: int, at: datetime, error: str, result: Mapping[str, Any] | None = None
    ) -> bool:
        changes = {"finished_at": encode_time(at), "last_error": error, "result": _json_or_none(result)}
        return await self._write(jobs_sql.settle, job_id, attempt, "failed", changes)

    async def get_job(self, org_id: str, job_id: str) -> JobRecord | None:
        sql = f"SELECT {jobs_sql.COLUMNS} FROM jobs WHERE org_id = ? AND id = ?"
        return await self._one(jobs_sql.job, sql, [org_id, job_id])

    async def list_jobs(
        self, org_id: str, kind: str, states: Sequence[JobState] | None, after: str | None, limit: int
    ) -> Page:
        where, params = ["org_id = ?", "kind = ?"], [org_id, kind]
        if states is not None:
            where.append(f"state IN ({', '.join('?' * len(states))})" if states else "0")
            params.extend(states)
        columns = jobs_sql.COLUMNS
        return await self._page(jobs_sql.job, "jobs", columns, "created_at", where, params, after, limit)

    async def requeue_job(self, org_id: str, job_id: str, due_at: datetime) -> JobRecord | None:
        return await self._write(jobs_sql.requeue, org_id, job_id, due_at)

    # -- webhooks --------------------------------------------------------------------------------

    async def create_webhook_endpoint(self, endpoint: WebhookEndpointRecord) -> None:
        await self._insert("webhook_endpoints", wh.ENDPOINT, wh.endpoint_row(endpoint))

    async def get_webhook_endpoint(self, org_id: str, endpoint_id: str) -> WebhookEndpointRecord | None:
        sql = f"SELECT {wh.ENDPOINT} FROM webhook_endpoints WHERE org_id = ? AND id = ?"
        return await self._one(wh.endpoint, sql, [org_id, endpoint_id])

    async def list_webhook_endpoints(self, org_id: str) -> Sequence[WebhookEndpointRecord]:
        sql = f"SELECT {wh.ENDPOINT} FROM webhook_endpoints WHERE org_id = ? ORDER BY created_at, id"
        return await self._all(wh.endpoint, sql, [org_id])

    async def update_webhook_endpoint(
        self, org_id: str, endpoint_id: str, changes: Mapping[str, Any]
    ) -> WebhookEndpointRecord | None:
        return await self._write(wh.update, org_id, endpoint_id, dict(changes))

    async def delete_webhook_endpoint(self, org_id: str, endpoint_id: str) -> bool:
        return await self._write(wh.delete, org_id, endpoint_id)

    async def add_webhook_attempt(self, attempt: WebhookAttemptRecord) -> None:
        sql = f"INSERT INTO webhook_attempts ({wh.ATTEMPT}) VALUES ({s.placeholders(wh.ATTEMPT)}) "
        await self._execute(sql + "ON CONFLICT (id) DO NOTHING", wh.attempt_row(attempt))

    async def list_webhook_attempts(
        self, org_id: str, delivery_ids: Sequence[str]
    ) -> Sequence[WebhookAttemptRecord]:
        if not delivery_ids:
            return []
        sql = (
            f"SELECT {wh.ATTEMPT} FROM webhook_attempts WHERE org_id = ? AND delivery_id IN "
            f"({', '.join('?' * len(delivery_ids))}) ORDER BY delivery_id, attempt, at"
        )
        return await self._all(wh.attempt, sql, [org_id, *delivery_ids])

    async def list_webhook_deliveries(
        self, org_id: str, endpoint_id: str, after: str | None, limit: int
    ) -> Page:
        where, params = ["queue = ?", "org_id = ?"], [webhook_queue(endpoint_id), org_id]
        columns = jobs_sql.COLUMNS
        return await self._page(jobs_sql.job, "jobs", columns, "created_at", where, params, after, limit)

    # -- analytics -------------------------------------------------------------------------------

    async def daily_event_counts(self, org_id: str, filter: AnalyticsFilter) -> Sequence[DailyCount]:
        return await self._run(analytics_sql.daily_counts, org_id, filter)

    async def funnel_counts(self, org_id: str, filter: AnalyticsFilter) -> FunnelCounts:
        return await self._run(analytics_sql.funnel, org_id, filter)

    # -- lms -------------------------------------------------------------------------------------

    async def create_integration(self, integration: IntegrationRecord) -> None:
        await self._insert("lms_integrations", lms_sql.INTEGRATION, lms_sql.integration_row(integration))

    async def get_integration(self, org_id: str, integration_id: str) -> IntegrationRecord | None:
        sql = f"SELECT {lms_sql.INTEGRATION} FROM lms_integrations WHERE org_id = ? AND id = ?"
        return await self._one(lms_sql.integration, sql, [org_id, integration_id])

    async def find_integration(self, integration_id: str) -> IntegrationRecord | None:
        sql = f"SELECT {lms_sql.INTEGRATION} FROM lms_integrations WHERE id = ?"
        return await self._one(lms_sql.integration, sql, [integration_id])

    async def list_integrations(self, org_id: str) -> Sequence[IntegrationRecord]:
        sql = f"SELECT {lms_sql.INTEGRATION} FROM lms_integrations WHERE org_id = ? ORDER BY created_at, id"
        return await self._all(lms_sql.integration, sql, [org_id])

    async def save_integration(self, integration: IntegrationRecord) -> bool:
        return await self._write(lms_sql.save_integration, integration)

    async def delete_integration(self, org_id: str, integration_id: str) -> bool:
        return await self._write(lms_sql.delete_integration, org_id, integration_id)

    async def create_award_rule(self, rule: AwardRuleRecord) -> None:
        await self._insert("lms_award_rules", lms_sql.RULE, lms_sql.rule_row(rule))

    async def list_award_rules(self, org_id: str, integration_id: str | None) -> Sequence[AwardRuleRecord]:
        where, params = "org_id = ?", [org_id]
        if integration_id is not None:
            where, params = "org_id = ? AND integration_id = ?", [org_id, integration_id]
        sql = f"SELECT {lms_sql.RULE} FROM lms_award_rules WHERE {where} ORDER BY created_at, id"
        return await self._all(lms_sql.rule, sql, params)

    async def delete_award_rule(self, org_id: str, rule_id: str) -> bool:
        sql = "DELETE FROM lms_award_rules WHERE org_id = ? AND id = ?"
        return await self._execute(sql, [org_id, rule_id]) == 1

    async def add_integration_event(
        self, event: IntegrationEventRecord, job: JobRecord | None = None
    ) -> bool:
        return await self._write(lms_sql.insert_event, event, job)

    async def get_integration_event(self, org_id: str, event_id: str) -> IntegrationEventRecord | None:
        sql = f"SELECT {lms_sql.EVENT} FROM lms_events WHERE org_id = ? AND id = ?"
        return await self._one(lms_sql.event, sql, [org_id, event_id])

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
        where, params = ["org_id = ?"], [org_id]
        if integration_id is not None:
            where.append("integration_id = ?")
            params.append(integration_id)
        if outcome is not None:
            where.append("outcome = ?")
            params.append(outcome)
        if received_after is not None:
            where.append("received_at >= ?")
            params.append(encode_time(received_after))
        if received_before is not None:
            where.append("received_at < ?")
            params.append(encode_time(received_before))
        return await self._page(
            lms_sql.event, "lms_events", lms_sql.EVENT, "received_at", where, params, after, limit
        )

    async def settle_integration_event(
        self,
        org_id: str,
        event_id: str,
        outcome: EventOutcome,
        reason: str | None,
        credential_ids: Sequence[str],
        at: datetime | None,
    ) -> bool:
        sql = (
            "UPDATE lms_events SET outcome = ?, reason = ?, credential_ids = ?, processed_at = ? "
            "WHERE org_id = ? AND id = ?"
        )
        ids = dump_json({"ids": list(credential_ids)})
        at_text = None if at is None else encode_time(at)
        return await self._execute(sql, [outcome, reason, ids, at_text, org_id, event_id]) == 1

    async def add_learner_progress(
        self, org_id: str, rule_id: str, learner: str, items: Sequence[str]
    ) -> frozenset[str]:
        return await self._write(lms_sql.add_progress, org_id, rule_id, learner, list(items))

    # -- delivery --------------------------------------------------------------------------------

    async def add_delivery_attempt(self, attempt: DeliveryAttemptRecord) -> bool:
        return await self._execute(delivery_sql.INSERT_ATTEMPT, delivery_sql.attempt_row(attempt)) == 1

    async def list_delivery_attempts(
        self, org_id: str, credential_id: str
    ) -> Sequence[DeliveryAttemptRecord]:
        return await self._all(delivery_sql.attempt, delivery_sql.SELECT_ATTEMPTS, [org_id, credential_id])

    async def add_claim_token(self, token: ClaimTokenRecord) -> None:
        await self._execute(delivery_sql.INSERT_TOKEN, delivery_sql.token_row(token))

    async def find_claim_token(self, token_hash: str) -> ClaimTokenRecord | None:
        return await self._one(delivery_sql.token, delivery_sql.SELECT_TOKEN, [token_hash])

    async def accept_claim(self, token_hash: str, at: datetime) -> ClaimTokenRecord | None:
        return await self._write(delivery_sql.accept, token_hash, at)

    async def claimed_at(self, org_id: str, credential_id: str) -> datetime | None:
        params = [org_id, credential_id]
        return await self._one(lambda row: maybe_time(row[0]), delivery_sql.FIRST_CLAIM, params)

    async def put_status_notice(self, notice: StatusNoticeRecord) -> None:
        await self._execute(delivery_sql.PUT_NOTICE, delivery_sql.notice_row(notice))

    async def find_status_notice(self, credential_id: str) -> StatusNoticeRecord | None:
        return await self._one(delivery_sql.notice, delivery_sql.SELECT_NOTICE, [credential_id])

    async def put_email_template(self, template: EmailTemplateRecord) -> None:
        await self._execute(delivery_sql.PUT_TEMPLATE, delivery_sql.template_row(template))

    async def get_email_template(self, org_id: str) -> EmailTemplateRecord | None:
        return await self._one(delivery_sql.template, delivery_sql.SELECT_TEMPLATE, [org_id])

    async def put_issuer_branding(self, branding: IssuerBrandingRecord) -> None:
        await self._execute(delivery_sql.PUT_BRANDING, delivery_sql.branding_row(branding))

    async def find_issuer_branding(self, issuer_id: str) -> IssuerBrandingRecord | None:
        return await self._one(delivery_sql.branding, delivery_sql.SELECT_BRANDING, [issuer_id])

    async def put_earner_profile(self, profile: EarnerProfileRecord) -> None:
        if await self._execute(delivery_sql.PUT_PROFILE, delivery_sql.profile_row(profile)) != 1:
            raise Conflict(f"profile {profile.slug} belongs to another earner")

    async def find_earner_profile(self, slug: str) -> EarnerProfileRecord | None:
        return await self._one(delivery_sql.profile, delivery_sql.SELECT_PROFILE, [slug])

    async def find_earner_profile_of(self, org_id: str, subject_key: str) -> EarnerProfileRecord | None:
        return await self._one(delivery_sql.profile, delivery_sql.SELECT_PROFILE_OF, [org_id, subject_key])


# -- what runs on the worker thread --------------------------------------------------------------


def _json_or_none(value: Mapping[str, Any] | None) -> str | None:
    return None if value is None else dump_json(value)


def _translate(exc: sqlite3.Error, path: Path) -> StoreError:
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    if isinstance(exc, sqlite3.IntegrityError):
        return Conflict(f"already stored ({exc})")
    if code in _UNAVAILABLE:
        return StoreUnavailable(f"the SQLite store {path} is unavailable ({_UNAVAILABLE[code]}): {exc}")
    return StoreError(f"the SQLite store {path} failed: {exc}")


def _transaction(conn: Connection, fn: Callable[..., T], *args: Any) -> T:
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = fn(conn, *args)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return result


def _create_all(conn: Connection) -> None:
    """The schema, migrated, then the analytics triggers (made again after a migration, which may
    rebuild the tables they read), in one transaction: no other process writes meanwhile."""
    analytics_sql.drop_triggers(conn)
    _create_schema(conn)
    analytics_sql.create(conn)


def _create_schema(conn: Connection) -> None:
    version = None
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'schema_version'").fetchone() is not None:
        version = conn.execute("SELECT max(version) FROM schema_version").fetchone()[0]
    if version is not None and version > s.SCHEMA_VERSION:
        raise StoreError(f"the store was written by a newer vcengine (schema {version} > {s.SCHEMA_VERSION})")
    features = (*jobs_sql.DDL, *wh.DDL, *lms_sql.DDL, *delivery_sql.DDL, *offers_sql.DDL, *ob_sql.DDL)
    for statement in (*s.DDL, *features):
        conn.execute(statement)
    for table, column, kind in (
        *s.ADDED_COLUMNS,
        *s.VERSION_2_COLUMNS,
        *s.VERSION_3_COLUMNS,
        *wh.ADDED_COLUMNS,
    ):
        present = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        if column not in present:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
    if version is None:
        conn.execute("INSERT INTO schema_version (version) VALUES (?)", [s.SCHEMA_VERSION])
        return
    if version == 1:
        _pin_revoked_entries(conn)
    if version < 3:
        _rebuild_credentials(conn)
    if version < s.SCHEMA_VERSION:
        conn.execute("UPDATE schema_version SET version = ?", [s.SCHEMA_VERSION])


def _rebuild_credentials(conn: Connection) -> None:
    """Version 2 -> 3: ``credentials.achievement_id`` becomes nullable. SQLite cannot drop a
    column constraint, so the table is rebuilt under its name with every row (one transaction)."""
    conn.execute(s.CREDENTIALS_TABLE.format(name="credentials_v3"))
    conn.execute(f"INSERT INTO credentials_v3 ({s.CREDENTIAL}) SELECT {s.CREDENTIAL} FROM credentials")
    conn.execute("DROP TABLE credentials")
    conn.execute("ALTER TABLE credentials_v3 RENAME TO credentials")
    for statement in s.CREDENTIALS_INDEXES:
        conn.execute(statement)


def _pin_revoked_entries(conn: Connection) -> None:
    """Version 1 -> 2: each suspension list's ``revoked_list`` rebuilt from its credentials
    recorded as revoked (their bits stay set from now on)."""
    lists = conn.execute("SELECT id, length FROM status_lists WHERE purpose = 'suspension'").fetchall()
    for list_id, length in lists:
        revoked = conn.execute(
            "SELECT status_index FROM credentials WHERE status_list_id = ? AND status = 'revoked'", [list_id]
        ).fetchall()
        encoded = revoked_list_of(length, (row[0] for row in revoked if row[0] is not None))
        conn.execute("UPDATE status_lists SET revoked_list = ? WHERE id = ?", [encoded, list_id])


def _add_event(conn: Connection, event: EventRecord, jobs: Sequence[JobRecord]) -> None:
    conn.execute(f"INSERT INTO events ({s.EVENT}) VALUES ({s.placeholders(s.EVENT)})", s.event_row(event))
    jobs_sql.insert(conn, jobs)


def _insert_credential(
    conn: Connection, credential: CredentialRecord, event: EventRecord | None, jobs: Sequence[JobRecord]
) -> CredentialRecord:
    sql = (
        f"INSERT INTO credentials ({s.CREDENTIAL}) VALUES ({s.placeholders(s.CREDENTIAL)}) "
        "ON CONFLICT (org_id, idempotency_key) DO NOTHING"
    )
    if conn.execute(sql, s.credential_row(credential)).rowcount == 1:
        if event is not None:
            conn.execute(_INSERT_EVENT_ONCE, s.event_row(event))
        jobs_sql.insert(conn, jobs)
        return credential
    select = f"SELECT {s.CREDENTIAL} FROM credentials WHERE org_id = ? AND idempotency_key = ?"
    return s.credential(conn.execute(select, [credential.org_id, credential.idempotency_key]).fetchone())


def _insert_credentials(conn: Connection, items: Sequence[CredentialInsert]) -> list[CredentialRecord]:
    """Each item as ``_insert_credential`` does, in the caller's transaction: a ``Conflict``
    naming a credential id given twice or stored already rolls back the whole batch."""
    refuse_repeated_ids(items)
    stored = []
    for item in items:
        try:
            stored.append(_insert_credential(conn, item.credential, item.event, item.jobs))
        except sqlite3.IntegrityError as exc:
            if "credentials.id" not in str(exc):
                raise
            why = f"credential {item.credential.id} is already stored: none of the batch is stored"
            raise Conflict(why) from None
    return stored


def _revoke_api_key(
    conn: Connection, org_id: str, key_id: str, at: str, keep_admin: bool
) -> ApiKeyRecord | None:
    """Revoke in one ``BEGIN IMMEDIATE`` transaction: the last-admin check and the write see the
    same keys, since no other writer can run in between."""
    select = f"SELECT {s.API_KEY} FROM api_keys WHERE org_id = ? AND id = ?"
    row = conn.execute(select, [org_id, key_id]).fetchone()
    if row is None:
        return None
    key = s.api_key(row)
    if key.revoked_at is not None:
        return key
    if keep_admin and "admin" in key.scopes:
        others = conn.execute(
            "SELECT count(*) FROM api_keys WHERE org_id = ? AND id != ? AND revoked_at IS NULL "
            "AND EXISTS (SELECT 1 FROM json_each(scopes, '$.scopes') WHERE value = 'admin')",
            [org_id, key_id],
        ).fetchone()[0]
        if others == 0:
            return key
    conn.execute("UPDATE api_keys SET revoked_at = ? WHERE id = ?", [at, key_id])
    return s.api_key(conn.execute(select, [org_id, key_id]).fetchone())


def _credential_filter(org_id: str, f: CredentialFilter) -> tuple[list[str], list[Any]]:
    where, params = ["org_id = ?"], [org_id]
    for column, value in (
        ("achievement_id", f.achievement_id),
        ("issuer_id", f.issuer_id),
        ("status", f.status),
    ):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if f.recipient is not None:
        where.append("EXISTS (SELECT 1 FROM json_each(recipient) r WHERE r.type = 'text' AND r.value = ?)")
        params.append(f.recipient)
    if f.issued_after is not None:
        where.append("issued_at > ?")
        params.append(encode_time(f.issued_after))
    if f.issued_before is not None:
        where.append("issued_at < ?")
        params.append(encode_time(f.issued_before))
    return where, params


def _open_status_list(conn: Connection, new: StatusListRecord, replacing: str | None) -> StatusListRecord:
    key = [new.org_id, new.issuer_id, active_list_key(new.purpose, new.status_size)]
    row = conn.execute(
        "SELECT list_id FROM active_status_lists WHERE org_id = ? AND issuer_id = ? AND purpose = ?", key
    ).fetchone()
    if row is not None and row[0] != replacing:
        current = conn.execute(f"SELECT {s.STATUS_LIST} FROM status_lists WHERE id = ?", [row[0]]).fetchone()
        return s.status_list(current)
    conn.execute(f"INSERT INTO status_lists ({s.STATUS_LIST}) VALUES ({s.placeholders(s.STATUS_LIST)})",
                 s.status_list_row(new))  # fmt: skip
    conn.executemany(
        "INSERT INTO status_cursors (list_id, shard, next) VALUES (?, ?, 0)",
        [(new.id, i) for i in range(new.shards)],
    )
    conn.execute(
        "INSERT INTO active_status_lists (org_id, issuer_id, purpose, list_id) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (org_id, issuer_id, purpose) DO UPDATE SET list_id = excluded.list_id",
        [*key, new.id],
    )
    if row is not None:
        conn.execute("UPDATE status_lists SET full = 1 WHERE id = ?", [row[0]])
    return new


def _claim(conn: Connection, list_id: str, shard: int, count: int, limit: int) -> range:
    row = conn.execute(
        "SELECT next FROM status_cursors WHERE list_id = ? AND shard = ?", [list_id, shard]
    ).fetchone()
    if row is None:
        raise NotFound(f"no shard {shard} of status list {list_id}")
    start = row[0]
    stop = max(start, min(start + max(count, 0), limit))
    if stop > start:
        conn.execute(
            "UPDATE status_cursors SET next = ? WHERE list_id = ? AND shard = ?", [stop, list_id, shard]
        )
    return range(start, stop)


def _save_status_list(
    conn: Connection, record: StatusListRecord, expected_version: int, transitions: list[StatusTransition]
) -> None:
    row = s.status_list_row(record)
    changed = conn.execute(
        "UPDATE status_lists SET encoded_list = ?, revoked_list = ?, credential = ?, updated_at = ?, "
        "version = version + 1 WHERE id = ? AND version = ?",
        [record.encoded_list, record.revoked_list, row[8], row[7], record.id, expected_version],
    ).rowcount
    if changed == 0:
        if conn.execute("SELECT 1 FROM status_lists WHERE id = ?", [record.id]).fetchone() is None:
            raise NotFound(f"no status list {record.id}")
        raise Conflict(f"status list {record.id} changed since version {expected_version}")
    version = expected_version + 1
    conn.executemany(
        "UPDATE credentials SET status = ?, status_version = ? "
        "WHERE org_id = ? AND id = ? AND status_version < ?",
        [(t.status, version, t.org_id, t.credential_id, version) for t in transitions],
    )
    conn.executemany(_INSERT_EVENT_ONCE, [s.event_row(t.event) for t in transitions])
    jobs_sql.insert(conn, [job for t in transitions for job in t.jobs])
