"""The Authorization Request (OID4VCI 1.0 §5, RFC 6749 §4.1, RFC 7636): clients, PKCE, what to issue."""

from __future__ import annotations

import json
from typing import Any

import pytest

from vcengine.core.oid4vci.authorization import read_authorization_request, read_client, verify_pkce
from vcengine.core.oid4vci.metadata import JWT_VC_JSON, LDP_VC, Display, credential_configurations
from vcengine.errors import ProtocolError

CONFIGS = credential_configurations(Display(name="Acme"))
# RFC 7636 Appendix B
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def params(**extra: Any) -> dict[str, str]:
    base = {
        "response_type": "code",
        "client_id": "wallet-app",
        "redirect_uri": "eu.wallet.app://callback",
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
        "scope": "OpenBadgeCredential",
        "state": "af0ifjsldkj",
    }
    base.update(extra)
    return {k: v for k, v in base.items() if v is not None}


def test_pkce_s256_matches_the_rfc_7636_example() -> None:
    assert verify_pkce(VERIFIER, CHALLENGE)
    assert not verify_pkce(VERIFIER[:-1] + "Y", CHALLENGE)
    assert not verify_pkce(None, CHALLENGE) and not verify_pkce("short", CHALLENGE)


def test_a_request_by_scope_or_authorization_details() -> None:
    request = read_authorization_request(params(), CONFIGS)
    assert (request.client.client_id, request.client.redirect_uri) == (
        "wallet-app",
        "eu.wallet.app://callback",
    )
    assert (request.code_challenge, request.configuration_ids, request.state) == (
        CHALLENGE,
        (LDP_VC,),
        "af0ifjsldkj",
    )
    details = json.dumps([{"type": "openid_credential", "credential_configuration_id": JWT_VC_JSON}])
    both = read_authorization_request(
        params(scope="openid OpenBadgeCredential", authorization_details=details), CONFIGS
    )
    assert both.configuration_ids == (LDP_VC, JWT_VC_JSON)


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://wallet.example/cb",
        "http://127.0.0.1:8123/cb",
        "http://localhost/cb",
        "org.dcconsortium://auth",
        "haip://",
    ],
)
def test_usable_redirect_uris(redirect_uri: str) -> None:
    assert read_client(params(redirect_uri=redirect_uri)).redirect_uri == redirect_uri


@pytest.mark.parametrize(
    "redirect_uri",
    [None, "", "/relative", "https://wallet.example/cb#frag", "javascript:alert(1)", "data:text/html,x",
     "http://wallet.example/cb", "https:///nohost", "file:///etc/passwd", "x" * 2001],
)  # fmt: skip
def test_unusable_redirect_uris_are_shown_not_followed(redirect_uri: str | None) -> None:
    with pytest.raises(ProtocolError) as caught:
        read_client(params(redirect_uri=redirect_uri))
    assert caught.value.code == "invalid_request"


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"client_id": None}, "invalid_request"),
        ({"client_id": "\x00bad"}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge_method": None}, "invalid_request"),
        ({"code_challenge": "too-short"}, "invalid_request"),
        ({"scope": "UniversityDegree"}, "invalid_scope"),
        ({"scope": None}, "invalid_request"),
        ({"scope": None, "authorization_details": "[{"}, "invalid_authorization_details"),
        ({"scope": None, "authorization_details": "[]"}, "invalid_authorization_details"),
        (
            {
                "scope": None,
                "authorization_details": json.dumps(
                    [{"type": "openid_credential", "credential_configuration_id": "x"}]
                ),
            },
            "invalid_authorization_details",
        ),
        ({"state": "s" * 501}, "invalid_request"),
    ],
)
def test_refusals_carry_the_oauth_error_codes(extra: dict[str, Any], code: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        read_authorization_request(params(**extra), CONFIGS)
    assert caught.value.code == code, caught.value.message
