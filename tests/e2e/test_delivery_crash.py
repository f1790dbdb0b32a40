"""Issue 10, tests: ``vcengine serve`` killed (SIGKILL) while it sends credential emails loses none.

A slow SMTP server (aiosmtpd, each RCPT waits) keeps several sends in flight; the server is
killed mid-way and started again on the same data directory. Every learner then has their
email, once: a send that was in flight at the kill is retried when its lease runs out (the
session deadline bounds it), and a message the SMTP server took just before the kill and is
sent again carries the same Message-ID, so every learner has exactly one distinct message.
"""

from __future__ import annotations

import sqlite3
import time
from collections import defaultdict
from contextlib import closing
from pathlib import Path

import httpx2 as httpx

from tests.e2e.conftest import ADMIN_KEY, Served, create_achievement, graphql, serve_env
from tests.smtp_server import smtp_server

ITEMS = 40
BULK = "mutation($i: BulkIssueInput!) { bulkIssue(input: $i) { issuedCount userErrors { message } } }"


def _jobs(database: Path) -> dict[str, int]:
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)) as db:
        rows = db.execute("SELECT state, count(*) FROM jobs WHERE kind = 'email' GROUP BY state").fetchall()
    return {state: int(n) for state, n in rows}


def test_killed_while_sending_then_restarted_every_learner_gets_one_message(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with smtp_server() as inbox:
        inbox.delay = 0.3
        env = serve_env(
            VCENGINE_BOOTSTRAP_API_KEY=ADMIN_KEY,
            VCENGINE_SMTP_URL=inbox.url,
            VCENGINE_SMTP_TIMEOUT="2",
            VCENGINE_SMTP_RETRY_SECONDS="0.2",
        )
        first = Served(data, env)
        try:
            first.wait_ready()
            headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
            with httpx.Client(base_url=first.base_url, headers=headers, timeout=60) as admin:
                achievement = create_achievement(
                    admin,
                    "Crash Mail",
                    "https://crash.example",
                    name="Survivor",
                    description="Kept going.",
                    criteriaNarrative="Was emailed while the server was killed.",
                )
                items = [
                    {"achievementId": achievement, "recipient": {"email": f"l{i}@crash.example"}}
                    for i in range(ITEMS)
                ]
                assert graphql(admin, BULK, {"i": {"items": items}})["issuedCount"] == ITEMS
            inbox.wait_for(ITEMS // 5, timeout=60)
            first.crash()  # SIGKILL mid-send: sessions in flight, jobs leased, nothing settled
        finally:
            first.stop()
        at_kill = len(inbox.messages)
        assert at_kill < ITEMS, "everything was sent before the kill: nothing was tested"

        second = Served(data, env)
        try:
            second.wait_ready()
            deadline = time.monotonic() + 90
            while _jobs(data / "vcengine.sqlite3") != {"done": ITEMS}:
                assert time.monotonic() < deadline, _jobs(data / "vcengine.sqlite3")
                time.sleep(0.2)
        finally:
            second.stop()

    ids: dict[str, set[str]] = defaultdict(set)
    for message in inbox.messages:
        ids[message["To"].addresses[0].addr_spec].add(message["Message-ID"])
    assert sorted(ids) == sorted(f"l{i}@crash.example" for i in range(ITEMS))  # none lost
    assert all(len(m) == 1 for m in ids.values()), ids  # one distinct message each
    assert len(inbox.messages) - ITEMS <= 8  # raw repeats: at most the sends in flight at the kill
