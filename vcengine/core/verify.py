"""Verifying a credential: a report of every check, never a bare boolean.

Each check has an outcome — ``pass``, ``fail`` (checked and wrong), ``indeterminate`` (could
not be completed: a key or a status list could not be resolved) or ``skipped`` (does not apply)
— and a reason. The credential is *verified* only when no check failed and none was
indeterminate: "could not check" is never reported as "verified".

Checks, in order (OB 3.0 §9 Verification and Validation; vc-data-model-2.0 §4.9, §5.4):
syntax → schema → proof → signed-graph (the JSON states what was signed, see
:mod:`vcengine.core.signed_graph`) → issuer (verification method ↔ issuer binding) → validity
(dates against the injected clock) → status.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from vcengine.core import jsontext
from vcengine.core.checks import (
    Check,
    Verdict,
    check_issuer_binding,
    check_proof_option,
    check_proofs,
    check_signed_graph,
    issuer_id,
    verdict_of,
)
from vcengine.core.dates import parse_date_time
from vcengine.core.proofs import vc_jwt
from vcengine.core.proofs.data_integrity import TooManyProofs, Transformed, verify_proofs
from vcengine.core.resolve import KeyResolver
from vcengine.core.schema import validate
from vcengine.core.status.check import status_checker
from vcengine.errors import InputError

__all__ = [
    "ENVELOPED_VC_JWT",
    "Check",
    "StatusChecker",
    "VerificationReport",
    "check_proof_option",
    "check_signed_graph",
    "enveloped_jwt",
    "verify_document",
]

StatusChecker = Callable[[Mapping[str, Any], datetime], "Check"]

OB_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential"})
#: VCDM 2.0 §4.13.1 Enveloped Verifiable Credentials: a VC-JWT carried as a data: URL.
ENVELOPED_VC_JWT = "data:application/vc+jwt,"


def enveloped_jwt(value: Any) -> str | None:
    """The VC-JWT an ``EnvelopedVerifiableCredential`` carries; None for anything else."""
    if not isinstance(value, Mapping):
        return None
    types = value.get("type")
    envelope = value.get("id")
    enveloped = "EnvelopedVerifiableCredential" in (types if isinstance(types, list) else [types])
    if enveloped and isinstance(envelope, str) and envelope.startswith(ENVELOPED_VC_JWT):
        return envelope[len(ENVELOPED_VC_JWT) :]
    return None


@dataclass(frozen=True, slots=True)
class VerificationReport:
    format: str
    checks: tuple[Check, ...]
    credential: Mapping[str, Any] | None = field(default=None, repr=False)

    @property
    def verdict(self) -> Verdict:
        return verdict_of(c.outcome for c in self.checks)

    @property
    def verified(self) -> bool:
        return self.verdict == "verified"

    def check(self, name: str) -> Check | None:
        return next((c for c in self.checks if c.name == name), None)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "verdict": self.verdict,
            "verified": self.verified,
            "format": self.format,
            "checks": [c.to_json() for c in self.checks],
        }
        if self.credential is not None:
            out["id"] = self.credential.get("id")
        return out


def _types(doc: Mapping[str, Any]) -> set[str]:
    t = doc.get("type")
    return set(t) if isinstance(t, list) else ({t} if isinstance(t, str) else set())


def check_syntax(doc: Any) -> Check:
    if not isinstance(doc, Mapping):
        return Check("syntax", "fail", "a credential must be a JSON object", "malformed")
    missing = [k for k in ("@context", "type", "issuer", "credentialSubject") if k not in doc]
    if missing:
        return Check("syntax", "fail", f"missing required properties: {', '.join(missing)}", "malformed")
    if "VerifiableCredential" not in _types(doc):
        return Check("syntax", "fail", "type does not include VerifiableCredential", "malformed")
    if issuer_id(doc) is None:
        return Check("syntax", "fail", "issuer must be a URL or an object with an id", "malformed")
    return Check("syntax", "pass", "well-formed verifiable credential")


def check_schema(doc: Mapping[str, Any]) -> Check:
    if not (_types(doc) & OB_TYPES):
        return Check("schema", "skipped", "not an Open Badges credential; OB 3.0 schema not applied")
    issues = validate(doc)
    if not issues:
        return Check("schema", "pass", "conforms to the OB 3.0 AchievementCredential schema and VCDM rules")
    details = tuple({"path": i.path, "message": i.message} for i in issues[:20])
    first = issues[0]
    return Check(
        "schema",
        "fail",
        f"{len(issues)} schema issue(s); first: {first.path}: {first.message}",
        "schema",
        details,
    )


def check_validity(doc: Mapping[str, Any], now: datetime) -> Check:
    """validFrom/validUntil (VC 2.0) or issuanceDate/expirationDate (VC 1.1) against ``now``."""
    vc11 = "validFrom" not in doc and "issuanceDate" in doc
    start_name, end_name = ("issuanceDate", "expirationDate") if vc11 else ("validFrom", "validUntil")
    try:
        start = parse_date_time(doc[start_name], path=f"$.{start_name}") if start_name in doc else None
        end = parse_date_time(doc[end_name], path=f"$.{end_name}") if end_name in doc else None
    except InputError as exc:
        return Check("validity", "fail", str(exc), "malformed-date")
    if start is not None and now < start:
        return Check("validity", "fail", f"not yet valid: {start_name} is {doc[start_name]}", "not-yet-valid")
    if end is not None and now > end:
        return Check("validity", "fail", f"expired: {end_name} was {doc[end_name]}", "expired")
    window = f"{doc.get(start_name, '-')} .. {doc.get(end_name, 'no end')}"
    return Check("validity", "pass", f"valid at {now.isoformat()} ({window})")


def _offline_status(resolver: KeyResolver) -> StatusChecker:
    """Without a status-list resolver, an existing status is reported as not checked."""
    return status_checker(None, resolver)


def verify_document(
    doc: Any,
    *,
    resolver: KeyResolver,
    now: datetime,
    status: StatusChecker | None = None,
    format: str = "json-ld",
    expected_purpose: str = "assertionMethod",
    challenge: str | None = None,
    domain: str | None = None,
) -> VerificationReport:
    """Verify a JSON-LD credential with embedded proofs; every check is reported.

    ``expected_purpose`` is the proof purpose the proofs must state; ``challenge`` and ``domain``,
    when given, must be carried by the proofs (reported as checks of their own)."""
    syntax = check_syntax(doc)
    if syntax.outcome == "fail":
        return VerificationReport(format, (syntax,), doc if isinstance(doc, Mapping) else None)
    transformed = Transformed(doc)
    try:
        results = verify_proofs(doc, resolver, expected_purpose=expected_purpose, transformed=transformed)
    except TooManyProofs as exc:
        results = []
        proof_check = Check("proof", "fail", str(exc), "too-many-proofs")
    except InputError as exc:
        results = []
        proof_check = Check("proof", "fail", str(exc), "bad-proof")
    else:
        proof_check = check_proofs(results)
    checks: tuple[Check, ...] = (
        syntax,
        check_schema(doc),
        proof_check,
        check_signed_graph(doc, transformed),
        check_issuer_binding(doc, results, resolver),
        check_validity(doc, now),
        (status or _offline_status(resolver))(doc, now),
    )
    if challenge is not None or domain is not None:
        proofs = doc.get("proof")
        listed = [p for p in (proofs if isinstance(proofs, list) else [proofs]) if isinstance(p, Mapping)]
        checks += tuple(
            check_proof_option(name, value, listed, results)
            for name, value in (("challenge", challenge), ("domain", domain))
            if value is not None
        )
    return VerificationReport(format, checks, doc)


def _combine(name: str, checks: list[Any], code: str | None = None) -> Check:
    details = tuple({"check": c.name, "outcome": c.outcome, "reason": c.reason} for c in checks)
    for outcome in ("fail", "indeterminate"):
        bad = [c for c in checks if c.outcome == outcome]
        if bad:
            return Check(name, outcome, f"{bad[0].name}: {bad[0].reason}", code, details)
    return Check(name, "pass", "; ".join(f"{c.name}: {c.reason}" for c in checks), None, details)


def verify_jwt(
    token: str, *, resolver: KeyResolver, now: datetime, status: StatusChecker | None = None
) -> VerificationReport:
    """Verify an OB 3.0 VC-JWT (§8.2.4) and report it in the same shape as embedded proofs."""
    result = vc_jwt.verify(token, resolver, now=now)
    doc = result.credential
    by_name = {c.name: c for c in result.checks}
    syntax = check_syntax(doc)
    if syntax.outcome == "fail":
        return VerificationReport("vc-jwt", (syntax,), doc)
    signature, binding = by_name["signature"], by_name["key_binding"]
    proof = Check(
        "proof",
        signature.outcome,
        f"JWS ({result.token.header.get('alg')}): {signature.reason}",
        None if signature.outcome == "pass" else "bad-proof",
    )
    issuer = Check(
        "issuer", binding.outcome, binding.reason, None if binding.outcome == "pass" else "issuer-unresolved"
    )
    claims = _combine(
        "jwt-claims", [c for c in result.checks if c.name not in ("signature", "key_binding")], "jwt-claims"
    )
    validity = check_validity(doc, now)
    if signature.outcome != "pass" and validity.outcome == "pass":
        validity = Check(
            "validity", "indeterminate", "dates come from a token whose signature did not verify"
        )
    checks = (
        syntax,
        check_schema(doc),
        proof,
        check_signed_graph(doc, Transformed(doc)),
        issuer,
        claims,
        validity,
        (status or _offline_status(resolver))(doc, now),
    )
    return VerificationReport("vc-jwt", checks, doc)


def looks_like_jws(text: str) -> bool:
    parts = text.split(".")
    return len(parts) == 3 and not text.lstrip().startswith("{")


def verify_credential(
    data: str | Mapping[str, Any],
    *,
    resolver: KeyResolver,
    now: datetime,
    status: StatusChecker | None = None,
    expected_purpose: str = "assertionMethod",
    challenge: str | None = None,
    domain: str | None = None,
) -> VerificationReport:
    """Verify a credential given as a JSON object, JSON text, a compact JWS or an
    ``EnvelopedVerifiableCredential`` carrying a VC-JWT (detected).

    Malformed input (not JSON, not a JWS) raises an ``InputError``; everything else — bad
    signatures, unresolvable keys, expiry — is reported in the returned report. ``challenge``,
    ``domain`` and a proof purpose other than assertionMethod apply to embedded proofs: a VC-JWT
    carries none of them, so asking for them fails its report.
    """
    token = enveloped_jwt(data)
    if token is not None:
        data = token
    if isinstance(data, str):
        text = data.strip()
        if looks_like_jws(text):
            report = verify_jwt(text, resolver=resolver, now=now, status=status)
            asked = [
                Check(name, "fail", f"a VC-JWT has no proof that could carry a {name}", f"{name}-mismatch")
                for name, value in (("challenge", challenge), ("domain", domain))
                if value is not None
            ]
            if expected_purpose != "assertionMethod":
                reason = f"a VC-JWT is an assertion; it cannot be verified for {expected_purpose}"
                asked.append(Check("proof-purpose", "fail", reason, "bad-proof"))
            return (
                VerificationReport(report.format, (*report.checks, *asked), report.credential)
                if asked
                else report
            )
        data = jsontext.loads(text)
    return verify_document(
        data,
        resolver=resolver,
        now=now,
        status=status,
        expected_purpose=expected_purpose,
        challenge=challenge,
        domain=domain,
    )
