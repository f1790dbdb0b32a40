"""The checks of a verification report, and those shared by credentials, presentations and
status lists: the proofs, the binding of the signing key to the issuer, the proof options
(challenge, domain) and the signed graph. ``verify`` and ``status_check`` both build on them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from vcengine.core.proofs.data_integrity import ProofResult, Transformed
from vcengine.core.resolve import KeyResolver
from vcengine.core.signed_graph import disagreements
from vcengine.errors import ContextError, InputError

__all__ = [
    "Check",
    "Outcome",
    "Verdict",
    "check_issuer_binding",
    "check_proof_option",
    "check_proofs",
    "check_signed_graph",
    "issuer_id",
    "verdict_of",
]

Outcome = Literal["pass", "fail", "indeterminate", "skipped"]
Verdict = Literal["verified", "failed", "indeterminate"]


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


def verdict_of(outcomes: Iterable[str]) -> Verdict:
    """Verified only when no check failed, none was indeterminate and at least one passed."""
    seen = set(outcomes)
    if "fail" in seen:
        return "failed"
    if "indeterminate" in seen or "pass" not in seen:
        return "indeterminate"
    return "verified"


def issuer_id(doc: Mapping[str, Any]) -> str | None:
    issuer = doc.get("issuer")
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


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
