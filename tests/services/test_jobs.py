"""The job runner over the real SQLite store: handlers, retries, give-up, leases, several runners."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.services.support import Clock
from vcengine.services.jobs import GiveUp, JobKind, JobRunner, RetryLater, exponential_backoff, new_job
from vcengine.services.ports import JobRecord
from vcengine.storage.sqlite import SqliteStore

pytestmark = pytest.mark.anyio
T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    s = SqliteStore(tmp_path / "jobs.sqlite3")
    await s.start()
    yield s
    await s.close()


def fixed_backoff(attempt: int, rng: random.Random) -> timedelta:
    return timedelta(seconds=10 * attempt)


async def add(store: SqliteStore, job_id: str, kind: str = "mail", **kw: Any) -> None:
    assert await store.add_job(new_job(job_id, "o1", kind, {"n": job_id}, T0, **kw))


async def stored(store: SqliteStore, job_id: str) -> JobRecord:
    job = await store.get_job("o1", job_id)
    assert job is not None
    return job


async def test_a_handled_job_is_done_with_its_result(store: SqliteStore) -> None:
    seen: list[Mapping[str, Any]] = []

    async def handle(job: JobRecord) -> Mapping[str, Any]:
        seen.append(job.payload)
        return {"sent": job.payload["n"]}

    await add(store, "j1")
    runner = JobRunner(store, [JobKind("mail", handle)], Clock(T0))
    assert await runner.run_once() == 1
    assert seen == [{"n": "j1"}]
    job = await stored(store, "j1")
    assert (job.state, job.result, job.attempts) == ("done", {"sent": "j1"}, 1)
    assert await runner.run_once() == 0


async def test_failures_are_retried_with_backoff_then_given_up(store: SqliteStore) -> None:
    async def handle(job: JobRecord) -> None:
        raise RetryLater(f"SMTP 451 (attempt {job.attempts})")

    clock = Clock(T0)
    await add(store, "j1")
    runner = JobRunner(store, [JobKind("mail", handle, max_attempts=3, backoff=fixed_backoff)], clock)
    assert await runner.run_once() == 1
    job = await stored(store, "j1")
    assert (job.state, job.due_at, job.last_error) == (
        "pending",
        T0 + timedelta(seconds=10),
        "SMTP 451 (attempt 1)",
    )
    clock.advance(seconds=9)
    assert await runner.run_once() == 0
    clock.advance(seconds=1)
    assert await runner.run_once() == 1
    assert (await stored(store, "j1")).due_at == clock.now + timedelta(seconds=20)
    clock.advance(seconds=20)
    assert await runner.run_once() == 1
    job = await stored(store, "j1")
    assert job.state == "failed"
    assert job.last_error == "SMTP 451 (attempt 3) (gave up: out of attempts)"


async def test_a_bug_is_retried_and_give_up_fails_at_once(store: SqliteStore) -> None:
    async def handle(job: JobRecord) -> None:
        if job.payload["n"] == "bug":
            raise KeyError("oops")
        raise GiveUp("no rule matches course 42", result={"outcome": "NO_RULE"})

    await add(store, "bug")
    await add(store, "norule")
    runner = JobRunner(store, [JobKind("mail", handle, backoff=fixed_backoff)], Clock(T0))
    assert await runner.run_once() == 2
    bug, norule = await stored(store, "bug"), await stored(store, "norule")
    assert (bug.state, bug.last_error) == ("pending", "KeyError: 'oops'")
    assert (norule.state, norule.result, norule.last_error) == (
        "failed",
        {"outcome": "NO_RULE"},
        "no rule matches course 42",
    )


async def test_time_limits_give_up_after_their_window(store: SqliteStore) -> None:
    async def handle(job: JobRecord) -> None:
        raise RetryLater("receiver down", after=timedelta(hours=2))

    clock = Clock(T0)
    await add(store, "w", kind="webhook")
    kind = JobKind("webhook", handle, max_attempts=100, give_up_after=timedelta(hours=3))
    runner = JobRunner(store, [kind], clock)
    await runner.run_once()
    assert (await stored(store, "w")).state == "pending"
    clock.advance(hours=2)
    await runner.run_once()
    job = await stored(store, "w")
    assert (job.state, job.last_error) == ("failed", "receiver down (gave up: out of time)")


async def test_a_killed_runner_s_job_is_taken_over_when_its_lease_ends(store: SqliteStore) -> None:
    started = asyncio.Event()
    runs: list[int] = []

    async def hangs(job: JobRecord) -> None:
        runs.append(job.attempts)
        started.set()
        await asyncio.sleep(3600)

    async def works(job: JobRecord) -> Mapping[str, Any]:
        runs.append(job.attempts)
        return {"by": "second"}

    clock = Clock(T0)
    await add(store, "j")
    first = JobRunner(store, [JobKind("mail", hangs, lease=timedelta(seconds=30))], clock)
    await first.run_once(wait=False)
    await started.wait()
    await first.stop()  # as good as killed: the job stays "running" with its lease
    second = JobRunner(store, [JobKind("mail", works, lease=timedelta(seconds=30))], clock)
    assert await second.run_once() == 0
    clock.advance(seconds=30)
    assert await second.run_once() == 1
    job = await stored(store, "j")
    assert (job.state, job.result, runs) == ("done", {"by": "second"}, [1, 2])


async def test_each_kind_is_leased_for_its_own_lease(store: SqliteStore) -> None:
    """A runner with a slow kind (long lease) and a quick one: a killed runner's quick jobs are
    taken over after the quick kind's lease, not the slow one's."""
    started = asyncio.Event()

    async def hangs(job: JobRecord) -> None:
        started.set()
        await asyncio.sleep(3600)

    async def works(job: JobRecord) -> Mapping[str, Any]:
        return {"attempt": job.attempts}

    clock = Clock(T0)
    await add(store, "quick", kind="mail")
    kinds = [
        JobKind("mail", hangs, lease=timedelta(seconds=20)),
        JobKind("poll", works, lease=timedelta(minutes=5)),
    ]
    first = JobRunner(store, kinds, clock)
    await first.run_once(wait=False)
    await started.wait()
    await first.stop()
    running = await stored(store, "quick")
    assert running.state == "running" and running.lease_until == T0 + timedelta(seconds=20)
    second = JobRunner(store, [JobKind("mail", works, lease=timedelta(seconds=20)), kinds[1]], clock)
    clock.advance(seconds=21)
    assert await second.run_once() == 1
    assert (await stored(store, "quick")).result == {"attempt": 2}


async def test_two_runners_on_one_store_run_each_job_once(store: SqliteStore, tmp_path: Path) -> None:
    other = SqliteStore(store.path)
    await other.start()
    handled: list[str] = []

    async def handle(job: JobRecord) -> None:
        handled.append(job.id)
        await asyncio.sleep(0)

    for i in range(40):
        await add(store, f"j{i:02}")
    clock = Clock(T0)
    runners = [JobRunner(s, [JobKind("mail", handle)], clock, concurrency=3) for s in (store, other)]
    tasks = [asyncio.create_task(r.run()) for r in runners]
    for _ in range(200):
        if len(handled) == 40:
            break
        await asyncio.sleep(0.05)
    for r in runners:
        await r.stop()
    for t in tasks:
        t.cancel()
    await other.close()
    assert sorted(handled) == [f"j{i:02}" for i in range(40)]
    page = await store.list_jobs("o1", "mail", ["done"], None, 100)
    assert len(page.items) == 40


async def test_wake_runs_a_new_job_without_waiting_for_the_poll(store: SqliteStore) -> None:
    done = asyncio.Event()

    async def handle(job: JobRecord) -> None:
        done.set()

    runner = JobRunner(store, [JobKind("mail", handle)], Clock(T0), poll=3600)
    runner.start()
    await asyncio.sleep(0.05)  # the runner found nothing and sleeps for an hour
    await add(store, "j")
    runner.wake()
    await asyncio.wait_for(done.wait(), 30)
    await runner.stop()


def test_backoff_doubles_up_to_its_cap_with_jitter() -> None:
    delay = exponential_backoff(timedelta(seconds=4), timedelta(seconds=60))
    rng = random.Random(7)
    for attempt, ceiling in [(1, 4), (2, 8), (3, 16), (5, 60), (60, 60)]:
        value = delay(attempt, rng).total_seconds()
        assert ceiling / 2 <= value <= ceiling
