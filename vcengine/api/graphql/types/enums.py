"""Enumerations shared by the GraphQL types and inputs."""

from __future__ import annotations

from enum import Enum

import strawberry

__all__ = ["CredentialState", "IssuerKind", "KeyMethod", "KeyStatus", "ProofFormat", "Scope", "StatusPurpose"]


@strawberry.enum(description="What an API key may do; ADMIN implies every other scope.")
class Scope(Enum):
    READ = "read"
    ISSUE = "issue"
    REVOKE = "revoke"
    ADMIN = "admin"


@strawberry.enum(description="How a credential is secured.")
class ProofFormat(Enum):
    EDDSA_RDFC_2022 = "eddsa-rdfc-2022"
    EDDSA_JCS_2022 = "eddsa-jcs-2022"
    VC_JWT = "vc-jwt"
    ED25519_SIGNATURE_2020 = strawberry.enum_value(
        "Ed25519Signature2020",
        description="The legacy Data Integrity suite; only credentials issued through the VC API have it.",
    )


@strawberry.enum(name="CredentialStatus", description="A credential's recorded status.")
class CredentialState(Enum):
    ACTIVE = "active"
    REVOKED = "revoked"
    SUSPENDED = "suspended"


@strawberry.enum(description="What an issuer's id is: a URL under this service, a did:web, or a did:key.")
class IssuerKind(Enum):
    URL = "url"
    DID_WEB = "did:web"
    DID_KEY = "did:key"


@strawberry.enum(description="Where a new key's verification method lives.")
class KeyMethod(Enum):
    ISSUER = "issuer"
    DID_KEY = "did:key"


@strawberry.enum(description="Active keys sign; retired keys stay published so old credentials verify.")
class KeyStatus(Enum):
    ACTIVE = "active"
    RETIRED = "retired"


@strawberry.enum(description="The purpose of a credential's status entry.")
class StatusPurpose(Enum):
    REVOCATION = "revocation"
    SUSPENSION = "suspension"
