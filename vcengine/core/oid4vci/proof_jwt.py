"""The ``jwt`` key proof of a Credential Request (OID4VCI 1.0 Appendix F.1), checked.

https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0.html#name-jwt-proof-type

- header: ``typ`` = ``openid4vci-proof+jwt``; ``alg`` an asymmetric algorithm (here ``EdDSA``
  with Ed25519 or ``ES256`` with P-256; never ``none`` or a MAC); exactly one of ``kid`` (a DID
  URL: ``did:key`` or ``did:jwk``, resolved offline) and ``jwk`` (a public key); ``x5c`` and
  other key references are refused;
- claims: ``aud`` = the Credential Issuer Identifier, ``iat`` recent (``max_age``, with
  ``skew`` for clocks ahead), ``nonce`` present (the caller checks it is a c_nonce it issued,
  unused, and answers ``invalid_nonce`` otherwise); ``iss`` is not required (anonymous
  pre-authorized access);
- the signature, with the algorithm pinned to the key's type.

The holder is the DID the credential is bound to: the ``kid``'s DID, or for a ``jwk`` header
``did:key`` (Ed25519) or ``did:jwk`` (P-256) of that key. Every refusal is
``ProtocolError("invalid_proof")``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from vcengine.core import jsontext
from vcengine.core.keys import PublicKey, public_key_from_did_key
from vcengine.core.multibase import decode_base58btc
from vcengine.errors import InputError, ProtocolError, SignatureError

__all__ = ["PROOF_TYP", "JwtProof", "did_for_jwk", "verify_jwt_proof"]

PROOF_TYP = "openid4vci-proof+jwt"
MAX_PROOF_BYTES = 16 * 1024
_SEGMENT = re.compile(r"[A-Za-z0-9_-]*")
_P256_PUB = b"\x80\x24"  # multicodec p256-pub (0x1200), varint


@dataclass(frozen=True, slots=True)
class JwtProof:
    """A proof that checked out: whom to bind to, with which key, and the nonce it carries."""

    holder: str
    jwk: Mapping[str, str]
    nonce: str | None
    issued_at: datetime


def _refuse(reason: str) -> ProtocolError:
    return ProtocolError("invalid_proof", reason)


def _b64(segment: str, what: str) -> bytes:
    if not _SEGMENT.fullmatch(segment) or len(segment) % 4 == 1:
        raise _refuse(f"the {what} is not base64url")
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        raise _refuse(f"the {what} is not base64url") from None


def _b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _object(segment: str, what: str) -> dict[str, Any]:
    try:
        value = jsontext.loads(_b64(segment, what), max_bytes=MAX_PROOF_BYTES)
    except InputError as exc:
        raise _refuse(f"the {what} is not JSON: {exc.message}") from None
    if not isinstance(value, dict):
        raise _refuse(f"the {what} is not a JSON object")
    return value


def _public_jwk(jwk: Any) -> dict[str, str]:
    """The public members of an Ed25519 or P-256 JWK (RFC 7638 order); refuses private keys."""
    if not isinstance(jwk, Mapping):
        raise _refuse("jwk must be a JSON object")
    if "d" in jwk:
        raise _refuse("the jwk header holds a private key")
    kty, crv = jwk.get("kty"), jwk.get("crv")
    members = ("crv", "kty", "x") if (kty, crv) == ("OKP", "Ed25519") else ("crv", "kty", "x", "y")
    if (kty, crv) not in (("OKP", "Ed25519"), ("EC", "P-256")):
        raise _refuse(f"key type kty={kty!r} crv={crv!r} is not supported (Ed25519 or P-256)")
    if not all(isinstance(jwk.get(m), str) for m in members):
        raise _refuse(f"the {crv} jwk lacks {', '.join(m for m in members if m != 'kty')}")
    for member in ("x", "y") if kty == "EC" else ("x",):
        if len(_b64(jwk[member], f"jwk {member}")) != 32:
            raise _refuse(f"jwk member {member} of a {crv} key decodes to 32 bytes")
    return {m: jwk[m] for m in members}


def did_for_jwk(jwk: Mapping[str, str]) -> str:
    """``did:key`` for an Ed25519 key, ``did:jwk`` (base64url of the public JWK) otherwise."""
    if jwk["kty"] == "OKP":
        return PublicKey(_b64(jwk["x"], "jwk x")).did_key
    return "did:jwk:" + _b64e(json.dumps(dict(jwk), separators=(",", ":")).encode("utf-8"))


def _p256_jwk(point: bytes) -> dict[str, str]:
    try:
        key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        raise _refuse("the did:key P-256 point is not on the curve") from None
    numbers = key.public_numbers()
    return {
        "crv": "P-256",
        "kty": "EC",
        "x": _b64e(numbers.x.to_bytes(32, "big")),
        "y": _b64e(numbers.y.to_bytes(32, "big")),
    }


def _key_of_kid(kid: Any) -> tuple[str, dict[str, str]]:
    """(holder DID, public JWK) of a ``did:key`` or ``did:jwk`` DID URL."""
    if not isinstance(kid, str) or len(kid) > 4096:
        raise _refuse("kid must be a DID URL")
    did, _, fragment = kid.partition("#")
    if did.startswith("did:key:"):
        multibase = did[len("did:key:") :]
        if multibase.startswith("z6Mk"):
            try:
                return did, PublicKey(public_key_from_did_key(kid).raw).jwk()
            except InputError as exc:
                raise _refuse(f"kid: {exc.message}") from None
        try:
            data = decode_base58btc(multibase, what="did:key")
        except InputError as exc:
            raise _refuse(f"kid: {exc.message}") from None
        if data[:2] != _P256_PUB or len(data) != 35 or (fragment and fragment != multibase):
            raise _refuse("kid: a did:key of an Ed25519 or P-256 key, with its own fragment, is expected")
        return did, _p256_jwk(data[2:])
    if did.startswith("did:jwk:"):
        if fragment not in ("", "0"):
            raise _refuse("kid: the verification method of a did:jwk is #0")
        try:
            jwk = jsontext.loads(_b64(did[len("did:jwk:") :], "did:jwk"), max_bytes=MAX_PROOF_BYTES)
        except InputError as exc:
            raise _refuse(f"kid: the did:jwk is not JSON: {exc.message}") from None
        return did, _public_jwk(jwk)
    method = ":".join(did.split(":")[:2])
    raise _refuse(
        f"kid: {method or kid[:40]!r} is not resolvable here (did:key or did:jwk, or send a jwk header)"
    )


def _check_signature(alg: str, jwk: Mapping[str, str], signing_input: bytes, signature: bytes) -> None:
    if jwk["kty"] == "OKP":
        if alg != "EdDSA":
            raise _refuse(f"alg {alg!r} does not match the Ed25519 key (EdDSA)")
        try:
            PublicKey(_b64(jwk["x"], "jwk x")).verify(signature, signing_input)
        except (SignatureError, InputError):
            raise _refuse("the proof's signature does not verify") from None
        return
    if alg != "ES256":
        raise _refuse(f"alg {alg!r} does not match the P-256 key (ES256)")
    if len(signature) != 64:
        raise _refuse("an ES256 signature is 64 bytes (r || s)")
    point = b"\x04" + _b64(jwk["x"], "jwk x") + _b64(jwk["y"], "jwk y")
    try:
        key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
        der = encode_dss_signature(
            int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        )
        key.verify(der, signing_input, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        raise _refuse("the proof's signature does not verify") from None


def _check_header(header: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
    if header.get("typ") != PROOF_TYP:
        raise _refuse(f"typ must be {PROOF_TYP!r}, not {header.get('typ')!r}")
    alg = header.get("alg")
    if not isinstance(alg, str) or alg.lower() == "none" or alg.upper().startswith("HS"):
        raise _refuse(f"alg {alg!r} is refused: a key proof is signed with an asymmetric key")
    references = [name for name in ("kid", "jwk", "x5c", "trust_chain", "key_attestation") if name in header]
    if references not in (["kid"], ["jwk"]):
        raise _refuse(f"name the key with exactly one of kid (did:key, did:jwk) or jwk, not {references}")
    if "kid" in header:
        return _key_of_kid(header["kid"])
    jwk = _public_jwk(header["jwk"])
    return did_for_jwk(jwk), jwk


def _check_claims(
    payload: Mapping[str, Any], audience: str, now: datetime, max_age: timedelta, skew: timedelta
) -> tuple[str | None, datetime]:
    aud = payload.get("aud")
    if not (aud == audience or (isinstance(aud, list) and audience in aud)):
        raise _refuse(f"aud must be the credential issuer {audience}")
    iat = payload.get("iat")
    if isinstance(iat, bool) or not isinstance(iat, int | float):
        raise _refuse("iat (a NumericDate) is required")
    if not now.timestamp() - max_age.total_seconds() <= iat <= now.timestamp() + skew.total_seconds():
        raise _refuse(f"iat is not within {int(max_age.total_seconds())} s of the issuer's clock")
    nonce = payload.get("nonce")
    if nonce is not None and not isinstance(nonce, str):
        raise _refuse("nonce must be a string")
    return nonce, datetime.fromtimestamp(iat, tz=now.tzinfo)


def verify_jwt_proof(
    token: Any,
    *,
    audience: str,
    now: datetime,
    max_age: timedelta = timedelta(minutes=5),
    skew: timedelta = timedelta(seconds=60),
) -> JwtProof:
    """Check one ``jwt`` proof (see the module docstring); ``ProtocolError("invalid_proof")`` if it fails."""
    if not isinstance(token, str) or len(token) > MAX_PROOF_BYTES:
        raise _refuse(f"a jwt proof is a compact JWS string of at most {MAX_PROOF_BYTES} bytes")
    segments = token.split(".")
    if len(segments) != 3:
        raise _refuse(f"a compact JWS has 3 dot-separated segments, this has {len(segments)}")
    header, payload = _object(segments[0], "JOSE header"), _object(segments[1], "JWT payload")
    holder, jwk = _check_header(header)
    _check_signature(
        header["alg"], jwk, f"{segments[0]}.{segments[1]}".encode("ascii"), _b64(segments[2], "signature")
    )
    nonce, issued_at = _check_claims(payload, audience, now, max_age, skew)
    return JwtProof(holder=holder, jwk=jwk, nonce=nonce, issued_at=issued_at)
