"""Counting after answering: events written in batches, off the request's path.

Some events only count something (a successful verification: ``verified``). Nobody subscribes to
them and their request does not depend on them, so the request adds its event here and answers
at once; ``DELAY`` later, one task writes every event added meanwhile in one store write
(``Store.add_events``). Measured with ``benchmarks/load_service.py``: one write per verification,
even made after its answer, cost the next verification 0.15 to 0.2 ms of its 1.6 ms.

Counting stays best effort: a store failing here, or a killed process, loses that batch (logged
in the first case). ``flush`` writes what is pending at once: ``Services.close`` calls it, and
analytics does before reading, so this instance's own counts show there at once. Events with
webhook deliveries go through ``event_log.record`` instead: their jobs are stored with them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

from vcengine.core.webhook_events import webhook_type_of
from vcengine.errors import StoreError
from vcengine.services.ports import EventRecord, Store

__all__ = ["EventBatch"]

log = logging.getLogger(__name__)

#: How long a batch gathers events before it is written (seconds).
DELAY = 0.05


class EventBatch:
    """Events waiting to be written to ``store``, and the task writing them."""

    def __init__(self, store: Store, delay: float = DELAY) -> None:
        self._store, self.delay = store, delay
        self._pending: list[EventRecord] = []
        self._writer: asyncio.Task[None] | None = None
        self._now = asyncio.Event()

    def __repr__(self) -> str:
        return f"EventBatch(pending={len(self._pending)})"

    def add(self, event: EventRecord) -> None:
        """Write ``event`` soon (with whatever else comes in meanwhile)."""
        if webhook_type_of(event.type) is not None:
            raise ValueError(f"a {event.type!r} event has webhook deliveries: record it with them")
        self._pending.append(event)
        if self._writer is None:
            self._writer = asyncio.get_running_loop().create_task(self._write(), name="vcengine-events")

    async def _write(self) -> None:
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._now.wait(), self.delay)
            while self._pending:
                batch, self._pending = self._pending, []
                await self._write_batch(batch)
        finally:
            self._writer = None
            self._now.clear()

    async def _write_batch(self, batch: Sequence[EventRecord]) -> None:
        try:
            await self._store.add_events(batch)
        except StoreError as exc:
            log.warning("%d event(s) were not counted: %s", len(batch), exc.message)
        except Exception:  # counting is best effort: a bug here must not fail analytics or close
            log.exception("%d event(s) were not counted", len(batch))

    async def flush(self) -> None:
        """Write every event added so far now; return once written (or its write failed)."""
        if self._writer is None:
            return  # nothing pending (and no wake-up left set for the next batch)
        self._now.set()
        while self._writer is not None:
            await asyncio.shield(self._writer)
