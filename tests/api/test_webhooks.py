"""Outbound webhooks end to end: a vcengine server in dev mode (``vcengine serve --dev``: http and
loopback endpoints allowed) delivers to a real receiver, which verifies every delivery with the
``standardwebhooks`` package; a server outside dev mode refuses plain-http and private endpoints."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from tests.api.conftest import LiveServer
from tests.api.webhook_receiver import Receiver

CREATE = """
mutation($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) {
    endpoint { id url events enabled description }
    secret
    userErrors { field message code }
  }
}"""

ENDPOINTS = "query { webhookEndpoints { id url events enabled failingSince } }"

DELIVERIES = """
query($id: ID!) {
  webhookDeliveries(endpointId: $id) {
    edges { node { id eventId eventType state body lastError
      attempts { attempt statusCode durationMs error } } }
  }
}"""

ALL_EVENTS = ["CREDENTIAL_ISSUED", "CREDENTIAL_REVOKED", "CREDENTIAL_SUSPENDED", "CREDENTIAL_UNSUSPENDED"]


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path_factory.mktemp("vcengine-dev"), dev=True)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    try:
        yield r
    finally:
        r.stop()


def create_endpoint(server: LiveServer, url: str, events: list[str]) -> dict[str, Any]:
    payload: dict[str, Any] = server.gql(CREATE, {"input": {"url": url, "events": events}})[
        "createWebhookEndpoint"
    ]
    return payload


def subscribe(server: LiveServer, receiver: Receiver, events: list[str] = ALL_EVENTS) -> str:
    created = create_endpoint(server, receiver.url, events)
    assert created["userErrors"] == [], created
    assert created["secret"].startswith("whsec_")
    receiver.secret = created["secret"]
    endpoint_id: str = created["endpoint"]["id"]
    return endpoint_id


def deliveries(server: LiveServer, endpoint_id: str) -> list[dict[str, Any]]:
    edges = server.gql(DELIVERIES, {"id": endpoint_id})["webhookDeliveries"]["edges"]
    return [e["node"] for e in edges]


def settled(server: LiveServer, endpoint_id: str, count: int, timeout: float = 20) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        nodes = deliveries(server, endpoint_id)
        if len(nodes) >= count and all(n["state"] in ("DELIVERED", "FAILED") for n in nodes):
            return nodes
        assert time.monotonic() < deadline, nodes
        time.sleep(0.1)


def test_issuing_delivers_one_signed_credential_issued(dev_server: LiveServer, receiver: Receiver) -> None:
    endpoint_id = subscribe(dev_server, receiver)
    credential = dev_server.issued_credential()
    receiver.wait(1)
    time.sleep(0.5)  # nothing else comes
    (delivery,) = receiver.received
    assert delivery.error is None, delivery.error
    assert delivery.payload["type"] == "credential.issued"
    data = delivery.payload["data"]
    assert data["credentialUrl"] == credential["url"]
    assert credential["url"].endswith(data["credentialId"])
    assert delivery.headers["content-type"] == "application/json"
    (node,) = settled(dev_server, endpoint_id, 1)
    assert node["state"] == "DELIVERED" and node["eventType"] == "CREDENTIAL_ISSUED"
    assert node["eventId"] == delivery.headers["webhook-id"]
    assert node["body"].encode() == delivery.body
    (attempt,) = node["attempts"]
    assert attempt["statusCode"] == 200 and attempt["error"] is None and attempt["durationMs"] >= 0


def test_status_changes_are_delivered_in_order(dev_server: LiveServer, receiver: Receiver) -> None:
    subscribe(dev_server, receiver)
    credential = dev_server.issued_credential(statusPurpose="SUSPENSION")
    for action in ("suspendCredential", "unsuspendCredential"):
        done = dev_server.gql(
            f"mutation($i: {action[0].upper()}{action[1:]}Input!) {{ {action}(input: $i) "
            "{ userErrors { message } } }",
            {"i": {"id": credential["id"]}},
        )[action]
        assert done["userErrors"] == []
    dev_server.revoke(credential["id"])
    receiver.wait(4)
    assert [d.error for d in receiver.received] == [None] * 4
    types = [d.payload["type"] for d in receiver.received]
    assert types == [
        "credential.issued",
        "credential.suspended",
        "credential.unsuspended",
        "credential.revoked",
    ]
    assert len({d.headers["webhook-id"] for d in receiver.received}) == 4


def test_a_receiver_answering_500_gets_the_same_message_again(
    dev_server: LiveServer, receiver: Receiver
) -> None:
    receiver.answers = [500]
    endpoint_id = subscribe(dev_server, receiver, ["CREDENTIAL_ISSUED"])
    dev_server.issued_credential()
    receiver.wait(2, timeout=30)
    first, second = receiver.received
    assert (first.status, second.status) == (500, 200)
    assert first.error is None and second.error is None
    assert first.headers["webhook-id"] == second.headers["webhook-id"] and first.body == second.body
    (node,) = settled(dev_server, endpoint_id, 1)
    assert node["state"] == "DELIVERED"
    assert [(a["attempt"], a["statusCode"]) for a in node["attempts"]] == [(1, 500), (2, 200)]
    assert node["lastError"] == "the endpoint answered HTTP 500"


def test_only_subscribed_types_go_to_an_endpoint(dev_server: LiveServer, receiver: Receiver) -> None:
    endpoint_id = subscribe(dev_server, receiver, ["CREDENTIAL_REVOKED"])
    credential = dev_server.issued_credential()
    dev_server.revoke(credential["id"])
    receiver.wait(1)
    time.sleep(0.5)
    assert [d.payload["type"] for d in receiver.received] == ["credential.revoked"]
    assert len(deliveries(dev_server, endpoint_id)) == 1


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.example.com/x", "must be https"),
        ("https://127.0.0.1:9/x", "private, loopback, link-local"),
        ("https://10.1.2.3/x", "private, loopback, link-local"),
        ("https://169.254.169.254/latest/meta-data", "private, loopback, link-local"),
        ("https://[::1]/x", "private, loopback, link-local"),
        ("https://localhost:8443/x", "only with vcengine serve --dev"),
        ("https://user:pw@hooks.example.com/x", "user name or password"),
        ("not a url", "must be https"),
    ],
)
def test_outside_dev_mode_plain_http_and_private_endpoints_are_refused(
    live_server: LiveServer, url: str, message: str
) -> None:
    created = create_endpoint(live_server, url, ["CREDENTIAL_ISSUED"])
    assert created["endpoint"] is None and created["secret"] is None
    (error,) = created["userErrors"]
    assert error["field"] == ["input", "url"] and error["code"] == "INVALID"
    assert message in error["message"]


def test_a_public_https_endpoint_is_accepted_and_listed_without_its_secret(live_server: LiveServer) -> None:
    created = create_endpoint(live_server, "https://hooks.example.com/vcengine", ["CREDENTIAL_ISSUED"])
    assert created["userErrors"] == [] and created["endpoint"]["enabled"]
    listed = live_server.gql(ENDPOINTS)["webhookEndpoints"]
    assert created["endpoint"]["id"] in [e["id"] for e in listed]
    assert created["secret"] not in live_server.admin.post("/graphql", json={"query": ENDPOINTS}).text


def test_unknown_event_types_are_refused(live_server: LiveServer, tmp_path: Path) -> None:
    response = live_server.admin.post(
        "/graphql",
        json={"query": CREATE, "variables": {"input": {"url": "https://h.example", "events": ["NOPE"]}}},
    )
    assert "NOPE" in response.json()["errors"][0]["message"]
    created = create_endpoint(live_server, "https://hooks.example.com/x", [])
    assert created["userErrors"][0]["field"] == ["input", "events"]


MANAGE = {
    "update": """
mutation($input: UpdateWebhookEndpointInput!) {
  updateWebhookEndpoint(input: $input) {
    endpoint { id url events description updatedAt } userErrors { field message code }
  }
}""",
    "disable": """
mutation($input: WebhookEndpointIdInput!) {
  disableWebhookEndpoint(input: $input) {
    endpoint { id enabled disabledAt disabledReason } userErrors { field message code }
  }
}""",
    "enable": """
mutation($input: WebhookEndpointIdInput!) {
  enableWebhookEndpoint(input: $input) {
    endpoint { id enabled disabledAt disabledReason failingSince } userErrors { field message code }
  }
}""",
    "rotate": """
mutation($input: RotateWebhookEndpointSecretInput!) {
  rotateWebhookEndpointSecret(input: $input) {
    endpoint { id previousSecretExpiresAt } secret userErrors { field message code }
  }
}""",
    "replay": """
mutation($input: ReplayWebhookDeliveryInput!) {
  replayWebhookDelivery(input: $input) {
    delivery { id eventId state attempts { attempt statusCode } } userErrors { field message code }
  }
}""",
    "delete": """
mutation($input: WebhookEndpointIdInput!) {
  deleteWebhookEndpoint(input: $input) { deletedId userErrors { field message code } }
}""",
}


def manage(server: LiveServer, name: str, **input: Any) -> dict[str, Any]:
    data = server.gql(MANAGE[name], {"input": input})
    payload: dict[str, Any] = next(iter(data.values()))
    return payload


def test_an_endpoint_is_updated_disabled_enabled_rotated_replayed_and_deleted(
    dev_server: LiveServer, receiver: Receiver
) -> None:
    endpoint_id = subscribe(dev_server, receiver, ["CREDENTIAL_REVOKED"])
    updated = manage(
        dev_server, "update", id=endpoint_id, events=["CREDENTIAL_ISSUED"], description="  CRM sync "
    )
    assert updated["userErrors"] == []
    assert updated["endpoint"]["events"] == ["CREDENTIAL_ISSUED"]
    assert updated["endpoint"]["description"] == "CRM sync" and updated["endpoint"]["updatedAt"]
    assert updated["endpoint"]["url"] == receiver.url  # not given: kept

    disabled = manage(dev_server, "disable", id=endpoint_id)["endpoint"]
    assert not disabled["enabled"] and disabled["disabledReason"] == "disabled by an API call"
    dev_server.issued_credential()  # nothing is made for a disabled endpoint
    time.sleep(0.5)
    assert receiver.received == [] and deliveries(dev_server, endpoint_id) == []

    enabled = manage(dev_server, "enable", id=endpoint_id)["endpoint"]
    assert enabled["enabled"] and enabled["disabledAt"] is None and enabled["disabledReason"] is None

    old_secret = receiver.secret
    assert old_secret is not None
    too_long = manage(dev_server, "rotate", id=endpoint_id, oldSecretValidForHours=73)
    assert too_long["userErrors"][0]["field"] == ["input", "oldSecretValidForHours"]
    rotated = manage(dev_server, "rotate", id=endpoint_id)  # the old one signs for 24 h more
    assert rotated["userErrors"] == [] and rotated["secret"].startswith("whsec_")
    assert rotated["secret"] != old_secret and rotated["endpoint"]["previousSecretExpiresAt"]
    receiver.secret = rotated["secret"]
    dev_server.issued_credential()
    receiver.wait(1)
    first = receiver.received[0]
    assert first.error is None  # signed with the new secret
    assert len(first.headers["webhook-signature"].split(" ")) == 2
    Webhook(old_secret).verify(first.body, first.headers)  # and with the old one, for a while
    (node,) = settled(dev_server, endpoint_id, 1)

    replayed = manage(dev_server, "replay", id=node["id"])
    assert replayed["userErrors"] == [] and replayed["delivery"]["eventId"] == node["eventId"]
    receiver.wait(2)
    assert receiver.received[1].error is None
    assert receiver.received[1].headers["webhook-id"] == receiver.received[0].headers["webhook-id"]
    assert receiver.received[1].body == receiver.received[0].body
    (again,) = settled(dev_server, endpoint_id, 1)
    assert [a["attempt"] for a in again["attempts"]] == [1, 2]

    at_once = manage(dev_server, "rotate", id=endpoint_id, oldSecretValidForHours=0)
    assert at_once["endpoint"]["previousSecretExpiresAt"] is None
    previous, receiver.secret = receiver.secret, at_once["secret"]
    manage(dev_server, "replay", id=node["id"])
    receiver.wait(3)
    third = receiver.received[2]
    assert third.error is None and len(third.headers["webhook-signature"].split(" ")) == 1
    with pytest.raises(WebhookVerificationError):
        Webhook(previous).verify(third.body, third.headers)

    assert manage(dev_server, "delete", id=endpoint_id)["deletedId"] == endpoint_id
    missing = manage(dev_server, "delete", id=endpoint_id)
    assert missing["deletedId"] is None and missing["userErrors"][0]["code"] == "NOT_FOUND"
    assert endpoint_id not in [e["id"] for e in dev_server.gql(ENDPOINTS)["webhookEndpoints"]]
    gone = dev_server.admin.post("/graphql", json={"query": DELIVERIES, "variables": {"id": endpoint_id}})
    assert gone.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_an_unknown_endpoint_or_delivery_is_not_found(dev_server: LiveServer) -> None:
    for name in ("update", "disable", "enable", "rotate", "replay"):
        payload = manage(dev_server, name, id="no-such-id")
        assert payload["userErrors"][0]["code"] == "NOT_FOUND", (name, payload)
    changed = manage(dev_server, "update", id="no-such-id", url="http://[::1")
    assert changed["userErrors"][0]["code"] == "INVALID"


def test_webhooks_need_the_admin_scope(dev_server: LiveServer, receiver: Receiver) -> None:
    endpoint_id = subscribe(dev_server, receiver, ["CREDENTIAL_ISSUED"])
    other = dev_server.gql(
        'mutation { createApiKey(input: {name: "reader", scopes: [ISSUE]}) { key userErrors { message } } }'
    )["createApiKey"]["key"]
    response = dev_server.client.post(
        "/graphql", json={"query": ENDPOINTS}, headers={"Authorization": f"Bearer {other}"}
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"  # admin scope only
    assert endpoint_id in [e["id"] for e in dev_server.gql(ENDPOINTS)["webhookEndpoints"]]


def test_a_credential_reaching_its_valid_until_is_delivered_as_expired(
    dev_server: LiveServer, receiver: Receiver
) -> None:
    subscribe(dev_server, receiver, ["CREDENTIAL_EXPIRED"])
    valid_until = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()
    credential = dev_server.issued_credential(validUntil=valid_until)
    receiver.wait(1, timeout=20)
    (expired,) = receiver.received
    assert expired.error is None and expired.payload["type"] == "credential.expired"
    assert expired.payload["data"]["credentialUrl"] == credential["url"]
    assert datetime.fromisoformat(expired.payload["data"]["validUntil"]) == datetime.fromisoformat(
        valid_until
    )
