"""A job that ends wakes its runner: the next job of its queue runs at once, not at the next poll
(a webhook endpoint's backlog drains at the endpoint's pace, not one delivery per poll)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from vcengine.services.jobs import JobKind, JobRunner, new_job
from vcengine.services.ports import JobRecord
from vcengine.storage.sqlite import SqliteStore

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    s = SqliteStore(tmp_path / "jobs.sqlite3")
    await s.start()
    yield s
    await s.close()


async def test_a_queue_drains_without_waiting_for_polls(store: SqliteStore) -> None:
    ran: list[str] = []

    async def handle(job: JobRecord) -> Mapping[str, Any]:
        ran.append(job.id)
        return {}

    now = datetime.now(UTC)
    for i in range(10):
        await store.add_job(new_job(f"j{i}", "o1", "hook", {}, now, queue="endpoint-1"))
    runner = JobRunner(store, [JobKind("hook", handle)], lambda: datetime.now(UTC), poll=5.0)
    started = time.monotonic()
    runner.start()
    try:
        while len(ran) < 10:
            assert time.monotonic() - started < 4, f"only {len(ran)} ran: the runner waited for a poll"
            await asyncio.sleep(0.01)
    finally:
        await runner.stop()
    assert ran == [f"j{i}" for i in range(10)]  # in queue order, one at a time
