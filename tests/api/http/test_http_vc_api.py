"""The W3C VC API over real HTTP: issue (VC 1.1 and 2.0, each cryptosuite), verify, status."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import ADMIN_KEY, LiveServer
from vcengine.cli import main as cli_main

ROOT = Path(__file__).resolve().parents[3]
SUITES = ("eddsa-rdfc-2022", "eddsa-jcs-2022", "Ed25519Signature2020")


def default_issuer(server: LiveServer) -> str:
    issuer = server.started.bootstrap.issuer
    assert issuer is not None
    return str(issuer.profile["id"])


def ob_credential(issuer: str) -> dict[str, Any]:
    doc = json.loads((ROOT / "benchmarks/fixtures/ob3-typical.json").read_text())
    doc.pop("proof", None)
    doc.pop("credentialStatus", None)
    doc["issuer"] = {**doc["issuer"], "id": issuer}
    return doc  # type: ignore[no-any-return]


def vc11_credential(issuer: str) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "id": "urn:uuid:0b7c5a36-4c55-4d35-8f3a-1f6f2d3a7c11",
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "issuanceDate": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:learner"},
    }


def vc20_credential(issuer: str) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": {"id": issuer, "name": "Default issuer"},
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:learner"},
    }


def issue(server: LiveServer, credential: dict[str, Any], **options: Any) -> Any:
    return server.admin.post("/credentials/issue", json={"credential": credential, "options": options})


@pytest.mark.parametrize("suite", SUITES)
@pytest.mark.parametrize("make", [ob_credential, vc11_credential, vc20_credential])
def test_issue_then_verify(live_server: LiveServer, suite: str, make: Any) -> None:
    unsigned = make(default_issuer(live_server))
    response = issue(live_server, unsigned, cryptosuite=suite)
    assert response.status_code == 201, response.text
    vc = response.json()["verifiableCredential"]
    proof = vc["proof"]
    assert proof.get("cryptosuite", proof["type"]) == suite
    assert proof["verificationMethod"].startswith(default_issuer(live_server))
    check = live_server.client.post("/credentials/verify", json={"verifiableCredential": vc})
    assert check.status_code == 200
    body = check.json()
    assert body["verified"] is True, body
    assert body["problemDetails"] == []
    assert {c["check"] for c in body["results"]["checks"]} >= {"proof", "issuer", "validity"}


def test_a_vc_api_credential_verifies_with_the_cli(live_server: LiveServer, tmp_path: Path) -> None:
    vc = issue(live_server, ob_credential(default_issuer(live_server))).json()["verifiableCredential"]
    path = tmp_path / "vc.json"
    path.write_text(json.dumps(vc))
    assert cli_main(["verify", str(path)]) == 0


def test_tampered_credential_is_not_verified(live_server: LiveServer) -> None:
    vc = issue(live_server, vc20_credential(default_issuer(live_server))).json()["verifiableCredential"]
    tampered = copy.deepcopy(vc)
    tampered["credentialSubject"]["id"] = "did:example:mallory"
    body = live_server.client.post("/credentials/verify", json={"verifiableCredential": tampered}).json()
    assert body["verified"] is False
    assert any(p["type"].endswith("#CRYPTOGRAPHIC_SECURITY_ERROR") for p in body["problemDetails"])


def test_issue_with_a_url_issuer_selected_by_object(live_server: LiveServer) -> None:
    issuer = live_server.create_issuer(name="Object Issuer")
    unsigned = vc20_credential(issuer["issuerId"])
    vc = issue(live_server, unsigned).json()["verifiableCredential"]
    assert vc["proof"]["verificationMethod"].startswith(issuer["issuerId"] + "#")
    body = live_server.client.post("/credentials/verify", json={"verifiableCredential": vc}).json()
    assert body["verified"] is True, body


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"not json", 400),
        (b"[]", 400),
        (b'{"credential": "x"}', 400),
        (b'{"credential": {}, "options": []}', 400),
        (b'{"credential": {"issuer": 5}}', 422),  # well-formed request, a credential that breaks rules
    ],
)
def test_issue_rejects_malformed_requests(live_server: LiveServer, body: bytes, status: int) -> None:
    response = live_server.admin.post(
        "/credentials/issue", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"


def test_issue_rejects_unknown_cryptosuite(live_server: LiveServer) -> None:
    response = issue(live_server, vc20_credential(default_issuer(live_server)), cryptosuite="rsa-2000")
    assert response.status_code == 400


def test_issue_refuses_what_cannot_be_signed(live_server: LiveServer) -> None:
    issuer = default_issuer(live_server)
    undefined = vc11_credential(issuer)
    undefined["credentialSubject"]["undefinedTerm"] = "x"
    assert issue(live_server, undefined).status_code == 422
    broken = ob_credential(issuer)
    del broken["credentialSubject"]["achievement"]["criteria"]
    response = issue(live_server, broken)
    assert response.status_code == 422
    assert "criteria" in response.json()["detail"]


def test_issue_needs_a_valid_key_and_its_own_issuer(live_server: LiveServer) -> None:
    unsigned = vc20_credential(default_issuer(live_server))
    no_key = live_server.client.post("/credentials/issue", json={"credential": unsigned})
    assert no_key.status_code == 401 and no_key.headers["www-authenticate"].startswith("Bearer")
    bad = live_server.client.post(
        "/credentials/issue", json={"credential": unsigned}, headers={"Authorization": "Bearer vce_nope"}
    )
    assert bad.status_code == 401
    foreign = issue(live_server, vc20_credential("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"))
    assert foreign.status_code == 403


def test_issue_with_a_read_only_key_is_forbidden(live_server: LiveServer) -> None:
    data = live_server.gql(
        "mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key userErrors { message } } }",
        {"i": {"name": "reader", "scopes": ["READ"]}},
    )["createApiKey"]
    assert not data["userErrors"], data
    response = live_server.client.post(
        "/credentials/issue",
        json={"credential": vc20_credential(default_issuer(live_server))},
        headers={"Authorization": f"Bearer {data['key']}"},
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    "body",
    [b"nope", b"{}", b'{"verifiableCredential": 5}', b'{"verifiableCredential": "a.b"}'],
)
def test_verify_rejects_malformed_input(live_server: LiveServer, body: bytes) -> None:
    response = live_server.client.post(
        "/credentials/verify", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_verify_refuses_what_is_no_credential(live_server: LiveServer) -> None:
    response = live_server.client.post("/credentials/verify", json={"verifiableCredential": {"a": 1}})
    assert response.status_code == 422


def test_verify_enveloped_vc_jwt(live_server: LiveServer) -> None:
    cred = live_server.issued_credential(proofFormat="VC_JWT")
    enveloped = live_server.client.get(cred["url"], headers={"Accept": "application/ld+json"}).json()
    body = live_server.client.post("/credentials/verify", json={"verifiableCredential": enveloped}).json()
    assert body["verified"] is True, body
    token = enveloped["id"].split(",", 1)[1]
    assert live_server.client.post("/credentials/verify", json={"verifiableCredential": token}).json()[
        "verified"
    ]


def test_status_suspend_unsuspend_revoke(live_server: LiveServer) -> None:
    cred = live_server.issued_credential(statusPurpose="SUSPENSION")
    doc = live_server.client.get(cred["url"]).json()

    def set_status(purpose: str, status: bool) -> Any:
        return live_server.admin.post(
            "/credentials/status",
            json={
                "credentialId": cred["url"],
                "credentialStatus": {"statusPurpose": purpose},
                "status": status,
            },
        )

    def verified() -> bool:
        body = live_server.client.post("/credentials/verify", json={"verifiableCredential": doc}).json()
        return bool(body["verified"])

    assert verified()
    assert set_status("suspension", True).json()["status"] == "suspended"
    assert not verified()
    assert set_status("suspension", False).json()["status"] == "active"
    assert verified()
    assert set_status("revocation", True).json()["status"] == "revoked"
    assert not verified()
    assert set_status("revocation", False).status_code == 422
    assert set_status("suspension", True).status_code == 422


def test_status_errors(live_server: LiveServer) -> None:
    cred = live_server.issued_credential()
    url = "/credentials/status"
    assert live_server.client.post(url, json={}).status_code == 401
    assert live_server.admin.post(url, json={"credentialId": cred["url"]}).status_code == 400
    body = {"credentialId": cred["url"], "credentialStatus": {"statusPurpose": "refresh"}, "status": True}
    assert live_server.admin.post(url, json=body).status_code == 400
    body = {
        "credentialId": "https://elsewhere/x",
        "credentialStatus": {"statusPurpose": "revocation"},
        "status": True,
    }
    assert live_server.admin.post(url, json=body).status_code == 404


def test_admin_key_is_the_bootstrap_key(live_server: LiveServer) -> None:
    assert live_server.started.bootstrap.api_key is None  # it came from the environment
    assert ADMIN_KEY.startswith("vce_")
