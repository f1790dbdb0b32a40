"""Verifying a VC-JWT (OB 3.0 §8.2.4): every check with an outcome and a reason."""

from __future__ import annotations

import base64
import contextlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vcengine.core.dates import from_numeric_date, to_numeric_date
from vcengine.core.keys import PublicKey
from vcengine.core.proofs.vc_jwt.token import (
    ALG_KEY_TYPES,
    JWK_THUMBPRINT_URN,
    MIN_RSA_BITS,
    JwtCredential,
    Outcome,
    aware,
    decode,
    first_present,
    is_number,
    issuer_id,
    parse_credential_date,
    public_jwk,
    subject_ids,
)
from vcengine.core.resolve import KeyResolver, ResolvedKey
from vcengine.errors import (
    InputError,
    JwtFormatError,
    KeyFormatError,
    ResolutionError,
    SchemaError,
    SignatureError,
)


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
# Verify (§8.2.4)


def verify(token: str, resolver: KeyResolver, *, now: datetime) -> JwtVerification:
    """Decode ``token`` and run every §8.2.4 check; malformed tokens raise ``JwtFormatError``.

    Checks, in order: ``signature``, ``key_binding``, ``iss``, ``sub``, ``jti``, ``nbf``,
    ``exp``, ``valid_from``, ``valid_until``. When the signature does not pass, no other check
    can pass either: a would-be ``pass`` becomes ``indeterminate``.
    """
    now = aware(now, "now")
    decoded = decode(token, allow_external_key=True)
    issuer = issuer_id(decoded.credential)
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
    thumbprint = public_jwk(header_jwk).thumbprint()
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
        return str(public_jwk(value).thumbprint())
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
        key = public_jwk(key_jwk)
    except JwtFormatError as exc:
        return JwtCheck("signature", "indeterminate", f"the resolved key is unusable: {exc.message}")
    mismatch = _alg_key_mismatch(alg, key_jwk)
    if mismatch:
        return JwtCheck("signature", "fail", mismatch)
    from jwcrypto import (
        jws as jose_jws,  # jwcrypto (~80 ms) loads when a JWS is checked, not with every verify
    )

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
        _check_sub(payload, subject_ids(credential), required),
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
    name, text = first_present(credential, names)
    value = payload.get(claim)
    if value is not None and not is_number(value):
        return JwtCheck(claim, "fail", f"{claim} is not a NumericDate")
    if text is None:
        if claim == "exp" and value is not None:
            return JwtCheck(claim, "pass", "exp sets the expiry; the credential has no validUntil")
        return _match(claim, value, None, " / ".join(names), required)
    try:
        expected = to_numeric_date(parse_credential_date(text, name))
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
    name, text = first_present(decoded.credential, names)
    with contextlib.suppress(SchemaError):
        if text is not None:
            found.append(parse_credential_date(text, name))
    return found
