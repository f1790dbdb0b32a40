"""A bounded pool for verification work: worker processes, a bounded queue, a deadline per job.

What verifying a credential costs is chosen by whoever sends it (the number of proofs, blank-node
graphs, its size), and the work is CPU-bound pure Python. On the event loop's thread pool a flood
of small hostile requests holds the GIL and starves everything else the process serves (pages,
issuing, ``/healthz``). Here a verification job:

- runs in one of ``workers`` worker processes (not niced: measured, a lower priority made
  credential pages wait behind any other busy process on the machine);
- waits for a worker in a queue of at most ``queue`` jobs per lane, and at most ``deadline``
  seconds: beyond that it is refused at once with ``Busy`` (HTTP 503 + Retry-After) —
  back-pressure instead of an ever-growing backlog;
- is stopped after ``deadline`` seconds of running: its worker is killed and replaced, and the
  job ends in ``Aborted`` — never in a report, so never in "verified";
- belongs to a lane. ``stored`` jobs verify a credential this instance issued and stored (its
  page): their cost is bounded by what this instance signs, they go first and may use every
  worker. ``submitted`` jobs verify what a client sent; with two or more workers they may use
  all workers but one, so a flood of them never holds up a credential page.

A job whose cost this instance bounds itself (verifying a credential it signed and stored) may
run in a thread of this process instead (``run_in_thread``): admitted the same way, in its lane,
but without the hop to a worker process and back, and without a deadline.

``workers=0`` verifies inline, on the event loop's thread pool, unbounded and without deadline:
the behaviour before this pool, kept for comparison benchmarks only.

The processes are pebble's ``ProcessPool``: unlike ``concurrent.futures.ProcessPoolExecutor``
(whose only way to stop a runaway job is to break the whole pool and fail every job in flight)
it terminates the one worker whose job overran its timeout and starts a new one. It queues
without bound, so admission (lanes, queue bound, waiting deadline) is done here, on the event
loop, and pebble never holds more jobs than there are workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Literal, TypeVar

import anyio.to_thread
from pebble import ProcessExpired, ProcessPool

from vcengine.errors import Aborted, Busy

__all__ = ["DEFAULT_DEADLINE", "DEFAULT_QUEUE", "Lane", "VerificationPool", "default_workers"]

T = TypeVar("T")
Lane = Literal["stored", "submitted"]
LANES: tuple[Lane, ...] = ("stored", "submitted")  # in order of priority
DEFAULT_DEADLINE = 10.0
DEFAULT_QUEUE = 8
#: Imported once by the fork server (the verifier, and a verification that fills its caches), so
#: a new worker — at start, or replacing one killed at its deadline — is forked ready to work.
PRELOAD = ["vcengine.services.verification_warmup"]
_PR_SET_PDEATHSIG = 1


def default_workers() -> int:
    """One worker per core, at least 2 (one of them kept for credential pages), at most 8."""
    return min(max(os.cpu_count() or 1, 2), 8)


def _start_worker() -> None:
    """In each new worker: die with its parent (the fork server, which exits with the service),
    so a killed service leaves no verification running."""
    if sys.platform == "linux":
        # prctl(PR_SET_PDEATHSIG) through ctypes: the standard library has no binding for it.
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() == 1:  # the parent died before the line above
            os._exit(1)


class VerificationPool:
    """Runs ``fn(*args)`` for the verifier: in worker processes with back-pressure and a deadline
    (``workers`` > 0), or inline in a thread (``workers`` = 0, unbounded)."""

    def __init__(self, workers: int = 0, queue: int = 0, deadline: float = DEFAULT_DEADLINE) -> None:
        if workers < 0 or queue < 0 or not deadline > 0:
            raise ValueError("workers and queue must be >= 0 and the deadline > 0")
        self.workers, self.queue, self.deadline = workers, queue, deadline
        self._pool: ProcessPool | None = None
        self._running: dict[Lane, int] = dict.fromkeys(LANES, 0)
        self._waiting: dict[Lane, deque[asyncio.Future[None]]] = {lane: deque() for lane in LANES}

    def __repr__(self) -> str:
        return f"VerificationPool(workers={self.workers}, queue={self.queue}, deadline={self.deadline})"

    @property
    def bounded(self) -> bool:
        return self.workers > 0

    def _limit(self, lane: Lane) -> int:
        return self.workers - 1 if lane == "submitted" and self.workers > 1 else self.workers

    def _can_start(self, lane: Lane) -> bool:
        return sum(self._running.values()) < self.workers and self._running[lane] < self._limit(lane)

    def refuse_if_full(self, lane: Lane = "submitted") -> None:
        """Raise ``Busy`` now if a job in ``lane`` would be refused: lets a caller skip reading
        and parsing a request that cannot be served (a flood is refused at little cost)."""
        if self.bounded and not self._can_start(lane) and len(self._waiting[lane]) >= self.queue:
            raise self._busy()

    def _busy(self) -> Busy:
        return Busy(
            f"all {self.workers} verification workers are busy and {self.queue} jobs wait; retry later"
        )

    async def run(self, fn: Callable[..., T], *args: Any, lane: Lane = "submitted") -> T:
        """``fn(*args)`` in a worker. ``Busy`` when it cannot be started in time (nothing ran),
        ``Aborted`` when it ran past the deadline or its worker died; ``fn``'s own exceptions
        are raised as they are."""
        if not self.bounded:
            return await anyio.to_thread.run_sync(fn, *args)
        await self._admit(lane)
        try:
            job = self._submit(fn, args)
        except BaseException:
            self._release(lane)
            raise
        job.add_done_callback(lambda _: self._release(lane))
        # The job keeps its worker until it ends, even if this request is cancelled meanwhile
        # (shield): the slot is released by the callback above, when the worker is really free.
        try:
            return await asyncio.shield(job)
        except TimeoutError:
            raise Aborted(
                f"stopped after the {self.deadline:g} s deadline; the credential was not verified"
            ) from None
        except ProcessExpired as exc:
            raise Aborted(
                f"the verification worker stopped (exit code {exc.exitcode}); the credential was not verified"
            ) from None
        except BrokenProcessPool:  # pebble gave up on its workers; the next job starts new ones
            raise Aborted("the verification workers stopped; the credential was not verified") from None

    async def run_in_thread(self, fn: Callable[..., T], *args: Any, lane: Lane = "submitted") -> T:
        """``fn(*args)`` in a thread of this process, admitted like ``run`` (its lane, queue
        bound and ``Busy``) but with no deadline, which a thread cannot be held to: only for work
        whose cost this instance bounds itself (verifying a credential it signed and stored). It
        saves the hop to a worker process and back."""
        if not self.bounded:
            return await anyio.to_thread.run_sync(fn, *args)
        await self._admit(lane)
        try:
            job = asyncio.get_running_loop().run_in_executor(None, fn, *args)
        except BaseException:
            self._release(lane)
            raise
        job.add_done_callback(lambda _: self._release(lane))
        job.add_done_callback(_retrieve)
        # As in ``run``: the slot is released when the thread is done, not when a caller gives up.
        return await asyncio.shield(job)

    async def _admit(self, lane: Lane) -> None:
        """Take a worker slot in ``lane``: at once, or after waiting in its queue (bounded)."""
        if not self._waiting[lane] and self._can_start(lane):
            self._running[lane] += 1
            return
        if len(self._waiting[lane]) >= self.queue:
            raise self._busy()
        ticket = asyncio.get_running_loop().create_future()
        self._waiting[lane].append(ticket)
        try:
            await asyncio.wait_for(asyncio.shield(ticket), self.deadline)
        except BaseException as exc:
            if ticket.done() and not ticket.cancelled():
                self._release(lane)  # the slot was granted just as the wait ended
            else:
                ticket.cancel()
                with contextlib.suppress(ValueError):
                    self._waiting[lane].remove(ticket)
            if isinstance(exc, TimeoutError):
                raise Busy(
                    f"no verification worker became free within {self.deadline:g} s; retry later"
                ) from None
            raise

    def _release(self, lane: Lane) -> None:
        self._running[lane] -= 1
        for next_lane in LANES:
            waiting = self._waiting[next_lane]
            while waiting and self._can_start(next_lane):
                ticket = waiting.popleft()
                if not ticket.done():
                    self._running[next_lane] += 1
                    ticket.set_result(None)

    def start(self) -> None:
        """Start the worker processes now (blocking: call it from a thread), rather than on the
        first job, which would wait for them on the event loop. Renews a pool that pebble gave
        up on (it does when an idle worker dies)."""
        if not self.bounded or (self._pool is not None and self._pool.active):
            return
        broken, self._pool = self._pool, self._new_pool()
        if broken is not None:
            broken.stop()  # type: ignore[no-untyped-call]
            broken.join()
        self._pool.active  # noqa: B018 - pebble starts its processes when first asked for its state

    def _submit(self, fn: Callable[..., T], args: tuple[Any, ...]) -> asyncio.Future[T]:
        self.start()
        assert self._pool is not None
        future: Future[T] = self._pool.schedule(fn, args=args, timeout=self.deadline)
        job = asyncio.wrap_future(future)
        job.add_done_callback(_retrieve)
        return job

    def _new_pool(self) -> ProcessPool:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)  # effective if the fork server is not running yet
        return ProcessPool(self.workers, initializer=_start_worker, context=context)

    def close(self) -> None:
        """Stop the workers (running jobs are abandoned)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.stop()  # type: ignore[no-untyped-call]
            pool.join()


def _retrieve(job: asyncio.Future[Any]) -> None:
    """Mark the outcome of a job whose caller went away as seen (no "never retrieved" warning)."""
    if not job.cancelled():
        job.exception()
