"""Issue 9, "never lose, never double": LMS events accepted by ``vcengine serve`` survive a kill -9
between being accepted and being processed, and two instances on one store (SQLite directory;
MongoDB database on nx-27017) processing one inbox issue each learner's credential exactly once.
Requests are signed by the ``standardwebhooks`` package."""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from standardwebhooks import Webhook

from tests.e2e.conftest import ADMIN_KEY, Served, create_achievement, graphql, serve_env
from tests.storage.stores import database_name, mongo_uri

__all__ = ["mongo_uri"]

LEARNERS = int(os.environ.get("LMS_CRASH_EVENTS", "300"))
CREATE_INTEGRATION = """mutation($i: CreateIntegrationInput!) { createIntegration(input: $i) {
  integration { id webhookUrl } secret userErrors { message } } }"""
CREATE_RULE = """mutation($i: CreateAwardRuleInput!) { createAwardRule(input: $i) {
  awardRule { id } userErrors { message } } }"""
EVENTS = """query($after: String) { integrationEvents(first: 100, after: $after) {
  edges { node { sourceEventId outcome credentials { id } } } pageInfo { hasNextPage endCursor } } }"""


def _admin(server: Served) -> httpx.Client:
    return httpx.Client(
        base_url=server.base_url, headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=60
    )


def _setup(server: Served) -> tuple[str, str, str]:
    """An achievement, a GENERIC integration awarding it for any course; (receiver path, secret,
    integration id)."""
    with _admin(server) as admin:
        achievement = create_achievement(
            admin,
            "LMS Academy",
            "https://lms.example",
            name="Finished",
            description="Done.",
            criteriaNarrative="All.",
        )
        created = graphql(admin, CREATE_INTEGRATION, {"i": {"platform": "GENERIC", "name": "LMS"}})
        integration = created["integration"]
        trigger = {
            "integrationId": integration["id"],
            "achievementId": achievement,
            "trigger": "COURSE_COMPLETED",
        }
        graphql(admin, CREATE_RULE, {"i": trigger})
    path = "/" + integration["webhookUrl"].split("/", 3)[3]
    return path, created["secret"], integration["id"]


def _send(base_url: str, path: str, secret: str, n: int, msg: str = "m") -> int:
    doc = {
        "id": f"completion-{n}",
        "event": "course_completed",
        "learner": {"email": f"learner{n}@lms.example"},
    }
    body = json.dumps({**doc, "course": {"id": "course-1"}})
    stamp = datetime.now(UTC)
    headers = {
        "webhook-id": f"{msg}-{n}",
        "webhook-timestamp": str(int(stamp.timestamp())),
        "webhook-signature": Webhook(secret).sign(f"{msg}-{n}", stamp, body),
        "content-type": "application/json",
    }
    return httpx.post(f"{base_url}{path}", content=body, headers=headers, timeout=30).status_code


def _events(server: Served) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    after = None
    with _admin(server) as admin:
        while True:
            page = graphql(admin, EVENTS, {"after": after})
            out.extend(edge["node"] for edge in page["edges"])
            if not page["pageInfo"]["hasNextPage"]:
                return out
            after = page["pageInfo"]["endCursor"]


def _all_processed(server: Served, count: int, timeout: float) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        events = _events(server)
        if len(events) == count and all(e["outcome"] != "PENDING" for e in events):
            return events
        assert time.monotonic() < deadline, f"{sum(e['outcome'] == 'PENDING' for e in events)} still pending"
        time.sleep(0.2)


def _counts(database: Path) -> tuple[int, int, int]:
    """(credentials, distinct recipients, received events) in the SQLite file."""
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)) as db:
        credentials = db.execute("SELECT count(*), count(DISTINCT recipient) FROM credentials").fetchone()
        received = db.execute("SELECT count(*) FROM lms_events").fetchone()[0]
    return int(credentials[0]), int(credentials[1]), int(received)


@pytest.mark.slow
def test_accepted_events_survive_a_kill_and_issue_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    database = data / "vcengine.sqlite3"
    env = serve_env(VCENGINE_BOOTSTRAP_API_KEY=ADMIN_KEY)
    # 1. an API-only instance (no background jobs) accepts every event, and is killed
    first = Served(data, {**env, "VCENGINE_JOB_CONCURRENCY": "0"})
    try:
        first.wait_ready()
        path, secret, _ = _setup(first)
        with ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(lambda n: _send(first.base_url, path, secret, n), range(LEARNERS)))
        assert codes == [200] * LEARNERS  # every one stored before its answer
        first.crash()
    finally:
        first.stop()
    assert _counts(database) == (0, 0, LEARNERS)  # accepted, none processed
    # 2. an instance processing them is killed while it works through the backlog
    second = Served(data, env)
    try:
        second.wait_ready()
        deadline = time.monotonic() + 60
        while _counts(database)[0] < LEARNERS // 4 and time.monotonic() < deadline:
            time.sleep(0.01)
        second.crash()
    finally:
        second.stop()
    issued_before = _counts(database)[0]
    assert LEARNERS // 4 <= issued_before < LEARNERS, "the kill should land while events are processed"

    third = Served(data, env)
    try:
        third.wait_ready()
        # the platform retries some deliveries it is unsure of: stored once, issued once
        assert {_send(third.base_url, path, secret, n, "retry") for n in range(0, LEARNERS, 10)} == {200}
        events = _all_processed(third, LEARNERS, timeout=120)  # a killed runner's lease expires first
    finally:
        third.stop()
    assert {e["outcome"] for e in events} <= {"ISSUED", "DUPLICATE"}
    credentials, recipients, received = _counts(database)
    assert (credentials, recipients, received) == (LEARNERS, LEARNERS, LEARNERS)
    assert len({e["credentials"][0]["id"] for e in events}) == LEARNERS


@pytest.fixture(params=["sqlite", "mongo"])
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Served, Served]]:
    master = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
    env = serve_env(VCENGINE_BOOTSTRAP_API_KEY=ADMIN_KEY, VCENGINE_MASTER_KEY=master)
    base = ["--base-url", "https://badges.example"]
    if request.param == "sqlite":
        dirs, extra = [tmp_path / "data", tmp_path / "data"], base
    else:
        uri = f"{request.getfixturevalue('mongo_uri')}/{database_name()}"
        dirs, extra = [tmp_path / "a", tmp_path / "b"], [*base, "--mongodb-uri", uri]
    servers: list[Served] = []
    try:
        for directory in dirs:  # one after the other: the first start bootstraps the organization
            servers.append(Served(directory, env, *extra))
            servers[-1].wait_ready()
        yield servers[0], servers[1]
    finally:
        for server in servers:
            server.stop()


@pytest.mark.slow
def test_two_instances_on_one_inbox_issue_each_credential_once(pair: tuple[Served, Served]) -> None:
    a, b = pair
    path, secret, _ = _setup(a)
    count = 50
    # every event sent to both instances at once (a platform retrying against a load balancer)
    with ThreadPoolExecutor(8) as pool:
        jobs = [(server, n) for n in range(count) for server in (a, b)]
        codes = list(pool.map(lambda job: _send(job[0].base_url, path, secret, job[1]), jobs))
    assert codes == [200] * (2 * count)
    events = _all_processed(b, count, timeout=60)
    assert [e["outcome"] for e in events] == ["ISSUED"] * count
    with _admin(a) as admin:
        listed = graphql(
            admin, "{ credentials(first: 100) { edges { node { id recipient { email } } } } }", {}
        )
    emails = sorted(edge["node"]["recipient"]["email"] for edge in listed["edges"])
    assert emails == sorted(f"learner{n}@lms.example" for n in range(count))
