"""The ``jwt`` key proof (OID4VCI 1.0 Appendix F.1): what is accepted, and every refusal is invalid_proof."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from vcengine.core.keys import KeyPair
from vcengine.core.oid4vci.proof_jwt import PROOF_TYP, did_for_jwk, verify_jwt_proof
from vcengine.errors import ProtocolError

AUD = "https://badges.example/issuers/i1"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
HOLDER = KeyPair.from_seed(bytes(range(32)))
OTHER = KeyPair.from_seed(bytes(range(1, 33)))


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims(**extra: Any) -> dict[str, Any]:
    return {"aud": AUD, "iat": int(NOW.timestamp()) - 5, "nonce": "n-1", **extra}


def ed25519_proof(
    header: dict[str, Any] | None = None, payload: dict[str, Any] | None = None, key: KeyPair = HOLDER
) -> str:
    h = {"typ": PROOF_TYP, "alg": "EdDSA", "kid": HOLDER.public.did_key_verification_method}
    h.update(header or {})
    signing_input = f"{b64(json.dumps({k: v for k, v in h.items() if v is not None}).encode())}.{b64(json.dumps(payload or claims()).encode())}"
    return f"{signing_input}.{b64(key.sign(signing_input.encode()))}"


P256 = ec.generate_private_key(ec.SECP256R1())


def p256_jwk() -> dict[str, str]:
    numbers = P256.public_key().public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": b64(numbers.x.to_bytes(32, "big")),
        "y": b64(numbers.y.to_bytes(32, "big")),
    }


def p256_proof(header: dict[str, Any]) -> str:
    h = {"typ": PROOF_TYP, "alg": "ES256", **header}
    signing_input = f"{b64(json.dumps(h).encode())}.{b64(json.dumps(claims()).encode())}"
    r, s = decode_dss_signature(P256.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    return f"{signing_input}.{b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def test_an_ed25519_did_key_proof_binds_to_its_did() -> None:
    proof = verify_jwt_proof(ed25519_proof(), audience=AUD, now=NOW)
    assert proof.holder == HOLDER.public.did_key
    assert proof.nonce == "n-1" and proof.jwk["x"] == HOLDER.public.jwk()["x"]


def test_a_jwk_header_binds_to_did_key_for_ed25519_and_did_jwk_for_p256() -> None:
    proof = verify_jwt_proof(ed25519_proof({"kid": None, "jwk": HOLDER.public.jwk()}), audience=AUD, now=NOW)
    assert proof.holder == HOLDER.public.did_key
    p256 = verify_jwt_proof(p256_proof({"jwk": p256_jwk()}), audience=AUD, now=NOW)
    assert p256.holder.startswith("did:jwk:") and p256.holder == did_for_jwk(p256.jwk)
    decoded = json.loads(base64.urlsafe_b64decode(p256.holder[8:] + "=="))
    assert decoded == {k: p256_jwk()[k] for k in ("crv", "kty", "x", "y")}


def test_a_did_jwk_kid_and_a_p256_did_key_kid_resolve_offline() -> None:
    did = did_for_jwk(p256_jwk())
    assert verify_jwt_proof(p256_proof({"kid": f"{did}#0"}), audience=AUD, now=NOW).holder == did
    point = P256.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
    )
    from vcengine.core.multibase import encode_base58btc

    multibase = encode_base58btc(b"\x80\x24" + point)  # z-prefixed
    did_key = f"did:key:{multibase}"
    assert (
        verify_jwt_proof(p256_proof({"kid": f"{did_key}#{multibase}"}), audience=AUD, now=NOW).holder
        == did_key
    )


def test_the_audience_may_be_a_list_that_names_the_issuer() -> None:
    assert (
        verify_jwt_proof(ed25519_proof(payload=claims(aud=["x", AUD])), audience=AUD, now=NOW).nonce == "n-1"
    )


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (ed25519_proof({"typ": "JWT"}), "typ"),
        (ed25519_proof({"alg": "none"}), "alg"),
        (ed25519_proof({"alg": "HS256"}), "alg"),
        (ed25519_proof({"alg": "ES256"}), "does not match"),
        (ed25519_proof(key=OTHER), "signature"),  # a key of another holder
        (ed25519_proof({"kid": OTHER.public.did_key_verification_method}), "signature"),
        (ed25519_proof({"jwk": HOLDER.public.jwk()}), "exactly one"),
        (ed25519_proof({"kid": None, "x5c": ["MIIB"]}), "exactly one"),
        (ed25519_proof({"kid": None}), "exactly one"),
        (ed25519_proof({"kid": "did:web:holder.example#key-1"}), "not resolvable"),
        (ed25519_proof({"kid": None, "jwk": {**HOLDER.public.jwk(), "d": "AAAA"}}), "private"),
        (ed25519_proof({"kid": None, "jwk": {"kty": "RSA", "n": "x", "e": "AQAB"}}), "not supported"),
        (ed25519_proof(payload=claims(aud="https://evil.example")), "aud"),
        (ed25519_proof(payload={"aud": AUD, "nonce": "n"}), "iat"),
        (ed25519_proof(payload=claims(iat=int((NOW - timedelta(minutes=6)).timestamp()))), "iat"),
        (ed25519_proof(payload=claims(iat=int((NOW + timedelta(minutes=2)).timestamp()))), "iat"),
        (ed25519_proof(payload=claims(nonce=7)), "nonce"),
        ("a.b", "3 dot-separated"),
        ("!!.e30.AA", "base64url"),
        (f"{b64(b'[1]')}.{b64(b'{}')}.AA", "JSON object"),
        (42, "compact JWS"),
        ("x" * 20_000, "compact JWS"),
    ],
)
def test_a_bad_proof_is_invalid_proof_with_a_reason(token: Any, reason: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        verify_jwt_proof(token, audience=AUD, now=NOW)
    assert caught.value.code == "invalid_proof" and reason in caught.value.message, caught.value.message
