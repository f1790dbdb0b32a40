"""Durable jobs in SQLite: the ``jobs`` table, its rows, and the statements run on the store's thread.

A claim runs inside the store's ``BEGIN IMMEDIATE`` transaction, so selecting the runnable jobs
and marking them ``running`` see no other writer in between (one claimer per job and attempt,
across processes). "Oldest unfinished job of its queue" is a ``NOT EXISTS`` over the
``jobs_by_queue`` index.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from vcengine.services.ports import JobRecord, JobState
from vcengine.storage._codec import decode_time, dump_json, encode_time, load_json, maybe_time

DDL = (
    """CREATE TABLE IF NOT EXISTS jobs (
        id TEXT PRIMARY KEY, org_id TEXT NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL,
        created_at TEXT NOT NULL, due_at TEXT NOT NULL, queue TEXT, state TEXT NOT NULL,
        attempts INTEGER NOT NULL, lease_until TEXT, last_error TEXT, result TEXT, finished_at TEXT)""",
    """CREATE INDEX IF NOT EXISTS jobs_runnable ON jobs (state, kind, due_at)
        WHERE state IN ('pending', 'running')""",
    "CREATE INDEX IF NOT EXISTS jobs_by_queue ON jobs (queue, created_at, id) WHERE queue IS NOT NULL",
    # the unfinished jobs of each queue only: "is there an older unfinished one?" skips the history
    """CREATE INDEX IF NOT EXISTS jobs_unfinished_by_queue ON jobs (queue, created_at, id)
        WHERE queue IS NOT NULL AND state IN ('pending', 'running')""",
    "CREATE INDEX IF NOT EXISTS jobs_by_org ON jobs (org_id, kind, created_at, id)",
)

COLUMNS = (
    "id, org_id, kind, payload, created_at, due_at, queue, state, attempts, lease_until, last_error, "
    "result, finished_at"
)
_INSERT = f"INSERT INTO jobs ({COLUMNS}) VALUES ({', '.join('?' * 13)}) ON CONFLICT (id) DO NOTHING"
Row = Sequence[Any]


def _t(value: datetime | None) -> str | None:
    return None if value is None else encode_time(value)


def _j(value: Mapping[str, Any] | None) -> str | None:
    return None if value is None else dump_json(value)


def job_row(r: JobRecord) -> Row:
    return (
        r.id, r.org_id, r.kind, dump_json(r.payload), encode_time(r.created_at), encode_time(r.due_at),
        r.queue, r.state, r.attempts, _t(r.lease_until), r.last_error, _j(r.result), _t(r.finished_at),
    )  # fmt: skip


def job(row: Row) -> JobRecord:
    return JobRecord(
        id=row[0],
        org_id=row[1],
        kind=row[2],
        payload=load_json(row[3]),
        created_at=decode_time(row[4]),
        due_at=decode_time(row[5]),
        queue=row[6],
        state=row[7],
        attempts=row[8],
        lease_until=maybe_time(row[9]),
        last_error=row[10],
        result=None if row[11] is None else load_json(row[11]),
        finished_at=maybe_time(row[12]),
    )


def insert(conn: sqlite3.Connection, jobs: Sequence[JobRecord]) -> int:
    """Insert ``jobs``; those whose id is stored already stay as they are. How many were new."""
    return sum(conn.execute(_INSERT, job_row(j)).rowcount for j in jobs)


_RUNNABLE = f"""
    SELECT {COLUMNS} FROM jobs AS j
    WHERE j.kind IN ({{kinds}}) AND j.state IN ('pending', 'running')
      AND ((j.state = 'pending' AND j.due_at <= ?) OR (j.state = 'running' AND j.lease_until <= ?))
      AND (j.queue IS NULL OR NOT EXISTS (
            SELECT 1 FROM jobs AS e
            WHERE e.queue = j.queue AND e.state IN ('pending', 'running')
              AND (e.created_at < j.created_at OR (e.created_at = j.created_at AND e.id < j.id))))
    ORDER BY j.due_at, j.id LIMIT ?"""


def claim(
    conn: sqlite3.Connection, kinds: Sequence[str], now: datetime, lease_until: datetime, limit: int
) -> list[JobRecord]:
    at = encode_time(now)
    rows = conn.execute(_RUNNABLE.format(kinds=", ".join("?" * len(kinds))), [*kinds, at, at, limit])
    claimed = []
    for candidate in map(job, rows.fetchall()):
        attempts = candidate.attempts + 1
        conn.execute(
            "UPDATE jobs SET state = 'running', attempts = ?, lease_until = ? WHERE id = ?",
            [attempts, encode_time(lease_until), candidate.id],
        )
        claimed.append(replace(candidate, state="running", attempts=attempts, lease_until=lease_until))
    return claimed


def settle(
    conn: sqlite3.Connection, job_id: str, attempt: int, state: JobState, changes: Mapping[str, Any]
) -> bool:
    """The ``running`` claim ``attempt`` of ``job_id`` -> ``state`` with ``changes`` (columns)."""
    sets = ", ".join(f"{column} = ?" for column in ("state", "lease_until", *changes))
    sql = f"UPDATE jobs SET {sets} WHERE id = ? AND state = 'running' AND attempts = ?"
    return conn.execute(sql, [state, None, *changes.values(), job_id, attempt]).rowcount == 1


def requeue(conn: sqlite3.Connection, org_id: str, job_id: str, due_at: datetime) -> JobRecord | None:
    sql = (
        "UPDATE jobs SET state = 'pending', due_at = ?, created_at = ?, finished_at = NULL "
        "WHERE org_id = ? AND id = ? AND state IN ('done', 'failed')"
    )
    at = encode_time(due_at)
    if conn.execute(sql, [at, at, org_id, job_id]).rowcount != 1:
        return None
    return job(conn.execute(f"SELECT {COLUMNS} FROM jobs WHERE id = ?", [job_id]).fetchone())
