"""Verifiable Credential Data Integrity 1.0: adding and verifying proofs, proof sets and chains.

https://www.w3.org/TR/vc-data-integrity/ — §4.2 Add Proof (with proof sets and chains via
``previousProof``), §4.4 Verify Proof, §4.5 Verify Proof Sets and Chains. The cryptosuite
specifics (transformation, hashing inputs) are in ``cryptosuites``; the signer and the key
resolver are injected so keys can live anywhere (a KMS, a store).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from vcengine.core.keys import KeyPair
from vcengine.core.proofs.cryptosuites import (
    SUITES,
    Cryptosuite,
    decode_proof_value,
    hashing,
    serialize_proof_value,
    suite_for_proof,
)
from vcengine.core.resolve import KeyResolver
from vcengine.errors import (
    InputError,
    KeyFormatError,
    ProofFormatError,
    ResolutionError,
    SignatureError,
    UnsupportedError,
)

__all__ = ["ProofResult", "add_proof", "proofs_of", "verify_proof", "verify_proofs"]

Outcome = Literal["pass", "fail", "indeterminate", "not-checked"]
Signer = Callable[[bytes], bytes]


@dataclass(frozen=True, slots=True)
class ProofResult:
    """The outcome of one proof: pass, fail (checked and wrong), indeterminate (could not check),
    or not-checked (a proof type vcengine does not implement)."""

    index: int
    suite: str
    verification_method: str | None
    outcome: Outcome
    reason: str
    controller: str | None = None


def proofs_of(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    proof = document.get("proof")
    if proof is None:
        return []
    proofs = proof if isinstance(proof, list) else [proof]
    for i, p in enumerate(proofs):
        if not isinstance(p, Mapping):
            raise ProofFormatError("a proof must be a JSON object", path=f"$.proof[{i}]")
    return proofs


def _format_created(created: datetime) -> str:
    if created.tzinfo is None or created.utcoffset() is None:
        raise ProofFormatError("proof 'created' must be timezone-aware")

    return created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _unsecured_for(
    document: Mapping[str, Any], proof: Mapping[str, Any], all_proofs: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """§4.2 step 4 / §4.5: the document a proof covers — without proofs, plus the proofs its
    ``previousProof`` names (a proof chain)."""
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    previous = proof.get("previousProof")
    if previous is None:
        return unsecured
    wanted = [previous] if isinstance(previous, str) else previous
    if not isinstance(wanted, list) or not all(isinstance(w, str) for w in wanted):
        raise ProofFormatError("previousProof must be a proof id or a list of proof ids")
    by_id = {p.get("id"): p for p in all_proofs if p is not proof}
    missing = [w for w in wanted if w not in by_id]
    if missing:
        raise ProofFormatError(f"previousProof names proofs that are not in the proof set: {missing}")
    unsecured["proof"] = [by_id[w] for w in wanted]
    return unsecured


def add_proof(
    document: Mapping[str, Any],
    key: KeyPair | Signer,
    *,
    suite: str = "eddsa-rdfc-2022",
    verification_method: str,
    created: datetime | None,
    proof_purpose: str = "assertionMethod",
    proof_id: str | None = None,
    previous_proof: str | Sequence[str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Return a copy of ``document`` with one more proof (vc-data-integrity §4.2 Add Proof).

    An existing proof is kept (a proof set); ``previous_proof`` makes the new proof cover the
    named existing proofs (a proof chain). ``key`` is a KeyPair or any ``sign(bytes) -> bytes``.
    The input is never mutated.
    """
    try:
        cryptosuite: Cryptosuite = SUITES[suite]
    except KeyError:
        raise UnsupportedError(f"unknown cryptosuite {suite!r}; supported: {', '.join(SUITES)}") from None
    if not isinstance(document, Mapping):
        raise InputError("a credential must be a JSON object")
    doc = cryptosuite.prepare_document(dict(document))
    existing = proofs_of(doc)
    proof: dict[str, Any] = {"type": cryptosuite.proof_type}
    if proof_id is not None:
        proof["id"] = proof_id
    if cryptosuite.proof_type == "DataIntegrityProof":
        proof["cryptosuite"] = cryptosuite.name
    if created is not None:
        proof["created"] = _format_created(created)
    proof["verificationMethod"] = verification_method
    proof["proofPurpose"] = proof_purpose
    if previous_proof is not None:
        proof["previousProof"] = previous_proof
    proof.update(extra or {})
    if cryptosuite.name == "eddsa-jcs-2022" and "@context" in doc:
        proof["@context"] = doc["@context"]  # §3.4.1 Create Proof step: the proof keeps @context
    unsecured = _unsecured_for(doc, proof, existing)
    data = hashing(cryptosuite.proof_configuration(proof, unsecured), cryptosuite.transformation(unsecured))
    sign = key.sign if isinstance(key, KeyPair) else key
    proof["proofValue"] = serialize_proof_value(sign(data))
    doc["proof"] = [*existing, proof] if existing else proof
    return doc


def verify_proof(
    document: Mapping[str, Any],
    proof: Mapping[str, Any],
    resolver: KeyResolver,
    *,
    index: int = 0,
    all_proofs: Sequence[Mapping[str, Any]] | None = None,
    expected_purpose: str = "assertionMethod",
) -> ProofResult:
    """Verify one proof of ``document`` (vc-data-integrity §4.4), as a result, never raising for
    an invalid or uncheckable proof."""
    suite = suite_for_proof(proof)
    vm = proof.get("verificationMethod")
    vm_id = vm if isinstance(vm, str) else (vm.get("id") if isinstance(vm, Mapping) else None)
    name = suite.name if suite else str(proof.get("cryptosuite") or proof.get("type"))

    def result(outcome: Outcome, reason: str, controller: str | None = None) -> ProofResult:
        return ProofResult(index, name, vm_id, outcome, reason, controller)

    if suite is None:
        return result("not-checked", f"proof type {name!r} is not implemented by vcengine")
    if proof.get("proofPurpose") != expected_purpose:
        return result("fail", f"proofPurpose is {proof.get('proofPurpose')!r}, expected {expected_purpose!r}")
    if not isinstance(vm_id, str):
        return result("fail", "proof has no verificationMethod")
    try:
        signature = decode_proof_value(proof)
        suite.check_proof_context(proof, document)
        unsecured = _unsecured_for(document, proof, all_proofs if all_proofs is not None else [proof])
        if suite.name == "eddsa-jcs-2022" and "@context" in proof:
            unsecured["@context"] = proof["@context"]
        data = hashing(suite.proof_configuration(proof, unsecured), suite.transformation(unsecured))
    except InputError as exc:
        return result("fail", exc.message if exc.path is None else f"{exc.path}: {exc.message}")
    try:
        resolved = resolver(vm_id)
        public = resolved.ed25519()
    except ResolutionError as exc:
        return result("indeterminate", f"cannot resolve {vm_id}: {exc.message}")
    except KeyFormatError as exc:
        return result("fail", f"verification method {vm_id}: {exc.message}")
    if resolved.purposes and expected_purpose not in resolved.purposes:
        return result("fail", f"{vm_id} is not authorized for {expected_purpose} by its controller")
    try:
        public.verify(signature, data)
    except SignatureError:
        return result(
            "fail", "signature does not match the document (it was altered or signed by another key)"
        )
    return result("pass", "signature valid", resolved.controller)


def verify_proofs(
    document: Mapping[str, Any], resolver: KeyResolver, *, expected_purpose: str = "assertionMethod"
) -> list[ProofResult]:
    """Verify every proof of a proof set or chain (vc-data-integrity §4.5)."""
    proofs = proofs_of(document)
    return [
        verify_proof(document, p, resolver, index=i, all_proofs=proofs, expected_purpose=expected_purpose)
        for i, p in enumerate(proofs)
    ]
