"""VC-API wallets and the Learner Credential Wallet take an offer over a live server.

The wallet (``oid4vci_wallet/vcapi_wallet.mjs``) is Digital Bazaar's stack, pinned in
``conformance/interop``: a fresh did:key signs the DID Authentication presentation with
``Ed25519Signature2020`` (what the Learner Credential Wallet signs with) or ``eddsa-rdfc-2022``.
The credential it receives is bound to that DID, verifies in vcengine and in Digital Bazaar's
verifier (status included), and the offer is gone for every other protocol afterwards.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.api.conftest import LiveServer
from tests.api.http.test_http_oid4vci_wallet import (
    WALLET,
    achievement_of,
    analytics_totals,
    digital_bazaar,
    digital_bazaar_verifies,
    verify,
)

__all__ = ["digital_bazaar"]  # the fixture, imported for these tests

OFFER = """mutation($i: CreateCredentialOfferInput!) { createCredentialOffer(input: $i) {
  offer { credentialIssuer exchangeUrl lcwDeepLink openid4vciOfferUri credentialOffer txCode } userErrors { message } } }"""


def offer(server: LiveServer, **options: Any) -> dict[str, Any]:
    issuer = server.create_issuer("LCW Academy", kind="DID_KEY")
    credential = server.issue(server.create_achievement(issuer["id"], "Exchanges")["id"])
    data = server.gql(OFFER, {"i": {"credentialId": credential["id"], **options}})["createCredentialOffer"]
    assert data["userErrors"] == [], data
    result: dict[str, Any] = {**data["offer"], "credential": credential}
    return result


def run(digital_bazaar: Path, **request: Any) -> dict[str, Any]:
    done = subprocess.run(
        ["node", "vcapi_wallet.mjs", json.dumps(request)],
        cwd=WALLET,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and done.stdout.startswith("{"), done.stderr[-2000:]
    out: dict[str, Any] = json.loads(done.stdout)
    return out


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "Ed25519Signature2020"])
def test_a_vc_api_exchange_delivers_the_bound_credential(
    live_server: LiveServer, digital_bazaar: Path, tmp_path: Path, suite: str
) -> None:
    offered = offer(live_server)
    got = run(digital_bazaar, exchange=offered["exchangeUrl"], suite=suite)
    request = got["request"]
    assert request["challenge"] and request["domain"] == urlsplit(live_server.base_url).netloc
    assert request["interact"]["service"][0]["serviceEndpoint"] == offered["exchangeUrl"]
    assert got["status"] == 200, got["response"]
    (received,) = got["response"]["verifiablePresentation"]["verifiableCredential"]
    assert received["credentialSubject"]["id"] == got["holder"]
    assert verify(live_server, credential=received)["verdict"] == "VERIFIED"
    assert digital_bazaar_verifies(received, tmp_path) == {"verified": True, "tamper": {"rejected": True}}
    again = live_server.client.post(offered["exchangeUrl"], json={})
    assert again.status_code == 404  # one offer, one delivery, whichever wallet takes it
    grant = offered["credentialOffer"]["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]
    token = live_server.client.post(
        f"{urlsplit(offered['credentialIssuer']).path}/oid4vci/token",
        data={"grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code", **grant},
    )
    assert token.status_code == 400 and "used already" in token.json()["error_description"]


def test_the_learner_credential_wallet_request_link_delivers_the_bound_credential(
    live_server: LiveServer, digital_bazaar: Path
) -> None:
    offered = offer(live_server)
    link = urlsplit(offered["lcwDeepLink"])
    params = {k: v[0] for k, v in parse_qs(link.query).items()}
    assert f"{link.scheme}://{link.netloc}" == "dccrequest://request"
    assert params["auth_type"] == "bearer" and params["issuer"] == offered["credentialIssuer"]
    assert params["vc_request_url"] == offered["exchangeUrl"]
    got = run(digital_bazaar, lcw=offered["lcwDeepLink"], suite="Ed25519Signature2020")
    assert got["status"] == 200, got["response"]
    (received,) = got["response"]["verifiablePresentation"]["verifiableCredential"]
    assert received["credentialSubject"]["id"] == got["holder"]
    totals = analytics_totals(live_server, achievement_of(live_server, offered["credential"]))
    assert totals["wallet_issued"] == 1


def test_a_presentation_with_a_wrong_challenge_or_domain_or_replayed_is_refused(
    live_server: LiveServer, digital_bazaar: Path
) -> None:
    offered = offer(live_server)
    wrong_domain = run(digital_bazaar, exchange=offered["exchangeUrl"], domain="evil.example")
    assert wrong_domain["status"] == 400 and "domain" in wrong_domain["response"]["detail"]
    other = offer(live_server)  # its challenge is not this exchange's
    foreign = run(digital_bazaar, lcw=other["lcwDeepLink"].replace(
        other["exchangeUrl"].replace(":", "%3A").replace("/", "%2F"), offered["exchangeUrl"].replace(":", "%3A").replace("/", "%2F")
    ))  # fmt: skip
    assert foreign["status"] == 400 and "challenge" in foreign["response"]["detail"]
    good = run(digital_bazaar, exchange=offered["exchangeUrl"])
    assert good["status"] == 200
    replay = live_server.client.post(
        offered["exchangeUrl"], json={"verifiablePresentation": good["presentation"]}
    )
    assert replay.status_code == 404
    not_json = live_server.client.post(
        other["exchangeUrl"], content=b"[1]", headers={"Content-Type": "application/json"}
    )
    assert not_json.status_code == 400


def test_an_offer_with_a_transaction_code_has_no_exchange(live_server: LiveServer) -> None:
    offered = offer(live_server, txCode=True)
    assert offered["exchangeUrl"] is None and offered["lcwDeepLink"] is None
    handle_url = parse_qs(urlsplit(offered["openid4vciOfferUri"]).query)["credential_offer_uri"][0]
    exchange = handle_url.replace("/oid4vci/offers/", "/exchanges/")
    assert live_server.client.post(exchange, json={}).status_code == 404


def test_web_wallets_may_post_to_the_exchange_cross_origin(live_server: LiveServer) -> None:
    offered = offer(live_server)
    origin = {"Origin": "https://wallet.example"}
    preflight = live_server.client.options(
        offered["exchangeUrl"], headers={**origin, "Access-Control-Request-Method": "POST"}
    )
    assert preflight.status_code == 204 and preflight.headers["access-control-allow-origin"] == "*"
    started = live_server.client.post(offered["exchangeUrl"], json={}, headers=origin)
    assert started.status_code == 200 and started.headers["access-control-allow-origin"] == "*"
    assert started.json()["verifiablePresentationRequest"]["query"][0]["type"] == "DIDAuthentication"


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "Ed25519Signature2020"])
def test_a_di_vp_key_proof_binds_an_oid4vci_credential(
    live_server: LiveServer, digital_bazaar: Path, suite: str
) -> None:
    """OID4VCI 1.0 Appendix F.2: a Digital Bazaar presentation as the key proof."""
    from tests.api.http.test_http_oid4vci import LDP, Flow, error_of

    flow = Flow(live_server)
    access = flow.token()
    nonce = flow.nonce()
    signed = run(digital_bazaar, sign={"challenge": nonce, "domain": flow.issuer}, suite=suite)
    body = {"credential_configuration_id": LDP, "proofs": {"di_vp": [signed["presentation"]]}}
    wrong_domain = run(
        digital_bazaar, sign={"challenge": flow.nonce(), "domain": "https://evil.example"}, suite=suite
    )
    refused = flow.credential(access, {**body, "proofs": {"di_vp": [wrong_domain["presentation"]]}})
    assert "domain" in error_of(refused, 400, "invalid_proof")
    got = flow.credential(access, body)
    assert got.status_code == 200, got.text
    assert got.json()["credentials"][0]["credential"]["credentialSubject"]["id"] == signed["holder"]
