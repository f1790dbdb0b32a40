"""Verifying a presentation secured as a JWT: VC-JOSE-COSE ``vp+jwt`` and the VC-JWT 1.1 ``vp`` claim.

- VCDM 2.0 / VC-JOSE-COSE §3.2 (https://www.w3.org/TR/vc-jose-cose/#securing-vps-with-jose): the
  payload is the presentation itself; ``nonce`` and ``aud`` carry the verifier's challenge and
  domain; an ``EnvelopedVerifiablePresentation`` carries it as ``data:application/vp+jwt,<token>``.
- VC Data Model 1.1 §6.3.1 (JWT encoding): the presentation is the ``vp`` claim, ``iss`` is the
  holder, ``nonce`` the challenge and ``aud`` the domain; credentials may be VC-JWT strings.

The signature is EdDSA (Ed25519) by the key ``kid`` names; the key must be the holder's, for
authentication. The report has the shape of a Data Integrity presentation's (``format``
``vp-jwt``): syntax, proof, holder, challenge, domain, then every credential's full report.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from vcengine.core import jsontext
from vcengine.core.keys import PublicKey
from vcengine.core.presentation import AUTHENTICATION, PresentationReport, check_syntax
from vcengine.core.resolve import KeyResolver
from vcengine.core.verify import Check, StatusChecker, VerificationReport, verify_credential
from vcengine.errors import InputError, JwtFormatError, KeyFormatError, ResolutionError, SignatureError

__all__ = ["ENVELOPED_VP_JWT", "is_presentation_jwt", "presentation_of", "verify_presentation_jwt"]

ENVELOPED_VP_JWT = "data:application/vp+jwt,"
_REGISTERED = frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "nonce"})
_B64URL = re.compile(r"[A-Za-z0-9_-]+")
_ED25519_ALGS = ("EdDSA", "Ed25519")


def _segment(text: str, what: str) -> bytes:
    if not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise JwtFormatError(f"the {what} segment is not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _parts(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    segments = token.split(".")
    if len(segments) != 3:
        raise JwtFormatError(f"a compact JWS has 3 dot-separated segments, this has {len(segments)}")
    header, payload = (
        jsontext.loads(_segment(s, w)) for s, w in zip(segments[:2], ("header", "payload"), strict=True)
    )
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise JwtFormatError("the JWS header and payload must be JSON objects")
    alg = header.get("alg")
    if not isinstance(alg, str) or alg.lower() == "none" or alg.upper().startswith("HS"):
        raise JwtFormatError(f"alg {alg!r} is refused: a presentation is signed with a public key")
    return header, payload, f"{segments[0]}.{segments[1]}".encode("ascii"), _segment(segments[2], "signature")


def is_presentation_jwt(token: str) -> bool:
    """Whether a compact JWS carries a presentation (``vp`` claim or VerifiablePresentation type)."""
    try:
        _, payload, _, _ = _parts(token)
    except InputError:
        return False
    vp = payload.get("vp", payload)
    types = vp.get("type") if isinstance(vp, Mapping) else None
    return "VerifiablePresentation" in (types if isinstance(types, list) else [types])


def presentation_of(token: str) -> Any:
    """The presentation a token carries, unverified (to gather what verifying it will need)."""
    _, payload, _, _ = _parts(token.strip())
    return _presentation(payload)[0]


def _presentation(payload: Mapping[str, Any]) -> tuple[Any, str | None]:
    """The presentation and its holder, for both forms."""
    if "vp" in payload:
        vp = payload["vp"]
        holder = payload.get("iss")
        if isinstance(vp, Mapping) and isinstance(holder, str):
            vp = {**vp, "holder": vp.get("holder", holder)}
        return vp, holder if isinstance(holder, str) else None
    vp = {k: v for k, v in payload.items() if k not in _REGISTERED}
    holder = vp.get("holder")
    holder = holder.get("id") if isinstance(holder, Mapping) else holder
    return vp, holder if isinstance(holder, str) else None


def _check_signature(
    header: Mapping[str, Any],
    signing_input: bytes,
    signature: bytes,
    resolver: KeyResolver,
    holder: str | None,
) -> tuple[Check, Check]:
    """(proof, holder): the EdDSA signature by ``kid``, and whether that key is the holder's."""
    kid, alg = header.get("kid"), header.get("alg")
    if alg not in _ED25519_ALGS:
        return (
            Check(
                "proof",
                "indeterminate",
                f"alg {alg} is not supported for presentations (EdDSA)",
                "unsupported-proof",
            ),
            Check("holder", "skipped", "no verified signature to bind"),
        )
    if not isinstance(kid, str) or not kid:
        return Check("proof", "fail", "the header names no key (kid)", "bad-proof"), Check(
            "holder", "skipped", "no verified signature to bind"
        )
    try:
        resolved = resolver(kid)
        public = PublicKey.from_jwk(resolved.jwk)
    except ResolutionError as exc:
        return Check(
            "proof", "indeterminate", f"cannot resolve {kid}: {exc.message}", "unresolved-key"
        ), Check("holder", "skipped", "no verified signature to bind")
    except KeyFormatError as exc:
        return Check("proof", "fail", f"{kid}: {exc.message}", "bad-proof"), Check(
            "holder", "skipped", "no key"
        )
    try:
        public.verify(signature, signing_input)
    except SignatureError:
        return Check("proof", "fail", "the EdDSA signature does not match", "bad-proof"), Check(
            "holder", "skipped", "no verified signature to bind"
        )
    proof = Check("proof", "pass", f"EdDSA signature verified with {kid}")
    if holder is None:
        return proof, Check("holder", "skipped", "the presentation names no holder")
    if resolved.controller != holder:
        return proof, Check(
            "holder",
            "fail",
            f"{kid} is controlled by {resolved.controller}, not the holder {holder}",
            "holder-mismatch",
        )
    if resolved.purposes and AUTHENTICATION not in resolved.purposes:
        return proof, Check(
            "holder", "fail", f"{kid} is not an authentication key of {holder}", "holder-mismatch"
        )
    return proof, Check("holder", "pass", f"{kid} is the holder's key")


def _check_claim(name: str, claim: str, expected: str | None, payload: Mapping[str, Any]) -> Check:
    if expected is None:
        return Check(name, "skipped", f"the verifier expects no {name}")
    value = payload.get(claim)
    if value == expected or (isinstance(value, list) and expected in value):
        return Check(name, "pass", f"the {claim} claim carries the expected {name}")
    shown = f"no {claim} claim" if value is None else f"{claim} {str(value)[:80]!r}"
    return Check(
        name, "fail", f"the token has {shown}; the verifier expects {expected!r}", f"{name}-mismatch"
    )


def _check_window(payload: Mapping[str, Any], now: datetime) -> Check:
    """RFC 7519 ``exp`` / ``nbf`` of the presentation token (NumericDate, seconds)."""
    moment = now.timestamp()
    for claim, later in (("nbf", False), ("exp", True)):
        value = payload.get(claim)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            return Check("validity", "fail", f"the {claim} claim is not a NumericDate", "malformed-date")
        if later and moment > value:
            return Check("validity", "fail", "the presentation token has expired (exp)", "expired")
        if not later and moment < value:
            return Check("validity", "fail", "the presentation token is not yet valid (nbf)", "not-yet-valid")
    return Check("validity", "pass", "within the token's nbf/exp (if any)")


def verify_presentation_jwt(
    token: str,
    *,
    resolver: KeyResolver,
    now: datetime,
    status: StatusChecker | None = None,
    challenge: str | None = None,
    domain: str | None = None,
) -> PresentationReport:
    """Verify a presentation JWT and every credential it carries; a malformed token raises."""
    header, payload, signing_input, signature = _parts(token.strip())
    vp, holder = _presentation(payload)
    carried = vp.get("verifiableCredential") if isinstance(vp, Mapping) else None
    carried = carried if isinstance(carried, list) else [] if carried is None else [carried]
    as_objects = [
        {
            "@context": "https://www.w3.org/ns/credentials/v2",
            "id": f"data:application/vc+jwt,{c}",
            "type": "EnvelopedVerifiableCredential",
        }
        if isinstance(c, str)
        else c
        for c in carried
    ]
    syntax = check_syntax({**vp, "verifiableCredential": as_objects} if isinstance(vp, Mapping) else vp)
    if syntax.outcome == "fail":
        return PresentationReport((syntax,), (), vp if isinstance(vp, Mapping) else None, "vp-jwt")
    proof, holder_check = _check_signature(header, signing_input, signature, resolver, holder)
    checks = (
        syntax,
        proof,
        holder_check,
        _check_claim("challenge", "nonce", challenge, payload),
        _check_claim("domain", "aud", domain, payload),
        _check_window(payload, now),
    )
    credentials: tuple[VerificationReport, ...] = tuple(
        verify_credential(c, resolver=resolver, now=now, status=status) for c in as_objects
    )
    return PresentationReport(checks, credentials, vp, "vp-jwt")
