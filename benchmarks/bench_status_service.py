"""Status lists in the service, on SQLite and on MongoDB (nx-27017 on loopback), as ratios measured
in this process (plain script: ``python benchmarks/bench_status_service.py [--skip-mongo]``).

1. What coherence costs a read. Every instance asks the store for a list's version before it
   serves or verifies against the list it holds, and reads an issuer's keys for every
   verification. Baseline: the same calls with those three reads answered from this process's
   memory (what the instance-local caches did before, stale for up to a day).
   - ``published_list`` (``GET /status-lists/{id}``): coherent / memory-only
   - ``verify`` of a credential with a status entry: coherent / memory-only
2. What atomic changes cost a write: 100 revokes of distinct credentials of one list, each its
   own call. Baseline: the calls one after the other (each one read, one signature, one
   compare-and-set). Measured: all at once in one instance (committed together), and split over
   two instances on one store (they race through compare-and-set rounds).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from vcengine.services import achievements, issuers, issuing, organizations, status_changes, verifying
from vcengine.services.context import Actor, Services
from vcengine.services.issuing import IssueRequest, RecipientInput
from vcengine.services.keystore import MasterKey
from vcengine.services.ports import Store
from vcengine.storage.mongo import MongoStore
from vcengine.storage.sqlite import SqliteStore

BASE_URL = "https://bench.example"


class MemoryReads:
    """A store whose list versions and issuer reads come from memory after the first (the old
    instance-local caches, stale by design); everything else goes to ``store``."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._memory: dict[tuple[str, str], Any] = {}

    def __getattr__(self, name: str) -> Any:
        call = getattr(self._store, name)
        if name not in ("status_list_version", "find_issuer", "list_issuer_keys"):
            return call

        async def remembered(key: str) -> Any:
            if (name, key) not in self._memory:
                self._memory[name, key] = await call(key)
            return self._memory[name, key]

        return remembered


async def per_call_us(
    base: Callable[[], Awaitable[object]],
    measured: Callable[[], Awaitable[object]],
    number: int,
    repeat: int = 7,
) -> tuple[float, float]:
    """Median microseconds per call of ``base`` and of ``measured``, over ``repeat`` interleaved
    rounds of ``number`` sequential calls each (interleaved: a noisy neighbour hits both)."""
    rounds: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for run, out in zip((base, measured), rounds, strict=True):
            started = time.perf_counter()
            for _ in range(number):
                await run()
            out.append((time.perf_counter() - started) * 1e6 / number)
    return statistics.median(rounds[0]), statistics.median(rounds[1])


async def tenant(services: Services) -> tuple[Actor, str]:
    org = await organizations.create_organization(services, "Bench")
    actor = Actor(org.id, frozenset({"admin"}))
    issuer = await issuers.create_issuer(services, actor, issuers.IssuerInput(name="Bench issuer"))
    achievement = await achievements.create_achievement(
        services,
        actor,
        achievements.AchievementInput(issuer.id, "Bench", "Measured", criteria_narrative="Ran"),
    )
    return actor, achievement.id


async def issue(services: Services, actor: Actor, achievement_id: str, count: int) -> list[Any]:
    requests = [
        IssueRequest(achievement_id, RecipientInput(identifier=f"did:example:{i}")) for i in range(count)
    ]
    return [r.issued.record for r in await issuing.bulk_issue(services, actor, requests) if r.issued]


async def reads(stores: Sequence[Store], key: MasterKey) -> None:
    coherent = Services(stores[0], key, BASE_URL)
    memory = Services(MemoryReads(stores[0]), key, BASE_URL)  # type: ignore[arg-type]
    actor, achievement_id = await tenant(coherent)
    [record] = await issue(coherent, actor, achievement_id, 1)
    document = dict(record.document)
    url = document["credentialStatus"]["statusListCredential"]
    calls: list[tuple[str, int, Callable[[Services], Awaitable[object]]]] = [
        ("published_list", 400, lambda s: status_changes.published_list(s, url)),
        ("verify", 100, lambda s: verifying.verify(s, document)),
    ]
    for name, number, run in calls:
        await run(coherent), await run(memory)  # warm both
        base, measured = await per_call_us(partial(run, memory), partial(run, coherent), number)
        line = f"memory-only {base:7.0f} us   coherent {measured:7.0f} us   ratio {measured / base:5.2f}"
        print(f"  {name:<15} {line}")
    await coherent.close()
    await memory.close()


async def writes(stores: Sequence[Store], key: MasterKey, count: int = 100) -> None:
    a, b = Services(stores[0], key, BASE_URL), Services(stores[1], key, BASE_URL)
    actor, achievement_id = await tenant(a)

    async def timed(split: Callable[[list[str]], Awaitable[object]]) -> float:
        ids = [r.id for r in await issue(a, actor, achievement_id, count)]
        started = time.perf_counter()
        await split(ids)
        return (time.perf_counter() - started) * 1000 / count

    async def one_by_one(ids: list[str]) -> None:
        for i in ids:
            await status_changes.change_status(a, actor, [i], "revoke")

    async def at_once(ids: list[str]) -> None:
        await asyncio.gather(*(status_changes.change_status(a, actor, [i], "revoke") for i in ids))

    async def two_instances(ids: list[str]) -> None:
        await asyncio.gather(
            *(status_changes.change_status((a, b)[n % 2], actor, [i], "revoke") for n, i in enumerate(ids))
        )

    base = await timed(one_by_one)
    print(f"  {count} revokes, one by one          {base:7.2f} ms each")
    for name, split in (
        ("all at once, one instance", at_once),
        ("all at once, two instances", two_instances),
    ):
        measured = await timed(split)
        print(f"  {count} revokes, {name:<26} {measured:7.2f} ms each   ratio {measured / base:5.2f}")
    await a.close()
    await b.close()


async def bench(kind: str, make: Callable[[], Store]) -> None:
    stores = [make(), make()]
    for store in stores:
        await store.start()
    try:
        print(f"{kind}:")
        key = MasterKey(os.urandom(32))
        await reads(stores, key)
        await writes(stores, key)
    finally:
        if isinstance(stores[0], MongoStore):
            await stores[0].drop_database()
        for store in stores:
            await store.close()


@contextmanager
def nx_27017(work: Path) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    found = Path(sys.executable).with_name("nx-27017")
    executable = str(found) if found.exists() else shutil.which("nx-27017")
    if executable is None:
        raise SystemExit("nx-27017 is not installed (pip install -e '.[test]'); use --skip-mongo")
    command = [executable, "--db", "memory", "--host", "127.0.0.1", "-p", str(port)]
    command += ["--log-file", str(work / "nx.log"), "--pid-file", str(work / "nx.pid")]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"mongodb://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-mongo", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "vcengine.sqlite3"
        asyncio.run(bench("SQLite", lambda: SqliteStore(path)))
        if not args.skip_mongo:
            with nx_27017(Path(work)) as uri:
                asyncio.run(bench("MongoDB (nx-27017)", lambda: MongoStore(uri, "bench")))


if __name__ == "__main__":
    main()
