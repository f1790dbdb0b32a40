"""The compact JWS form of an OB 3.0 VC-JWT: types, limits, strict decoding, shared helpers.

RFC 7515 §7.1 compact serialization with OB 3.0 §8.2.1 header rules (see the package docstring).
"""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, TypeGuard

from vcengine.core.dates import parse_date_time
from vcengine.core.jsontext import MAX_BYTES, loads
from vcengine.errors import (
    InputError,
    JsonError,
    JwtFormatError,
)

if TYPE_CHECKING:
    from jwcrypto import jwk as jose_jwk

Outcome = Literal["pass", "fail", "indeterminate"]
Form = Literal["vcdm2", "vc-claim"]

JWK_THUMBPRINT_URN = "urn:ietf:params:oauth:jwk-thumbprint:sha-256:"

MAX_TOKEN_CHARS = MAX_BYTES
MAX_HEADER_CHARS = 16 * 1024

#: §8.2.1 header parameters, plus ``cty`` (VC-JOSE-COSE §3.1.1, value ``vc`` only).
ALLOWED_HEADER_PARAMS = frozenset({"alg", "kid", "jwk", "typ", "cty"})
ALLOWED_TYP = frozenset({"JWT", "vc+jwt"})
#: RFC 7519 §4.1 registered claims: JWT envelope, not credential properties.
REGISTERED_CLAIMS = frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti"})
#: alg -> (kty, crv) of the only key type it may be used with. HS* and none never get this far.
ALG_KEY_TYPES: Mapping[str, tuple[str, str | None]] = {
    "EdDSA": ("OKP", "Ed25519"),
    "Ed25519": ("OKP", "Ed25519"),
    "ES256": ("EC", "P-256"),
    "RS256": ("RSA", None),
}
PUBLIC_JWK_MEMBERS = {"OKP": ("kty", "crv", "x"), "EC": ("kty", "crv", "x", "y"), "RSA": ("kty", "n", "e")}
PRIVATE_JWK_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
MIN_RSA_BITS = 2048

_B64URL = re.compile(r"[A-Za-z0-9_-]*")


# --------------------------------------------------------------------------------------------
# Types


@dataclass(frozen=True, slots=True)
class JwtCredential:
    """A decoded (not yet verified) VC-JWT.

    ``credential`` is the ``vc`` claim (form ``vc-claim``) or the payload without the RFC 7519
    registered claims (form ``vcdm2``) — the credential exactly as the issuer put it in.
    """

    header: Mapping[str, Any]
    payload: Mapping[str, Any]
    credential: Mapping[str, Any]
    signing_input: bytes
    signature: bytes
    form: Form


# --------------------------------------------------------------------------------------------
# Decode (RFC 7515 §7.1 compact serialization, OB 3.0 §8.2.1 header rules)


def decode(token: str, *, allow_external_key: bool = False) -> JwtCredential:
    """Parse a compact VC-JWT strictly, without checking the signature.

    Raises ``JwtFormatError`` for anything that is not a well-formed OB 3.0 VC-JWT. A token with
    neither ``kid`` nor ``jwk`` names no key (§8.2.1 requires one of them); it is refused unless
    ``allow_external_key`` says the caller will supply the key some other way (``verify`` does,
    through the resolver and the issuer id, for legacy VC 1.1 tokens).
    """
    if not isinstance(token, str):
        raise JwtFormatError("a VC-JWT must be a string (compact JWS serialization)")
    if len(token) > MAX_TOKEN_CHARS:
        raise JwtFormatError(f"token is {len(token)} characters; the limit is {MAX_TOKEN_CHARS}")
    segments = token.split(".")
    if len(segments) != 3:
        raise JwtFormatError(f"a compact JWS has 3 dot-separated segments, this has {len(segments)}")
    header_b64, payload_b64, signature_b64 = segments
    if len(header_b64) > MAX_HEADER_CHARS:
        raise JwtFormatError(f"JOSE header is longer than {MAX_HEADER_CHARS} characters")
    header = _json_object(_b64url_decode(header_b64, "header"), "header")
    _check_header(header, allow_external_key=allow_external_key)
    payload = _json_object(_b64url_decode(payload_b64, "payload"), "payload")
    signature = _b64url_decode(signature_b64, "signature")
    if not signature:
        raise JwtFormatError("the signature segment is empty")
    form: Form = "vc-claim" if "vc" in payload else "vcdm2"
    if form == "vc-claim":
        if not isinstance(payload["vc"], dict):
            raise JwtFormatError("the 'vc' claim must be a JSON object")
        credential = payload["vc"]
    else:
        credential = {k: v for k, v in payload.items() if k not in REGISTERED_CLAIMS}
    return JwtCredential(
        header=header,
        payload=payload,
        credential=credential,
        signing_input=f"{header_b64}.{payload_b64}".encode("ascii"),
        signature=signature,
        form=form,
    )


def _check_header(header: Mapping[str, Any], *, allow_external_key: bool) -> None:
    extra = sorted(set(header) - ALLOWED_HEADER_PARAMS)
    if extra:
        raise JwtFormatError(f"header parameters {extra} are not allowed (OB 3.0 §8.2.1)")
    alg = header.get("alg")
    if not isinstance(alg, str) or not alg:
        raise JwtFormatError("the header has no 'alg'")
    if alg.lower() == "none" or alg.upper().startswith("HS"):
        raise JwtFormatError(f"alg {alg!r} is refused: a VC-JWT is signed with a public-key algorithm")
    if "typ" in header and not (isinstance(header["typ"], str) and header["typ"] in ALLOWED_TYP):
        raise JwtFormatError(f"typ {header['typ']!r} is not allowed; OB 3.0 §8.2.1 says 'JWT'")
    if "cty" in header and header["cty"] != "vc":
        raise JwtFormatError(f"cty {header['cty']!r} is not allowed; only 'vc' (VC-JOSE-COSE §3.1.1)")
    has_kid, has_jwk = "kid" in header, "jwk" in header
    if has_kid and has_jwk:
        raise JwtFormatError("the header has both 'kid' and 'jwk'; OB 3.0 §8.2.1 wants exactly one")
    if not (has_kid or has_jwk or allow_external_key):
        raise JwtFormatError(
            "the header has neither 'kid' nor 'jwk' (OB 3.0 §8.2.1 requires one): the key must come "
            "from elsewhere — verify() resolves it from the issuer id through the resolver"
        )
    if has_kid and (not isinstance(header["kid"], str) or not header["kid"]):
        raise JwtFormatError("'kid' must be a non-empty string")
    if has_jwk:
        public_jwk(header["jwk"])


def public_jwk(value: Any) -> jose_jwk.JWK:
    """The header ``jwk`` as a jwcrypto key; only public Ed25519, P-256 or RSA keys."""
    from jwcrypto import jwk as jose_jwk  # jwcrypto (~80 ms) loads when a JWS is checked

    if not isinstance(value, dict):
        raise JwtFormatError("'jwk' must be a JSON object")
    private = sorted(PRIVATE_JWK_MEMBERS & set(value))
    if private:
        raise JwtFormatError(f"'jwk' contains private or symmetric key members {private}")
    kty = value.get("kty")
    if kty not in PUBLIC_JWK_MEMBERS:
        raise JwtFormatError(f"'jwk' kty {kty!r} is not one of {sorted(PUBLIC_JWK_MEMBERS)}")
    if value.get("crv") != {"OKP": "Ed25519", "EC": "P-256", "RSA": None}[kty]:
        raise JwtFormatError(f"'jwk' curve {value.get('crv')!r} is not supported for kty {kty}")
    try:
        key = jose_jwk.JWK(**{m: value[m] for m in PUBLIC_JWK_MEMBERS[kty] if m in value})
        key.get_op_key("verify")  # builds the cryptographic key: bad points and encodings fail here
    except Exception as exc:  # jwcrypto/cryptography raise many types; translate at the boundary
        raise JwtFormatError(f"'jwk' is not a valid {kty} public key ({type(exc).__name__})") from None
    return key


def _b64url_decode(segment: str, what: str) -> bytes:
    if not _B64URL.fullmatch(segment) or len(segment) % 4 == 1:
        raise JwtFormatError(f"the {what} segment is not unpadded base64url")
    data = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    if b64url(data) != segment:
        raise JwtFormatError(f"the {what} segment is not canonical base64url")
    return data


def _json_object(data: bytes, what: str) -> dict[str, Any]:
    try:
        value = loads(data)
    except JsonError as exc:
        raise JwtFormatError(f"the {what} is not JSON: {exc.message}") from None
    if not isinstance(value, dict):
        raise JwtFormatError(f"the {what} must be a JSON object")
    return value


# --------------------------------------------------------------------------------------------
# Small helpers


def issuer_id(credential: Mapping[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) and issuer else None


def subject_ids(credential: Mapping[str, Any]) -> list[str]:
    subject = credential.get("credentialSubject")
    subjects = subject if isinstance(subject, list) else [subject]
    return [s["id"] for s in subjects if isinstance(s, Mapping) and isinstance(s.get("id"), str)]


def first_present(credential: Mapping[str, Any], names: tuple[str, ...]) -> tuple[str, Any]:
    for name in names:
        if credential.get(name) is not None:
            return name, credential[name]
    return names[0], None


def parse_credential_date(value: Any, name: str) -> datetime:
    """``validFrom`` … as an aware datetime; no offset (allowed by VC 1.1's xsd:dateTime) reads as UTC."""
    moment = parse_date_time(value, path=f"$.{name}")
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def aware(moment: datetime, name: str) -> datetime:
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise InputError(f"{name} must be a timezone-aware datetime")
    return moment


def is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def json_bytes(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
