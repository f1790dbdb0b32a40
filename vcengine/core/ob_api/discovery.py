"""The Service Description Document of the Open Badges API (OB 3.0 §6.3 "Service Discovery",
1EdTech Security Framework §4.1.1): a profiled OpenAPI 3.0 document that names the OAuth 2.0
endpoints (``x-imssf-registrationUrl``, ``authorizationUrl``, ``tokenUrl``, ``refreshUrl``) and the
scopes under ``components.securitySchemes.OAuth2ACG``, with ``info.termsOfService``,
``info.x-imssf-privacyPolicyUrl`` and ``info.x-imssf-image``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vcengine.core.ob_api import scopes

__all__ = ["BASE_PATH", "Endpoints", "service_description"]

BASE_PATH = "/ims/ob/v3p0"
_JSON = "application/json"
_ERROR = {"$ref": "#/components/schemas/Imsx_StatusInfo"}


@dataclass(frozen=True, slots=True)
class Endpoints:
    """Absolute URLs of the API and its authorization server."""

    api: str  # {base}/ims/ob/v3p0
    registration: str
    authorization: str
    token: str
    revocation: str


def _response(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"description": description}
    if schema is not None:
        body["content"] = {_JSON: {"schema": schema}}
    return body


def _errors(*codes: int) -> dict[str, Any]:
    return {str(code): _response("An Imsx_StatusInfo error", _ERROR) for code in codes}


def _operation(op: str, summary: str, scope: str, ok: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "operationId": op,
        "summary": summary,
        "tags": ["OpenBadgeCredentials"],
        "security": [{"OAuth2ACG": [scope]}],
        "responses": {**ok, **_errors(400, 401, 403, 405, 500)},
        **extra,
    }


def _paths() -> dict[str, Any]:
    credential = {"$ref": "#/components/schemas/AchievementCredential"}
    profile = {"$ref": "#/components/schemas/Profile"}
    paging = [
        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
        {"name": "since", "in": "query", "schema": {"type": "string", "format": "date-time"}},
    ]
    listed = {"$ref": "#/components/schemas/GetOpenBadgeCredentialsResponse"}
    upsert_body = {
        "required": True,
        "content": {
            "application/json": {"schema": credential},
            "application/vc+ld+json": {"schema": credential},
            "text/plain": {"schema": {"type": "string", "description": "A compact JWS (VC-JWT)"}},
        },
    }
    return {
        "/credentials": {
            "get": _operation(
                "getCredentials", "Get the learner's credentials", scopes.CREDENTIAL_READONLY,
                {"200": _response("The credentials", listed)}, parameters=paging,
            ),
            "post": _operation(
                "upsertCredential", "Create or replace a credential of the learner", scopes.CREDENTIAL_UPSERT,
                {"200": _response("Replaced", credential), "201": _response("Created", credential),
                 "304": _response("Not modified: the stored credential is newer")},
                requestBody=upsert_body,
            ),
        },
        "/profile": {
            "get": _operation(
                "getProfile", "Get the learner's profile", scopes.PROFILE_READONLY,
                {"200": _response("The profile", profile), **_errors(404)},
            ),
            "put": _operation(
                "putProfile", "Replace the learner's profile", scopes.PROFILE_UPDATE,
                {"200": _response("The profile as stored", profile)},
                requestBody={"required": True, "content": {_JSON: {"schema": profile}}},
            ),
        },
        "/discovery": {
            "get": {
                "operationId": "getServiceDescription",
                "summary": "This document",
                "tags": ["Discovery"],
                "responses": {"200": _response("The Service Description Document", {"type": "object"})},
            }
        },
    }  # fmt: skip


def _schemas() -> dict[str, Any]:
    return {
        "AchievementCredential": {
            "type": "object",
            "required": ["@context", "type", "issuer", "credentialSubject"],
        },
        "Profile": {"type": "object", "required": ["id", "type"]},
        "GetOpenBadgeCredentialsResponse": {
            "type": "object",
            "properties": {
                "credential": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/AchievementCredential"},
                },
                "compactJwsString": {"type": "array", "items": {"type": "string"}},
            },
        },
        "Imsx_StatusInfo": {
            "type": "object",
            "required": ["imsx_codeMajor", "imsx_severity"],
            "properties": {
                "imsx_codeMajor": {
                    "type": "string",
                    "enum": ["failure", "processing", "success", "unsupported"],
                },
                "imsx_severity": {"type": "string", "enum": ["error", "status", "warning"]},
                "imsx_description": {"type": "string"},
                "imsx_codeMinor": {"type": "object"},
            },
        },
    }


def service_description(
    endpoints: Endpoints, *, title: str, terms_url: str, privacy_url: str, image_url: str | None
) -> dict[str, Any]:
    """The Service Description Document served at ``{api}/discovery``."""
    info: dict[str, Any] = {
        "title": title,
        "description": "The 1EdTech Open Badges 3.0 API: the learner's credentials and profile.",
        "version": "3.0",
        "termsOfService": terms_url,
        "x-imssf-privacyPolicyUrl": privacy_url,
    }
    if image_url is not None:
        info["x-imssf-image"] = image_url
    return {
        "openapi": "3.0.1",
        "info": info,
        "servers": [{"url": endpoints.api, "description": "The Open Badges API"}],
        "tags": [{"name": "OpenBadgeCredentials"}, {"name": "Discovery"}],
        "paths": _paths(),
        "components": {
            "securitySchemes": {
                "OAuth2ACG": {
                    "type": "oauth2",
                    "description": "OAuth 2.0 Authorization Code Grant with PKCE (S256)",
                    "x-imssf-registrationUrl": endpoints.registration,
                    "flows": {
                        "authorizationCode": {
                            "authorizationUrl": endpoints.authorization,
                            "tokenUrl": endpoints.token,
                            "refreshUrl": endpoints.token,
                            "x-imssf-revocationUrl": endpoints.revocation,
                            "scopes": dict(scopes.ALL),
                        }
                    },
                }
            },
            "schemas": _schemas(),
        },
    }
