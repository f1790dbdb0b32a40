"""The VC API verifier contract over real HTTP (issue 8 points 1 and 2): 200 only when verified,
400 for a failed or unchecked credential, 422 for what is not a credential, strict member types,
options honoured or refused, and presentations."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.api.conftest import LiveServer
from tests.api.http.test_http_vc_api import default_issuer, issue, vc20_credential
from vcengine.core.keys import KeyPair
from vcengine.core.proofs.data_integrity import add_proof

HOLDER = KeyPair.from_seed(bytes(range(60, 92)))
V2 = "https://www.w3.org/ns/credentials/v2"


@pytest.fixture(scope="module")
def signed(live_server: LiveServer) -> dict[str, Any]:
    response = issue(live_server, vc20_credential(default_issuer(live_server)))
    assert response.status_code == 201, response.text
    return response.json()["verifiableCredential"]  # type: ignore[no-any-return]


def verify(server: LiveServer, body: Any) -> Any:
    return server.client.post("/credentials/verify", json=body)


def test_verified_is_200_and_failed_is_400_with_the_same_body(live_server: LiveServer, signed: dict) -> None:
    ok = verify(live_server, {"verifiableCredential": signed})
    assert ok.status_code == 200 and ok.json()["verified"] is True
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["id"] = "did:example:mallory"
    bad = verify(live_server, {"verifiableCredential": tampered})
    assert bad.status_code == 400
    assert set(bad.json()) == set(ok.json()) and bad.json()["verified"] is False
    assert bad.json()["problemDetails"]


def test_a_credential_that_cannot_be_fully_checked_is_400(live_server: LiveServer) -> None:
    """Signed by a did:key that is not bound to its https issuer: indeterminate, never 200."""
    stranger = KeyPair.from_seed(bytes(range(7, 39)))
    doc = add_proof(
        {**vc20_credential("https://issuer.example/unknown"), "issuer": "https://issuer.example/unknown"},
        stranger,
        verification_method=stranger.public.did_key_verification_method,
        created=datetime(2026, 1, 1, tzinfo=UTC),
    )
    response = verify(live_server, {"verifiableCredential": doc})
    assert response.status_code == 400
    assert response.json()["results"]["verdict"] == "indeterminate"


def test_what_is_not_a_credential_is_422(live_server: LiveServer) -> None:
    response = verify(live_server, {"verifiableCredential": {"a": 1}})
    assert response.status_code == 422 and response.headers["content-type"].startswith(
        "application/problem+json"
    )


@pytest.mark.parametrize(
    "value",
    [None, 42, True, [], "not a token", '{"@context": "https://www.w3.org/ns/credentials/v2"}', "{}.a.b"],
)
def test_verifiable_credential_must_be_an_object_or_a_compact_jws(
    live_server: LiveServer, value: Any
) -> None:
    response = verify(live_server, {"verifiableCredential": value})
    assert response.status_code == 400, response.text
    assert "verifiableCredential" in response.json()["detail"]


def test_a_missing_member_is_400(live_server: LiveServer) -> None:
    response = verify(live_server, {"credential": {}})
    assert response.status_code == 400 and "verifiableCredential" in response.json()["detail"]


@pytest.mark.parametrize(
    ("options", "word"),
    [
        ({"unknownOption": 1}, "unknownOption"),
        ({"checks": ["proof", "teleportation"]}, "teleportation"),
        ({"checks": "proof"}, "checks"),
        ({"challenge": 5}, "challenge"),
        ({"expectedProofPurpose": "capabilityInvocation"}, "expectedProofPurpose"),
    ],
)
def test_options_are_honoured_or_refused(
    live_server: LiveServer, signed: dict, options: dict, word: str
) -> None:
    response = verify(live_server, {"verifiableCredential": signed, "options": options})
    assert response.status_code == 400 and word in response.json()["detail"]


def test_options_that_are_honoured(live_server: LiveServer, signed: dict) -> None:
    listed = verify(live_server, {"verifiableCredential": signed, "options": {"checks": ["proof"]}})
    assert listed.status_code == 200 and listed.json()["checks"] == ["proof"]
    challenged = verify(live_server, {"verifiableCredential": signed, "options": {"challenge": "abc"}})
    assert challenged.status_code == 400
    assert any(
        c["check"] == "challenge" and c["outcome"] == "fail" for c in challenged.json()["results"]["checks"]
    )
    purpose = verify(
        live_server, {"verifiableCredential": signed, "options": {"expectedProofPurpose": "authentication"}}
    )
    assert purpose.status_code == 400 and purpose.json()["verified"] is False
    returned = verify(live_server, {"verifiableCredential": signed, "options": {"returnCredential": True}})
    assert returned.json()["credential"] == signed


def _presentation(credential: dict, **extra: Any) -> dict:
    vp = {
        "@context": [V2],
        "type": ["VerifiablePresentation"],
        "holder": HOLDER.public.did_key,
        "verifiableCredential": [credential],
    }
    return add_proof(
        vp,
        HOLDER,
        verification_method=HOLDER.public.did_key_verification_method,
        created=datetime(2026, 1, 1, tzinfo=UTC),
        proof_purpose="authentication",
        extra={"challenge": "c-123", "domain": "https://verifier.example", **extra},
    )


def test_presentations_verify(live_server: LiveServer, signed: dict) -> None:
    vp = _presentation(signed)
    options = {"challenge": "c-123", "domain": "https://verifier.example"}
    ok = live_server.client.post(
        "/presentations/verify", json={"verifiablePresentation": vp, "options": options}
    )
    assert ok.status_code == 200, ok.text
    body = ok.json()
    assert body["verified"] is True and body["presentationResult"]["verified"] is True
    assert [r["verdict"] for r in body["credentialResults"]] == ["verified"]
    replayed = live_server.client.post(
        "/presentations/verify",
        json={"verifiablePresentation": vp, "options": {**options, "challenge": "c-999"}},
    )
    assert replayed.status_code == 400 and replayed.json()["verified"] is False
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["id"] = "did:example:mallory"
    inner = live_server.client.post(
        "/presentations/verify", json={"verifiablePresentation": _presentation(tampered), "options": options}
    )
    assert inner.status_code == 400
    assert inner.json()["credentialResults"][0]["verdict"] == "failed"
    assert any(p["title"].startswith("verifiableCredential[0]") for p in inner.json()["problemDetails"])


def test_presentation_requests_that_are_not_presentations(live_server: LiveServer) -> None:
    post = live_server.client.post
    assert post("/presentations/verify", json={"verifiablePresentation": "x"}).status_code == 400
    assert post("/presentations/verify", json={"verifiablePresentation": {"a": 1}}).status_code == 422
    enveloped = {
        "@context": V2,
        "type": "EnvelopedVerifiablePresentation",
        "id": "data:application/vp+jwt,a.b.c",
    }
    assert post("/presentations/verify", json={"verifiablePresentation": enveloped}).status_code == 422
    assert post("/presentations/verify", content=json.dumps({"x": 1}).encode()[:-1]).status_code == 400


def test_an_enveloped_presentation_jwt(live_server: LiveServer, signed: dict) -> None:
    from tests.core.test_presentation import _jws

    payload = {
        "@context": [V2],
        "type": ["VerifiablePresentation"],
        "holder": HOLDER.public.did_key,
        "verifiableCredential": [signed],
        "nonce": "n-1",
        "aud": "https://verifier.example",
    }
    token = _jws(payload, HOLDER)
    envelope = {
        "@context": V2,
        "type": "EnvelopedVerifiablePresentation",
        "id": f"data:application/vp+jwt,{token}",
    }
    options = {"challenge": "n-1", "domain": "https://verifier.example"}
    ok = live_server.client.post(
        "/presentations/verify", json={"verifiablePresentation": envelope, "options": options}
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["presentationResult"]["format"] == "vp-jwt"
    replay = {**options, "challenge": "n-2"}
    bad = live_server.client.post(
        "/presentations/verify", json={"verifiablePresentation": envelope, "options": replay}
    )
    assert bad.status_code == 400 and bad.json()["verified"] is False
