"""Email delivery throughput: credentials issued with ``delivery: EMAIL`` and sent by the durable
job runner to a local SMTP server (aiosmtpd on 127.0.0.1, in this process's threads), on SQLite.

    .venv/bin/python benchmarks/bench_delivery.py [--count 500] [--concurrency 8]

Measured: the emails per second from the first claim to the last message received (each one
a claim of its job, a fresh claim token stored, the template rendered, an SMTP session with
the server, and its attempt, event and job outcome stored), and the time to bulk-issue them
(signing, status entries, the credentials with their email jobs in one write each).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.smtp_server import smtp_server
from vcengine.services import achievements, issuers, issuing, organizations
from vcengine.services.context import Actor, Services
from vcengine.services.delivery import DeliverySettings
from vcengine.services.email_delivery import job_kinds
from vcengine.services.jobs import JobRunner
from vcengine.services.keystore import MasterKey
from vcengine.services.smtp import parse_smtp_url
from vcengine.storage.sqlite import SqliteStore


async def measure(count: int, concurrency: int) -> dict[str, float]:
    with smtp_server() as inbox, tempfile.TemporaryDirectory() as tmp:
        store = SqliteStore(Path(tmp) / "bench.sqlite3")
        await store.start()
        delivery = DeliverySettings(smtp=parse_smtp_url(inbox.url), sender="bench@bench.example")
        services = Services(store, MasterKey(os.urandom(32)), "https://bench.example", delivery=delivery)
        try:
            org = await organizations.create_organization(services, "Bench")
            actor = Actor(org.id, frozenset({"admin"}))
            issuer = await issuers.create_issuer(
                services, actor, issuers.IssuerInput(name="Bench U", kind="url")
            )
            badge = await achievements.create_achievement(
                services, actor, achievements.AchievementInput(issuer.id, "Bench badge", "Measured", "Pass")
            )
            requests = [
                issuing.IssueRequest(
                    badge.id, issuing.RecipientInput(email=f"l{i}@example.com", name=f"L {i}")
                )
                for i in range(count)
            ]
            started = time.perf_counter()
            results = await issuing.bulk_issue(services, actor, requests)
            issued = time.perf_counter() - started
            assert all(r.issued for r in results)
            runner = JobRunner(store, job_kinds(services), services.clock, concurrency=concurrency, poll=0.01)
            started = time.perf_counter()
            runner.start()
            while len(inbox.messages) < count:
                await asyncio.sleep(0.01)
            sent = time.perf_counter() - started
            await runner.stop()
            assert len(inbox.messages) == count
        finally:
            await services.close()
            await store.close()
    return {"issued_s": issued, "send_s": sent, "emails_per_s": count / sent}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    r = asyncio.run(measure(args.count, args.concurrency))
    print(f"{args.count} emails, runner concurrency {args.concurrency}, SQLite, aiosmtpd on 127.0.0.1")
    print(f"  bulk issue (sign + store with jobs): {r['issued_s']:.2f} s")
    print(f"  delivery: {r['send_s']:.2f} s = {r['emails_per_s']:.1f} emails/s")


if __name__ == "__main__":
    main()
