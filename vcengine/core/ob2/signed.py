"""SignedBadge: an OB 2.0 assertion as the payload of a compact JWS (RFC 7515 §7.1).

OB 2.0 §SignedBadge Verification: the JWS payload is the JSON of the Assertion; "using
RSA-SHA256 is recommended". vcengine verifies RS256 (RSA, at least 2048 bits) and ES256
(EC P-256) with the issuer's key — never with a key the token names or carries (``jwk``,
``jku``, ``x5u``, ``kid`` are ignored: the key comes from the issuer Profile).
https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html#SignedBadge
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from vcengine.core import jsontext
from vcengine.core.ob2.key import CryptographicKey
from vcengine.errors import JsonError, JwtFormatError, SignatureError, UnsupportedError

__all__ = ["ALGORITHMS", "SignedAssertion", "decode_signed", "unverified_payload", "verify_signature"]

ALGORITHMS = frozenset({"RS256", "ES256"})
MAX_TOKEN_CHARS = jsontext.MAX_BYTES
_SEGMENT = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True, slots=True)
class SignedAssertion:
    header: Mapping[str, Any]
    payload: Mapping[str, Any]
    token: str = field(repr=False)

    @property
    def alg(self) -> str:
        return str(self.header["alg"])


def _segment(text: str, what: str) -> bytes:
    if not _SEGMENT.fullmatch(text) or len(text) % 4 == 1:
        raise JwtFormatError(f"the JWS {what} is not unpadded base64url")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise JwtFormatError(f"the JWS {what} is not base64url") from None
    if base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii") != text:
        raise JwtFormatError(f"the JWS {what} is not canonical base64url")
    return data


def _object(data: bytes, what: str) -> dict[str, Any]:
    try:
        value = jsontext.loads(data)
    except JsonError as exc:
        raise JwtFormatError(f"the JWS {what} is not JSON: {exc.message}") from None
    if not isinstance(value, dict):
        raise JwtFormatError(f"the JWS {what} must be a JSON object")
    return value


def decode_signed(token: str) -> SignedAssertion:
    """Split and parse a compact JWS strictly, without checking the signature (``JwtFormatError``)."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
        raise JwtFormatError(f"a signed assertion is a compact JWS of at most {MAX_TOKEN_CHARS} characters")
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise JwtFormatError(f"a compact JWS has 3 dot-separated segments, this has {len(parts)}")
    header = _object(_segment(parts[0], "header"), "header")
    alg = header.get("alg")
    if not isinstance(alg, str) or alg.lower() == "none" or alg.upper().startswith("HS"):
        raise JwtFormatError(f"alg {alg!r} is refused: a signed badge uses a public-key algorithm")
    if "crit" in header or header.get("b64") is False:
        raise JwtFormatError(
            "the JWS header has 'crit' or 'b64': extensions a verifier would have to understand"
        )
    payload = _object(_segment(parts[1], "payload"), "payload (the assertion)")
    _segment(parts[2], "signature")
    return SignedAssertion(header=header, payload=payload, token=token.strip())


def unverified_payload(text: str) -> Mapping[str, Any] | None:
    """The JSON payload of what looks like a compact JWS, or None: for telling formats apart only."""
    parts = text.strip().split(".")
    if len(parts) != 3 or len(text) > MAX_TOKEN_CHARS:
        return None
    try:
        return _object(_segment(parts[1], "payload"), "payload")
    except JwtFormatError:
        return None


def verify_signature(signed: SignedAssertion, key: CryptographicKey) -> None:
    """Check the JWS signature with ``key``: ``SignatureError`` if it does not match,
    ``UnsupportedError`` for an algorithm vcengine does not verify."""
    if signed.alg not in ALGORITHMS:
        raise UnsupportedError(f"alg {signed.alg} is not verified (RS256, ES256)")
    if signed.alg != key.algorithm:
        raise SignatureError(f"the token says alg {signed.alg}, the key {key.id} is for {key.algorithm}")
    from jwcrypto import (
        jws as jose_jws,  # jwcrypto (~80 ms) loads when a JWS is checked, not with every verify
    )

    jws = jose_jws.JWS()
    try:
        jws.deserialize(signed.token)
        jws.verify(key.public_key, alg=signed.alg)
    except jose_jws.InvalidJWSSignature:
        raise SignatureError(f"the {signed.alg} signature does not match the key {key.id}") from None
    except Exception as exc:  # jwcrypto parse errors for a token decode_signed accepted
        raise SignatureError(
            f"the {signed.alg} signature could not be checked ({type(exc).__name__})"
        ) from None
