"""Issue 4, "Bad input and faults": killing the server in the middle of a bulk issue loses
nothing. After a restart, sending the same idempotency keys again yields exactly one credential
per item, and no status index is handed out twice. Issue 7: every credential has exactly one
``issued`` event (the event is written with its credential, so a kill cannot split them)."""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx2 as httpx

from tests.e2e.conftest import ADMIN_KEY, Served, create_achievement, graphql, serve_env

ITEMS = int(__import__("os").environ.get("CRASH_ITEMS", "3000"))
BULK = (
    "mutation($i: BulkIssueInput!) { bulkIssue(input: $i) {"
    " issuedCount replayedCount failedCount results { index replayed credential { id } }"
    " userErrors { message } } }"
)


def _issued_so_far(database: Path) -> int:
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)) as db:
        return int(db.execute("SELECT count(*) FROM credentials").fetchone()[0])


def _setup(server: Served) -> str:
    with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {ADMIN_KEY}"}) as admin:
        return create_achievement(
            admin,
            "Crash Test Academy",
            "https://crash.example",
            name="Resilience",
            description="Survived a crash.",
            criteriaNarrative="Was issued while the server was killed.",
        )


def _items(achievement_id: str) -> list[dict[str, Any]]:
    return [
        {
            "achievementId": achievement_id,
            "recipient": {"email": f"learner{i}@crash.example"},
            "idempotencyKey": f"crash-{i}",
        }
        for i in range(ITEMS)
    ]


def test_killed_mid_bulk_then_retried_gives_exactly_one_credential_per_item(tmp_path: Path) -> None:
    data = tmp_path / "data"
    database = data / "vcengine.sqlite3"
    env = serve_env(VCENGINE_BOOTSTRAP_API_KEY=ADMIN_KEY)
    first = Served(data, env)
    try:
        first.wait_ready()
        achievement_id = _setup(first)
        items = _items(achievement_id)

        def send() -> None:
            try:
                with httpx.Client(
                    base_url=first.base_url, headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=120
                ) as client:
                    client.post("/graphql", json={"query": BULK, "variables": {"i": {"items": items}}})
            except httpx.TransportError:
                pass  # the server is killed under it: that is the point

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        deadline = time.monotonic() + 60
        while _issued_so_far(database) < ITEMS // 10 and time.monotonic() < deadline:
            time.sleep(0.02)
        first.crash()  # SIGKILL to the server and its workers: no shutdown, nothing flushed
        sender.join(timeout=30)
    finally:
        first.stop()
    before = _issued_so_far(database)
    assert 0 < before < ITEMS, f"the kill should land mid-bulk ({before} of {ITEMS} issued)"

    second = Served(data, env)
    try:
        second.wait_ready()
        with httpx.Client(
            base_url=second.base_url, headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=300
        ) as client:
            result = graphql(client, BULK, {"i": {"items": items}})
    finally:
        second.stop()
    assert result["failedCount"] == 0
    assert result["issuedCount"] + result["replayedCount"] == ITEMS
    assert result["replayedCount"] >= before  # everything stored before the kill came back as is
    ids = [r["credential"]["id"] for r in result["results"]]
    assert len(set(ids)) == ITEMS

    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        assert db.execute("SELECT count(*) FROM credentials").fetchone()[0] == ITEMS
        pairs = db.execute("SELECT status_list_id, status_index FROM credentials").fetchall()
        events = db.execute(
            "SELECT count(e.id) FROM credentials c LEFT JOIN events e"
            " ON e.credential_id = c.id AND e.type = 'issued' GROUP BY c.id"
        ).fetchall()
    assert all(index is not None for _, index in pairs)
    assert len(set(pairs)) == ITEMS, "a status index was handed out twice"
    assert len(events) == ITEMS and {n for (n,) in events} == {1}, "a credential without its issued event"
