"""POST /credentials/verify with Open Badges 2.0 assertions, through a real uvicorn server: the
service fetches no documents, so a hosted or signed OB 2.0 badge is reported indeterminate
(never verified) with the reason, answered like any credential that did not verify."""

from __future__ import annotations

import json
from typing import Any

from tests.api.conftest import LiveServer
from tests.conftest import VECTORS
from tests.core.ob2.ob2_badges import Ob2Issuer

ISSUER = Ob2Issuer()


def post(server: LiveServer, credential: Any) -> Any:
    return server.client.post("/credentials/verify", json={"verifiableCredential": credential})


def not_verified_status(server: LiveServer) -> int:
    """The status the VC API gives any credential that did not verify (a tampered W3C vector)."""
    vc = json.loads((VECTORS / "w3c-vc-di-eddsa/eddsa-rdfc-2022/signedDataInt.json").read_text())
    vc["credentialSubject"]["alumniOf"] = "Mallory University"
    response = post(server, vc)
    assert response.json()["verified"] is False
    return int(response.status_code)


def test_signed_ob2_assertion_is_indeterminate_with_a_clear_reason(live_server: LiveServer) -> None:
    response = post(live_server, ISSUER.sign(ISSUER.assertion(signed=True)))
    body = response.json()
    assert response.status_code == not_verified_status(live_server)
    assert body["verified"] is False
    assert body["results"]["verdict"] == "indeterminate" and body["results"]["format"] == "ob2-signed"
    assert any("does not fetch Open Badges 2.0 documents" in p["detail"] for p in body["problemDetails"])


def test_hosted_ob2_assertion_is_indeterminate(live_server: LiveServer) -> None:
    assertion = ISSUER.assertion()
    response = post(live_server, assertion)
    body = response.json()
    assert response.status_code == not_verified_status(live_server)
    assert body["verified"] is False and body["results"]["verdict"] == "indeterminate"
    assert body["results"]["id"] == assertion["id"]
    proof = next(c for c in body["results"]["checks"] if c["check"] == "proof")
    assert proof["code"] == "hosted-unavailable"


def test_expired_ob2_assertion_fails(live_server: LiveServer) -> None:
    token = ISSUER.sign(
        ISSUER.assertion(signed=True, issuedOn="2000-01-01T00:00:00Z", expires="2001-01-01T00:00:00Z")
    )
    response = post(live_server, token)
    assert response.status_code == not_verified_status(live_server)
    assert response.json()["results"]["verdict"] == "failed"


def test_malformed_ob2_assertion_is_not_a_credential(live_server: LiveServer) -> None:
    broken = {k: v for k, v in ISSUER.assertion().items() if k != "recipient"}
    response = post(live_server, broken)
    assert response.status_code == 422 and "recipient" in response.text


def test_proof_options_are_refused_for_ob2(live_server: LiveServer) -> None:
    token = ISSUER.sign(ISSUER.assertion(signed=True))
    for options in (
        {"challenge": "abc"},
        {"domain": "verifier.example"},
        {"expectedProofPurpose": "authentication"},
    ):
        response = live_server.client.post(
            "/credentials/verify", json={"verifiableCredential": token, "options": options}
        )
        assert response.status_code == 422 and "Open Badges 2.0" in response.text, response.text
    ok = live_server.client.post(
        "/credentials/verify",
        json={"verifiableCredential": token, "options": {"expectedProofPurpose": "assertionMethod"}},
    )
    assert ok.json()["results"]["verdict"] == "indeterminate"
