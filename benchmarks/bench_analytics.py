"""Analytics on 1,000,000 events (``python -m benchmarks.bench_analytics [--quick]``).

An organization's year: 200,000 credentials of 20 achievements (4 issuers), and their events —
issued, delivered, claimed, page_viewed, downloaded, linkedin_clicked, revoked — 1,000,000 in
all, spread over 365 days, stored through the SQLite store's tables (so its triggers keep the
rollups, as for every write). Medians over interleaved rounds (``_harness``).

1. ``analytics`` for a year of daily buckets, the whole organization: the service call
   (rollups read, days bucketed, the funnel) .......................... target <= 50 ms
2. the same for one achievement ........................................ target <= 50 ms
Baseline: a straightforward scan in the same process — one SQL query that counts the range's
events per day and type (joined to their credentials for the filter) and one that walks every
event of the organization once, grouped by credential, for the funnel. Both give the same answer
(checked before timing).
Also printed: what the triggers cost a write (events stored per second while seeding).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks._harness import Load, Result, interleaved
from vcengine.core.analytics import FUNNEL, buckets
from vcengine.services import analytics
from vcengine.services.context import Actor, Services
from vcengine.services.keystore import MasterKey
from vcengine.services.ports import AnalyticsFilter, CredentialRecord, FunnelCounts
from vcengine.storage import _sqlite_schema as s
from vcengine.storage._codec import encode_time
from vcengine.storage.sqlite import SqliteStore

NAME = "analytics"
ORG = "org-bench"
FIRST = date(2025, 1, 1)
LAST = date(2025, 12, 31)
# (type, share of credentials that have one, how many each)
FOLLOW_UPS = (
    ("delivered", 0.9, 1), ("claimed", 0.6, 1), ("page_viewed", 0.7, 2.5), ("downloaded", 0.4, 1.25),
    ("linkedin_clicked", 0.25, 1), ("revoked", 0.025, 1),
)  # fmt: skip


def _events(rng: random.Random, credentials: int, total: int) -> Iterator[tuple[Any, ...]]:
    """Rows of ``events`` (id, org_id, type, credential_id, at, data), issued first, until ``total``."""
    start = datetime(FIRST.year, FIRST.month, FIRST.day, tzinfo=UTC)
    issued_at = [start + timedelta(seconds=rng.randrange(365 * 86400)) for _ in range(credentials)]
    n = 0
    for i, at in enumerate(issued_at):
        yield (f"e{n}", ORG, "issued", f"c{i}", encode_time(at), "{}")
        n += 1
    while n < total:
        for type_, share, each in FOLLOW_UPS:
            for _ in range(int(credentials * share * each / 10)):
                i = rng.randrange(credentials)
                later = min(
                    issued_at[i] + timedelta(hours=rng.expovariate(1 / 200)),
                    start + timedelta(days=365) - timedelta(seconds=1),
                )
                yield (f"e{n}", ORG, type_, f"c{i}", encode_time(later), "{}")
                n += 1
                if n >= total:
                    return


def seed(path: Path, credentials: int, total: int) -> float:
    """Create the store at ``path`` and fill it; events stored per second."""

    async def create() -> None:
        store = SqliteStore(path)
        await store.start()
        await store.close()

    asyncio.run(create())
    rng = random.Random(2026)
    issued = datetime(2025, 1, 1, tzinfo=UTC)
    rows = [
        s.credential_row(
            CredentialRecord(
                f"c{i}",
                ORG,
                f"iss{i % 4}",
                f"ach{i % 20}",
                {"email": "x@example.org"},
                {"id": f"urn:uuid:{i}"},
                "eddsa-rdfc-2022",
                issued,
            )
        )
        for i in range(credentials)
    ]
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("BEGIN")
    conn.executemany(
        f"INSERT INTO credentials ({s.CREDENTIAL}) VALUES ({s.placeholders(s.CREDENTIAL)})", rows
    )
    conn.execute("COMMIT")
    started = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(
        f"INSERT INTO events ({s.EVENT}) VALUES (?, ?, ?, ?, ?, ?)", _events(rng, credentials, total)
    )
    conn.execute("COMMIT")
    rate = total / (time.perf_counter() - started)
    conn.close()
    return rate


def _day(value: date) -> str:
    return value.strftime("%Y%m%d")


def scan(conn: sqlite3.Connection, f: AnalyticsFilter) -> tuple[list[Any], FunnelCounts]:
    """The baseline: the same answer from the events themselves."""
    join, params = "", [ORG, _day(f.first_day), _day(f.last_day + timedelta(days=1))]
    if f.achievement_id is not None:
        join = "JOIN credentials c ON c.id = e.credential_id AND c.achievement_id = ?"
        params.insert(0, f.achievement_id)
    daily = conn.execute(
        f"SELECT substr(e.at, 1, 8), e.type, count(*) FROM events e {join} "
        "WHERE e.org_id = ? AND e.at >= ? AND e.at < ? GROUP BY 1, 2 ORDER BY 1, 2",
        params,
    ).fetchall()
    stage = ", ".join(
        f"max(e.type IN ({', '.join(repr(t) for t in types)})) AS {name}" for name, types in FUNNEL.items()
    )
    funnel = conn.execute(
        f"SELECT count(*), {', '.join(f'coalesce(sum({n}), 0)' for n in FUNNEL)} FROM ("
        f"SELECT max(e.type = 'issued' AND e.at >= ? AND e.at < ?) AS cohort, {stage} "
        f"FROM events e {join} WHERE e.org_id = ? GROUP BY e.credential_id) WHERE cohort",
        [params[-2], params[-1], *params[:-2]],
    ).fetchone()
    rows = [(date(int(d[:4]), int(d[4:6]), int(d[6:])), t, n) for d, t, n in daily]
    return buckets(rows, f.first_day, f.last_day, "day"), FunnelCounts(*funnel)


def run(quick: bool = False) -> list[Result]:
    credentials, total = (20_000, 100_000) if quick else (200_000, 1_000_000)
    seconds, rounds = (1.0, 5) if quick else (6.0, 11)
    results = []
    with tempfile.TemporaryDirectory() as tmp, Load() as load:
        path = Path(tmp) / "vcengine.sqlite3"
        rate = seed(path, credentials, total)
        print(
            f"seeded {total:,} events of {credentials:,} credentials at {rate:,.0f} events/s "
            "(triggers included)"
        )
        loop = asyncio.new_event_loop()
        store = SqliteStore(path)
        loop.run_until_complete(store.start())
        services = Services(store, MasterKey(os.urandom(32)), "https://bench.example")
        actor = Actor(ORG, frozenset({"read"}))
        baseline = sqlite3.connect(path)
        for label, f in (
            ("organization", AnalyticsFilter(FIRST, LAST)),
            ("one achievement", AnalyticsFilter(FIRST, LAST, achievement_id="ach7")),
        ):

            def candidate(f: AnalyticsFilter = f) -> Any:
                return loop.run_until_complete(analytics.analytics(services, actor, f, "day"))

            got, expected = candidate(), scan(baseline, f)
            assert (got.buckets, got.funnel) == expected, "rollups and scan disagree"
            assert len(got.buckets) == 365
            times = interleaved(
                {"rollups": candidate, "scan": lambda f=f: scan(baseline, f)}, rounds=rounds, seconds=seconds
            )
            events = sum(sum(b.counts.values()) for b in got.buckets)
            results.append(
                Result.at_most(
                    NAME,
                    f"a year of daily buckets + funnel, {label} ({events:,} events)",
                    times["rollups"],
                    "ms",
                    50,
                )
            )
            results.append(Result(NAME, f"  baseline: scan, {label}", times["scan"], "ms"))
            results.append(
                Result(NAME, f"  speed-up over the scan, {label}", times["scan"] / times["rollups"], "x")
            )
        baseline.close()
        loop.run_until_complete(store.close())
        loop.close()
        results.append(Result(NAME, "events stored per second while seeding (triggers included)", rate, "/s"))
    for result in results:
        print(result.line())
    print(load.line())
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="100,000 events, fewer rounds (smoke run)")
    run(parser.parse_args().quick)


if __name__ == "__main__":
    main()
