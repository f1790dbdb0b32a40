"""LMS integrations in SQLite: the tables of integrations, award rules, received events (the inbox)
and learner progress, their rows, and the statements run on the store's thread.

A received event's id is derived from (integration, source event id), so ``INSERT ... ON CONFLICT
DO NOTHING`` on the primary key is the de-duplication, across processes sharing the file.
Learner progress is one row per (rule, learner, item): adding is an idempotent insert, reading
back the set happens in the same transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from vcengine.services.ports import AwardRuleRecord, IntegrationEventRecord, IntegrationRecord, JobRecord
from vcengine.storage import _sqlite_jobs as jobs_sql
from vcengine.storage._codec import decode_time, dump_json, encode_time, load_json, maybe_time

DDL = (
    """CREATE TABLE IF NOT EXISTS lms_integrations (
        id TEXT PRIMARY KEY, org_id TEXT NOT NULL, platform TEXT NOT NULL, name TEXT NOT NULL,
        sealed_secret BLOB NOT NULL, created_at TEXT NOT NULL, settings TEXT NOT NULL,
        paused INTEGER NOT NULL, updated_at TEXT, sealed_api_token BLOB)""",
    "CREATE INDEX IF NOT EXISTS lms_integrations_by_org ON lms_integrations (org_id, created_at, id)",
    """CREATE TABLE IF NOT EXISTS lms_award_rules (
        id TEXT PRIMARY KEY, org_id TEXT NOT NULL, integration_id TEXT NOT NULL,
        achievement_id TEXT NOT NULL, trigger TEXT NOT NULL, created_at TEXT NOT NULL,
        conditions TEXT NOT NULL, options TEXT NOT NULL)""",
    """CREATE INDEX IF NOT EXISTS lms_award_rules_by_integration
        ON lms_award_rules (org_id, integration_id, created_at, id)""",
    """CREATE TABLE IF NOT EXISTS lms_events (
        id TEXT PRIMARY KEY, org_id TEXT NOT NULL, integration_id TEXT NOT NULL,
        source_event_id TEXT NOT NULL, received_at TEXT NOT NULL, event TEXT NOT NULL, raw TEXT NOT NULL,
        outcome TEXT NOT NULL, reason TEXT, credential_ids TEXT NOT NULL, processed_at TEXT)""",
    "CREATE INDEX IF NOT EXISTS lms_events_by_org ON lms_events (org_id, received_at, id)",
    """CREATE INDEX IF NOT EXISTS lms_events_by_integration
        ON lms_events (org_id, integration_id, received_at, id)""",
    """CREATE TABLE IF NOT EXISTS lms_progress (
        org_id TEXT NOT NULL, rule_id TEXT NOT NULL, learner TEXT NOT NULL, item TEXT NOT NULL,
        PRIMARY KEY (org_id, rule_id, learner, item))""",
)

INTEGRATION = (
    "id, org_id, platform, name, sealed_secret, created_at, settings, paused, updated_at, sealed_api_token"
)
RULE = "id, org_id, integration_id, achievement_id, trigger, created_at, conditions, options"
EVENT = (
    "id, org_id, integration_id, source_event_id, received_at, event, raw, outcome, reason, "
    "credential_ids, processed_at"
)
Row = Sequence[Any]


def _t(value: Any) -> str | None:
    return None if value is None else encode_time(value)


def integration_row(r: IntegrationRecord) -> Row:
    return (
        r.id, r.org_id, r.platform, r.name, r.sealed_secret, encode_time(r.created_at),
        dump_json(r.settings), int(r.paused), _t(r.updated_at), r.sealed_api_token,
    )  # fmt: skip


def integration(row: Row) -> IntegrationRecord:
    return IntegrationRecord(
        id=row[0],
        org_id=row[1],
        platform=row[2],
        name=row[3],
        sealed_secret=bytes(row[4]),
        created_at=decode_time(row[5]),
        settings=load_json(row[6]),
        paused=bool(row[7]),
        updated_at=maybe_time(row[8]),
        sealed_api_token=None if row[9] is None else bytes(row[9]),
    )


def rule_row(r: AwardRuleRecord) -> Row:
    return (
        r.id, r.org_id, r.integration_id, r.achievement_id, r.trigger, encode_time(r.created_at),
        dump_json(r.conditions), dump_json(r.options),
    )  # fmt: skip


def rule(row: Row) -> AwardRuleRecord:
    return AwardRuleRecord(
        id=row[0],
        org_id=row[1],
        integration_id=row[2],
        achievement_id=row[3],
        trigger=row[4],
        created_at=decode_time(row[5]),
        conditions=load_json(row[6]),
        options=load_json(row[7]),
    )


def event_row(r: IntegrationEventRecord) -> Row:
    return (
        r.id, r.org_id, r.integration_id, r.source_event_id, encode_time(r.received_at),
        dump_json(r.event), dump_json(r.raw), r.outcome, r.reason, dump_json({"ids": list(r.credential_ids)}),
        _t(r.processed_at),
    )  # fmt: skip


def event(row: Row) -> IntegrationEventRecord:
    return IntegrationEventRecord(
        id=row[0],
        org_id=row[1],
        integration_id=row[2],
        source_event_id=row[3],
        received_at=decode_time(row[4]),
        event=load_json(row[5]),
        raw=load_json(row[6]),
        outcome=row[7],
        reason=row[8],
        credential_ids=tuple(load_json(row[9])["ids"]),
        processed_at=maybe_time(row[10]),
    )


def insert_event(conn: sqlite3.Connection, record: IntegrationEventRecord, job: JobRecord | None) -> bool:
    """Insert the event and its job (in the caller's transaction); whether the event is new."""
    sql = f"INSERT INTO lms_events ({EVENT}) VALUES ({', '.join('?' * 11)}) ON CONFLICT (id) DO NOTHING"
    new = conn.execute(sql, event_row(record)).rowcount == 1
    if job is not None:
        jobs_sql.insert(conn, [job])
    return new


def save_integration(conn: sqlite3.Connection, record: IntegrationRecord) -> bool:
    columns = INTEGRATION.split(", ")[2:]
    sets = ", ".join(f"{c} = ?" for c in columns)
    sql = f"UPDATE lms_integrations SET {sets} WHERE id = ? AND org_id = ?"
    return conn.execute(sql, [*integration_row(record)[2:], record.id, record.org_id]).rowcount == 1


def delete_integration(conn: sqlite3.Connection, org_id: str, integration_id: str) -> bool:
    sql = "DELETE FROM lms_integrations WHERE org_id = ? AND id = ?"
    if conn.execute(sql, [org_id, integration_id]).rowcount != 1:
        return False
    conn.execute(
        "DELETE FROM lms_award_rules WHERE org_id = ? AND integration_id = ?", [org_id, integration_id]
    )
    return True


def add_progress(
    conn: sqlite3.Connection, org_id: str, rule_id: str, learner: str, items: Sequence[str]
) -> frozenset[str]:
    conn.executemany(
        "INSERT INTO lms_progress (org_id, rule_id, learner, item) VALUES (?, ?, ?, ?) "
        "ON CONFLICT DO NOTHING",
        [(org_id, rule_id, learner, item) for item in items],
    )
    rows = conn.execute(
        "SELECT item FROM lms_progress WHERE org_id = ? AND rule_id = ? AND learner = ?",
        [org_id, rule_id, learner],
    ).fetchall()
    return frozenset(row[0] for row in rows)
