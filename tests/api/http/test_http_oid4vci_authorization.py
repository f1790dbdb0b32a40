"""Wallet-initiated issuance end to end: the authorization code flow with PKCE of an independent
wallet (oid4vc-ts, ``oid4vci_wallet/wallet_auth.mjs``), the learner signing in with the one-time
link a real SMTP server (aiosmtpd) receives, in a browser played by httpx."""

from __future__ import annotations

import html
import json
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.api.conftest import LiveServer
from tests.api.http.test_http_oid4vci_wallet import WALLET, verify, wallet
from tests.api.test_delivery import messages_to
from tests.smtp_server import Inbox, smtp_server
from vcengine.api.settings import Secret

__all__ = ["wallet"]  # the fixture, imported for these tests

REDIRECT = "eu.wallet.example://callback"


@pytest.fixture(scope="module")
def inbox() -> Iterator[Inbox]:
    with smtp_server() as box:
        yield box


@pytest.fixture(scope="module")
def mailing(tmp_path_factory: pytest.TempPathFactory, inbox: Inbox) -> Iterator[LiveServer]:
    server = LiveServer(
        tmp_path_factory.mktemp("authorization"), smtp_url=Secret(inbox.url), smtp_retry_seconds=0.2
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


def step(wallet: Path, **request: Any) -> dict[str, Any]:
    done = subprocess.run(
        ["node", "wallet_auth.mjs", json.dumps(request)],
        cwd=wallet,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and done.stdout.startswith("{"), (done.stdout[-1000:], done.stderr[-2000:])
    out: dict[str, Any] = json.loads(done.stdout)
    return out


def field(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]+)"', page)
    assert found, page
    return html.unescape(found.group(1))


def sign_in_messages(inbox: Inbox, address: str) -> list[Any]:
    return [m for m in messages_to(inbox, address) if "sign-in link" in str(m["Subject"])]


def email_link(inbox: Inbox, address: str) -> str:
    deadline = time.monotonic() + 20
    while not sign_in_messages(inbox, address) and time.monotonic() < deadline:
        time.sleep(0.05)
    (message,) = sign_in_messages(inbox, address)
    text = message.get_body(("plain",)).get_content()
    found = re.search(r"(https?://\S+/oid4vci/sign-in/\S+)", text)
    assert found, text
    return str(found.group(1))


def test_a_wallet_initiated_request_signs_the_learner_in_by_email_and_issues_with_pkce(
    mailing: LiveServer, inbox: Inbox, wallet: Path
) -> None:
    issuer = mailing.create_issuer("Code Academy")
    achievement = mailing.create_achievement(issuer["id"], "PKCE Practitioner")
    credential = mailing.issue(achievement["id"], recipient={"email": "pkce@example.org", "name": "Pat"})
    identifier = mailing.client.get(credential["url"], headers={"Accept": "application/json"}).json()[
        "issuer"
    ]["id"]
    metadata = mailing.client.get(
        f"/.well-known/oauth-authorization-server{urlsplit(identifier).path}"
    ).json()
    assert metadata["code_challenge_methods_supported"] == ["S256"] and metadata["authorization_endpoint"]
    args = {
        "issuer": identifier,
        "configurationId": "OpenBadgeCredential_ldp_vc",
        "clientId": "wallet-app",
        "redirectUri": REDIRECT,
    }

    authorize = step(wallet, step="authorize", **args)
    page = mailing.client.get(authorize["url"])
    assert page.status_code == 200 and "Email me a sign-in link" in page.text
    sent = mailing.client.post(
        urlsplit(authorize["url"]).path,
        data={"ticket": field(page.text, "ticket"), "email": "PKCE@example.org"},
    )
    assert sent.status_code == 200 and "Check your email" in sent.text
    link = email_link(inbox, "pkce@example.org")
    choose = mailing.client.get(urlsplit(link).path)
    assert choose.status_code == 200 and "PKCE Practitioner" in choose.text
    back = mailing.client.post(urlsplit(link).path, data={"credential": field(choose.text, "credential")})
    assert back.status_code == 303
    location = urlsplit(back.headers["location"])
    assert f"{location.scheme}://{location.netloc}" == REDIRECT
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert query["iss"] == identifier

    got = step(wallet, step="token", code=query["code"], verifier=authorize["verifier"], **args)
    assert got["token"]["authorization_details"][0]["credential_identifiers"] == [
        "OpenBadgeCredential_ldp_vc"
    ]
    (received,) = got["credentials"]
    assert received["id"] == credential["url"] and received["credentialSubject"]["id"] == got["holder"]
    assert verify(mailing, credential=received)["verdict"] == "VERIFIED"
    assert mailing.client.get(urlsplit(link).path).status_code == 404  # the link was used
    token_url = metadata["token_endpoint"]
    again = mailing.client.post(
        urlsplit(token_url).path,
        data={"grant_type": "authorization_code", "code": query["code"], "client_id": "wallet-app",
              "redirect_uri": REDIRECT, "code_verifier": authorize["verifier"]},
    )  # fmt: skip
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_no_email_for_an_address_without_badges_and_refusals_go_back_to_the_wallet(
    mailing: LiveServer, inbox: Inbox
) -> None:
    issuer = mailing.create_issuer("Quiet Academy")
    path = urlsplit(issuer["issuerId"]).path
    params = {"response_type": "code", "client_id": "w", "redirect_uri": REDIRECT, "state": "s-1",
              "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "code_challenge_method": "S256",
              "scope": "OpenBadgeCredential"}  # fmt: skip
    refused = mailing.client.get(f"{path}/oid4vci/authorize", params={**params, "response_type": "token"})
    assert refused.status_code == 303
    back = {k: v[0] for k, v in parse_qs(urlsplit(refused.headers["location"]).query).items()}
    assert (back["error"], back["state"], back["iss"]) == (
        "unsupported_response_type",
        "s-1",
        issuer["issuerId"],
    )
    shown = mailing.client.get(
        f"{path}/oid4vci/authorize", params={**params, "redirect_uri": "javascript:alert(1)"}
    )
    assert shown.status_code == 400 and "location" not in shown.headers
    page = mailing.client.get(f"{path}/oid4vci/authorize", params=params)
    sent = mailing.client.post(
        f"{path}/oid4vci/authorize",
        data={"ticket": field(page.text, "ticket"), "email": "nobody@example.org"},
    )
    assert sent.status_code == 200 and "Check your email" in sent.text  # the same answer: no address probing
    forged = mailing.client.post(
        f"{path}/oid4vci/authorize", data={"ticket": "e30.AAAA", "email": "x@example.org"}
    )
    assert forged.status_code == 404
    time.sleep(1.5)  # the job ran (the runner polls every second) and sent nothing
    assert sign_in_messages(inbox, "nobody@example.org") == []
