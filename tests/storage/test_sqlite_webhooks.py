"""A SQLite store whose ``webhook_endpoints`` table predates the rotation columns gets them when
it is opened, and its endpoints read as before."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.storage.test_webhooks_contract import endpoint
from vcengine.storage.sqlite import SqliteStore

pytestmark = pytest.mark.anyio


async def test_endpoints_written_before_rotation_windows_get_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "vcengine.sqlite3"
    store = SqliteStore(path)
    await store.start()
    await store.create_webhook_endpoint(endpoint("w1"))
    await store.close()
    with sqlite3.connect(path) as conn:  # as the first version of the table was
        for column in ("previous_sealed_secret", "previous_secret_until"):
            conn.execute(f"ALTER TABLE webhook_endpoints DROP COLUMN {column}")
    reopened = SqliteStore(path)
    await reopened.start()
    try:
        assert await reopened.get_webhook_endpoint("o1", "w1") == endpoint("w1")
    finally:
        await reopened.close()
