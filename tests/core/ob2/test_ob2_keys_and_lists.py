"""CryptographicKey (PEM: RSA ≥ 2048 or EC P-256, never a private key), RevocationList, and the
SignedBadge JWS (strict compact form, signature pinned to the key's algorithm)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from tests.core.ob2.ob2_badges import Ob2Issuer, pem, rsa_key
from vcengine.core.ob2 import OB2_CONTEXT
from vcengine.core.ob2.key import parse_key
from vcengine.core.ob2.revocation import parse_revocation_list
from vcengine.core.ob2.signed import decode_signed, unverified_payload, verify_signature
from vcengine.errors import InputError, JwtFormatError, SignatureError, UnsupportedError


def key_doc(pem_text: Any) -> dict[str, Any]:
    return {
        "@context": OB2_CONTEXT,
        "type": "CryptographicKey",
        "id": "https://k.example/1",
        "publicKeyPem": pem_text,
    }


def test_rsa_and_ec_keys() -> None:
    assert parse_key(key_doc(pem(rsa_key())), embedded=False).algorithm == "RS256"
    ec_issuer = Ob2Issuer(alg="ES256")
    assert parse_key(ec_issuer.key(), embedded=False).algorithm == "ES256"
    assert (
        parse_key({"id": "https://k.example/1", "publicKeyPem": pem(rsa_key())}, embedded=True).owner is None
    )


def test_refused_keys() -> None:
    private = rsa_key().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(InputError, match="private key"):
        parse_key(key_doc(private.decode()), embedded=False)
    with pytest.raises(InputError, match="not a PEM"):
        parse_key(key_doc("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"), embedded=False)
    with pytest.raises(InputError, match="PEM-encoded"):
        parse_key(key_doc(None), embedded=False)
    with pytest.raises(UnsupportedError, match="1024 bits"):
        parse_key(key_doc(pem(rsa_key(1024))), embedded=False)
    with pytest.raises(UnsupportedError, match="RSA or EC P-256"):
        parse_key(key_doc(pem(ed25519.Ed25519PrivateKey.generate())), embedded=False)
    with pytest.raises(InputError, match="CryptographicKey"):
        parse_key({**key_doc(pem(rsa_key())), "type": "Issuer"}, embedded=False)


def test_revocation_list_entries() -> None:
    doc = {
        "@context": OB2_CONTEXT,
        "type": "RevocationList",
        "id": "https://i.example/list",
        "revokedAssertions": ["urn:uuid:1", {"id": "urn:uuid:2", "revocationReason": "why"}, {"uid": "abc"}],
    }
    revocations = parse_revocation_list(doc)
    assert revocations.find("urn:uuid:1") is not None and revocations.find("urn:uuid:2").reason == "why"  # type: ignore[union-attr]
    assert revocations.find("urn:uuid:3", "abc") is not None and revocations.find("urn:uuid:3") is None
    for bad in (
        {**doc, "revokedAssertions": [7]},
        {**doc, "type": "Assertion"},
        {k: v for k, v in doc.items() if k != "revokedAssertions"},
    ):
        with pytest.raises(InputError):
            parse_revocation_list(bad)


def test_signed_jws_decoding_and_signature() -> None:
    issuer = Ob2Issuer()
    token = issuer.sign(issuer.assertion(signed=True))
    signed = decode_signed(token)
    assert signed.alg == "RS256" and signed.payload["type"] == "Assertion"
    verify_signature(signed, parse_key(issuer.key(), embedded=False))
    other = parse_key(key_doc(pem(rsa_key(2048, 9))), embedded=False)
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(signed, other)
    with pytest.raises(SignatureError, match="is for ES256"):
        verify_signature(signed, parse_key(Ob2Issuer(alg="ES256").key(), embedded=False))
    assert unverified_payload(token) == signed.payload and unverified_payload("x.y") is None


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (lambda t: t + ".x", "3 dot-separated"),
        (lambda t: "!" + t, "base64url"),
        (lambda t: base64.urlsafe_b64encode(b"[1]").rstrip(b"=").decode() + t[t.index(".") :], "JSON object"),
        (lambda t: t[: t.rindex(".")] + ".", "base64url"),
    ],
)
def test_malformed_jws(mangle: Any, message: str) -> None:
    issuer = Ob2Issuer()
    with pytest.raises(JwtFormatError, match=message):
        decode_signed(mangle(issuer.sign(issuer.assertion(signed=True))))


def test_b64_false_is_refused() -> None:
    header = (
        base64.urlsafe_b64encode(json.dumps({"alg": "RS256", "b64": False}).encode()).rstrip(b"=").decode()
    )
    with pytest.raises(JwtFormatError, match="crit"):
        decode_signed(f"{header}.e30.AAAA")
