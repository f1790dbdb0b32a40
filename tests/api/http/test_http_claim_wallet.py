"""Done when (issue 11): a learner issued a badge by email takes it, from the claim page, into an
OpenID4VCI wallet by QR code, and into the Learner Credential Wallet by its link.

A real uvicorn server with a real SMTP server (aiosmtpd, ``tests/smtp_server.py``): the badge is
issued with email delivery, the claim link is read from the message, "Add to wallet" is pressed
on the claim page, and the independent wallets of ``test_http_oid4vci_wallet`` and
``test_http_vc_api_exchanges`` take the offer the page shows.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.api.conftest import LiveServer
from tests.api.http.test_http_oid4vci_wallet import digital_bazaar, run_wallet, verify, wallet
from tests.api.http.test_http_vc_api_exchanges import run
from tests.api.test_delivery import claim_link, messages_to
from tests.smtp_server import Inbox, smtp_server
from vcengine.api.settings import Secret

__all__ = ["digital_bazaar", "wallet"]  # fixtures, imported for these tests


@pytest.fixture(scope="module")
def inbox() -> Iterator[Inbox]:
    with smtp_server() as box:
        yield box


@pytest.fixture(scope="module")
def mailing(tmp_path_factory: pytest.TempPathFactory, inbox: Inbox) -> Iterator[LiveServer]:
    server = LiveServer(
        tmp_path_factory.mktemp("claim-wallet"), smtp_url=Secret(inbox.url), smtp_retry_seconds=0.2
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


def emailed_claim(server: LiveServer, inbox: Inbox, email: str) -> str:
    issuer = server.create_issuer("Wallet Academy", kind="DID_KEY")
    achievement = server.create_achievement(issuer["id"], "Wallet Ready")
    server.issue(achievement["id"], recipient={"email": email, "name": "Learner"}, delivery="EMAIL")
    deadline = time.monotonic() + 20
    while not messages_to(inbox, email) and time.monotonic() < deadline:
        time.sleep(0.05)  # the email goes out from the durable job runner
    (message,) = messages_to(inbox, email)
    return urlsplit(claim_link(message)).path


def wallet_page(server: LiveServer, claim_path: str) -> str:
    page = server.client.get(claim_path)
    assert page.status_code == 200 and f'action="{claim_path}/wallet"' in page.text
    response = server.client.post(f"{claim_path}/wallet")
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    text: str = response.text
    return text


def link(page: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}" href="([^"]+)"', page)
    assert found, page
    return html.unescape(found.group(1))


def test_from_the_claim_page_into_an_openid4vci_wallet(
    mailing: LiveServer, inbox: Inbox, wallet: Path
) -> None:
    claim = emailed_claim(mailing, inbox, "qr@example.org")
    page = wallet_page(mailing, claim)
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page  # the QR code, inline
    offer_link = link(page, "openid4vci-link")
    assert offer_link.startswith("openid-credential-offer://?credential_offer_uri=")
    got = run_wallet(wallet, offer=offer_link, keys=["ed25519-did"])
    received = got["results"][0]["credentials"][0]
    assert received["credentialSubject"]["id"] == got["holders"][0]["did"]
    assert verify(mailing, credential=received)["verdict"] == "VERIFIED"
    assert mailing.client.post(f"{claim}/wallet").status_code == 200  # a fresh offer each time


def test_from_the_claim_page_into_the_learner_credential_wallet(
    mailing: LiveServer, inbox: Inbox, digital_bazaar: Path
) -> None:
    claim = emailed_claim(mailing, inbox, "lcw@example.org")
    page = wallet_page(mailing, claim)
    got = run(digital_bazaar, lcw=link(page, "lcw-link"), suite="Ed25519Signature2020")
    assert got["status"] == 200, got["response"]
    (received,) = got["response"]["verifiablePresentation"]["verifiableCredential"]
    assert received["credentialSubject"]["id"] == got["holder"]


def test_no_offer_for_an_unknown_link_or_a_badge_that_stopped_counting(
    mailing: LiveServer, inbox: Inbox
) -> None:
    assert mailing.client.post(f"/claim/{'B' * 43}/wallet").status_code == 404
    claim = emailed_claim(mailing, inbox, "revoked@example.org")
    found = mailing.gql(
        "query($r: String!) { credentials(first: 1, filter: {recipient: $r}) { edges { node { id } } } }",
        {"r": "revoked@example.org"},
    )["credentials"]["edges"][0]["node"]["id"]
    mailing.revoke(found)
    refused = mailing.client.post(f"{claim}/wallet")
    assert refused.status_code == 409 and "revoked" in refused.text


EMAILED = """mutation($i: CreateCredentialOfferInput!) { createCredentialOffer(input: $i) {
  offer { openid4vciOfferUri txCode txCodeRequired exchangeUrl } userErrors { field message code } } }"""


def test_a_transaction_code_sent_by_email_while_staff_show_the_qr_code(
    mailing: LiveServer, inbox: Inbox, wallet: Path
) -> None:
    issuer = mailing.create_issuer("Event Academy")
    achievement = mailing.create_achievement(issuer["id"], "Booth Visitor")
    credential = mailing.issue(achievement["id"], recipient={"email": "booth@example.org"}, delivery="NONE")
    data = mailing.gql(EMAILED, {"i": {"credentialId": credential["id"], "txCodeDelivery": "EMAIL"}})
    offer = data["createCredentialOffer"]["offer"]
    assert offer["txCode"] is None and offer["txCodeRequired"] and offer["exchangeUrl"] is None
    deadline = time.monotonic() + 20
    while not messages_to(inbox, "booth@example.org") and time.monotonic() < deadline:
        time.sleep(0.05)
    (message,) = messages_to(inbox, "booth@example.org")
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    code = re.search(r"^\s+(\d{6})\s*$", text, re.M)
    assert code, text
    got = run_wallet(wallet, offer=offer["openid4vciOfferUri"], txCode=code.group(1), keys=["ed25519-did"])
    assert got["results"][0]["credentials"][0]["credentialSubject"]["id"] == got["holders"][0]["did"]
    nameless = mailing.issue(achievement["id"], recipient={"name": "No Mail"}, delivery="NONE")
    refused = mailing.gql(EMAILED, {"i": {"credentialId": nameless["id"], "txCodeDelivery": "EMAIL"}})
    assert refused["createCredentialOffer"]["userErrors"][0]["field"][-1] == "txCodeDelivery"
