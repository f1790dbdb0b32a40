"""Analytics in SQLite: rollups kept by triggers on ``events``, so every event counts once, in the
transaction that stores it, whichever statement stores it.

- ``event_rollups``: events per (org, issuer, achievement, UTC day, type), at three levels of
  detail: ``('*', '*')`` for the whole organization, ``(issuer, '*')`` and ``(issuer,
  achievement)``; an event's issuer and achievement are its credential's. A year of daily
  buckets is one range read of at most 366 rows per type of the primary key.
- ``credential_stages`` (one row per issued credential: its cohort day and the funnel stages it
  reached, a bit each) and ``funnel_rollups`` (per cohort day and level: issued, and how many
  reached each stage): a stage counts the first time a credential reaches it.

An event that fails its ``ON CONFLICT DO NOTHING`` (stored already) fires no trigger. A store
written before these tables existed gets them filled from its events once, when they are made.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date
from typing import Any

from vcengine.core.analytics import FUNNEL
from vcengine.services.ports import AnalyticsFilter, DailyCount, FunnelCounts

ALL = "*"
STAGES = tuple(FUNNEL)  # bit 1 << i of credential_stages.stages is STAGES[i]

TABLES = (
    """CREATE TABLE IF NOT EXISTS event_rollups (
        org_id TEXT NOT NULL, issuer_id TEXT NOT NULL, achievement_id TEXT NOT NULL, day TEXT NOT NULL,
        type TEXT NOT NULL, count INTEGER NOT NULL,
        PRIMARY KEY (org_id, issuer_id, achievement_id, day, type)) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS credential_stages (
        credential_id TEXT PRIMARY KEY, org_id TEXT NOT NULL, issuer_id TEXT NOT NULL,
        achievement_id TEXT NOT NULL, day TEXT NOT NULL, stages INTEGER NOT NULL DEFAULT 0)""",
    f"""CREATE TABLE IF NOT EXISTS funnel_rollups (
        org_id TEXT NOT NULL, issuer_id TEXT NOT NULL, achievement_id TEXT NOT NULL, day TEXT NOT NULL,
        issued INTEGER NOT NULL DEFAULT 0, {", ".join(f"{s} INTEGER NOT NULL DEFAULT 0" for s in STAGES)},
        PRIMARY KEY (org_id, issuer_id, achievement_id, day)) WITHOUT ROWID""",
)

# the levels an event of credential c counts at (c may be missing: then only the organization's)
_LEVELS = f"""
    SELECT '{ALL}' AS issuer_id, '{ALL}' AS achievement_id
    UNION ALL SELECT c.issuer_id, '{ALL}' FROM credentials c
        WHERE c.id = NEW.credential_id AND c.org_id = NEW.org_id
    UNION ALL SELECT c.issuer_id, c.achievement_id FROM credentials c
        WHERE c.id = NEW.credential_id AND c.org_id = NEW.org_id AND c.achievement_id IS NOT NULL"""

# the levels a staged credential s counts at
_STAGE_LEVELS = f"""
    SELECT s.org_id, '{ALL}' AS issuer_id, '{ALL}' AS achievement_id, s.day, s.stages FROM credential_stages s
        WHERE s.credential_id = NEW.credential_id AND s.org_id = NEW.org_id
    UNION ALL SELECT s.org_id, s.issuer_id, '{ALL}', s.day, s.stages FROM credential_stages s
        WHERE s.credential_id = NEW.credential_id AND s.org_id = NEW.org_id
    UNION ALL SELECT s.org_id, s.issuer_id, s.achievement_id, s.day, s.stages FROM credential_stages s
        WHERE s.credential_id = NEW.credential_id AND s.org_id = NEW.org_id AND s.achievement_id != '{ALL}'"""


def _stage_trigger(i: int, stage: str, types: Sequence[str]) -> str:
    names = ", ".join(f"'{t}'" for t in types)
    return f"""CREATE TRIGGER IF NOT EXISTS events_funnel_{stage} AFTER INSERT ON events
        WHEN NEW.type IN ({names}) BEGIN
        INSERT INTO funnel_rollups (org_id, issuer_id, achievement_id, day, {stage})
            SELECT l.org_id, l.issuer_id, l.achievement_id, l.day, 1 FROM ({_STAGE_LEVELS}) l
            WHERE (l.stages & {1 << i}) = 0
            ON CONFLICT (org_id, issuer_id, achievement_id, day) DO UPDATE SET {stage} = {stage} + 1;
        UPDATE credential_stages SET stages = stages | {1 << i}
            WHERE credential_id = NEW.credential_id AND org_id = NEW.org_id;
    END"""


TRIGGERS = (
    f"""CREATE TRIGGER IF NOT EXISTS events_rollup AFTER INSERT ON events BEGIN
        INSERT INTO event_rollups (org_id, issuer_id, achievement_id, day, type, count)
            SELECT NEW.org_id, l.issuer_id, l.achievement_id, substr(NEW.at, 1, 8), NEW.type, 1
            FROM ({_LEVELS}) l WHERE true
            ON CONFLICT (org_id, issuer_id, achievement_id, day, type) DO UPDATE SET count = count + 1;
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS events_funnel_issued AFTER INSERT ON events
        WHEN NEW.type = 'issued' BEGIN
        INSERT INTO credential_stages (credential_id, org_id, issuer_id, achievement_id, day)
            SELECT c.id, c.org_id, c.issuer_id, COALESCE(c.achievement_id, '{ALL}'), substr(NEW.at, 1, 8)
            FROM credentials c WHERE c.id = NEW.credential_id AND c.org_id = NEW.org_id
            ON CONFLICT (credential_id) DO NOTHING;
        INSERT INTO funnel_rollups (org_id, issuer_id, achievement_id, day, issued)
            SELECT l.org_id, l.issuer_id, l.achievement_id, l.day, 1 FROM ({_STAGE_LEVELS}) l WHERE true
            ON CONFLICT (org_id, issuer_id, achievement_id, day) DO UPDATE SET issued = issued + 1;
    END""",
    *(_stage_trigger(i, stage, types) for i, (stage, types) in enumerate(FUNNEL.items())),
)


TRIGGER_NAMES = ("events_rollup", "events_funnel_issued", *(f"events_funnel_{stage}" for stage in STAGES))


def drop_triggers(conn: sqlite3.Connection) -> None:
    for name in TRIGGER_NAMES:
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")


def create(conn: sqlite3.Connection) -> None:
    """Make the tables and triggers (in the schema transaction); fill them from the events stored
    before they existed, once."""
    existed = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'event_rollups'").fetchone()
    for statement in (*TABLES, *TRIGGERS):
        conn.execute(statement)
    if existed is None:
        _replay_events(conn)


def _replay_events(conn: sqlite3.Connection) -> None:
    """Run every stored event through the triggers, as if it were stored now (in ``at`` order)."""
    conn.execute("CREATE TEMP TABLE replayed_events AS SELECT * FROM events ORDER BY at, id")
    conn.execute("DELETE FROM events")
    conn.execute("INSERT INTO events SELECT * FROM replayed_events")
    conn.execute("DROP TABLE replayed_events")


def _day(value: date) -> str:
    return value.strftime("%Y%m%d")


def _level(f: AnalyticsFilter) -> tuple[str, str] | None:
    """The (issuer, achievement) level that answers ``f``; None: an achievement of no issuer."""
    if f.achievement_id is None:
        return (f.issuer_id or ALL, ALL)
    return None if f.issuer_id is None else (f.issuer_id, f.achievement_id)


def _issuer_of(conn: sqlite3.Connection, org_id: str, f: AnalyticsFilter) -> tuple[str, str] | None:
    level = _level(f)
    if level is not None or f.achievement_id is None:
        return level
    # the issuer of the achievement's credentials (an achievement has one issuer)
    row = conn.execute(
        "SELECT issuer_id FROM credentials WHERE org_id = ? AND achievement_id = ? LIMIT 1",
        [org_id, f.achievement_id],
    ).fetchone()
    return None if row is None else (row[0], f.achievement_id)


def daily_counts(conn: sqlite3.Connection, org_id: str, f: AnalyticsFilter) -> list[DailyCount]:
    level = _issuer_of(conn, org_id, f)
    if level is None:
        return []
    rows = conn.execute(
        "SELECT day, type, count FROM event_rollups WHERE org_id = ? AND issuer_id = ? "
        "AND achievement_id = ? AND day BETWEEN ? AND ? ORDER BY day, type",
        [org_id, *level, _day(f.first_day), _day(f.last_day)],
    )
    return [DailyCount(_date(day), type_, count) for day, type_, count in rows]


def funnel(conn: sqlite3.Connection, org_id: str, f: AnalyticsFilter) -> FunnelCounts:
    level = _issuer_of(conn, org_id, f)
    if level is None:
        return FunnelCounts()
    sums = ", ".join(f"coalesce(sum({c}), 0)" for c in ("issued", *STAGES))
    row: Any = conn.execute(
        f"SELECT {sums} FROM funnel_rollups WHERE org_id = ? AND issuer_id = ? AND achievement_id = ? "
        "AND day BETWEEN ? AND ?",
        [org_id, *level, _day(f.first_day), _day(f.last_day)],
    ).fetchone()
    return FunnelCounts(*row)


def _date(day: str) -> date:
    return date(int(day[:4]), int(day[4:6]), int(day[6:8]))
