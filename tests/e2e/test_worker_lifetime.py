"""Issue 7, finding 7: a SIGKILLed ``vcengine serve`` leaves no signing worker behind. A bulk
issue starts the worker pool (under the forkserver start method: a fork server and its workers);
the server alone is killed (not its process group), and every process it had started must be
gone within a few seconds."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.e2e.conftest import ADMIN_KEY, Served, create_achievement, graphql, serve_env
from vcengine.api.app import signing_processes

BULK = "mutation($i: BulkIssueInput!) { bulkIssue(input: $i) { issuedCount userErrors { message } } }"


def _parents() -> dict[int, int]:
    """pid -> parent pid of every live (non-zombie) process, from /proc."""
    out = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if state != "Z":
            out[int(entry.name)] = int(ppid)
    return out


def descendants(pid: int) -> set[int]:
    parents = _parents()
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pids: set[int]) -> set[int]:
    return pids & set(_parents())


def _commands(pids: set[int]) -> dict[int, str]:
    out = {}
    for pid in pids:
        try:
            out[pid] = (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ")[:120].decode()
        except OSError:
            out[pid] = "?"
    return out


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process tree from /proc")
@pytest.mark.skipif(signing_processes() == 0, reason="one core: signing runs in a thread, no workers")
def test_signing_workers_die_with_a_sigkilled_server(tmp_path: Path) -> None:
    server = Served(tmp_path, serve_env(VCENGINE_BOOTSTRAP_API_KEY=ADMIN_KEY))
    workers: set[int] = set()
    try:
        server.wait_ready()
        with httpx.Client(
            base_url=server.base_url, headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=120
        ) as admin:
            achievement = create_achievement(
                admin,
                "Pool Academy",
                "https://pool.example",
                name="Parallel",
                description="Signed in bulk.",
                criteriaNarrative="Was issued in a batch.",
            )
            items = [{"achievementId": achievement, "recipient": {"name": f"L{i}"}} for i in range(100)]
            assert graphql(admin, BULK, {"i": {"items": items}})["issuedCount"] == 100
        workers = descendants(server.process.pid)
        assert len(workers) >= signing_processes(), workers  # the fork server and its workers
        os.kill(server.process.pid, signal.SIGKILL)  # the server only: no shutdown, no pool.shutdown()
        server.process.wait()
        deadline = time.monotonic() + 10
        while alive(workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive(workers), f"still running after the server was killed: {_commands(alive(workers))}"
    finally:
        for pid in alive(workers):
            os.kill(pid, signal.SIGKILL)
        server.stop()
