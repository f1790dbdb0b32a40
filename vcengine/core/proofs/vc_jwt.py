"""VC-JWT as Open Badges 3.0 §8.2 "JSON Web Token Proof Format" defines it.

https://www.imsglobal.org/spec/ob/v3p0/#jwt-proof

- **Sign** (§8.2.3): the JWS payload is the credential JSON itself plus the JWT claims ``iss`` =
  ``issuer.id``, ``sub`` = ``credentialSubject.id``, ``nbf`` = ``validFrom``, ``jti`` = ``id`` and
  ``exp`` = ``validUntil`` (§8.2.2). The JOSE header holds ``alg``, ``typ: "JWT"`` and either
  ``kid`` or ``jwk`` (§8.2.1). A VC 1.1 credential (``@context[0]`` is the 2018 v1 context) is
  signed in the legacy VC-JWT form instead: the credential travels in a ``vc`` claim (VC Data
  Model 1.1 §6.3.1) with ``nbf`` = ``issuanceDate`` and ``exp`` = ``expirationDate``.
- **Decode**: strict parsing of the compact serialization (RFC 7515 §7.1). Header parameters are
  limited to ``alg``, ``kid``, ``jwk`` and ``typ`` (§8.2.1: "additional JOSE headers are not
  allowed"). One exception, decided on evidence: ``cty: "vc"`` is tolerated because W3C
  VC-JOSE-COSE §3.1.1 (the W3C Recommendation securing VCDM 2.0 with JOSE) says ``cty`` SHOULD be
  ``vc`` when present, and issuers following it send ``typ: "vc+jwt", cty: "vc"``; any other
  ``cty`` value is refused.
- **Verify** (§8.2.4): returns every check with an outcome (``pass`` / ``fail`` /
  ``indeterminate``) and a reason — signature, key binding, then the claims against the
  credential, and the validity window against the injected ``now``. The algorithm is pinned
  to the key type (no algorithm confusion); a key carried in the ``jwk`` header proves nothing
  about who issued the token until the resolver ties it to the issuer. A check on a token whose
  signature did not verify is never ``pass``.

Signing goes through ``KeyPair.sign`` (the key never leaves it; Ed25519 is deterministic, so a
token is reproducible byte for byte); verification uses jwcrypto with the algorithm pinned.
"""

from __future__ import annotations

import base64
import contextlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, TypeGuard

from jwcrypto import jwk as jose_jwk
from jwcrypto import jws as jose_jws

from vcengine.core.dates import from_numeric_date, parse_date_time, to_numeric_date
from vcengine.core.jsontext import MAX_BYTES, loads
from vcengine.core.keys import KeyPair, PublicKey
from vcengine.core.resolve import KeyResolver, ResolvedKey
from vcengine.errors import (
    InputError,
    JsonError,
    JwtFormatError,
    KeyFormatError,
    ResolutionError,
    SchemaError,
    SignatureError,
)

__all__ = [
    "JwtCheck",
    "JwtCredential",
    "JwtVerification",
    "Outcome",
    "decode",
    "sign",
    "verify",
]

Outcome = Literal["pass", "fail", "indeterminate"]
Form = Literal["vcdm2", "vc-claim"]

VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
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


@dataclass(frozen=True, slots=True)
class JwtCheck:
    """One verification check: ``name`` (e.g. ``signature``, ``iss``), its outcome and why."""

    name: str
    outcome: Outcome
    reason: str


@dataclass(frozen=True, slots=True)
class JwtVerification:
    """Every check run on a VC-JWT; ``verified`` only when all of them passed."""

    token: JwtCredential
    checks: tuple[JwtCheck, ...]

    @property
    def credential(self) -> Mapping[str, Any]:
        return self.token.credential

    @property
    def outcome(self) -> Outcome:
        outcomes = {c.outcome for c in self.checks}
        if "fail" in outcomes:
            return "fail"
        return "indeterminate" if "indeterminate" in outcomes else "pass"

    @property
    def verified(self) -> bool:
        return self.outcome == "pass"

    def check(self, name: str) -> JwtCheck:
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(name)


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
        payload_json = _json_bytes(payload)
    except (TypeError, ValueError) as exc:
        raise SchemaError(f"the credential is not plain JSON: {exc}") from None
    signing_input = _b64url(_json_bytes(header)) + "." + _b64url(payload_json)
    return signing_input + "." + _b64url(key.sign(signing_input.encode("ascii")))


def _payload_for(credential: Mapping[str, Any], issued_at: datetime | None) -> dict[str, Any]:
    claims: dict[str, Any] = {"iss": _issuer_id(credential)}
    if claims["iss"] is None:
        raise SchemaError("the credential has no issuer id to put in 'iss'", path="$.issuer")
    subjects = _subject_ids(credential)
    if len(subjects) == 1:
        claims["sub"] = subjects[0]
    for claim, names in (("nbf", ("validFrom", "issuanceDate")), ("exp", ("validUntil", "expirationDate"))):
        name, value = _first_present(credential, names)
        if value is not None:
            claims[claim] = to_numeric_date(_parse_date_time(value, name))
    if isinstance(credential.get("id"), str):
        claims["jti"] = credential["id"]
    if issued_at is not None:
        claims["iat"] = to_numeric_date(_aware(issued_at, "issued_at"))
    if _is_vc_v1(credential):
        return {"vc": credential, **claims}
    clash = sorted(k for k in REGISTERED_CLAIMS if k in credential)
    if clash:
        raise SchemaError(f"the credential already has JWT claim properties {clash}")
    return {**credential, **claims}  # only serialized, never mutated: no copy needed


def _is_vc_v1(credential: Mapping[str, Any]) -> bool:
    context = credential.get("@context")
    return isinstance(context, list) and bool(context) and context[0] == VC_V1_CONTEXT


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
        _public_jwk(header["jwk"])


def _public_jwk(value: Any) -> jose_jwk.JWK:
    """The header ``jwk`` as a jwcrypto key; only public Ed25519, P-256 or RSA keys."""
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
    if _b64url(data) != segment:
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
# Verify (§8.2.4)


def verify(token: str, resolver: KeyResolver, *, now: datetime) -> JwtVerification:
    """Decode ``token`` and run every §8.2.4 check; malformed tokens raise ``JwtFormatError``.

    Checks, in order: ``signature``, ``key_binding``, ``iss``, ``sub``, ``jti``, ``nbf``,
    ``exp``, ``valid_from``, ``valid_until``. When the signature does not pass, no other check
    can pass either: a would-be ``pass`` becomes ``indeterminate``.
    """
    now = _aware(now, "now")
    decoded = decode(token, allow_external_key=True)
    issuer = _issuer_id(decoded.credential)
    key, binding = _key_and_binding(decoded, resolver, issuer)
    signature = _check_signature(decoded, token, key)
    checks = [signature, binding, *_check_claims(decoded, issuer), *_check_window(decoded, now)]
    if signature.outcome != "pass":
        checks = [signature, *(_untrusted(c, signature) for c in checks[1:])]
    return JwtVerification(token=decoded, checks=tuple(checks))


def _untrusted(check: JwtCheck, signature: JwtCheck) -> JwtCheck:
    if check.outcome != "pass":
        return check
    why = "does not match" if signature.outcome == "fail" else "could not be checked"
    return JwtCheck(check.name, "indeterminate", f"{check.reason}, but the signature {why}")


# Key binding: which key signs, and does the issuer control it?

_ResolvedOrWhy = tuple[ResolvedKey | None, str]


def _resolve(resolver: KeyResolver, vm_id: str) -> _ResolvedOrWhy:
    try:
        return resolver(vm_id), ""
    except (ResolutionError, KeyFormatError) as exc:
        return None, exc.message


def _key_and_binding(
    decoded: JwtCredential, resolver: KeyResolver, issuer: str | None
) -> tuple[Mapping[str, Any] | None, JwtCheck]:
    header = decoded.header
    if "jwk" in header:
        return header["jwk"], _bind_embedded_jwk(header["jwk"], resolver, issuer)
    if "kid" in header:
        resolved, why = _resolve(resolver, header["kid"])
        if resolved is None:
            return None, JwtCheck("key_binding", "indeterminate", f"kid {header['kid']}: {why}")
        return resolved.jwk, _bind_resolved(resolved, issuer, f"kid {header['kid']}")
    # Neither kid nor jwk (legacy VC 1.1 tokens): the issuer's own key, if the resolver knows it.
    if issuer is None:
        return None, JwtCheck("key_binding", "fail", "no kid, no jwk and no issuer id to find a key by")
    resolved, why = _resolve(resolver, issuer)
    if resolved is None:
        return None, JwtCheck(
            "key_binding", "indeterminate", f"the header names no key (neither kid nor jwk) and {why}"
        )
    return resolved.jwk, _bind_resolved(resolved, issuer, f"the issuer's key (no kid or jwk; {issuer})")


def _bind_resolved(resolved: ResolvedKey, issuer: str | None, what: str) -> JwtCheck:
    if issuer is None:
        return JwtCheck("key_binding", "fail", "the credential has no issuer id")
    if resolved.controller != issuer:
        return JwtCheck(
            "key_binding", "fail", f"{what} is controlled by {resolved.controller}, not the issuer {issuer}"
        )
    if "assertionMethod" not in resolved.purposes:
        return JwtCheck(
            "key_binding", "fail", f"{what} is not listed under assertionMethod by its controller {issuer}"
        )
    return JwtCheck("key_binding", "pass", f"{what} is an assertionMethod of the issuer {issuer}")


def _bind_embedded_jwk(header_jwk: Mapping[str, Any], resolver: KeyResolver, issuer: str | None) -> JwtCheck:
    """A ``jwk`` header key is bound only if the resolver ties it (by thumbprint or issuer) to the issuer."""
    if issuer is None:
        return JwtCheck("key_binding", "fail", "the credential has no issuer id")
    thumbprint = _public_jwk(header_jwk).thumbprint()
    notes = []
    for vm_id in (JWK_THUMBPRINT_URN + thumbprint, issuer):
        resolved, _ = _resolve(resolver, vm_id)
        if resolved is None:
            notes.append(f"the resolver does not know {vm_id}")
            continue
        if _thumbprint(resolved.jwk) != thumbprint:
            notes.append(f"{vm_id} resolves to a different key")
            continue
        return _bind_resolved(resolved, issuer, f"the embedded jwk (thumbprint {thumbprint})")
    return JwtCheck(
        "key_binding",
        "indeterminate",
        f"the key in the jwk header (thumbprint {thumbprint}) verifies the signature but nothing binds it "
        f"to the issuer {issuer}: " + "; ".join(notes),
    )


def _thumbprint(value: Mapping[str, Any]) -> str | None:
    try:
        return str(_public_jwk(value).thumbprint())
    except JwtFormatError:
        return None


# Signature: RFC 7515 §5.2 with the algorithm pinned to the key type.


def _check_signature(decoded: JwtCredential, token: str, key_jwk: Mapping[str, Any] | None) -> JwtCheck:
    alg = decoded.header["alg"]
    if alg not in ALG_KEY_TYPES:
        return JwtCheck("signature", "indeterminate", f"alg {alg} is not supported (EdDSA, ES256, RS256)")
    if key_jwk is None:
        return JwtCheck("signature", "indeterminate", "no public key to check the signature with")
    if key_jwk.get("kty") == "OKP" and key_jwk.get("crv") == "Ed25519":
        mismatch = _alg_key_mismatch(alg, key_jwk)
        if mismatch:
            return JwtCheck("signature", "fail", mismatch)
        # Ed25519 directly over the signing input (RFC 8037 §3.1): the check jwcrypto makes,
        # without its per-call key and JWS object set-up, which was half of verification time.
        try:
            public = PublicKey.from_jwk(key_jwk)
        except KeyFormatError as exc:
            return JwtCheck("signature", "indeterminate", f"the resolved key is unusable: {exc.message}")
        try:
            public.verify(decoded.signature, decoded.signing_input)
        except SignatureError:
            return JwtCheck("signature", "fail", f"the {alg} signature does not match")
        return JwtCheck("signature", "pass", f"{alg} signature verified with the OKP key")
    try:
        key = _public_jwk(key_jwk)
    except JwtFormatError as exc:
        return JwtCheck("signature", "indeterminate", f"the resolved key is unusable: {exc.message}")
    mismatch = _alg_key_mismatch(alg, key_jwk)
    if mismatch:
        return JwtCheck("signature", "fail", mismatch)
    jws = jose_jws.JWS()
    try:
        jws.deserialize(token)
        jws.verify(key, alg=alg)
    except jose_jws.InvalidJWSSignature:
        return JwtCheck("signature", "fail", f"the {alg} signature does not match")
    except Exception as exc:  # jwcrypto parse errors on input decode() accepted: treat as no match
        return JwtCheck(
            "signature", "fail", f"the {alg} signature could not be verified ({type(exc).__name__})"
        )
    return JwtCheck("signature", "pass", f"{alg} signature verified with the {key_jwk['kty']} key")


def _alg_key_mismatch(alg: str, key_jwk: Mapping[str, Any]) -> str:
    kty, crv = ALG_KEY_TYPES[alg]
    if key_jwk.get("kty") != kty or (crv is not None and key_jwk.get("crv") != crv):
        return (
            f"algorithm confusion: alg {alg} needs a {kty} {crv or ''} key, the key is "
            f"kty={key_jwk.get('kty')} crv={key_jwk.get('crv')}"
        ).replace("  ", " ")
    declared = key_jwk.get("alg")
    ed25519_names = ("EdDSA", "Ed25519")  # one key, two names (RFC 8037 and RFC 9864)
    if declared is not None and declared != alg and not (alg in ed25519_names and declared in ed25519_names):
        return f"the key is declared for alg {declared}, the token uses {alg}"
    if kty == "RSA":
        bits = len(base64.urlsafe_b64decode(key_jwk["n"] + "=" * (-len(key_jwk["n"]) % 4)).lstrip(b"\0")) * 8
        if bits < MIN_RSA_BITS:
            return f"the RSA key has {bits} bits; at least {MIN_RSA_BITS} are required"
    return ""


# Claims (§8.2.4 step 4): the JWT claims must say what the credential says.


def _check_claims(decoded: JwtCredential, issuer: str | None) -> list[JwtCheck]:
    payload, credential = decoded.payload, decoded.credential
    # VC-JOSE-COSE (typ vc+jwt) does not require the OB claims; OB 3.0 does.
    required = decoded.header.get("typ") != "vc+jwt"
    return [
        _match("iss", payload.get("iss"), issuer, "issuer.id", required),
        _check_sub(payload, _subject_ids(credential), required),
        _match("jti", payload.get("jti"), credential.get("id"), "id", required),
        _check_date_claim("nbf", payload, credential, ("validFrom", "issuanceDate"), required),
        _check_date_claim("exp", payload, credential, ("validUntil", "expirationDate"), required),
    ]


def _match(claim: str, value: Any, expected: Any, source: str, required: bool) -> JwtCheck:
    if value is None and expected is None:
        return JwtCheck(claim, "pass", f"neither {claim} nor {source} is present")
    if value is None:
        outcome: Outcome = "fail" if required else "pass"
        return JwtCheck(claim, outcome, f"no {claim} claim for {source} {expected!r}")
    if value != expected:
        return JwtCheck(claim, "fail", f"{claim} {value!r} is not {source} {expected!r}")
    return JwtCheck(claim, "pass", f"{claim} equals {source}")


def _check_sub(payload: Mapping[str, Any], subjects: list[str], required: bool) -> JwtCheck:
    if "sub" in payload:
        if payload["sub"] in subjects:
            return JwtCheck("sub", "pass", "sub equals credentialSubject.id")
        return JwtCheck("sub", "fail", f"sub {payload['sub']!r} is not credentialSubject.id {subjects!r}")
    if "aud" not in payload:
        return _match("sub", None, subjects[0] if subjects else None, "credentialSubject.id", required)
    aud = payload["aud"]
    if any(a in subjects for a in (aud if isinstance(aud, list) else [aud])):
        return JwtCheck(
            "sub", "pass", "credentialSubject.id is carried in aud, not sub (as 1EdTech's validator emits it)"
        )
    return JwtCheck("sub", "fail", f"no sub, and aud {aud!r} is not credentialSubject.id {subjects!r}")


def _check_date_claim(
    claim: str,
    payload: Mapping[str, Any],
    credential: Mapping[str, Any],
    names: tuple[str, ...],
    required: bool,
) -> JwtCheck:
    name, text = _first_present(credential, names)
    value = payload.get(claim)
    if value is not None and not _is_number(value):
        return JwtCheck(claim, "fail", f"{claim} is not a NumericDate")
    if text is None:
        if claim == "exp" and value is not None:
            return JwtCheck(claim, "pass", "exp sets the expiry; the credential has no validUntil")
        return _match(claim, value, None, " / ".join(names), required)
    try:
        expected = to_numeric_date(_parse_date_time(text, name))
    except SchemaError as exc:
        return JwtCheck(claim, "fail", exc.message)
    if value is None:
        return _match(claim, None, text, name, required)
    if math.floor(value) != expected:
        return JwtCheck(claim, "fail", f"{claim} {value} is not {name} {text} ({expected})")
    return JwtCheck(claim, "pass", f"{claim} equals {name} {text}")


# Validity window (§8.2.4: nbf not in the future, exp not past), against the injected clock.


def _check_window(decoded: JwtCredential, now: datetime) -> list[JwtCheck]:
    starts = _instants(decoded, "nbf", ("validFrom", "issuanceDate"))
    ends = _instants(decoded, "exp", ("validUntil", "expirationDate"))
    stamp = now.isoformat()
    if starts and max(starts) > now:
        valid_from = JwtCheck(
            "valid_from", "fail", f"not valid before {max(starts).isoformat()} (now {stamp})"
        )
    else:
        valid_from = JwtCheck("valid_from", "pass", "already valid" if starts else "no start of validity")
    if ends and now >= min(ends):
        valid_until = JwtCheck("valid_until", "fail", f"expired at {min(ends).isoformat()} (now {stamp})")
    else:
        valid_until = JwtCheck("valid_until", "pass", "not expired" if ends else "no expiry")
    return [valid_from, valid_until]


def _instants(decoded: JwtCredential, claim: str, names: tuple[str, ...]) -> list[datetime]:
    found = []
    value = decoded.payload.get(claim)
    # Out-of-range or malformed values are reported by the nbf / exp checks.
    with contextlib.suppress(InputError):
        if value is not None:
            found.append(from_numeric_date(value))
    name, text = _first_present(decoded.credential, names)
    with contextlib.suppress(SchemaError):
        if text is not None:
            found.append(_parse_date_time(text, name))
    return found


# --------------------------------------------------------------------------------------------
# Small helpers


def _issuer_id(credential: Mapping[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) and issuer else None


def _subject_ids(credential: Mapping[str, Any]) -> list[str]:
    subject = credential.get("credentialSubject")
    subjects = subject if isinstance(subject, list) else [subject]
    return [s["id"] for s in subjects if isinstance(s, Mapping) and isinstance(s.get("id"), str)]


def _first_present(credential: Mapping[str, Any], names: tuple[str, ...]) -> tuple[str, Any]:
    for name in names:
        if credential.get(name) is not None:
            return name, credential[name]
    return names[0], None


def _parse_date_time(value: Any, name: str) -> datetime:
    """``validFrom`` … as an aware datetime; no offset (allowed by VC 1.1's xsd:dateTime) reads as UTC."""
    moment = parse_date_time(value, path=f"$.{name}")
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _aware(moment: datetime, name: str) -> datetime:
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise InputError(f"{name} must be a timezone-aware datetime")
    return moment


def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
