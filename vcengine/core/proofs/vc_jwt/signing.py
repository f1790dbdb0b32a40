"""Signing a VC-JWT (OB 3.0 §8.2.3): the credential JSON plus the JWT claims, signed with Ed25519."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from vcengine.core.contexts import VC_V1_CONTEXT
from vcengine.core.dates import to_numeric_date
from vcengine.core.keys import KeyPair
from vcengine.core.proofs.vc_jwt.token import (
    REGISTERED_CLAIMS,
    aware,
    b64url,
    first_present,
    issuer_id,
    json_bytes,
    parse_credential_date,
    subject_ids,
)
from vcengine.errors import (
    InputError,
    SchemaError,
)

# --------------------------------------------------------------------------------------------
# Sign (§8.2.3)


def sign(
    credential: Mapping[str, Any],
    key: KeyPair,
    *,
    kid: str | None = None,
    embed_jwk: bool = False,
    issued_at: datetime | None = None,
) -> str:
    """The compact JWS of ``credential`` signed with ``key`` (``alg`` EdDSA).

    ``kid`` defaults to the key's did:key verification method; ``embed_jwk`` puts the public
    JWK in the header instead. Deterministic: no ``iat`` unless ``issued_at`` is given.
    """
    if not isinstance(credential, Mapping):
        raise SchemaError("a credential must be a JSON object")
    if embed_jwk and kid is not None:
        raise InputError("give either kid or embed_jwk, not both (OB 3.0 §8.2.1)")
    header: dict[str, Any] = {"alg": "EdDSA", "typ": "JWT"}
    if embed_jwk:
        header["jwk"] = key.public.jwk()
    else:
        header["kid"] = kid if kid is not None else key.public.did_key_verification_method
    payload = _payload_for(credential, issued_at)
    try:
        payload_json = json_bytes(payload)
    except (TypeError, ValueError) as exc:
        raise SchemaError(f"the credential is not plain JSON: {exc}") from None
    signing_input = b64url(json_bytes(header)) + "." + b64url(payload_json)
    return signing_input + "." + b64url(key.sign(signing_input.encode("ascii")))


def _payload_for(credential: Mapping[str, Any], issued_at: datetime | None) -> dict[str, Any]:
    claims: dict[str, Any] = {"iss": issuer_id(credential)}
    if claims["iss"] is None:
        raise SchemaError("the credential has no issuer id to put in 'iss'", path="$.issuer")
    subjects = subject_ids(credential)
    if len(subjects) == 1:
        claims["sub"] = subjects[0]
    for claim, names in (("nbf", ("validFrom", "issuanceDate")), ("exp", ("validUntil", "expirationDate"))):
        name, value = first_present(credential, names)
        if value is not None:
            claims[claim] = to_numeric_date(parse_credential_date(value, name))
    if isinstance(credential.get("id"), str):
        claims["jti"] = credential["id"]
    if issued_at is not None:
        claims["iat"] = to_numeric_date(aware(issued_at, "issued_at"))
    if _is_vc_v1(credential):
        return {"vc": credential, **claims}
    clash = sorted(k for k in REGISTERED_CLAIMS if k in credential)
    if clash:
        raise SchemaError(f"the credential already has JWT claim properties {clash}")
    return {**credential, **claims}  # only serialized, never mutated: no copy needed


def _is_vc_v1(credential: Mapping[str, Any]) -> bool:
    context = credential.get("@context")
    return isinstance(context, list) and bool(context) and context[0] == VC_V1_CONTEXT
