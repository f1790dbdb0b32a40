"""Signed Canvas Live Events (``core.lms.platforms.canvas_jwt``): RS256 pinned, key by kid, times."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from vcengine.core.lms.platforms.canvas_jwt import KeyNotInSet, looks_signed, read_signed
from vcengine.errors import InputError, SignatureError

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64int(value: int) -> str:
    return b64(value.to_bytes((value.bit_length() + 7) // 8, "big"))


JWKS = {
    "keys": [
        {"kty": "RSA", "kid": "k1", "n": b64int(KEY.public_key().public_numbers().n), "e": b64int(65537)},
    ]
}


def token(claims: dict[str, Any], header: dict[str, Any] | None = None, key: Any = KEY) -> bytes:
    head = b64(json.dumps(header or {"alg": "RS256", "kid": "k1"}).encode())
    body = b64(json.dumps(claims).encode())
    signing_input = f"{head}.{body}".encode()
    if isinstance(key, rsa.RSAPrivateKey):
        signature = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    else:
        signature = key.sign(signing_input, ec.ECDSA(hashes.SHA256()))
    return f"{head}.{body}.{b64(signature)}".encode()


def test_a_signed_event_reads_as_its_claims() -> None:
    claims = {"metadata": {"event_name": "course_completed"}, "body": {}, "exp": NOW.timestamp() + 60}
    assert looks_signed(b"  " + token(claims)) and not looks_signed(b'{"metadata": {}}')
    assert read_signed(token(claims), JWKS, NOW) == claims


def test_what_is_refused() -> None:
    claims = {"metadata": {}}
    with pytest.raises(SignatureError, match="RS256"):  # algorithm pinned: no none, no HS256 confusion
        read_signed(token(claims, {"alg": "HS256", "kid": "k1"}), JWKS, NOW)
    with pytest.raises(SignatureError, match="RS256"):
        read_signed(
            token(claims, {"alg": "ES256", "kid": "k1"}, ec.generate_private_key(ec.SECP256R1())), JWKS, NOW
        )
    with pytest.raises(KeyNotInSet):
        read_signed(token(claims, {"alg": "RS256", "kid": "k2"}), JWKS, NOW)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(SignatureError, match="does not match"):
        read_signed(token(claims, key=other), JWKS, NOW)
    with pytest.raises(SignatureError, match="expired"):
        read_signed(token({"exp": NOW.timestamp() - 301}), JWKS, NOW)
    with pytest.raises(SignatureError, match="not valid yet"):
        read_signed(token({"nbf": NOW.timestamp() + 301}), JWKS, NOW)
    for bad in (b"eyJ.only-two", b"eyJ!!!.e30.sig"):
        with pytest.raises(InputError):
            read_signed(bad, JWKS, NOW)
