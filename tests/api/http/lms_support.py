"""Helpers of the LMS webhook tests: a live server (``create_app``: GraphQL, the receiver, the job
runner) per test module, an organization's GraphQL view of it, and Standard Webhooks signing by
the ``standardwebhooks`` package (the reference Python implementation, an independent client)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from standardwebhooks import Webhook

from tests.api.conftest import ADMIN_KEY, LiveServer
from vcengine.api.settings import store_for
from vcengine.services import organizations
from vcengine.services.context import Services
from vcengine.services.keystore import MasterKey

CREATE_INTEGRATION = """mutation($i: CreateIntegrationInput!) { createIntegration(input: $i) {
  integration { id platform name webhookUrl paused } secret setupUrl userErrors { field message code } } }"""
CREATE_RULE = """mutation($i: CreateAwardRuleInput!) { createAwardRule(input: $i) {
  awardRule { id trigger courseId minPercentage achievement { id name } }
  userErrors { field message code } } }"""
EVENTS = """query($integration: ID, $outcome: IntegrationEventOutcome) {
  integrationEvents(first: 50, integrationId: $integration, outcome: $outcome) { edges { node {
    id sourceEventId type learnerEmail courseId outcome reason
    credentials { id recipient { email } } } } } }"""
INTEGRATIONS = "{ integrations { id platform name webhookUrl awardRules { id trigger } } }"
AWARD_RULES = "query($id: ID) { awardRules(integrationId: $id) { id trigger courseId quizId } }"
CREDENTIALS = """query($a: ID!) { credentials(first: 50, filter: {achievementId: $a}) {
  edges { node { id recipient { email name } } } } }"""


class Lms:
    """One organization's view of the server: its admin client, issuer and achievements."""

    def __init__(self, server: LiveServer, key: str) -> None:
        self.server = server
        self.http = httpx.Client(
            base_url=server.base_url, timeout=30, headers={"Authorization": f"Bearer {key}"}
        )

    def gql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.http.post("/graphql", json={"query": query, "variables": variables or {}})
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    def achievement(self, name: str) -> str:
        issuer = self.gql(
            "mutation($i: CreateIssuerInput!) { createIssuer(input: $i) { issuer { id } } }",
            {"i": {"name": "LMS Academy", "kind": "URL", "url": "https://academy.example"}},
        )["createIssuer"]["issuer"]["id"]
        made = self.gql(
            "mutation($i: CreateAchievementInput!) { createAchievement(input: $i) { achievement { id } } }",
            {
                "i": {
                    "issuerId": issuer,
                    "name": name,
                    "description": "Finished the course.",
                    "criteriaNarrative": "Complete every module of the course.",
                }
            },
        )
        achievement: str = made["createAchievement"]["achievement"]["id"]
        return achievement

    def integration(self, platform: str = "GENERIC", **extra: Any) -> dict[str, Any]:
        payload = self.gql(
            CREATE_INTEGRATION, {"i": {"platform": platform, "name": f"{platform} school", **extra}}
        )
        created: dict[str, Any] = payload["createIntegration"]
        assert created["userErrors"] == [], created
        return created

    def rule(
        self, integration: str, achievement: str, trigger: str = "COURSE_COMPLETED", **extra: Any
    ) -> dict[str, Any]:
        payload = self.gql(
            CREATE_RULE,
            {"i": {"integrationId": integration, "achievementId": achievement, "trigger": trigger, **extra}},
        )["createAwardRule"]
        assert payload["userErrors"] == [], payload
        rule: dict[str, Any] = payload["awardRule"]
        return rule

    def events(self, integration: str, outcome: str | None = None) -> list[dict[str, Any]]:
        edges = self.gql(EVENTS, {"integration": integration, "outcome": outcome})["integrationEvents"][
            "edges"
        ]
        return [e["node"] for e in edges]

    def settled(self, integration: str, count: int, timeout: float = 20) -> list[dict[str, Any]]:
        """The integration's events once ``count`` of them are processed."""
        deadline = time.monotonic() + timeout
        while True:
            events = self.events(integration)
            done = [e for e in events if e["outcome"] != "PENDING"]
            if len(done) >= count:
                return events
            assert time.monotonic() < deadline, f"events not processed in time: {events}"
            time.sleep(0.05)

    def credentials(self, achievement: str) -> list[dict[str, Any]]:
        edges = self.gql(CREDENTIALS, {"a": achievement})["credentials"]["edges"]
        return [e["node"] for e in edges]


def second_organization(server: LiveServer) -> str:
    """Another organization on the server's store (as ``vcengine admin org create`` makes one)."""

    async def provision() -> str:
        store = store_for(server.settings)
        await store.start()
        try:
            services = Services(store, MasterKey.unavailable("not needed"), server.base_url)
            made = await organizations.provision(services, "Other school", key_name="admin", issuer_name=None)
            await services.close()
            return made.key.plaintext
        finally:
            await store.close()

    return asyncio.run(provision())


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(Path(tmp_path_factory.mktemp("lms")))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def school(live: LiveServer) -> Iterator[Lms]:
    lms = Lms(live, ADMIN_KEY)
    yield lms
    lms.http.close()


def event(
    source_id: str, email: str = "ada@example.org", course: str = "py-101", **extra: Any
) -> dict[str, Any]:
    return {
        "id": source_id,
        "event": "course_completed",
        "occurredAt": "2026-12-02T01:00:00Z",
        "learner": {"email": email, "name": "Ada Lovelace", "id": "u-17"},
        "course": {"id": course, "name": "Python 101"},
        **extra,
    }


def signed(secret: str, body: bytes, msg_id: str = "msg_1", at: datetime | None = None) -> dict[str, str]:
    """Standard Webhooks headers made by the reference package."""
    stamp = at or datetime.now(UTC)
    signature = Webhook(secret).sign(msg_id, stamp, body.decode())
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(stamp.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
    }


def post(url: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(url, content=body, headers=headers, timeout=30)
