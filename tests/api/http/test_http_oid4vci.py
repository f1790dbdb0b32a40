"""The OID4VCI routes over a live server, driven by a small Python client (httpx + Ed25519 proofs)
for what an honest wallet never sends: the HTTP codes, headers and error bodies of every refusal."""

from __future__ import annotations

import base64
import json
import time
from typing import Any
from urllib.parse import urlsplit

import httpx2 as httpx
import pytest

from tests.api.conftest import LiveServer
from vcengine.core.keys import KeyPair

GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
LDP, JWT = "OpenBadgeCredential_ldp_vc", "OpenBadgeCredential_jwt_vc_json"
HOLDER = KeyPair.from_seed(bytes(range(7, 39)))
OFFER = """mutation($i: CreateCredentialOfferInput!) { createCredentialOffer(input: $i) {
  offer { credentialIssuer credentialOfferUri credentialOffer txCode } userErrors { field message code } } }"""


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def proof(
    audience: str, nonce: str | None, *, alg: str = "EdDSA", key: KeyPair = HOLDER, **claims: Any
) -> str:
    header = {"typ": "openid4vci-proof+jwt", "alg": alg, "kid": HOLDER.public.did_key_verification_method}
    body: dict[str, Any] = {"aud": audience, "iat": int(time.time())}
    if nonce is not None:
        body["nonce"] = nonce
    body.update(claims)
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(body).encode())}"
    signature = b"" if alg == "none" else key.sign(signing_input.encode())
    return f"{signing_input}.{b64(signature)}"


class Flow:
    """One offer of a fresh credential, taken step by step."""

    def __init__(self, server: LiveServer, **options: Any) -> None:
        self.server = server
        credential = server.issued_credential()
        data = server.gql(OFFER, {"i": {"credentialId": credential["id"], **options}})[
            "createCredentialOffer"
        ]
        assert data["userErrors"] == [], data
        self.offer = data["offer"]
        self.issuer: str = self.offer["credentialIssuer"]
        self.path = urlsplit(self.issuer).path
        self.code = self.offer["credentialOffer"]["grants"][GRANT]["pre-authorized_code"]

    def post_token(self, **form: str) -> httpx.Response:
        return self.server.client.post(f"{self.path}/oid4vci/token", data=form)

    def token(self, **form: str) -> str:
        response = self.post_token(grant_type=GRANT, **{"pre-authorized_code": self.code}, **form)
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
        access: str = response.json()["access_token"]
        return access

    def nonce(self) -> str:
        response = self.server.client.post(f"{self.path}/oid4vci/nonce")
        assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
        value: str = response.json()["c_nonce"]
        return value

    def credential(self, access: str | None, body: Any) -> httpx.Response:
        headers = {} if access is None else {"Authorization": f"Bearer {access}"}
        return self.server.client.post(f"{self.path}/oid4vci/credential", json=body, headers=headers)


def error_of(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == code, body
    assert response.headers["cache-control"] == "no-store"
    description: str = body["error_description"]
    return description


def test_metadata_at_the_inserted_and_the_appended_well_known_uris(live_server: LiveServer) -> None:
    flow = Flow(live_server)
    inserted = live_server.client.get(f"/.well-known/openid-credential-issuer{flow.path}")
    appended = live_server.client.get(f"{flow.path}/.well-known/openid-credential-issuer")
    assert inserted.status_code == appended.status_code == 200
    metadata = inserted.json()
    assert metadata == appended.json() and metadata["credential_issuer"] == flow.issuer
    assert metadata["display"][0]["name"] == "Acme Academy"
    assert set(metadata["credential_configurations_supported"]) == {LDP, JWT}
    server_metadata = live_server.client.get(f"/.well-known/oauth-authorization-server{flow.path}").json()
    assert server_metadata["issuer"] == flow.issuer and server_metadata["token_endpoint"] == metadata[
        "credential_endpoint"
    ].replace("credential", "token")
    for missing in (
        "/.well-known/openid-credential-issuer/issuers/nope",
        "/.well-known/openid-credential-issuer/elsewhere/x",
        "/issuers/nope/.well-known/oauth-authorization-server",
    ):
        assert live_server.client.get(missing).status_code == 404


def test_the_offer_by_reference_is_served_until_redeemed(live_server: LiveServer) -> None:
    flow = Flow(live_server, txCode=True)
    got = live_server.client.get(flow.offer["credentialOfferUri"])
    assert got.status_code == 200 and got.json() == flow.offer["credentialOffer"]
    assert got.json()["grants"][GRANT]["tx_code"]["length"] == 6
    assert live_server.client.get(f"{flow.path}/oid4vci/offers/guess").status_code == 404
    flow.token(tx_code=flow.offer["txCode"])
    assert live_server.client.get(flow.offer["credentialOfferUri"]).status_code == 404


def test_token_endpoint_errors_are_oauth_errors(live_server: LiveServer) -> None:
    flow = Flow(live_server, txCode=True)
    as_json = live_server.client.post(f"{flow.path}/oid4vci/token", json={"grant_type": GRANT})
    error_of(as_json, 400, "invalid_request")
    error_of(flow.post_token(), 400, "invalid_request")
    error_of(flow.post_token(grant_type="client_credentials"), 400, "unsupported_grant_type")
    error_of(flow.post_token(grant_type="authorization_code", code="x"), 400, "invalid_grant")
    error_of(flow.post_token(grant_type=GRANT, **{"pre-authorized_code": "guess"}), 400, "invalid_grant")
    repeated = live_server.client.post(
        f"{flow.path}/oid4vci/token",
        content=f"grant_type={GRANT}&pre-authorized_code=a&pre-authorized_code=b",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert "more than once" in error_of(repeated, 400, "invalid_request")
    assert "tx_code" in error_of(
        flow.post_token(grant_type=GRANT, **{"pre-authorized_code": flow.code}), 400, "invalid_request"
    )
    wrong = "0" * 6 if flow.offer["txCode"] != "0" * 6 else "1" * 6
    bad = flow.post_token(grant_type=GRANT, tx_code=wrong, **{"pre-authorized_code": flow.code})
    assert "attempts left" in error_of(bad, 400, "invalid_grant")
    details = json.dumps([{"type": "openid_credential", "credential_configuration_id": LDP}])
    grant = flow.post_token(
        grant_type=GRANT,
        tx_code=flow.offer["txCode"],
        authorization_details=details,
        **{"pre-authorized_code": flow.code},
    )
    assert grant.status_code == 200, grant.text
    body = grant.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 600 and body["c_nonce"]
    assert body["authorization_details"][0]["credential_identifiers"] == [LDP]
    error_of(
        flow.post_token(grant_type=GRANT, tx_code=flow.offer["txCode"], **{"pre-authorized_code": flow.code}),
        400,
        "invalid_grant",
    )


def test_credential_endpoint_refusals_carry_the_spec_codes(live_server: LiveServer) -> None:
    flow = Flow(live_server)
    access = flow.token()
    unauthenticated = flow.credential(None, {"credential_configuration_id": LDP})
    error_of(unauthenticated, 401, "invalid_token")
    assert unauthenticated.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
    error_of(flow.credential("guess", {}), 401, "invalid_token")
    not_json = live_server.client.post(
        f"{flow.path}/oid4vci/credential",
        content=b"proofs=1",
        headers={"Authorization": f"Bearer {access}", "Content-Type": "text/plain"},
    )
    error_of(not_json, 400, "invalid_credential_request")
    nonce = flow.nonce()
    for bad_proof, code in (
        (proof(flow.issuer, nonce, alg="none"), "invalid_proof"),
        (proof("https://evil.example/issuers/x", nonce), "invalid_proof"),
        (
            proof(flow.issuer, nonce, key=KeyPair.from_seed(bytes(32))),
            "invalid_proof",
        ),  # another holder's key
        (proof(flow.issuer, nonce, iat=int(time.time()) - 3600), "invalid_proof"),
        (proof(flow.issuer, "forged"), "invalid_nonce"),
    ):
        error_of(
            flow.credential(access, {"credential_configuration_id": LDP, "proofs": {"jwt": [bad_proof]}}),
            400,
            code,
        )
    error_of(
        flow.credential(
            access,
            {
                "credential_configuration_id": "UniversityDegree",
                "proofs": {"jwt": [proof(flow.issuer, nonce)]},
            },
        ),
        400,
        "unknown_credential_configuration",
    )
    ok = flow.credential(
        access, {"credential_configuration_id": LDP, "proofs": {"jwt": [proof(flow.issuer, nonce)]}}
    )
    assert ok.status_code == 200 and ok.headers["cache-control"] == "no-store", ok.text
    replay = flow.credential(
        access, {"credential_configuration_id": JWT, "proofs": {"jwt": [proof(flow.issuer, nonce)]}}
    )
    assert "used already" in error_of(replay, 400, "invalid_nonce")
    notify = live_server.client.post(
        f"{flow.path}/oid4vci/notification",
        json={"notification_id": ok.json()["notification_id"], "event": "credential_accepted"},
        headers={"Authorization": f"Bearer {access}"},
    )
    assert notify.status_code == 204, notify.text
    unknown = live_server.client.post(
        f"{flow.path}/oid4vci/notification",
        json={"notification_id": JWT, "event": "credential_accepted"},
        headers={"Authorization": f"Bearer {access}"},
    )
    error_of(unknown, 400, "invalid_notification_id")


def test_a_draft_13_wallet_gets_the_singular_credential_and_its_next_nonce(live_server: LiveServer) -> None:
    flow = Flow(live_server)
    access = flow.token()
    draft = {
        "format": "jwt_vc_json",
        "credential_definition": {"type": ["VerifiableCredential", "OpenBadgeCredential"]},
        "proof": {"proof_type": "jwt", "jwt": proof(flow.issuer, flow.nonce())},
    }
    response = flow.credential(access, draft)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["credential"] == body["credentials"][0]["credential"] and body["credential"].count(".") == 2
    # a draft 13 wallet takes its next nonce from the response (or from an error), not the nonce endpoint
    ldp = {
        "format": "ldp_vc",
        "credential_definition": {"type": ["VerifiableCredential", "OpenBadgeCredential"]},
        "proof": {"proof_type": "jwt", "jwt": proof(flow.issuer, "forged")},
    }
    refused = flow.credential(access, ldp)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_nonce"
    ldp["proof"] = {"proof_type": "jwt", "jwt": proof(flow.issuer, refused.json()["c_nonce"])}
    issued = flow.credential(access, ldp)
    assert issued.status_code == 200 and issued.json()["c_nonce"], issued.text
    ldp["proof"] = {"proof_type": "jwt", "jwt": proof(flow.issuer, body["c_nonce"])}
    again = flow.credential(access, ldp)  # a fresh nonce, but ldp_vc was issued with this token already
    assert again.status_code == 400 and again.json()["error"] == "credential_request_denied"


@pytest.mark.parametrize(
    ("options", "field"),
    [({"expiresInSeconds": 5}, "expiresInSeconds"), ({"credentialId": "nope"}, "credentialId")],
)
def test_create_credential_offer_refusals_are_user_errors(
    live_server: LiveServer, options: dict[str, Any], field: str
) -> None:
    credential = live_server.issued_credential()
    data = live_server.gql(OFFER, {"i": {"credentialId": credential["id"], **options}})[
        "createCredentialOffer"
    ]
    assert data["offer"] is None and data["userErrors"][0]["field"][-1] == field, data


def test_browser_wallets_may_call_the_endpoints_cross_origin(live_server: LiveServer) -> None:
    flow = Flow(live_server)
    origin = {"Origin": "https://wallet.example"}
    preflight = live_server.client.options(
        f"{flow.path}/oid4vci/credential",
        headers={
            **origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert preflight.status_code == 204 and preflight.headers["access-control-allow-origin"] == "*"
    assert "Authorization" in preflight.headers["access-control-allow-headers"]
    refused = live_server.client.post(f"{flow.path}/oid4vci/credential", json={}, headers=origin)
    assert refused.status_code == 401 and refused.headers["access-control-allow-origin"] == "*"
    assert refused.headers["access-control-expose-headers"] == "WWW-Authenticate"
    nonce = live_server.client.post(f"{flow.path}/oid4vci/nonce", headers=origin)
    assert nonce.headers["access-control-allow-origin"] == "*"
