"""Issue 10, "Done when", end to end on one server (dev mode: loopback webhooks) with a real SMTP
server (aiosmtpd) and a real webhook receiver (verifying with ``standardwebhooks``): issuing to
an email sends one message; its claim link works; the learner claims, views and shares it; the
integrator receives signed ``credential.issued``, ``credential.delivered`` and
``credential.claimed``; ``analytics`` counts the funnel; revoking shows the page without buttons."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.api.conftest import LiveServer
from tests.api.webhook_receiver import Receiver
from tests.smtp_server import Inbox, smtp_server
from vcengine.api.settings import Secret

BROWSER = {"User-Agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15"}
SUBSCRIBE = """mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) {
  endpoint { id } secret userErrors { message } } }"""
FUNNEL = """query($f: AnalyticsFilterInput!) { analytics(filter: $f, interval: DAY) {
  funnel { issued delivered claimed shared } totals { type count } } }"""


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[LiveServer, Inbox, Receiver]]:
    with smtp_server() as inbox:
        receiver = Receiver().start()
        server = LiveServer(tmp_path, dev=True, smtp_url=Secret(inbox.url), smtp_retry_seconds=0.2)
        server.start()
        try:
            yield server, inbox, receiver
        finally:
            server.stop()
            receiver.stop()


def test_issue_email_claim_share_webhooks_and_funnel(world: tuple[LiveServer, Inbox, Receiver]) -> None:
    server, inbox, receiver = world
    events = ["CREDENTIAL_ISSUED", "CREDENTIAL_DELIVERED", "CREDENTIAL_CLAIMED"]
    created = server.gql(SUBSCRIBE, {"input": {"url": receiver.url, "events": events}})[
        "createWebhookEndpoint"
    ]
    assert created["userErrors"] == []
    receiver.secret = created["secret"]
    credential = server.issued_credential(recipient={"email": "done@example.com", "name": "Dana Done"})

    (message,) = inbox.wait_for(1)
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    link = re.search(r"Accept your badge: (\S+)", text).group(1)  # type: ignore[union-attr]
    with httpx.Client(timeout=30, headers=BROWSER, follow_redirects=False) as learner:
        assert learner.get(link).status_code == 200  # a page view
        assert learner.post(link).status_code == 303  # claimed
        assert learner.get(f"{credential['url']}/linkedin").status_code == 302  # shared

    receiver.wait(3)
    assert all(d.error is None for d in receiver.received), [d.error for d in receiver.received]
    by_type = {d.payload["type"]: d.payload for d in receiver.received}
    assert set(by_type) == {"credential.issued", "credential.delivered", "credential.claimed"}
    assert by_type["credential.claimed"]["data"]["credentialUrl"] == credential["url"]
    assert by_type["credential.delivered"]["data"]["messageId"] == message["Message-ID"]

    today = str(datetime.now(UTC).date())
    deadline = time.monotonic() + 10
    while True:
        result = server.gql(FUNNEL, {"f": {"from": today, "to": today}})["analytics"]
        if result["funnel"] == {"issued": 1, "delivered": 1, "claimed": 1, "shared": 1}:
            break
        assert time.monotonic() < deadline, result
        time.sleep(0.1)
    totals = {t["type"]: t["count"] for t in result["totals"]}
    assert totals["page_viewed"] == 1 and totals["linkedin_clicked"] == 1

    server.revoke(credential["id"])
    page = server.client.get(credential["url"], headers={"Accept": "text/html"}).text
    assert 'data-verdict="failed"' in page and 'id="add-to-linkedin"' not in page and "Revoked on" in page
    assert by_type["credential.issued"]["data"]["credentialUrl"] == credential["url"]
