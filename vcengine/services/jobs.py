"""Durable background work: what a job kind is, and the runner that claims and runs jobs.

A feature that must not lose work (an LMS event to turn into a credential, an email to send, a
webhook to deliver) stores a ``JobRecord`` first — before it answers anyone — and declares a
``JobKind``: the handler and its retry policy. Every instance runs a ``JobRunner`` over the same
store; the store's leases give each attempt to one runner, so any instance may do the work and a
killed one only delays it (its lease runs out and another takes the job).

A handler returns the result to keep (``finish_job``), raises ``RetryLater`` for a failure that
may pass (the job comes back after a backoff), ``GiveUp`` for one that will not (``failed``), and
anything else counts as passing too (a bug or an outage is logged and retried). Handlers run at
least once per job: they must be idempotent, or fence their effects with the job's ``attempts``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from vcengine.services.ports import JobRecord, Store

__all__ = ["GiveUp", "JobKind", "JobRunner", "RetryLater", "exponential_backoff", "new_job"]

log = logging.getLogger("vcengine.jobs")

Handler = Callable[[JobRecord], Awaitable[Mapping[str, Any] | None]]


class RetryLater(Exception):
    """The attempt failed in a way that may pass: try again (after ``after``, or the backoff)."""

    def __init__(self, error: str, *, after: timedelta | None = None) -> None:
        super().__init__(error)
        self.after = after


class GiveUp(Exception):
    """The job cannot succeed: mark it ``failed`` now, keeping ``result`` (an outcome, say)."""

    def __init__(self, error: str, *, result: Mapping[str, Any] | None = None) -> None:
        super().__init__(error)
        self.result = result


def exponential_backoff(
    base: timedelta = timedelta(seconds=5), cap: timedelta = timedelta(hours=1)
) -> Callable[[int, random.Random], timedelta]:
    """``base * 2**(attempt-1)``, at most ``cap``, with full jitter on the upper half (so runners
    that failed together do not come back together)."""

    def delay(attempt: int, rng: random.Random) -> timedelta:
        ceiling = min(base * (1 << min(max(attempt - 1, 0), 40)), cap)
        return ceiling * (0.5 + rng.random() / 2)

    return delay


@dataclass(frozen=True)
class JobKind:
    """A kind of job: its handler and retry policy. ``give_up_after`` counts from ``created_at``."""

    name: str
    handle: Handler
    max_attempts: int = 10
    backoff: Callable[[int, random.Random], timedelta] = field(default_factory=exponential_backoff)
    lease: timedelta = timedelta(minutes=2)
    give_up_after: timedelta | None = None


def new_job(
    id: str,
    org_id: str,
    kind: str,
    payload: Mapping[str, Any],
    now: datetime,
    *,
    queue: str | None = None,
    due_at: datetime | None = None,
) -> JobRecord:
    """A ``pending`` job, due ``due_at`` (default: now)."""
    return JobRecord(id, org_id, kind, payload, now, now if due_at is None else due_at, queue)


class JobRunner:
    """Claims due jobs of its ``kinds`` from ``store`` and runs up to ``concurrency`` at once.

    ``run`` loops until ``stop``: it claims, runs, and sleeps ``poll`` seconds when nothing was
    due — or less, when ``wake`` says this instance just stored a job (other instances find it
    at their next poll) or one of its jobs ended (the next of that job's queue may run now)."""

    def __init__(
        self,
        store: Store,
        kinds: Sequence[JobKind],
        clock: Callable[[], datetime],
        *,
        concurrency: int = 8,
        poll: float = 1.0,
        rng: random.Random | None = None,
    ) -> None:
        self._store, self._clock = store, clock
        self._kinds = {k.name: k for k in kinds}
        self._concurrency, self._poll = concurrency, poll
        self._rng = rng or random.Random()
        self._woken = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopped = False
        self._running: set[asyncio.Task[None]] = set()

    @property
    def kinds(self) -> Sequence[str]:
        return list(self._kinds)

    def wake(self) -> None:
        self._woken.set()

    def start(self) -> None:
        if self._task is None and self._kinds and self._concurrency > 0:
            self._stopped = False
            self._task = asyncio.create_task(self.run(), name="vcengine-jobs")

    async def stop(self) -> None:
        """Stop claiming and cancel what runs (its leases run out; another runner retries it)."""
        self._stopped = True
        task, self._task = self._task, None
        for t in [*self._running, *([task] if task else [])]:
            t.cancel()
        for t in [*self._running, *([task] if task else [])]:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t

    async def run(self) -> None:
        while not self._stopped:
            self._woken.clear()  # before claiming: a wake-up during the claim is not lost
            try:
                claimed = await self.run_once(wait=False)
            except Exception:  # the store is down, say: keep the loop, try again after a poll
                log.exception("claiming jobs failed")
                claimed = 0
            if claimed == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._woken.wait(), self._poll)
            elif len(self._running) >= self._concurrency:
                await asyncio.wait(self._running, return_when=asyncio.FIRST_COMPLETED)

    async def run_once(self, *, wait: bool = True) -> int:
        """Claim what is due (up to the free slots) and start it; with ``wait``, finish it too.
        How many jobs were claimed."""
        free = self._concurrency - len(self._running)
        if free <= 0 or not self._kinds:
            return 0
        now = self._clock()
        # each kind's own lease: one kind's long lease must not keep another kind's jobs of a
        # killed instance from being taken over for that long
        by_lease: dict[timedelta, list[str]] = {}
        for kind in self._kinds.values():
            by_lease.setdefault(kind.lease, []).append(kind.name)
        jobs: list[JobRecord] = []
        for lease, names in sorted(by_lease.items()):
            if len(jobs) >= free:
                break
            jobs += await self._store.claim_jobs(names, now, now + lease, free - len(jobs))
        tasks = [asyncio.create_task(self._attempt(job)) for job in jobs]
        self._running.update(tasks)
        for t in tasks:
            t.add_done_callback(self._running.discard)
        if wait and tasks:
            await asyncio.gather(*tasks)
        return len(jobs)

    async def _attempt(self, job: JobRecord) -> None:
        await self._settle(job)
        # the next job of its queue (a webhook endpoint's, say) may run now; not when cancelled
        # (stopping): a wake-up racing the loop's cancellation could make Python 3.11's wait_for
        # swallow it
        self.wake()

    async def _settle(self, job: JobRecord) -> None:
        kind = self._kinds[job.kind]
        try:
            result = await kind.handle(job)
        except GiveUp as exc:
            await self._store.fail_job(job.id, job.attempts, self._clock(), str(exc), exc.result)
        except RetryLater as exc:
            await self._retry(kind, job, str(exc), exc.after)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("job %s (%s) failed", job.id, job.kind)
            await self._retry(kind, job, f"{type(exc).__name__}: {exc}", None)
        else:
            await self._store.finish_job(job.id, job.attempts, self._clock(), result)

    async def _retry(self, kind: JobKind, job: JobRecord, error: str, after: timedelta | None) -> None:
        now = self._clock()
        due = now + (after if after is not None else kind.backoff(job.attempts, self._rng))
        expired = kind.give_up_after is not None and due > job.created_at + kind.give_up_after
        if job.attempts >= kind.max_attempts or expired:
            reason = "attempts" if job.attempts >= kind.max_attempts else "time"
            await self._store.fail_job(job.id, job.attempts, now, f"{error} (gave up: out of {reason})")
        else:
            await self._store.retry_job(job.id, job.attempts, due, error)
