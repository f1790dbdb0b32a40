"""Issuer metadata, the well-known path rule and credential offers, checked against the shapes of
the OID4VCI 1.0 final examples (``/work/shared/vectors/oid4vci-examples``, copied here as data)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from vcengine.core.contexts import OB_CONTEXT, VC_V2_CONTEXT
from vcengine.core.oid4vci.metadata import (
    JWT_VC_JSON,
    LDP_VC,
    PRE_AUTHORIZED_CODE_GRANT,
    Display,
    Endpoints,
    authorization_server_metadata,
    credential_issuer_metadata,
    well_known_url,
)
from vcengine.core.oid4vci.offer import (
    TxCode,
    credential_offer,
    link_by_reference,
    link_by_value,
    qr_code_svg,
)

# From openid/OpenID4VCI 1.0-final examples/credential_offer_multiple_credentials.json (the grant part)
EXAMPLE_GRANT = {
    "pre-authorized_code": "oaKazRN8I0IbtZ0C7JuMn5",
    "tx_code": {
        "length": 4,
        "input_mode": "numeric",
        "description": "Please provide the one-time code that was sent via e-mail",
    },
}
ISSUER = "https://badges.example/tenant-a/issuers/i1"
ENDPOINTS = Endpoints(
    ISSUER,
    f"{ISSUER}/oid4vci/token",
    f"{ISSUER}/oid4vci/nonce",
    f"{ISSUER}/oid4vci/credential",
    f"{ISSUER}/oid4vci/notification",
)


@pytest.mark.parametrize(
    ("identifier", "expected"),
    [
        ("https://issuer.example", "https://issuer.example/.well-known/openid-credential-issuer"),
        ("https://issuer.example/", "https://issuer.example/.well-known/openid-credential-issuer"),
        (ISSUER, "https://badges.example/.well-known/openid-credential-issuer/tenant-a/issuers/i1"),
    ],
)
def test_the_well_known_uri_inserts_between_host_and_path(identifier: str, expected: str) -> None:
    assert well_known_url(identifier, "openid-credential-issuer") == expected


def test_issuer_metadata_has_the_final_specifications_shape() -> None:
    display = Display(name="Acme Academy", logo_uri="https://acme.example/logo.png")
    metadata = credential_issuer_metadata(ENDPOINTS, display, batch_size=10)
    assert metadata["credential_issuer"] == ISSUER and metadata["nonce_endpoint"] == ENDPOINTS.nonce
    assert metadata["batch_credential_issuance"] == {"batch_size": 10}
    assert metadata["display"] == [
        {
            "name": "Acme Academy",
            "locale": "en",
            "logo": {"uri": "https://acme.example/logo.png", "alt_text": "the logo of Acme Academy"},
        }
    ]
    configs = metadata["credential_configurations_supported"]
    ldp, jwt = configs[LDP_VC], configs[JWT_VC_JSON]
    assert ldp["format"] == "ldp_vc" and ldp["credential_signing_alg_values_supported"] == ["eddsa-rdfc-2022"]
    assert ldp["credential_definition"] == {
        "@context": [VC_V2_CONTEXT, OB_CONTEXT],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
    }
    assert jwt["format"] == "jwt_vc_json" and "@context" not in jwt["credential_definition"]
    for config in (ldp, jwt):
        # display lives under credential_metadata in 1.0 final (the examples' shape), not on the configuration
        assert "display" not in config and set(config["credential_metadata"]) == {"display", "claims"}
        (shown,) = config["credential_metadata"]["display"]
        assert shown["logo"]["uri"] == "https://acme.example/logo.png" and shown[
            "background_color"
        ].startswith("#")
        assert all(isinstance(c["path"], list) for c in config["credential_metadata"]["claims"])
        assert config["proof_types_supported"]["jwt"]["proof_signing_alg_values_supported"] == [
            "EdDSA",
            "ES256",
        ]
    assert authorization_server_metadata(ENDPOINTS)["pre-authorized_grant_anonymous_access_supported"] is True


def test_an_offer_has_the_examples_shape_and_travels_by_value_and_by_reference() -> None:
    offer = credential_offer(
        ISSUER,
        [LDP_VC],
        "oaKazRN8I0IbtZ0C7JuMn5",
        TxCode(length=4, description=EXAMPLE_GRANT["tx_code"]["description"]),
    )
    assert offer == {
        "credential_issuer": ISSUER,
        "credential_configuration_ids": [LDP_VC],
        "grants": {PRE_AUTHORIZED_CODE_GRANT: EXAMPLE_GRANT},
    }
    by_value = urlsplit(link_by_value(offer))
    assert by_value.scheme == "openid-credential-offer"
    assert json.loads(parse_qs(by_value.query)["credential_offer"][0]) == offer
    uri = f"{ISSUER}/oid4vci/offers/h?x=1"
    assert parse_qs(urlsplit(link_by_reference(uri)).query) == {"credential_offer_uri": [uri]}
    assert "tx_code" not in credential_offer(ISSUER, [LDP_VC], "c")["grants"][PRE_AUTHORIZED_CODE_GRANT]
    with pytest.raises(ValueError):
        credential_offer(ISSUER, [], "c")
    with pytest.raises(ValueError):
        TxCode(length=6, description="x" * 301)


def test_the_qr_code_is_an_svg_document_of_the_link() -> None:
    svg = qr_code_svg(link_by_reference(f"{ISSUER}/oid4vci/offers/abc"))
    assert svg.startswith("<svg") and 'xmlns="http://www.w3.org/2000/svg"' in svg and "Add to wallet" in svg
