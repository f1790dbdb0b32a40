"""Webhook delivery throughput on this machine (``python -m benchmarks.bench_webhooks [--quick]``).

Deliveries stored as issuing stores them (one job per event and endpoint, queued per endpoint),
then sent by one job runner over the SQLite store to receivers on 127.0.0.1 (uvicorn, answering
200 after checking the Standard Webhooks signature with the ``standardwebhooks`` package).
Measured: deliveries per second from the runner's start until the last one was received —
to one endpoint (one at a time, in order: the endpoint's queue) and to eight endpoints at once.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from standardwebhooks import Webhook
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from benchmarks._harness import Load, Result
from vcengine.services import event_log, organizations, webhook_endpoints
from vcengine.services.context import Actor, Services
from vcengine.services.job_kinds import job_kinds
from vcengine.services.jobs import JobRunner
from vcengine.services.keystore import MasterKey
from vcengine.services.ports import EventRecord
from vcengine.storage.sqlite import SqliteStore

NAME = "webhooks"


class Receiver:
    """uvicorn on 127.0.0.1 that verifies each delivery and counts it."""

    def __init__(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.secret = ""
        self.count = 0
        app = Starlette(routes=[Route("/hook", self._receive, methods=["POST"])])
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        while not self.server.started:
            time.sleep(0.01)

    async def _receive(self, request: Request) -> Response:
        Webhook(self.secret).verify(await request.body(), dict(request.headers))
        self.count += 1
        return Response(status_code=200)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


async def _measure(endpoints: int, events: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteStore(Path(tmp) / "vcengine.sqlite3")
        await store.start()
        services = Services(
            store, MasterKey(os.urandom(32)), "https://bench.example", allow_loopback_webhooks=True
        )
        org = await organizations.create_organization(services, "Bench")
        actor = Actor(org.id, frozenset({"admin"}))
        receivers = [Receiver() for _ in range(endpoints)]
        for receiver in receivers:
            new = await webhook_endpoints.create_endpoint(
                services, actor, receiver.url, ["credential.claimed"]
            )
            receiver.secret = new.secret
        for _ in range(events):
            event = EventRecord(services.new_id(), org.id, "claimed", None, services.now(), {})
            await event_log.record(services, event)
        runner = JobRunner(store, job_kinds(services), services.clock)
        services.jobs = runner
        started = time.perf_counter()
        runner.start()
        try:
            while sum(r.count for r in receivers) < endpoints * events:
                await asyncio.sleep(0.005)
            elapsed = time.perf_counter() - started
        finally:
            await runner.stop()
            for receiver in receivers:
                receiver.stop()
            await services.close()
            await store.close()
        return endpoints * events / elapsed


def run(quick: bool = False) -> list[Result]:
    one, eight = (100, 25) if quick else (500, 100)
    with Load() as load:
        results = [
            Result(
                NAME, f"deliveries/s to one endpoint ({one}, in order)", asyncio.run(_measure(1, one)), "/s"
            ),
            Result(
                NAME,
                f"deliveries/s to 8 endpoints ({8 * eight} in all)",
                asyncio.run(_measure(8, eight)),
                "/s",
            ),
        ]
    for result in results:
        print(result.line())
    print(load.line())
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer deliveries (smoke run)")
    run(parser.parse_args().quick)


if __name__ == "__main__":
    main()
