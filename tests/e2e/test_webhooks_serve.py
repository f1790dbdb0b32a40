"""``vcengine serve --dev`` as a user starts it delivers signed webhooks to a receiver on this
machine, and a delivery survives the server being killed with SIGKILL between two attempts."""

from __future__ import annotations

import time
from pathlib import Path

import httpx2 as httpx

from tests.api.webhook_receiver import Receiver
from tests.e2e.conftest import ADMIN_KEY, Served, create_achievement, graphql, serve_env

CREATE = """mutation($i: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $i) { endpoint { id } secret userErrors { message } } }"""
ISSUE = """mutation($i: IssueCredentialInput!) {
  issueCredential(input: $i) { credential { id url } userErrors { message } } }"""


def _admin(server: Served) -> httpx.Client:
    return httpx.Client(
        base_url=server.base_url, timeout=30, headers={"Authorization": f"Bearer {ADMIN_KEY}"}
    )


def _states(admin: httpx.Client, endpoint_id: str) -> list[tuple[str, int]]:
    query = (
        "query($id: ID!) { webhookDeliveries(endpointId: $id) "
        "{ edges { node { state attempts { attempt } } } } }"
    )
    body = admin.post("/graphql", json={"query": query, "variables": {"id": endpoint_id}}).json()
    edges = body["data"]["webhookDeliveries"]["edges"]
    return [(e["node"]["state"], len(e["node"]["attempts"])) for e in edges]


def test_a_delivery_is_signed_and_survives_a_killed_server(tmp_path: Path) -> None:
    receiver = Receiver(answers=[500]).start()
    data = tmp_path / "data"
    env = serve_env(VCENGINE_BOOTSTRAP_API_KEY=ADMIN_KEY)
    first = Served(data, env, "--dev")
    try:
        first.wait_ready()
        with _admin(first) as admin:
            created = graphql(admin, CREATE, {"i": {"url": receiver.url, "events": ["CREDENTIAL_ISSUED"]}})
            receiver.secret = created["secret"]
            achievement = create_achievement(
                admin, "Acme", "https://acme.example", name="Webhooks", description="d", criteriaNarrative="c"
            )
            credential = graphql(
                admin, ISSUE, {"i": {"achievementId": achievement, "recipient": {"email": "ada@example.com"}}}
            )["credential"]
            receiver.wait(1)  # answered 500: the delivery waits for its next attempt
            endpoint_id = created["endpoint"]["id"]
            deadline = time.monotonic() + 20
            while _states(admin, endpoint_id) != [("PENDING", 1)]:
                assert time.monotonic() < deadline, _states(admin, endpoint_id)
                time.sleep(0.05)
        first.crash()
    finally:
        first.stop()
    second = Served(data, env, "--dev")
    try:
        second.wait_ready()
        receiver.wait(2, timeout=30)
    finally:
        second.stop()
        receiver.stop()
    failed, delivered = receiver.received
    assert (failed.status, delivered.status) == (500, 200)
    assert delivered.error is None and delivered.payload["type"] == "credential.issued"
    assert delivered.payload["data"]["credentialUrl"] == credential["url"]
    assert delivered.headers["webhook-id"] == failed.headers["webhook-id"]
