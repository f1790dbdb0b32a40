"""Counting events in batches after the answer: one write per batch, best effort, flushed."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from vcengine.errors import StoreError
from vcengine.services.context import Services
from vcengine.services.event_batch import EventBatch
from vcengine.services.ports import EventRecord

pytestmark = pytest.mark.anyio

AT = datetime(2026, 3, 2, tzinfo=UTC)


def verified(n: int) -> EventRecord:
    return EventRecord(f"e{n}", "o1", "verified", f"c{n}", AT)


class SlowStore:
    """Records the batches it is given; the first write waits for ``release``; ``fail``: raise."""

    def __init__(self, fail: bool = False) -> None:
        self.batches: list[list[str]] = []
        self.started, self.release = asyncio.Event(), asyncio.Event()
        self.fail = fail

    async def add_events(self, events: Sequence[EventRecord]) -> None:
        self.started.set()
        if not self.batches:
            await self.release.wait()
        self.batches.append([e.id for e in events])
        if self.fail:
            raise StoreError("the disk is full")


async def test_events_added_within_the_delay_are_written_together() -> None:
    store = SlowStore()
    store.release.set()
    batch = EventBatch(store, delay=0.05)  # type: ignore[arg-type]
    for n in (1, 2, 3):
        batch.add(verified(n))
    await store.started.wait()
    await batch.flush()
    assert store.batches == [["e1", "e2", "e3"]]


async def test_flush_writes_at_once() -> None:
    store = SlowStore()
    store.release.set()
    batch = EventBatch(store, delay=3600)  # type: ignore[arg-type]
    batch.add(verified(1))
    await asyncio.wait_for(batch.flush(), 10)
    assert store.batches == [["e1"]]


async def test_events_added_during_a_write_go_together_in_the_next() -> None:
    store = SlowStore()
    batch = EventBatch(store, delay=0)  # type: ignore[arg-type]
    batch.add(verified(1))
    await store.started.wait()  # the first write has started and waits
    for n in (2, 3, 4):
        batch.add(verified(n))
    store.release.set()
    await batch.flush()
    assert store.batches == [["e1"], ["e2", "e3", "e4"]]


async def test_a_failed_write_is_logged_and_loses_only_its_batch(caplog: pytest.LogCaptureFixture) -> None:
    store = SlowStore(fail=True)
    batch = EventBatch(store)  # type: ignore[arg-type]
    store.release.set()
    with caplog.at_level(logging.WARNING):
        batch.add(verified(1))
        await batch.flush()
        batch.add(verified(2))
        await batch.flush()
    assert store.batches == [["e1"], ["e2"]]
    assert "1 event(s) were not counted: the disk is full" in caplog.text


async def test_an_unexpected_error_in_a_write_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    class Broken(SlowStore):
        async def add_events(self, events: Sequence[EventRecord]) -> None:
            raise RuntimeError("a bug")

    batch = EventBatch(Broken())  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR):
        batch.add(verified(1))
        await batch.flush()  # analytics and Services.close flush: they must not fail
    assert "1 event(s) were not counted" in caplog.text and "a bug" in caplog.text


async def test_a_flush_with_nothing_pending_leaves_the_next_batch_its_delay() -> None:
    store = SlowStore()
    store.release.set()
    batch = EventBatch(store, delay=5)  # type: ignore[arg-type]
    await batch.flush()
    batch.add(verified(1))
    batch.add(verified(2))
    await asyncio.sleep(0.05)  # within the delay: nothing written yet
    assert store.batches == []
    await batch.flush()
    assert store.batches == [["e1", "e2"]]


async def test_events_with_webhook_deliveries_are_refused() -> None:
    batch = EventBatch(SlowStore())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="webhook"):
        batch.add(EventRecord("e", "o1", "revoked", "c", AT))


async def test_closing_the_services_writes_the_pending_counts(services: Services) -> None:
    services.counts.add(verified(1))
    await services.close()
    assert await services.store.count_events("o1", "verified") == 1
