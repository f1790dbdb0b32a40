"""The verification pool with real worker processes: back-pressure, lanes, deadline, replacement.

Saturation is made deterministic with jobs that block until the test releases them (a file
appears), so no assertion depends on how fast the machine is.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from vcengine.errors import Aborted, Busy, InputError
from vcengine.services.verification_pool import VerificationPool

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


# --- jobs (module level: the workers import them by name) ---------------------------------------


def pid() -> int:
    return os.getpid()


def block(release: str, started: str | None = None) -> int:
    """Hold a worker until the file ``release`` exists (at most 60 s); ``started`` is created first."""
    if started:
        Path(started).touch()
    end = time.monotonic() + 60
    while not Path(release).exists() and time.monotonic() < end:
        time.sleep(0.01)
    return os.getpid()


def spin(started: str) -> None:
    """Burn CPU for ever (until the pool kills the worker), after writing its pid to ``started``."""
    Path(started).write_text(str(os.getpid()))
    while True:
        pass


def fail() -> None:
    raise InputError("not a credential", path="$.credentialSubject")


def die() -> None:
    os._exit(3)


async def wait_for_file(path: Path, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < end, f"{path} was never created"
        await asyncio.sleep(0.01)


def alive(process_id: int) -> bool:
    try:
        os.kill(process_id, 0)
    except ProcessLookupError:
        return False
    return (
        Path(f"/proc/{process_id}/stat").exists()
        and " Z " not in Path(f"/proc/{process_id}/stat").read_text()
    )


@pytest.fixture
async def pool_of(tmp_path: Path) -> AsyncIterator[type]:
    made: list[VerificationPool] = []

    def make(workers: int, queue: int, deadline: float = 30) -> VerificationPool:
        pool = VerificationPool(workers, queue, deadline)
        made.append(pool)
        return pool

    yield make  # type: ignore[misc]
    for pool in made:
        pool.close()


# --- tests ---------------------------------------------------------------------------------------


async def test_jobs_run_in_worker_processes_and_errors_come_back_intact(pool_of: type) -> None:
    pool = pool_of(2, 2)
    assert await pool.run(pid) != os.getpid()
    with pytest.raises(InputError) as caught:
        await pool.run(fail)
    assert caught.value.path == "$.credentialSubject" and caught.value.message == "not a credential"


async def test_inline_mode_runs_in_this_process(pool_of: type) -> None:
    pool = pool_of(0, 0)
    assert not pool.bounded
    assert await pool.run(pid) == os.getpid()


async def test_a_full_pool_refuses_at_once_and_serves_again_when_free(pool_of: type, tmp_path: Path) -> None:
    pool = pool_of(1, 0)
    release, started = tmp_path / "release", tmp_path / "started"
    holder = asyncio.create_task(pool.run(block, str(release), str(started)))
    await wait_for_file(started)
    with pytest.raises(Busy, match="busy"):
        await pool.run(pid)
    with pytest.raises(Busy):
        pool.refuse_if_full()
    release.touch()
    worker = await holder
    assert await pool.run(pid) == worker
    pool.refuse_if_full()  # no longer full: does not raise


async def test_thread_jobs_run_here_and_take_a_slot_like_the_others(pool_of: type, tmp_path: Path) -> None:
    pool = pool_of(1, 0)
    release, started = tmp_path / "release", tmp_path / "started"
    holder = asyncio.create_task(pool.run_in_thread(block, str(release), str(started)))
    await wait_for_file(started)
    with pytest.raises(Busy):  # the thread job holds the only slot
        await pool.run(pid)
    with pytest.raises(Busy):
        await pool.run_in_thread(pid)
    release.touch()
    assert await holder == os.getpid()
    assert await pool.run_in_thread(pid) == os.getpid()
    assert await pool.run(pid) != os.getpid()  # the slot was given back


async def test_the_queue_is_bounded_and_served_in_order(pool_of: type, tmp_path: Path) -> None:
    pool = pool_of(1, 1)
    release, started = tmp_path / "release", tmp_path / "started"
    holder = asyncio.create_task(pool.run(block, str(release), str(started)))
    await wait_for_file(started)
    waiting = asyncio.create_task(pool.run(pid))
    await asyncio.sleep(0.05)
    assert not waiting.done()
    with pytest.raises(Busy):
        await pool.run(pid)  # the one queue place is taken
    release.touch()
    assert await waiting == await holder


async def test_a_job_waits_at_most_the_deadline(pool_of: type, tmp_path: Path) -> None:
    pool = pool_of(1, 4, deadline=0.5)
    release, started = tmp_path / "release", tmp_path / "started"
    # A thread job has no deadline, so it holds the only slot however slow the machine is (a
    # worker-process holder is itself stopped at 0.5 s, which could free the slot first).
    holder = asyncio.create_task(pool.run_in_thread(block, str(release), str(started)))
    await wait_for_file(started)
    with pytest.raises(Busy, match=r"no verification worker became free within 0\.5 s"):
        await pool.run(pid)
    release.touch()
    await holder


async def test_a_job_runs_at_most_the_deadline(pool_of: type, tmp_path: Path) -> None:
    pool = pool_of(1, 4, deadline=0.5)
    with pytest.raises(Aborted):  # never released: stopped at 0.5 s
        await pool.run(block, str(tmp_path / "never"))


async def test_stored_jobs_keep_a_worker_that_submitted_ones_cannot_take(
    pool_of: type, tmp_path: Path
) -> None:
    pool = pool_of(2, 0)
    release, started = tmp_path / "release", tmp_path / "started"
    holder = asyncio.create_task(pool.run(block, str(release), str(started), lane="submitted"))
    await wait_for_file(started)
    with pytest.raises(Busy):  # the submitted lane may use 1 of the 2 workers
        await pool.run(pid, lane="submitted")
    first = await pool.run(pid, lane="stored")  # the page's verification still runs, at once
    second = await pool.run(pid, lane="stored")
    assert first == second
    release.touch()
    assert await holder != first


async def test_waiting_stored_jobs_go_before_waiting_submitted_ones(pool_of: type, tmp_path: Path) -> None:
    pool = pool_of(1, 2)
    release, started = tmp_path / "release", tmp_path / "started"
    holder = asyncio.create_task(pool.run(block, str(release), str(started)))
    await wait_for_file(started)
    order: list[str] = []

    async def job(lane: str) -> None:
        await pool.run(pid, lane=lane)  # type: ignore[arg-type]
        order.append(lane)

    submitted = asyncio.create_task(job("submitted"))
    await asyncio.sleep(0.05)
    stored = asyncio.create_task(job("stored"))
    await asyncio.sleep(0.05)
    release.touch()
    await asyncio.gather(holder, submitted, stored)
    assert order == ["stored", "submitted"]


async def test_a_job_past_its_deadline_is_aborted_and_its_worker_replaced(
    pool_of: type, tmp_path: Path
) -> None:
    pool = pool_of(1, 0, deadline=1)
    started = tmp_path / "started"
    began = time.monotonic()
    with pytest.raises(Aborted, match="deadline; the credential was not verified"):
        await pool.run(spin, str(started))
    assert time.monotonic() - began < 20
    runaway = int(started.read_text())
    replacement = await pool.run(pid)  # the pool works on, in a new worker
    assert replacement != runaway
    end = time.monotonic() + 10
    while alive(runaway):
        assert time.monotonic() < end, "the runaway worker was not killed"
        await asyncio.sleep(0.05)


async def test_a_worker_that_dies_aborts_its_job_only(pool_of: type) -> None:
    pool = pool_of(1, 0)
    with pytest.raises(Aborted, match="exit code 3"):
        await pool.run(die)
    assert await pool.run(pid) != os.getpid()


async def test_a_pool_whose_idle_worker_was_killed_is_renewed(pool_of: type) -> None:
    pool = pool_of(1, 0)
    idle = await pool.run(pid)
    os.kill(idle, signal.SIGKILL)  # pebble gives up on a pool whose idle worker dies
    end = time.monotonic() + 10
    while alive(idle):
        assert time.monotonic() < end
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)  # pebble's manager looks every 0.1 s
    assert await pool.run(pid) not in (idle, os.getpid())


@pytest.mark.parametrize("where", ["run", "run_in_thread"])
async def test_a_cancelled_caller_keeps_the_slot_until_its_job_ends(
    pool_of: type, tmp_path: Path, where: str
) -> None:
    pool = pool_of(1, 0)
    release, started = tmp_path / "release", tmp_path / "started"
    holder = asyncio.create_task(getattr(pool, where)(block, str(release), str(started)))
    await wait_for_file(started)
    holder.cancel()
    with pytest.raises(asyncio.CancelledError):
        await holder
    with pytest.raises(Busy):  # the worker is still busy with the abandoned job
        await pool.run(pid)
    release.touch()
    end = time.monotonic() + 10
    while True:
        try:
            await pool.run(pid)
            break
        except Busy:
            assert time.monotonic() < end, "the slot was never released"
            await asyncio.sleep(0.02)


async def test_a_busy_worker_dies_with_its_parent(pool_of: type, tmp_path: Path) -> None:
    """The fork server (the workers' parent) exits with the service; a worker in the middle of a
    job must not run on until its deadline (PR_SET_PDEATHSIG)."""
    pool = pool_of(1, 0, deadline=120)
    started = tmp_path / "started"
    job = asyncio.create_task(pool.run(spin, str(started)))
    await wait_for_file(started)
    while not started.read_text():
        await asyncio.sleep(0.01)
    worker = int(started.read_text())
    stat = Path(f"/proc/{worker}/stat").read_text()
    fork_server = int(stat[stat.rindex(")") + 2 :].split()[1])
    assert fork_server != os.getpid()
    os.kill(fork_server, signal.SIGKILL)  # multiprocessing starts a new one when next needed
    with pytest.raises(Aborted, match="worker stopped"):
        await asyncio.wait_for(job, 30)
    end = time.monotonic() + 10
    while alive(worker):
        assert time.monotonic() < end, "the worker outlived its parent"
        await asyncio.sleep(0.05)


def test_settings_are_checked() -> None:
    for bad in ((-1, 0, 1.0), (1, -1, 1.0), (1, 0, 0.0)):
        with pytest.raises(ValueError):
            VerificationPool(*bad)
    assert repr(VerificationPool(2, 8, 10)) == "VerificationPool(workers=2, queue=8, deadline=10)"
