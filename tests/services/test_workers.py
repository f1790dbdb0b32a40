"""Worker processes exit with the process that started them, however it ends (issue 7, finding 7).

A parent process (a real subprocess) starts a ``WorkerPool`` and runs a job in each worker; the
test SIGKILLs the parent — no shutdown runs — and every worker must be gone within seconds."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.e2e.test_worker_lifetime import alive
from vcengine.services.workers import WorkerPool

PARENT = textwrap.dedent(
    """
    import json, os, sys, time
    from vcengine.services.workers import WorkerPool

    def pid_after(seconds):
        time.sleep(seconds)
        return os.getpid()

    if __name__ == "__main__":
        pool = WorkerPool(2)
        pids = sorted(set(pool.executor.map(pid_after, [0.3, 0.3, 0.3, 0.3])))
        print(json.dumps(pids), flush=True)
        time.sleep(120)
    """
)

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")


def test_workers_exit_when_their_service_is_killed(tmp_path: Path) -> None:
    script = tmp_path / "parent.py"
    script.write_text(PARENT)
    parent = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    workers: set[int] = set()
    try:
        assert parent.stdout is not None
        workers = set(json.loads(parent.stdout.readline()))
        assert len(workers) == 2 and alive(workers) == workers
        os.kill(parent.pid, signal.SIGKILL)  # the parent only; its process group is left alone
        parent.wait()
        deadline = time.monotonic() + 10
        while alive(workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(workers)
    finally:
        for pid in alive(workers):
            os.kill(pid, signal.SIGKILL)
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        if parent.stdout is not None:
            parent.stdout.close()


def _square(n: int) -> int:
    return n * n


def test_jobs_run_and_shutdown_stops_the_workers() -> None:
    pool = WorkerPool(2)
    try:
        assert list(pool.executor.map(_square, range(10))) == [n * n for n in range(10)]
        workers = {p.pid for p in pool.executor._processes.values()}
    finally:
        pool.shutdown()
    deadline = time.monotonic() + 10
    while alive(workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(workers)
