"""An independent OID4VCI 1.0 wallet takes a credential offer from a live server, end to end.

The wallet is the OpenWallet Foundation's oid4vc-ts client (npm ``@openid4vc/openid4vci``, pinned
in ``oid4vci_wallet/package-lock.json``, installed with ``npm ci`` on first use), run by node from
``oid4vci_wallet/wallet.mjs``: it resolves the offer by reference, reads the Credential Issuer and
Authorization Server metadata, redeems the pre-authorized code (with the transaction code), gets
a ``c_nonce``, sends batch credential requests with ``jwt`` proofs of two keys (Ed25519 as
``did:key``, P-256 as a ``jwk`` header) for both configurations, and notifies acceptance.

Each received credential is then verified by vcengine's verifier (GraphQL ``verifyCredential``:
proof, issuer key, status), bound to the key that proved possession, and carries the stored
credential's id and status entry; analytics (GraphQL) count ``wallet_issued`` and ``wallet_imported``.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import LiveServer

WALLET = Path(__file__).parent / "oid4vci_wallet"
DIGITAL_BAZAAR = Path(__file__).resolve().parents[3] / "conformance" / "interop"

VERIFY = """mutation($i: VerifyCredentialInput!) { verifyCredential(input: $i) {
  report { verdict verified format checks { check outcome reason } } userErrors { message } } }"""
OFFER = """mutation($i: CreateCredentialOfferInput!) { createCredentialOffer(input: $i) {
  offer { id credentialIssuer openid4vciOfferUri openid4vciOfferByValueUri credentialOfferUri credentialOffer
          txCode expiresAt qrCodeSvg }
  userErrors { field message code } } }"""


@pytest.fixture(scope="module")
def wallet() -> Path:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail(
            "node and npm are needed for the independent OID4VCI wallet (Debian: apt install nodejs npm)"
        )
    if not (WALLET / "node_modules" / "@openid4vc" / "openid4vci").is_dir():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"], cwd=WALLET, check=True, capture_output=True, timeout=300
        )
    return WALLET


def npm_ci(where: Path, marker: str) -> Path:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail(
            "node and npm are needed for the independent OID4VCI wallet (Debian: apt install nodejs npm)"
        )
    if not (where / "node_modules" / marker).is_dir():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"], cwd=where, check=True, capture_output=True, timeout=300
        )
    return where


@pytest.fixture(scope="module")
def digital_bazaar() -> Path:
    """Digital Bazaar's verifier (conformance/interop/verify.mjs: @digitalbazaar/vc, closed-world loader)."""
    return npm_ci(DIGITAL_BAZAAR, "@digitalbazaar/vc")


def run_wallet(wallet: Path, **request: Any) -> dict[str, Any]:
    done = subprocess.run(
        ["node", "wallet.mjs", json.dumps(request)], cwd=wallet, capture_output=True, text=True, timeout=120
    )
    out: dict[str, Any] = json.loads(done.stdout or "{}") if done.stdout.startswith("{") else {}
    assert done.returncode == 0, (out, done.stderr[-2000:])
    return out


def offer_for(server: LiveServer, credential_gid: str, **options: Any) -> dict[str, Any]:
    data = server.gql(OFFER, {"i": {"credentialId": credential_gid, **options}})["createCredentialOffer"]
    assert data["userErrors"] == [], data
    offer: dict[str, Any] = data["offer"]
    return offer


def verify(server: LiveServer, **what: Any) -> dict[str, Any]:
    data = server.gql(VERIFY, {"i": what})["verifyCredential"]
    assert data["userErrors"] == [], data
    report: dict[str, Any] = data["report"]
    return report


def jwt_payload(token: str) -> dict[str, Any]:
    segment = token.split(".")[1]
    payload: dict[str, Any] = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    return payload


def did_jwk(jwk: dict[str, str]) -> str:
    public = {k: jwk[k] for k in ("crv", "kty", "x", "y")}
    encoded = base64.urlsafe_b64encode(json.dumps(public, separators=(",", ":")).encode()).rstrip(b"=")
    return "did:jwk:" + encoded.decode()


ANALYTICS = """query($f: AnalyticsFilterInput!) { analytics(filter: $f, interval: MONTH) { totals { type count } } }"""
ACHIEVEMENT = """query($id: ID!) { node(id: $id) { ... on Credential { achievement { id } } } }"""


def achievement_of(server: LiveServer, credential: dict[str, Any]) -> str:
    achievement_id: str = server.gql(ACHIEVEMENT, {"id": credential["id"]})["node"]["achievement"]["id"]
    return achievement_id


def analytics_totals(server: LiveServer, achievement_id: str) -> dict[str, int]:
    """The organization's analytics (GraphQL ``analytics``) of one achievement, this year: totals per type."""
    today = datetime.now(UTC).date()
    window = {
        "from": str(today - timedelta(days=1)),
        "to": str(today + timedelta(days=1)),
        "achievementId": achievement_id,
    }
    data = server.gql(ANALYTICS, {"f": window})["analytics"]["totals"]
    return {t["type"]: t["count"] for t in data}


def stored_credential(server: LiveServer, credential_url: str) -> dict[str, Any]:
    response = server.client.get(credential_url, headers={"Accept": "application/json"})
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    return document


def test_an_independent_wallet_takes_the_offer_with_a_tx_code_binds_and_verifies(
    live_server: LiveServer, wallet: Path
) -> None:
    credential = live_server.issued_credential()
    offer = offer_for(live_server, credential["id"], txCode=True)
    assert offer["txCode"].isdigit() and len(offer["txCode"]) == 6
    assert offer["txCode"] not in json.dumps(offer["credentialOffer"])  # never in the offer's channel

    got = run_wallet(
        wallet,
        offer=offer["openid4vciOfferUri"],
        txCode=offer["txCode"],
        keys=["ed25519-did", "p256-jwk"],
        notify=True,
    )

    assert got["offer"] == offer["credentialOffer"]  # resolved by reference
    assert got["token"]["token_type"] == "Bearer"
    assert got["issuerMetadata"]["credential_issuer"] == offer["credentialIssuer"]
    ed25519, p256 = got["holders"]
    holders = [ed25519["did"], did_jwk(p256["jwk"])]
    assert holders[0].startswith("did:key:z6Mk")
    stored = stored_credential(live_server, credential["url"])
    by_config = {r["configurationId"]: r for r in got["results"]}
    assert set(by_config) == {"OpenBadgeCredential_ldp_vc", "OpenBadgeCredential_jwt_vc_json"}

    ldp = by_config["OpenBadgeCredential_ldp_vc"]["credentials"]
    assert [c["credentialSubject"]["id"] for c in ldp] == holders  # one per proof, each bound to its key
    for received in ldp:
        assert received["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
        assert received["id"] == stored["id"] and received["credentialStatus"] == stored["credentialStatus"]
        report = verify(live_server, credential=received)
        assert report["verdict"] == "VERIFIED", report

    tokens = by_config["OpenBadgeCredential_jwt_vc_json"]["credentials"]
    assert [jwt_payload(t)["sub"] for t in tokens] == holders
    for token in tokens:
        payload = jwt_payload(token)
        assert payload["credentialSubject"]["id"] == payload["sub"]
        assert payload["credentialStatus"] == stored["credentialStatus"]
        report = verify(live_server, jwt=token)
        assert report["verdict"] == "VERIFIED" and report["format"] == "vc-jwt", report

    assert stored_credential(live_server, credential["url"]) == stored  # the stored record is unchanged
    assert got["notified"] == list(by_config)
    totals = analytics_totals(live_server, achievement_of(live_server, credential))
    assert (totals["wallet_issued"], totals["wallet_imported"]) == (2, 2)  # one per request, per notification


def test_an_offer_without_a_tx_code_is_redeemed_once(live_server: LiveServer, wallet: Path) -> None:
    credential = live_server.issued_credential(proofFormat="VC_JWT")
    offer = offer_for(live_server, credential["id"])
    assert offer["txCode"] is None and "tx_code" not in json.dumps(offer["credentialOffer"])
    assert offer["credentialOffer"]["credential_configuration_ids"][0] == "OpenBadgeCredential_jwt_vc_json"

    got = run_wallet(wallet, offer=offer["openid4vciOfferByValueUri"], keys=["ed25519-did"])
    assert got["offer"] == offer["credentialOffer"]  # the offer travelled in the link itself
    (jwt_result, ldp_result) = got["results"]
    assert jwt_payload(jwt_result["credentials"][0])["sub"] == got["holders"][0]["did"]
    assert ldp_result["credentials"][0]["credentialSubject"]["id"] == got["holders"][0]["did"]

    again = subprocess.run(
        ["node", "wallet.mjs", json.dumps({"offer": offer["openid4vciOfferByValueUri"]})],
        cwd=wallet, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert again.returncode == 1 and "invalid_grant" in again.stdout  # the code is used up
    assert live_server.client.get(offer["credentialOfferUri"]).status_code == 404


def test_a_bound_credential_of_a_did_key_issuer_verifies_in_digital_bazaars_verifier_until_revoked(
    live_server: LiveServer, wallet: Path, digital_bazaar: Path, tmp_path: Path
) -> None:
    issuer = live_server.create_issuer("Key Academy", kind="DID_KEY")
    achievement = live_server.create_achievement(issuer["id"], "Interop")
    credential = live_server.issue(achievement["id"])
    offer = offer_for(live_server, credential["id"])
    got = run_wallet(wallet, offer=offer["openid4vciOfferUri"], keys=["ed25519-did"])
    received = got["results"][0]["credentials"][0]
    assert received["issuer"]["id"].startswith("did:key:z6Mk")
    assert received["credentialSubject"]["id"] == got["holders"][0]["did"]
    assert verify(live_server, credential=received)["verdict"] == "VERIFIED"
    assert digital_bazaar_verifies(received, tmp_path) == {"verified": True, "tamper": {"rejected": True}}
    live_server.revoke(credential["id"])  # revoking the badge revokes the wallet's copy too
    revoked = digital_bazaar_verifies(received, tmp_path)
    assert not revoked["verified"] and "revocation bit is set" in revoked["error"], revoked


def digital_bazaar_verifies(credential: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    (tmp_path / "bound.json").write_text(json.dumps(credential))
    done = subprocess.run(
        ["node", "verify_bound.mjs", str(tmp_path / "bound.json")],
        cwd=WALLET,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.startswith("{"), done.stderr[-2000:]
    result: dict[str, Any] = json.loads(done.stdout)
    return result
