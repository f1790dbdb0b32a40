"""Credential Issuer Metadata (OID4VCI 1.0 §12.2) and Authorization Server Metadata (RFC 8414).

One credential issuer per issuer profile; its identifier is an HTTPS URL that may have a path,
and its metadata lives at the well-known URI formed by inserting ``/.well-known/<name>``
between the host and the path (§12.2.2; RFC 8414 §3.1 does the same for the authorization
server, which here is the credential issuer itself).

Two credential configurations of the OB 3.0 ``OpenBadgeCredential``: ``ldp_vc`` secured with
Data Integrity ``eddsa-rdfc-2022`` (Appendix A.1.2) and ``jwt_vc_json`` secured as an OB 3.0
VC-JWT with ``EdDSA`` (Appendix A.1.1). Display metadata sits under ``credential_metadata``, as
the final specification places it (drafts had it on the configuration itself).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from vcengine.core.contexts import OB_CONTEXT, VC_V2_CONTEXT

__all__ = [
    "CONFIGURATION_IDS",
    "JWT_VC_JSON",
    "LDP_VC",
    "PRE_AUTHORIZED_CODE_GRANT",
    "PROOF_SIGNING_ALGS",
    "Display",
    "Endpoints",
    "authorization_server_metadata",
    "credential_configurations",
    "credential_issuer_metadata",
    "well_known_url",
]

LDP_VC = "OpenBadgeCredential_ldp_vc"
JWT_VC_JSON = "OpenBadgeCredential_jwt_vc_json"
CONFIGURATION_IDS = (LDP_VC, JWT_VC_JSON)
PRE_AUTHORIZED_CODE_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
PROOF_SIGNING_ALGS = ("EdDSA", "ES256")
BINDING_METHODS = ("did:key", "did:jwk", "jwk")
OB_TYPES = ("VerifiableCredential", "OpenBadgeCredential")


@dataclass(frozen=True, slots=True)
class Endpoints:
    """Where one credential issuer answers: ``credential_issuer`` is its identifier."""

    credential_issuer: str
    token: str
    nonce: str
    credential: str
    notification: str
    authorization: str | None = None


@dataclass(frozen=True, slots=True)
class Display:
    """What a wallet shows for the issuer and its badges (§12.2.4 ``display``)."""

    name: str
    locale: str = "en"
    logo_uri: str | None = None
    background_color: str = "#1b365d"
    text_color: str = "#ffffff"


def well_known_url(identifier: str, name: str) -> str:
    """``https://host/path`` -> ``https://host/.well-known/<name>/path`` (§12.2.2, RFC 8414 §3.1)."""
    parts = urlsplit(identifier)
    path = parts.path.rstrip("/")
    return urlunsplit((parts.scheme, parts.netloc, f"/.well-known/{name}{path}", "", ""))


def _logo(display: Display) -> dict[str, str]:
    assert display.logo_uri is not None
    return {"uri": display.logo_uri, "alt_text": f"the logo of {display.name}"}


def _credential_display(display: Display) -> list[dict[str, Any]]:
    entry: dict[str, Any] = {
        "name": "Open Badge",
        "locale": display.locale,
        "description": f"An Open Badges 3.0 achievement issued by {display.name}",
        "background_color": display.background_color,
        "text_color": display.text_color,
    }
    if display.logo_uri:
        entry["logo"] = _logo(display)
    return [entry]


def _claims(locale: str) -> list[dict[str, Any]]:
    def claim(path: list[str], name: str, mandatory: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"path": path, "display": [{"name": name, "locale": locale}]}
        if mandatory:
            out["mandatory"] = True
        return out

    return [
        claim(["credentialSubject", "achievement", "name"], "Achievement", mandatory=True),
        claim(["credentialSubject", "achievement", "description"], "Description"),
        claim(["credentialSubject", "achievement", "criteria", "narrative"], "Criteria"),
        claim(["issuer", "name"], "Issued by", mandatory=True),
        claim(["validFrom"], "Issued on", mandatory=True),
        claim(["validUntil"], "Valid until"),
    ]


def credential_configurations(display: Display) -> dict[str, dict[str, Any]]:
    """``credential_configurations_supported``: the OB 3.0 credential as ``ldp_vc`` and ``jwt_vc_json``."""
    common: dict[str, Any] = {
        "cryptographic_binding_methods_supported": list(BINDING_METHODS),
        "proof_types_supported": {
            "jwt": {"proof_signing_alg_values_supported": list(PROOF_SIGNING_ALGS)},
            "di_vp": {"proof_signing_alg_values_supported": ["eddsa-rdfc-2022"]},
        },
        "credential_metadata": {"display": _credential_display(display), "claims": _claims(display.locale)},
    }
    return {
        LDP_VC: {
            "format": "ldp_vc",
            "scope": "OpenBadgeCredential",
            "credential_signing_alg_values_supported": ["eddsa-rdfc-2022"],
            "credential_definition": {"@context": [VC_V2_CONTEXT, OB_CONTEXT], "type": list(OB_TYPES)},
            **common,
        },
        JWT_VC_JSON: {
            "format": "jwt_vc_json",
            "scope": "OpenBadgeCredential_jwt",
            "credential_signing_alg_values_supported": ["EdDSA"],
            "credential_definition": {"type": list(OB_TYPES)},
            **common,
        },
    }


def credential_issuer_metadata(endpoints: Endpoints, display: Display, *, batch_size: int) -> dict[str, Any]:
    """The Credential Issuer Metadata document (§12.2.4), unsigned ``application/json``."""
    issuer_display: dict[str, Any] = {"name": display.name, "locale": display.locale}
    if display.logo_uri:
        issuer_display["logo"] = _logo(display)
    return {
        "credential_issuer": endpoints.credential_issuer,
        "credential_endpoint": endpoints.credential,
        "nonce_endpoint": endpoints.nonce,
        "notification_endpoint": endpoints.notification,
        "batch_credential_issuance": {"batch_size": batch_size},
        "display": [issuer_display],
        "credential_configurations_supported": credential_configurations(display),
    }


def authorization_server_metadata(endpoints: Endpoints) -> dict[str, Any]:
    """RFC 8414 metadata of the authorization server (the credential issuer itself, §12.3): the
    pre-authorized code grant, and with an authorization endpoint the authorization code grant
    with PKCE S256 (RFC 7636) and the ``iss`` response parameter (RFC 9207)."""
    metadata: dict[str, Any] = {
        "issuer": endpoints.credential_issuer,
        "token_endpoint": endpoints.token,
        "response_types_supported": ["code"],
        "grant_types_supported": [PRE_AUTHORIZED_CODE_GRANT],
        "token_endpoint_auth_methods_supported": ["none"],
        "pre-authorized_grant_anonymous_access_supported": True,
    }
    if endpoints.authorization is not None:
        metadata["authorization_endpoint"] = endpoints.authorization
        metadata["grant_types_supported"] = ["authorization_code", PRE_AUTHORIZED_CODE_GRANT]
        metadata["code_challenge_methods_supported"] = ["S256"]
        metadata["authorization_response_iss_parameter_supported"] = True
        metadata["scopes_supported"] = ["OpenBadgeCredential", "OpenBadgeCredential_jwt"]
    return metadata


def configuration_types(configuration: Mapping[str, Any]) -> list[str]:
    """The ``credential_definition.type`` of a configuration."""
    return list(configuration.get("credential_definition", {}).get("type", []))
