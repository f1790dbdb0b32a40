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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from vcengine.core import jsontext
from vcengine.core.dates import parse_date_time
from vcengine.core.proofs import vc_jwt
from vcengine.core.proofs.data_integrity import ProofResult, TooManyProofs, Transformed, verify_proofs
from vcengine.core.resolve import KeyResolver
from vcengine.core.schema import validate
from vcengine.core.signed_graph import disagreements
from vcengine.errors import ContextError, InputError

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

Outcome = Literal["pass", "fail", "indeterminate", "skipped"]
Verdict = Literal["verified", "failed", "indeterminate"]
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
class Check:
    """One verification check. ``code`` is a stable machine-readable reason
    (``expired``, ``not-yet-valid``, ``revoked``, ``suspended``, ``bad-signature``…)."""

    name: str
    outcome: Outcome
    reason: str
    code: str | None = None
    details: tuple[Mapping[str, Any], ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"check": self.name, "outcome": self.outcome, "reason": self.reason}
        if self.code:
            out["code"] = self.code
        if self.details:
            out["details"] = [dict(d) for d in self.details]
        return out


@dataclass(frozen=True, slots=True)
class VerificationReport:
    format: str
    checks: tuple[Check, ...]
    credential: Mapping[str, Any] | None = field(default=None, repr=False)

    @property
    def verdict(self) -> Verdict:
        outcomes = {c.outcome for c in self.checks}
        if "fail" in outcomes:
            return "failed"
        if "indeterminate" in outcomes or "pass" not in outcomes:
            return "indeterminate"
        return "verified"

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


def issuer_id(doc: Mapping[str, Any]) -> str | None:
    issuer = doc.get("issuer")
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


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


def _proof_details(results: list[ProofResult]) -> tuple[Mapping[str, Any], ...]:
    return tuple(
        {
            "proof": r.index,
            "suite": r.suite,
            "verificationMethod": r.verification_method,
            "outcome": r.outcome,
            "reason": r.reason,
        }
        for r in results
    )


def check_proofs(results: list[ProofResult]) -> Check:
    """Any proof that vcengine checks and finds wrong fails the credential (a tampered proof set is
    not "verified"); otherwise at least one passing proof is needed (OB 3.0: "any one valid proof")."""
    details = _proof_details(results)
    if not results:
        return Check("proof", "fail", "the credential carries no proof", "no-proof")
    failed = [r for r in results if r.outcome == "fail"]
    if failed:
        return Check(
            "proof",
            "fail",
            f"proof {failed[0].index} ({failed[0].suite}): {failed[0].reason}",
            "bad-proof",
            details,
        )
    if any(r.outcome == "indeterminate" for r in results):
        r = next(r for r in results if r.outcome == "indeterminate")
        return Check("proof", "indeterminate", f"proof {r.index}: {r.reason}", "unresolved-key", details)
    passed = [r for r in results if r.outcome == "pass"]
    if not passed:
        return Check(
            "proof", "indeterminate", "no proof of a type vcengine implements", "unsupported-proof", details
        )
    return Check(
        "proof", "pass", f"{len(passed)} valid proof(s): {', '.join(r.suite for r in passed)}", None, details
    )


def check_proof_option(
    name: str, expected: str | None, proofs: Sequence[Mapping[str, Any]], results: Sequence[ProofResult]
) -> Check:
    """``challenge`` / ``domain`` (vc-data-integrity §4.4 steps 9-10): when the verifier expects a
    value, every valid proof must carry it (a ``domain`` may be a list that includes it)."""
    passed = [proofs[r.index] for r in results if r.outcome == "pass" and r.index < len(proofs)]
    if expected is None:
        return Check(name, "skipped", f"the verifier expects no {name}")
    if not passed:
        return Check(name, "skipped", "no valid proof to carry it")
    for proof in passed:
        value = proof.get(name)
        if not (value == expected or (name == "domain" and isinstance(value, list) and expected in value)):
            shown = "no " + name if value is None else f"{name} {str(value)[:80]!r}"
            reason = f"the proof carries {shown}; the verifier expects {expected!r}"
            return Check(name, "fail", reason, f"{name}-mismatch")
    return Check(name, "pass", f"the proof carries the expected {name}")


def check_signed_graph(doc: Mapping[str, Any], transformed: Transformed) -> Check:
    """The JSON must state, in the compact form of its contexts, what the signed dataset says
    about everything the report is read from (id, types, issuer, dates, subjects, status)."""
    try:
        quads = transformed.dataset()
    except ContextError as exc:
        # The JSON was signed, but what it means under a context vcengine does not have is unknown.
        return Check(
            "signed-graph",
            "indeterminate",
            f"what the credential says cannot be read: {exc}",
            "context-unknown",
        )
    except InputError as exc:
        return Check("signed-graph", "fail", f"the credential cannot be read as JSON-LD: {exc}", "jsonld")
    problems = disagreements(doc, quads)
    if problems:
        return Check(
            "signed-graph",
            "fail",
            f"the JSON does not state what was signed: {problems[0]}",
            "graph-mismatch",
            tuple({"message": p} for p in problems[:20]),
        )
    return Check(
        "signed-graph", "pass", "the JSON states what was signed (id, types, issuer, dates, subjects, status)"
    )


def check_issuer_binding(doc: Mapping[str, Any], results: list[ProofResult], resolver: KeyResolver) -> Check:
    """The key that signed must belong to the issuer: its controller is the issuer, or the
    issuer's own document lists it under assertionMethod (vc-data-model-2.0 §4.7 issuer)."""
    issuer = issuer_id(doc)
    passed = [r for r in results if r.outcome == "pass"]
    if not passed or issuer is None:
        return Check("issuer", "skipped", "no valid proof to bind to the issuer")
    undecided: list[str] = []
    for r in passed:
        if r.controller == issuer:
            return Check("issuer", "pass", f"{r.verification_method} is controlled by the issuer {issuer}")
        assert r.verification_method is not None
        listed = resolver.authorizes(issuer, r.verification_method, "assertionMethod")
        if listed:
            return Check(
                "issuer", "pass", f"the issuer {issuer} lists {r.verification_method} for assertions"
            )
        if listed is None:
            undecided.append(r.verification_method)
    if undecided:
        return Check(
            "issuer",
            "indeterminate",
            f"the signing key {undecided[0]} is controlled by {passed[0].controller}, "
            f"not the issuer {issuer}, "
            "and the issuer's document was not available to show it authorizes that key "
            "(supply it with --resolve ISSUER=FILE or use --online)",
            "issuer-unresolved",
        )
    return Check(
        "issuer",
        "fail",
        f"the signing key is not the issuer's: the issuer {issuer} does not authorize it",
        "issuer-mismatch",
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
    from vcengine.core.status_check import status_checker  # status_check builds on this module

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
