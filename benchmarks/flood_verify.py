"""Verification flood (issue 7, finding 4): does the service stay responsive while attacked?

Starts ``vcengine serve`` (embedded store, loopback) and builds a hostile credential from a real
signed one: an 8-node blank-node clique in its subject and many proofs whose ``proofValue`` has
the real length but is wrong (whatever the core does with it is what is measured). Then, for
each mode — ``inline`` (``VCENGINE_VERIFY_WORKERS=0``: verification in the server's threads,
unbounded, as before the pool) and ``pool`` (the default bounded verification pool) — in
interleaved rounds, each on a fresh server:

1. one hostile request alone: its wall time and the server's CPU seconds;
2. a flood: ``--clients`` concurrent clients in a second process POST the hostile credential to
   ``/credentials/verify`` for ``--seconds``, while this process measures p50/p99 of normal
   requests one after another: ``GET /healthz``, a credential's HTML page, ``issueCredential``
   over GraphQL. Reported: responses by status (503s), server CPU seconds (the server and all
   its child processes, from /proc) per hostile verification that ran, the load average,
   and the CPU time of the clients.

Before the rounds, both modes serve the normal path side by side: verifying an issued credential,
requests alternating between the two servers, so both see the same machine (p50 ratio).

    .venv/bin/python benchmarks/flood_verify.py [--clients 45] [--seconds 15] [--proofs 100]
        [--nodes 8] [--rounds 1] [--verify 300]

Every loop is bounded in time; servers are killed at the end of their phase; nothing leaves the
loopback interface. Linux only (/proc).
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import http.client
import json
import multiprocessing
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx2 as httpx
from load_service import API_KEY, ISSUE, item, percentile, setup, start_server

MODES = {"inline": {"VCENGINE_VERIFY_WORKERS": "0"}, "pool": {}}
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- the server's CPU time: the process and every descendant, from /proc ---------------------------


def _stat(pid: str) -> tuple[int, float] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    # after the command: state ppid ... utime(14) stime(15) cutime(16) cstime(17), 1-based overall
    ppid = int(fields[1])
    ticks = sum(int(f) for f in fields[11:15])
    return ppid, ticks / CLK_TCK


def tree_cpu(root: int) -> float:
    """CPU seconds of ``root`` and its descendants (living ones, plus the reaped ones their
    parents waited for: cutime/cstime)."""
    stats = {int(p): s for p in os.listdir("/proc") if p.isdigit() and (s := _stat(p)) is not None}
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            total += stats[pid][1]
            todo.extend(children.get(pid, []))
    return total


# --- clients ---------------------------------------------------------------------------------------


def _connection(base: str, timeout: float) -> http.client.HTTPConnection:
    parts = urlsplit(base)
    return http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)


def request(
    base: str, method: str, path: str, body: bytes | None, headers: dict[str, str], timeout: float
) -> tuple[int, bytes]:
    """One request on a fresh connection; status 0 when it did not finish within ``timeout``."""
    connection = _connection(base, max(timeout, 0.05))
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    except (TimeoutError, OSError, http.client.HTTPException):
        return 0, b""
    finally:
        connection.close()


def flood_client(base: str, body: bytes, clients: int, seconds: float, out: Any) -> None:
    """In a second process: ``clients`` threads POST ``body`` until ``seconds`` have passed."""
    end = time.monotonic() + seconds
    statuses: Counter[str] = Counter()
    lock = threading.Lock()

    def one_client() -> None:
        headers = {"Content-Type": "application/json"}
        while (left := end - time.monotonic()) > 0:
            status, data = request(base, "POST", "/credentials/verify", body, headers, left)
            kind = str(status) if status else "unfinished"
            if status == 503:
                kind += " " + str(json.loads(data).get("type", "")).rsplit(":", 1)[-1]
            with lock:
                statuses[kind] += 1

    threads = [threading.Thread(target=one_client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 5)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    out.send({"statuses": dict(statuses), "cpu": usage.ru_utime + usage.ru_stime})
    out.close()


@dataclass
class Probe:
    """A normal request repeated one after another, its latencies and failures."""

    name: str
    send: Callable[[float], int]
    samples: list[float] = field(default_factory=list)
    failures: Counter[int] = field(default_factory=Counter)

    def run(self, until: float, timeout: float) -> None:
        while time.monotonic() < until:
            started = time.perf_counter()
            status = self.send(timeout)
            self.samples.append((time.perf_counter() - started) * 1000)
            if not 200 <= status < 300:
                self.failures[status] += 1
            time.sleep(0.05)

    def summary(self) -> str:
        if not self.samples:
            return "no samples"
        failures = ", ".join(f"{s or 'timeout'}: {n}" for s, n in sorted(self.failures.items()))
        return (
            f"p50 {statistics.median(self.samples):8.1f} ms  p99 {percentile(self.samples, 99):8.1f} ms"
            f"  n={len(self.samples)}" + (f"  failed: {failures}" if failures else "")
        )


# --- the hostile credential ------------------------------------------------------------------------


def hostile(credential: dict[str, Any], nodes: int, proofs: int) -> dict[str, Any]:
    """``credential`` with a ``nodes``-clique of blank nodes in its subject and ``proofs`` copies
    of its proof whose proofValue keeps its length but is wrong."""
    out = copy.deepcopy(credential)
    knows = "https://flood.example/vocab#knows"
    out["credentialSubject"]["https://flood.example/vocab#clique"] = [
        {"@id": f"_:n{i}", knows: [{"@id": f"_:n{j}"} for j in range(nodes) if j != i]} for i in range(nodes)
    ]
    proof = credential["proof"]
    value = proof["proofValue"]
    out["proof"] = [
        {**proof, "proofValue": value[:-8] + f"{k:08d}".translate(_DIGITS)} for k in range(proofs)
    ]
    return out


_DIGITS = str.maketrans("0123456789", "ABCDEFGHJK")  # base58btc letters


# --- one server ------------------------------------------------------------------------------------


@dataclass
class Server:
    process: Any
    base: str
    achievement: str
    page: str
    credential: dict[str, Any]

    @property
    def pid(self) -> int:
        return int(self.process.pid)


@contextlib.contextmanager
def server(mode: str) -> Iterator[Server]:
    with tempfile.TemporaryDirectory(prefix=f"vcengine-flood-{mode}-") as tmp:
        process, base = start_server(Path(tmp), MODES[mode])
        try:
            headers = {"Authorization": f"Bearer {API_KEY}"}
            with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
                achievement = setup(client)
                issued = client.post(
                    "/graphql", json={"query": ISSUE, "variables": {"i": item(achievement, 0)}}
                )
                url = issued.json()["data"]["issueCredential"]["credential"]["url"]
                document = client.get(url, headers={"Accept": "application/ld+json"}).json()
            yield Server(process, base, achievement, urlsplit(url).path, document)
        finally:
            # Kill (not terminate): an inline server would finish its abandoned verifications first.
            process.kill()
            process.wait(timeout=15)


def probes(srv: Server) -> list[Probe]:
    auth = {"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"}
    counter = iter(range(1, 1_000_000))

    def healthz(timeout: float) -> int:
        return request(srv.base, "GET", "/healthz", None, {}, timeout)[0]

    def page(timeout: float) -> int:
        return request(srv.base, "GET", srv.page, None, {"Accept": "text/html"}, timeout)[0]

    def issue(timeout: float) -> int:
        body = json.dumps({"query": ISSUE, "variables": {"i": item(srv.achievement, next(counter))}}).encode()
        status, data = request(srv.base, "POST", "/graphql", body, auth, timeout)
        return status if status != 200 or b'"errors"' not in data else 599

    return [
        Probe("GET /healthz", healthz),
        Probe("credential page (HTML)", page),
        Probe("issueCredential", issue),
    ]


def alone(srv: Server, body: bytes) -> tuple[float, float, str]:
    """One hostile request on an idle server: wall seconds, server CPU seconds, outcome."""
    cpu = tree_cpu(srv.pid)
    started = time.perf_counter()
    status, data = request(
        srv.base, "POST", "/credentials/verify", body, {"Content-Type": "application/json"}, 300
    )
    wall = time.perf_counter() - started
    time.sleep(0.3)  # let a killed worker be reaped, so its time is counted
    outcome = str(status)
    if status == 200:
        outcome += " verified" if json.loads(data)["verified"] else " not verified"
    elif data:
        outcome += " " + str(json.loads(data).get("type", "")).rsplit(":", 1)[-1]
    return wall, tree_cpu(srv.pid) - cpu, outcome


def flood(srv: Server, body: bytes, clients: int, seconds: float) -> dict[str, Any]:
    receiver, sender = multiprocessing.get_context("spawn").Pipe(duplex=False)
    flooder = multiprocessing.get_context("spawn").Process(
        target=flood_client, args=(srv.base, body, clients, seconds, sender)
    )
    own_cpu = time.process_time()
    cpu = tree_cpu(srv.pid)
    flooder.start()
    time.sleep(0.5)  # the flood is on before the probes start
    until = time.monotonic() + seconds - 1
    checks = probes(srv)
    threads = [threading.Thread(target=p.run, args=(until, 30)) for p in checks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result: dict[str, Any] = receiver.recv() if receiver.poll(seconds + 30) else {"statuses": {}, "cpu": 0.0}
    flooder.join(30)
    server_cpu = tree_cpu(srv.pid) - cpu
    load = os.getloadavg()[0]
    statuses: dict[str, int] = result["statuses"]
    # Verifications that ran (verified or not, or stopped at the deadline); refusals did not.
    worked = sum(n for s, n in statuses.items() if s not in ("unfinished", "503 busy"))
    return {
        "worked": worked,
        "statuses": statuses,
        "server_cpu": server_cpu,
        "per_request": server_cpu / worked if worked else None,
        "probes": checks,
        "load": load,
        "client_cpu": result["cpu"],
        "probe_cpu": time.process_time() - own_cpu,
    }


def normal_path(count: int) -> dict[str, list[float]]:
    """Verify an issued credential on an inline and a pool server, alternating requests."""
    with server("inline") as a, server("pool") as b:
        bodies = {
            name: json.dumps({"verifiableCredential": srv.credential}).encode()
            for name, srv in (("inline", a), ("pool", b))
        }
        connections = {"inline": _connection(a.base, 30), "pool": _connection(b.base, 30)}
        samples: dict[str, list[float]] = {"inline": [], "pool": []}
        for n in range(count + 20):
            for name in ("inline", "pool") if n % 2 else ("pool", "inline"):
                started = time.perf_counter()
                connections[name].request(
                    "POST",
                    "/credentials/verify",
                    body=bodies[name],
                    headers={"Content-Type": "application/json"},
                )
                response = connections[name].getresponse()
                data = response.read()
                if response.status != 200 or not json.loads(data)["verified"]:
                    raise SystemExit(f"{name}: the credential did not verify: {data[:300]!r}")
                if n >= 20:  # the first requests warm the workers and the status-list caches
                    samples[name].append((time.perf_counter() - started) * 1000)
        for connection in connections.values():
            connection.close()
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=45)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--proofs", type=int, default=100)
    parser.add_argument("--nodes", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--verify", type=int, default=300, help="normal-path verifications per mode")
    args = parser.parse_args()
    print(f"vcengine verification flood ({os.cpu_count()} cores, embedded store, loopback)")

    normal = normal_path(args.verify)
    print(f"\nnormal path: verify an issued credential, {args.verify} requests per mode, alternating")
    for name, samples in normal.items():
        print(f"  {name:<7} p50 {statistics.median(samples):6.2f} ms  p99 {percentile(samples, 99):6.2f} ms")
    ratio = statistics.median(normal["pool"]) / statistics.median(normal["inline"])
    print(f"  pool / inline p50 ratio: {ratio:.2f}")

    for round_ in range(1, args.rounds + 1):
        for mode in MODES:
            with server(mode) as srv:
                document = hostile(srv.credential, args.nodes, args.proofs)
                body = json.dumps({"verifiableCredential": document}).encode()
                settings = MODES[mode] or "default settings"
                print(f"\nround {round_}, {mode} ({settings}); hostile body {len(body)} bytes")
                wall, cpu, outcome = alone(srv, body)
                print(f"  one hostile request alone: {wall:.2f} s wall, {cpu:.2f} s server CPU, {outcome}")
                result = flood(srv, body, args.clients, args.seconds)
                statuses = ", ".join(f"{s}: {n}" for s, n in sorted(result["statuses"].items()))
                per = result["per_request"]
                print(f"  flood, {args.clients} clients x {args.seconds:g} s: {statuses}")
                print(
                    f"  server CPU {result['server_cpu']:.1f} s"
                    + (
                        f" / {result['worked']} hostile verifications that ran = {per:.2f} s each"
                        " (the cost of the refusals included)"
                        if per is not None
                        else ", no hostile verification finished"
                    )
                    + f"; load average {result['load']:.2f}"
                    + f"; client CPU {result['client_cpu']:.1f} s (flood)"
                    + f" + {result['probe_cpu']:.1f} s (probes)"
                )
                for probe in result["probes"]:
                    print(f"  {probe.name:<24} {probe.summary()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
