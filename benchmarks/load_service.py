"""Load test of the running service, from a second process over loopback (issue 4, Performance).

Starts ``vcengine serve`` (embedded SQLite store) in a subprocess on 127.0.0.1, then from this
process measures:

- ``issueCredential`` over GraphQL/HTTP, sequentially and with concurrent clients: p50 / p99;
- ``bulkIssue`` of 10,000 credentials in one call, and ``bulkIssueJson`` (the same items as one
  JSON value): credentials per second (the server signs in worker processes on every core);
- ``POST /credentials/verify`` of an issued credential whose status list is cached: p50;
- two ``vcengine serve`` instances on the same store against one: concurrent issue throughput,
  in interleaved rounds (one instance, then both, ...), the ratio of the medians.

    .venv/bin/python benchmarks/load_service.py [--sequential 300] [--concurrent 400]
        [--clients 8] [--bulk 10000] [--verify 500] [--verify-workers N] [--rounds 3]
    .venv/bin/python benchmarks/load_service.py --only-verify [--verify 500]

Targets (issue 12): issue p50 <= 4 ms, p99 <= 20 ms; bulk >= 2,500 credentials/s; verify p50
<= 1.5 ms; two instances >= 1.4x one. Every phase prints the machine's load average and this
client's own CPU use (a client that saturates a core measures itself, not the server). Every
loop is bounded; nothing leaves the loopback interface.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx2 as httpx

API_KEY = "vce_loadtest_0123456789abcdefghijABCDEFGHIJ"
ISSUE = (
    "mutation($i: IssueCredentialInput!) { issueCredential(input: $i) {"
    " credential { url } userErrors { message } } }"
)
BULK = (
    "mutation($i: BulkIssueInput!) { bulkIssue(input: $i) {"
    " issuedCount failedCount userErrors { message } } }"
)
BULK_JSON = (
    "mutation($i: BulkIssueJsonInput!) { bulkIssueJson(input: $i) {"
    " issuedCount failedCount userErrors { message } } }"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def start_server(
    data_dir: Path, settings: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    """``vcengine serve`` on a free loopback port; ``settings``: extra ``VCENGINE_*`` variables."""
    port = free_port()
    script = Path(sys.executable).with_name("vcengine")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "vcengine"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("VCENGINE_")}
    env.update(settings or {})
    env["VCENGINE_BOOTSTRAP_API_KEY"] = API_KEY
    process = subprocess.Popen(
        [*command, "serve", "--data", str(data_dir), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit("the server did not start")


def gql(client: httpx.Client, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    body = client.post("/graphql", json={"query": query, "variables": variables}).json()
    if "errors" in body:
        raise SystemExit(f"GraphQL error: {body['errors']}")
    data: dict[str, Any] = next(iter(body["data"].values()))
    if data.get("userErrors"):
        raise SystemExit(f"user errors: {data['userErrors']}")
    return data


def setup(client: httpx.Client) -> str:
    issuer = gql(
        client,
        "mutation($i: CreateIssuerInput!) { createIssuer(input: $i) {"
        " issuer { id } userErrors { message } } }",
        {"i": {"name": "Load Test Academy", "url": "https://load.example"}},
    )["issuer"]
    achievement = gql(
        client,
        "mutation($i: CreateAchievementInput!) { createAchievement(input: $i) {"
        " achievement { id } userErrors { message } } }",
        {
            "i": {
                "issuerId": issuer["id"],
                "name": "Load Tested",
                "description": "Survived the load test.",
                "criteriaNarrative": "Was issued during a benchmark.",
            }
        },
    )["achievement"]
    return str(achievement["id"])


def item(achievement: str, n: int) -> dict[str, Any]:
    return {"achievementId": achievement, "recipient": {"email": f"learner{n}@load.example"}}


async def concurrent_issue(
    bases: str | list[str], achievement: str, count: int, clients: int
) -> tuple[list[float], float]:
    """``count`` issues from ``clients`` concurrent clients, spread evenly over ``bases``."""
    bases = [bases] if isinstance(bases, str) else bases
    samples: list[float] = []
    headers = {"Authorization": f"Bearer {API_KEY}"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    clients_by_base = [
        httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=60) for base in bases
    ]
    try:
        queue = iter(range(count))

        async def worker(client: httpx.AsyncClient) -> None:
            for n in queue:
                started = time.perf_counter()
                response = await client.post(
                    "/graphql", json={"query": ISSUE, "variables": {"i": item(achievement, n)}}
                )
                response.raise_for_status()
                samples.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(worker(clients_by_base[i % len(bases)]) for i in range(clients)))
        elapsed = time.perf_counter() - started
    finally:
        for client in clients_by_base:
            await client.aclose()
    return samples, count / elapsed


class Phase:
    """The machine's load average and this client's CPU share while a phase ran."""

    def __enter__(self) -> Phase:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        wall = time.perf_counter() - self.wall
        self.client_cpu = (time.process_time() - self.cpu) / wall if wall else 0.0
        self.load = os.getloadavg()[0]

    def line(self) -> str:
        return f"load average {self.load:.2f}, load client CPU {self.client_cpu:.0%} of a core"


def scaling(base: str, second: str, achievement: str, count: int, clients: int, rounds: int) -> list[float]:
    """Throughput of one instance and of two, in interleaved rounds: [one, two] medians."""
    one, two = [], []
    for _ in range(rounds):
        one.append(asyncio.run(concurrent_issue(base, achievement, count, clients))[1])
        two.append(asyncio.run(concurrent_issue([base, second], achievement, count, clients))[1])
    return [statistics.median(one), statistics.median(two)]


def bulk_issue(client: httpx.Client, achievement: str, count: int, *, as_json: bool = False) -> float:
    """``bulkIssue`` (typed input objects) or ``bulkIssueJson`` (the items as one JSON value)."""
    prefix = "bulk-json" if as_json else "bulk"
    items = [{**item(achievement, n), "idempotencyKey": f"{prefix}-{n}"} for n in range(count)]
    started = time.perf_counter()
    result = gql(client, BULK_JSON if as_json else BULK, {"i": {"items": items}})
    elapsed = time.perf_counter() - started
    if result["issuedCount"] != count:
        raise SystemExit(f"bulk issued {result['issuedCount']} of {count} ({result['failedCount']} failed)")
    return count / elapsed


class RawClient:
    """A keep-alive ``http.client`` connection: a thin client, so the figures are the server's
    latency rather than the client library's (as wrk or ab would measure)."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)

    def post_json(self, path: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        self.connection.request("POST", path, body=body, headers=all_headers)
        response = self.connection.getresponse()
        return response.status, response.read()

    def close(self) -> None:
        self.connection.close()


def sequential_issue(base: str, achievement: str, count: int) -> tuple[list[float], str]:
    raw, samples, url = RawClient(base), [], ""
    headers = {"Authorization": f"Bearer {API_KEY}"}
    try:
        for n in range(count):
            body = json.dumps({"query": ISSUE, "variables": {"i": item(achievement, n)}}).encode()
            started = time.perf_counter()
            status, data = raw.post_json("/graphql", body, headers)
            samples.append((time.perf_counter() - started) * 1000)
            result = json.loads(data)
            if status != 200 or "errors" in result:
                raise SystemExit(f"issueCredential failed: {status} {data[:300]!r}")
            url = result["data"]["issueCredential"]["credential"]["url"]
    finally:
        raw.close()
    return samples, url


def verify(client: httpx.Client, url: str, count: int) -> list[float]:
    document = client.get(url, headers={"Accept": "application/ld+json"}).json()
    body = json.dumps({"verifiableCredential": document}).encode()
    raw = RawClient(str(client.base_url))
    try:
        status, data = raw.post_json("/credentials/verify", body)  # warms the status list cache
        if status != 200 or not json.loads(data)["verified"]:
            raise SystemExit(f"the credential did not verify: {data[:500]!r}")
        samples = []
        for _ in range(count):
            started = time.perf_counter()
            status, data = raw.post_json("/credentials/verify", body)
            samples.append((time.perf_counter() - started) * 1000)
            if status != 200:
                raise SystemExit(f"verify failed: {status}")
    finally:
        raw.close()
    return samples


def report(name: str, value: float, target: str, ok: bool) -> None:
    print(f"  {name:<38} {value:>10.2f}   target {target:<12} {'OK' if ok else 'MISSED'}")


def report_verify(samples: list[float]) -> None:
    median = statistics.median(samples)
    report(f"verify, cached status list p50 (ms, n={len(samples)})", median, "<= 1.5 ms", median <= 1.5)
    report("verify, cached status list p99 (ms)", percentile(samples, 99), "", True)


def only_verify(count: int, settings: dict[str, str]) -> int:
    with tempfile.TemporaryDirectory(prefix="vcengine-load-") as tmp:
        process, base = start_server(Path(tmp), settings)
        try:
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {API_KEY}"}) as client:
                _, url = sequential_issue(base, setup(client), 20)
                with Phase() as phase:
                    samples = verify(client, url, count)
        finally:
            process.terminate()
            process.wait(timeout=15)
    workers = settings.get("VCENGINE_VERIFY_WORKERS", "default")
    print(f"vcengine verify load test ({os.cpu_count()} cores, embedded store, verify workers {workers})")
    report_verify(samples)
    print(f"  verify: {phase.line()}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sequential", type=int, default=300)
    parser.add_argument("--concurrent", type=int, default=400)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--bulk", type=int, default=10_000)
    parser.add_argument("--verify", type=int, default=500)
    parser.add_argument(
        "--verify-workers", help="VCENGINE_VERIFY_WORKERS for the server (0: inline, the old way)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of the scaling test")
    parser.add_argument("--only-verify", action="store_true", help="measure verify only")
    args = parser.parse_args()
    settings = {} if args.verify_workers is None else {"VCENGINE_VERIFY_WORKERS": args.verify_workers}
    if args.only_verify:
        return only_verify(args.verify, settings)
    phases: dict[str, Phase] = {}
    with tempfile.TemporaryDirectory(prefix="vcengine-load-") as tmp:
        process, base = start_server(Path(tmp), settings)
        second_process = None
        try:
            headers = {"Authorization": f"Bearer {API_KEY}"}
            with httpx.Client(base_url=base, headers=headers, timeout=600) as client:
                achievement = setup(client)
                sequential_issue(base, achievement, 20)  # warm-up: keys unsealed, lists opened
                with Phase() as phases["sequential"]:
                    seq, url = sequential_issue(base, achievement, args.sequential)
                with Phase() as phases["concurrent"]:
                    conc, throughput = asyncio.run(
                        concurrent_issue(base, achievement, args.concurrent, args.clients)
                    )
                with Phase() as phases["bulk"]:
                    bulk_rate = bulk_issue(client, achievement, args.bulk)
                with Phase() as phases["bulk JSON"]:
                    bulk_json_rate = bulk_issue(client, achievement, args.bulk, as_json=True)
                with Phase() as phases["verify"]:
                    ver = verify(client, url, args.verify)
                second_process, second = start_server(Path(tmp), settings)
                sequential_issue(second, achievement, 20)  # the second instance warmed up too
                with Phase() as phases["scaling"]:
                    one, two = scaling(base, second, achievement, args.concurrent, args.clients, args.rounds)
        finally:
            for running in (process, second_process):
                if running is not None:
                    running.terminate()
                    running.wait(timeout=15)
    workers = args.verify_workers or "default"
    print(f"vcengine load test ({os.cpu_count()} cores, embedded store, loopback, verify workers {workers})")
    report(
        f"issueCredential sequential p50 (ms, n={len(seq)})",
        statistics.median(seq),
        "<= 4 ms",
        statistics.median(seq) <= 4,
    )
    report("issueCredential sequential p99 (ms)", percentile(seq, 99), "<= 20 ms", percentile(seq, 99) <= 20)
    report(f"issueCredential {args.clients} clients p50 (ms)", statistics.median(conc), "", True)
    report(f"issueCredential {args.clients} clients p99 (ms)", percentile(conc, 99), "", True)
    report("issueCredential concurrent (credentials/s)", throughput, "", True)
    report(f"bulkIssue of {args.bulk} (credentials/s)", bulk_rate, ">= 2500/s", bulk_rate >= 2500)
    report(
        f"bulkIssueJson of {args.bulk} (credentials/s)", bulk_json_rate, ">= 2500/s", bulk_json_rate >= 2500
    )
    report_verify(ver)
    report(f"one instance, {args.clients} clients (credentials/s)", one, "", True)
    report("two instances, one store (credentials/s)", two, "", True)
    report("two instances / one (ratio)", two / one, ">= 1.4x", two / one >= 1.4)
    for name, phase in phases.items():
        print(f"  {name}: {phase.line()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
