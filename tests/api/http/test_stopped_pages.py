"""Revoked and expired badges stop promoting themselves (issue 10 point 3): their pages show no
LinkedIn or download buttons, but when (and, if published, why) they stopped counting; their
LinkedIn link leads back to the page; revoking twice is a typed user error."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from tests.api.conftest import LiveServer

HTML = {"Accept": "text/html"}
REVOKE = """mutation($i: RevokeCredentialInput!) { revokeCredential(input: $i) {
  credential { status } userErrors { field message code } } }"""


def test_an_active_page_promotes_a_revoked_one_says_when_and_why(live_server: LiveServer) -> None:
    credential = live_server.issued_credential()
    active = live_server.client.get(credential["url"], headers=HTML).text
    assert 'id="add-to-linkedin"' in active and "badge.png?download=1" in active
    assert f'href="{credential["url"]}/linkedin"' in active

    before = datetime.now(UTC).replace(microsecond=0)
    done = live_server.gql(
        REVOKE,
        {"i": {"id": credential["id"], "reason": "ticket 4711", "publicReason": "Issued in error <b>."}},
    )["revokeCredential"]
    assert done["userErrors"] == [] and done["credential"]["status"] == "REVOKED"
    page = live_server.client.get(credential["url"], headers=HTML).text
    assert 'id="add-to-linkedin"' not in page and "?download=1" not in page and " download>" not in page
    assert "Revoked on" in page and before.strftime("%-d %B %Y") in page
    assert "Reason given by the issuer: Issued in error &lt;b&gt;." in page
    assert "ticket 4711" not in page  # the private reason stays private
    link = live_server.client.get(f"{credential['url']}/linkedin", follow_redirects=False)
    assert link.status_code == 303 and link.headers["location"] == credential["url"]

    again = live_server.gql(REVOKE, {"i": {"id": credential["id"]}})["revokeCredential"]
    assert again["credential"] is None
    (error,) = again["userErrors"]
    assert error["code"] == "INVALID_TRANSITION" and error["field"] == ["input", "id"]
    assert "revoked already since" in error["message"]


def test_a_revocation_without_a_public_reason_shows_none(live_server: LiveServer) -> None:
    credential = live_server.issued_credential()
    live_server.revoke(credential["id"])
    page = live_server.client.get(credential["url"], headers=HTML).text
    assert "Revoked on" in page and "Reason given by the issuer" not in page


def test_a_too_long_public_reason_is_refused_before_revoking(live_server: LiveServer) -> None:
    credential = live_server.issued_credential()
    refused = live_server.gql(REVOKE, {"i": {"id": credential["id"], "publicReason": "x" * 501}})
    (error,) = refused["revokeCredential"]["userErrors"]
    assert error["field"] == ["input", "publicReason"] and error["code"] == "INVALID"
    assert live_server.client.get(credential["url"]).json()["id"] == credential["url"]
    status = live_server.gql(
        "query($id: ID!) { node(id: $id) { ... on Credential { status } } }", {"id": credential["id"]}
    )
    assert status["node"]["status"] == "ACTIVE"


def test_an_expired_page_says_since_when_and_offers_nothing_to_share(live_server: LiveServer) -> None:
    until = (datetime.now(UTC) + timedelta(seconds=2)).replace(microsecond=0) + timedelta(seconds=1)
    credential = live_server.issued_credential(validUntil=until.isoformat())
    time.sleep(max(0.0, (until - datetime.now(UTC)).total_seconds()) + 0.2)
    page = live_server.client.get(credential["url"], headers=HTML).text
    assert 'id="add-to-linkedin"' not in page and "?download=1" not in page
    assert f'Expired on <time datetime="{until.isoformat()}">' in page
    link = live_server.client.get(f"{credential['url']}/linkedin", follow_redirects=False)
    assert link.status_code == 303


def test_a_batch_revocation_publishes_its_reason_once(live_server: LiveServer) -> None:
    first, second = live_server.issued_credential(), live_server.issued_credential()
    batch = """mutation($i: RevokeCredentialsInput!) { revokeCredentials(input: $i) {
      credentials { status } userErrors { field code } } }"""
    ids = [first["id"], second["id"]]
    done = live_server.gql(batch, {"i": {"ids": ids, "publicReason": "Course withdrawn."}})[
        "revokeCredentials"
    ]
    assert done["userErrors"] == [] and [c["status"] for c in done["credentials"]] == ["REVOKED", "REVOKED"]
    again = live_server.gql(batch, {"i": {"ids": ids, "publicReason": "Another story."}})["revokeCredentials"]
    assert again["userErrors"] == []  # a batch stays idempotent
    for credential in (first, second):
        page = live_server.client.get(credential["url"], headers=HTML).text
        assert "Reason given by the issuer: Course withdrawn." in page and "Another story" not in page
    too_long = live_server.gql(batch, {"i": {"ids": ids, "publicReason": "x" * 501}})["revokeCredentials"]
    assert too_long["userErrors"] == [{"field": ["input", "publicReason"], "code": "INVALID"}]
