"""Webhooks in SQLite: the ``webhook_endpoints`` and ``webhook_attempts`` tables, their rows, and
the statements run on the store's thread. Deliveries are jobs (``_sqlite_jobs``) of the queue
``webhook:<endpoint id>``, read here through the ``jobs_by_queue`` index."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from vcengine.services.ports import WEBHOOK_ENDPOINT_CHANGES, WebhookAttemptRecord, WebhookEndpointRecord
from vcengine.storage._codec import decode_time, dump_json, encode_time, load_json, maybe_time

DDL = (
    """CREATE TABLE IF NOT EXISTS webhook_endpoints (
        id TEXT PRIMARY KEY, org_id TEXT NOT NULL, url TEXT NOT NULL, events TEXT NOT NULL,
        sealed_secret BLOB NOT NULL, created_at TEXT NOT NULL, description TEXT NOT NULL,
        disabled_at TEXT, disabled_reason TEXT, failing_since TEXT, updated_at TEXT,
        previous_sealed_secret BLOB, previous_secret_until TEXT)""",
    "CREATE INDEX IF NOT EXISTS webhook_endpoints_by_org ON webhook_endpoints (org_id, created_at, id)",
    """CREATE TABLE IF NOT EXISTS webhook_attempts (
        id TEXT PRIMARY KEY, org_id TEXT NOT NULL, endpoint_id TEXT NOT NULL, delivery_id TEXT NOT NULL,
        attempt INTEGER NOT NULL, at TEXT NOT NULL, duration_ms INTEGER NOT NULL, status_code INTEGER,
        error TEXT)""",
    "CREATE INDEX IF NOT EXISTS webhook_attempts_by_delivery ON webhook_attempts (delivery_id, attempt, at)",
    "CREATE INDEX IF NOT EXISTS webhook_attempts_by_endpoint ON webhook_attempts (endpoint_id)",
)

ENDPOINT = (
    "id, org_id, url, events, sealed_secret, created_at, description, disabled_at, disabled_reason, "
    "failing_since, updated_at, previous_sealed_secret, previous_secret_until"
)
#: columns added after the table was first made (``ALTER TABLE`` on older stores)
ADDED_COLUMNS = (
    ("webhook_endpoints", "previous_sealed_secret", "BLOB"),
    ("webhook_endpoints", "previous_secret_until", "TEXT"),
)
ATTEMPT = "id, org_id, endpoint_id, delivery_id, attempt, at, duration_ms, status_code, error"
Row = Sequence[Any]


def _t(value: Any) -> str | None:
    return None if value is None else encode_time(value)


def endpoint_row(r: WebhookEndpointRecord) -> Row:
    return (
        r.id, r.org_id, r.url, dump_json({"events": list(r.events)}), r.sealed_secret,
        encode_time(r.created_at), r.description, _t(r.disabled_at), r.disabled_reason,
        _t(r.failing_since), _t(r.updated_at), r.previous_sealed_secret, _t(r.previous_secret_until),
    )  # fmt: skip


def endpoint(row: Row) -> WebhookEndpointRecord:
    return WebhookEndpointRecord(
        id=row[0],
        org_id=row[1],
        url=row[2],
        events=tuple(load_json(row[3])["events"]),
        sealed_secret=bytes(row[4]),
        created_at=decode_time(row[5]),
        description=row[6],
        disabled_at=maybe_time(row[7]),
        disabled_reason=row[8],
        failing_since=maybe_time(row[9]),
        updated_at=maybe_time(row[10]),
        previous_sealed_secret=None if row[11] is None else bytes(row[11]),
        previous_secret_until=maybe_time(row[12]),
    )


def attempt_row(r: WebhookAttemptRecord) -> Row:
    return (
        r.id, r.org_id, r.endpoint_id, r.delivery_id, r.attempt, encode_time(r.at), r.duration_ms,
        r.status_code, r.error,
    )  # fmt: skip


def attempt(row: Row) -> WebhookAttemptRecord:
    return WebhookAttemptRecord(
        id=row[0],
        org_id=row[1],
        endpoint_id=row[2],
        delivery_id=row[3],
        attempt=row[4],
        at=decode_time(row[5]),
        duration_ms=row[6],
        status_code=row[7],
        error=row[8],
    )


def _column_value(name: str, value: Any) -> Any:
    if name == "events":
        return dump_json({"events": list(value)})
    if name in {"disabled_at", "failing_since", "updated_at", "previous_secret_until"}:
        return _t(value)
    return value


def update(
    conn: sqlite3.Connection, org_id: str, endpoint_id: str, changes: Mapping[str, Any]
) -> WebhookEndpointRecord | None:
    unknown = set(changes) - WEBHOOK_ENDPOINT_CHANGES
    if unknown:
        raise ValueError(f"not a changeable webhook endpoint field: {sorted(unknown)}")
    if changes:
        sets = ", ".join(f"{name} = ?" for name in changes)
        values = [_column_value(name, value) for name, value in changes.items()]
        conn.execute(
            f"UPDATE webhook_endpoints SET {sets} WHERE org_id = ? AND id = ?", [*values, org_id, endpoint_id]
        )
    row = conn.execute(
        f"SELECT {ENDPOINT} FROM webhook_endpoints WHERE org_id = ? AND id = ?", [org_id, endpoint_id]
    ).fetchone()
    return None if row is None else endpoint(row)


def delete(conn: sqlite3.Connection, org_id: str, endpoint_id: str) -> bool:
    gone = conn.execute("DELETE FROM webhook_endpoints WHERE org_id = ? AND id = ?", [org_id, endpoint_id])
    if gone.rowcount != 1:
        return False
    conn.execute("DELETE FROM webhook_attempts WHERE org_id = ? AND endpoint_id = ?", [org_id, endpoint_id])
    return True
