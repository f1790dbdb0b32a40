"""SQLite keeps analytics rollups with triggers: a store written before they existed gets them
filled from its stored events when it is opened, with the same counts as if they had always been
kept."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.storage.test_analytics_contract import DAY2, MARCH, event, seed
from vcengine.storage.sqlite import SqliteStore

pytestmark = pytest.mark.anyio


async def test_a_store_without_rollups_gets_them_from_its_events(tmp_path: Path) -> None:
    path = tmp_path / "vcengine.sqlite3"
    store = SqliteStore(path)
    await store.start()
    await seed(store)
    await store.add_event(event("v1", "claimed", "c1", DAY2))
    counts, funnel = await store.daily_event_counts("o1", MARCH), await store.funnel_counts("o1", MARCH)
    await store.close()
    with sqlite3.connect(path) as conn:  # as a vcengine before analytics left it
        names = conn.execute(
            "SELECT type, name FROM sqlite_master WHERE name LIKE 'events_%' AND type = 'trigger'"
        )
        for _, name in names.fetchall():
            conn.execute(f"DROP TRIGGER {name}")
        for table in ("event_rollups", "credential_stages", "funnel_rollups"):
            conn.execute(f"DROP TABLE {table}")
    reopened = SqliteStore(path)
    await reopened.start()
    try:
        assert await reopened.daily_event_counts("o1", MARCH) == counts
        assert await reopened.funnel_counts("o1", MARCH) == funnel
        assert funnel.claimed == 1 and funnel.issued == 4
    finally:
        await reopened.close()
