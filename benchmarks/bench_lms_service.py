"""LMS webhooks under load (issue 9): accepted events per second and the delay from an event to
its issued credential.

Starts ``vcengine serve`` (embedded SQLite store) on 127.0.0.1, creates a GENERIC integration
(Standard Webhooks) with a COURSE_COMPLETED rule, then from this process:

- accepted events/s: ``--events`` signed course completions (one learner each, signed before
  the clock starts) posted by ``--clients`` concurrent connections while the integration is
  paused, so the receiver alone is measured (each is stored before its 200);
- drain: the integration resumed, credentials issued per second until every event is ISSUED;
- accepted while issuing: ``--events / 2`` more, the integration active, so every event is
  issued while the others arrive (receiver and issuing share the 2 cores);
- delay when idle: ``--delay`` events sent one at a time, each given time to be processed, and
  the delay taken from the server's own ``receivedAt`` and ``processedAt``: p50 / p99.

    .venv/bin/python -m benchmarks.bench_lms_service [--events 3000] [--clients 16] [--delay 50]

Targets: >= 500 events/s accepted on a 2-core machine; p50 delay <= 100 ms when idle.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2 as httpx
from standardwebhooks import Webhook

from benchmarks.load_service import API_KEY, gql, percentile, report, setup, start_server

INTEGRATION = """mutation($i: CreateIntegrationInput!) { createIntegration(input: $i) {
  integration { id webhookUrl } secret userErrors { message } } }"""
RULE = """mutation($i: CreateAwardRuleInput!) { createAwardRule(input: $i) {
  awardRule { id } userErrors { message } } }"""
PAUSE = """mutation($i: IntegrationIdInput!) { pauseIntegration(input: $i) {
  integration { id } userErrors { message } } }"""
RESUME = """mutation($i: IntegrationIdInput!) { resumeIntegration(input: $i) {
  integration { id } userErrors { message } } }"""
PENDING = """query($id: ID) { integrationEvents(first: 1, integrationId: $id, outcome: PENDING) {
  edges { node { id } } } }"""
EVENTS = """query($id: ID, $after: String, $outcome: IntegrationEventOutcome) {
  integrationEvents(first: 100, after: $after, integrationId: $id, outcome: $outcome) {
    edges { node { sourceEventId receivedAt processedAt outcome reason } }
    pageInfo { hasNextPage endCursor } } }"""


def signed_request(secret: str, n: int, tag: str) -> tuple[bytes, dict[str, str]]:
    doc = {
        "id": f"{tag}-{n}",
        "event": "course_completed",
        "learner": {"email": f"{tag}{n}@bench.example", "name": f"Learner {n}"},
        "course": {"id": "bench-101"},
    }
    body = json.dumps(doc)
    stamp = datetime.now(UTC)
    headers = {
        "webhook-id": f"msg-{tag}-{n}",
        "webhook-timestamp": str(int(stamp.timestamp())),
        "webhook-signature": Webhook(secret).sign(f"msg-{tag}-{n}", stamp, body),
        "content-type": "application/json",
    }
    return body.encode(), headers


async def flood(url: str, requests: list[tuple[bytes, dict[str, str]]], clients: int) -> float:
    """Post every request with ``clients`` connections; events per second."""
    queue = list(reversed(requests))
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:

        async def worker() -> None:
            while queue:
                body, headers = queue.pop()
                response = await client.post(url, content=body, headers=headers)
                if response.status_code != 200:
                    raise SystemExit(f"refused: {response.status_code} {response.text}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        return len(requests) / (time.perf_counter() - started)


def events(client: httpx.Client, integration: str, outcome: str | None = None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    after = None
    while True:
        page = gql(client, EVENTS, {"id": integration, "after": after, "outcome": outcome})
        out += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return out
        after = page["pageInfo"]["endCursor"]


def wait_processed(client: httpx.Client, integration: str, timeout: float) -> None:
    """Until none of the integration's events is PENDING (one cheap page per poll)."""
    deadline = time.monotonic() + timeout
    while gql(client, PENDING, {"id": integration})["edges"]:
        if time.monotonic() > deadline:
            raise SystemExit("events were not processed in time")
        time.sleep(0.2)


def delays(client: httpx.Client, url: str, secret: str, integration: str, count: int) -> list[float]:
    for n in range(count):
        body, headers = signed_request(secret, n, "idle")
        if httpx.post(url, content=body, headers=headers, timeout=30).status_code != 200:
            raise SystemExit("an idle event was refused")
        time.sleep(0.15)  # idle: the next event arrives after this one is done
    wait_processed(client, integration, timeout=60)
    samples = []
    for e in events(client, integration):
        if e["sourceEventId"].startswith("idle-"):
            received = datetime.fromisoformat(e["receivedAt"])
            processed = datetime.fromisoformat(e["processedAt"])
            samples.append((processed - received).total_seconds() * 1000)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--delay", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vcengine-lms-") as tmp:
        process, base = start_server(Path(tmp))
        try:
            with httpx.Client(
                base_url=base, headers={"Authorization": f"Bearer {API_KEY}"}, timeout=600
            ) as client:
                achievement = setup(client)
                made = gql(client, INTEGRATION, {"i": {"platform": "GENERIC", "name": "Bench"}})
                integration, secret = made["integration"]["id"], made["secret"]
                url = made["integration"]["webhookUrl"]
                rule = {
                    "integrationId": integration,
                    "achievementId": achievement,
                    "trigger": "COURSE_COMPLETED",
                }
                gql(client, RULE, {"i": rule})
                samples = delays(client, url, secret, integration, args.delay)

                gql(client, PAUSE, {"i": {"id": integration}})
                requests = [signed_request(secret, n, "flood") for n in range(args.events)]
                accepted = asyncio.run(flood(url, requests, args.clients))
                started = time.perf_counter()
                gql(client, RESUME, {"i": {"id": integration}})
                wait_processed(client, integration, timeout=1800)
                drained = args.events / (time.perf_counter() - started)
                busy_requests = [signed_request(secret, n, "busy") for n in range(args.events // 2)]
                busy = asyncio.run(flood(url, busy_requests, args.clients))  # issued while it arrives
                wait_processed(client, integration, timeout=1800)
                expected = args.events + args.delay + len(busy_requests)
                issued = len(events(client, integration, "ISSUED"))
                if issued != expected:
                    outcomes: dict[str, int] = {}
                    reasons = set()
                    for e in events(client, integration):
                        outcomes[e["outcome"]] = outcomes.get(e["outcome"], 0) + 1
                        if e["outcome"] != "ISSUED":
                            reasons.add(e.get("reason"))
                    raise SystemExit(f"{issued} events issued of {expected}: {outcomes} {reasons}")
        finally:
            process.terminate()
            process.wait(timeout=15)
    print(f"vcengine LMS webhooks ({os.cpu_count()} cores, embedded store, loopback, {args.clients} clients)")
    report(f"events accepted (events/s, n={args.events})", accepted, ">= 500/s", accepted >= 500)
    report("events processed into credentials (/s)", drained, "", True)
    report(f"events accepted while issuing (events/s, n={args.events // 2})", busy, "", True)
    p50 = statistics.median(samples)
    report(f"event -> credential when idle p50 (ms, n={len(samples)})", p50, "<= 100 ms", p50 <= 100)
    report("event -> credential when idle p99 (ms)", percentile(samples, 99), "", True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
