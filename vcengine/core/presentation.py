"""Verifying a verifiable presentation: its own rules and proof, then every credential it carries.

VC Data Model 2.0 §4.13 Verifiable Presentations (and VCDM 1.1 §4.10 for presentations in the
1.1 context); VC Data Integrity §4.4-4.5 for the presentation's proofs, with the proof purpose
``authentication`` and the ``challenge`` / ``domain`` the verifier expects (§2.1 Proofs: a
verifier "MUST" check them when it supplied them); VCDM 2.0 §4.13.1 Enveloped Verifiable
Credentials for VC-JWTs carried in a presentation.

Checks of the presentation, in order: syntax → proof → signed-graph (the JSON states what was
signed: id, types, holder, number of credentials) → holder (the signing key is the holder's) →
challenge → domain; then one full :class:`~vcengine.core.verify.VerificationReport` per carried
credential. The presentation is *verified* only when all of them are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vcengine.core.checks import Check, Verdict, check_proof_option, check_proofs, verdict_of
from vcengine.core.contexts import VC_V1_CONTEXT, VC_V2_CONTEXT
from vcengine.core.proofs.data_integrity import ProofResult, TooManyProofs, Transformed, verify_proofs
from vcengine.core.resolve import KeyResolver
from vcengine.core.signed_graph import presentation_disagreements
from vcengine.core.verify import (
    ENVELOPED_VC_JWT,
    StatusChecker,
    VerificationReport,
    verify_document,
    verify_jwt,
)
from vcengine.errors import ContextError, InputError

__all__ = ["ENVELOPED_VC_JWT", "PresentationReport", "verify_presentation"]

AUTHENTICATION = "authentication"


@dataclass(frozen=True, slots=True)
class PresentationReport:
    """The presentation's own checks and one report per credential it carries."""

    checks: tuple[Check, ...]
    credentials: tuple[VerificationReport, ...]
    presentation: Mapping[str, Any] | None = None
    format: str = "vp"

    @property
    def verdict(self) -> Verdict:
        # a carried credential's verdict counts like a check that is not the presentation's own pass
        carried = {"failed": "fail", "indeterminate": "indeterminate", "verified": "skipped"}
        return verdict_of(
            [*(c.outcome for c in self.checks), *(carried[r.verdict] for r in self.credentials)]
        )

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
            "credentials": [r.to_json() for r in self.credentials],
        }
        if self.presentation is not None:
            out["id"] = self.presentation.get("id")
            out["holder"] = _holder_id(self.presentation)
        return out


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _holder_id(vp: Mapping[str, Any]) -> str | None:
    holder = vp.get("holder")
    if isinstance(holder, Mapping):
        holder = holder.get("id")
    return holder if isinstance(holder, str) else None


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and ":" in value and not value.startswith(":") and " " not in value


def check_syntax(vp: Any) -> Check:
    """VCDM 2.0 §4.13 (1.1 §4.10): @context, type, holder, verifiableCredential."""

    def bad(reason: str) -> Check:
        return Check("syntax", "fail", reason, "malformed")

    if not isinstance(vp, Mapping):
        return bad("a verifiable presentation must be a JSON object")
    contexts = _as_list(vp.get("@context"))
    if not contexts or contexts[0] not in (VC_V2_CONTEXT, VC_V1_CONTEXT):
        return bad(f"the first @context must be {VC_V2_CONTEXT} (or {VC_V1_CONTEXT} for VCDM 1.1)")
    if "VerifiablePresentation" not in _as_list(vp.get("type")):
        return bad("type must include VerifiablePresentation")
    if "id" in vp and not _is_url(vp["id"]):
        return bad("id must be a URL")
    if "holder" in vp and not _is_url(_holder_id(vp)):
        return bad("holder must be a URL or an object whose id is a URL")
    for i, vc in enumerate(_as_list(vp.get("verifiableCredential"))):
        if not isinstance(vc, Mapping):
            return bad(
                f"verifiableCredential[{i}] must be an object (a VC-JWT travels as an "
                "EnvelopedVerifiableCredential)"
            )
        enveloped = "EnvelopedVerifiableCredential" in _as_list(vc.get("type"))
        if enveloped and not (isinstance(vc.get("id"), str) and vc["id"].startswith(ENVELOPED_VC_JWT)):
            return bad(f"verifiableCredential[{i}]: an envelope must carry {ENVELOPED_VC_JWT}<token>")
    return Check("syntax", "pass", "well-formed verifiable presentation")


def _check_signed_graph(vp: Mapping[str, Any], transformed: Transformed) -> Check:
    try:
        problems = presentation_disagreements(vp, transformed.dataset())
    except ContextError as exc:
        return Check("signed-graph", "indeterminate", f"cannot be read: {exc}", "context-unknown")
    except InputError as exc:
        return Check("signed-graph", "fail", f"the presentation cannot be read as JSON-LD: {exc}", "jsonld")
    if problems:
        reason = f"the JSON does not state what was signed: {problems[0]}"
        return Check("signed-graph", "fail", reason, "graph-mismatch")
    return Check("signed-graph", "pass", "the JSON states what was signed (id, types, holder, credentials)")


def _check_holder(vp: Mapping[str, Any], results: Sequence[ProofResult], resolver: KeyResolver) -> Check:
    holder = _holder_id(vp)
    passed = [r for r in results if r.outcome == "pass"]
    if holder is None:
        return Check("holder", "skipped", "the presentation names no holder; nothing to bind the key to")
    if not passed:
        return Check("holder", "skipped", "no valid proof to bind to the holder")
    unknown = []
    for r in passed:
        if r.controller == holder:
            return Check("holder", "pass", f"{r.verification_method} is controlled by the holder {holder}")
        assert r.verification_method is not None
        listed = resolver.authorizes(holder, r.verification_method, AUTHENTICATION)
        if listed:
            reason = f"the holder {holder} lists {r.verification_method} for authentication"
            return Check("holder", "pass", reason)
        if listed is None:
            unknown.append(r.verification_method)
    if unknown:
        return Check(
            "holder",
            "indeterminate",
            f"the key {unknown[0]} is not the holder's own and the holder's document was not available",
            "holder-unresolved",
        )
    reason = f"the presentation was not signed by its holder {holder}"
    return Check("holder", "fail", reason, "holder-mismatch")


def _verify_credential(
    vc: Mapping[str, Any], resolver: KeyResolver, now: datetime, status: StatusChecker | None
) -> VerificationReport:
    envelope = vc.get("id")
    if isinstance(envelope, str) and envelope.startswith(ENVELOPED_VC_JWT):
        return verify_jwt(envelope[len(ENVELOPED_VC_JWT) :], resolver=resolver, now=now, status=status)
    return verify_document(vc, resolver=resolver, now=now, status=status)


def verify_presentation(
    vp: Any,
    *,
    resolver: KeyResolver,
    now: datetime,
    status: StatusChecker | None = None,
    challenge: str | None = None,
    domain: str | None = None,
    expected_purpose: str = AUTHENTICATION,
) -> PresentationReport:
    """Verify a presentation with embedded Data Integrity proofs, and every credential it carries.

    ``challenge`` and ``domain`` are what the verifier expects in the proof (checked when given).
    """
    syntax = check_syntax(vp)
    if syntax.outcome == "fail":
        return PresentationReport((syntax,), (), vp if isinstance(vp, Mapping) else None)
    transformed = Transformed(vp)
    proofs: list[Mapping[str, Any]] = []
    results: list[ProofResult] = []
    try:
        results = verify_proofs(vp, resolver, expected_purpose=expected_purpose, transformed=transformed)
        proofs = [p for p in _as_list(vp.get("proof")) if isinstance(p, Mapping)]
        proof = check_proofs(results)
    except TooManyProofs as exc:
        proof = Check("proof", "fail", str(exc), "too-many-proofs")
    except InputError as exc:
        proof = Check("proof", "fail", str(exc), "bad-proof")
    checks = (
        syntax,
        proof,
        _check_signed_graph(vp, transformed),
        _check_holder(vp, results, resolver),
        check_proof_option("challenge", challenge, proofs, results),
        check_proof_option("domain", domain, proofs, results),
    )
    credentials = tuple(
        _verify_credential(vc, resolver, now, status) for vc in _as_list(vp.get("verifiableCredential"))
    )
    return PresentationReport(checks, credentials, vp)
