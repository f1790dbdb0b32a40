"""Verifiable Credential Data Integrity 1.0: adding and verifying proofs, proof sets and chains.

https://www.w3.org/TR/vc-data-integrity/ — §4.2 Add Proof (with proof sets and chains via
``previousProof``), §4.4 Verify Proof, §4.5 Verify Proof Sets and Chains. The cryptosuite
specifics (transformation, hashing inputs) are in ``cryptosuites``; the signer and the key
resolver are injected so keys can live anywhere (a KMS, a store).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from vcengine.core.canonicalize import rdf_dataset
from vcengine.core.keys import KeyPair
from vcengine.core.proofs.cryptosuites import (
    SUITES,
    Cryptosuite,
    decode_proof_value,
    hashing,
    serialize_proof_value,
    suite_for_proof,
)
from vcengine.core.rdfc import Quad, WorkBudget, canonical_nquads
from vcengine.core.resolve import KeyResolver
from vcengine.errors import (
    InputError,
    KeyFormatError,
    ProofFormatError,
    ResolutionError,
    SignatureError,
    UnsupportedError,
)

__all__ = [
    "MAX_PROOFS",
    "ProofResult",
    "TooManyProofs",
    "Transformed",
    "add_proof",
    "proofs_of",
    "verify_proof",
    "verify_proofs",
]

Outcome = Literal["pass", "fail", "indeterminate", "not-checked"]
Signer = Callable[[bytes], bytes]

#: The most proofs one document may carry to be verified. OB 3.0 and VCDM credentials carry one,
#: sometimes two (a proof set of an issuer and an endorser, or an RDFC and a JCS proof); every
#: extra proof is extra work an anonymous caller can demand, so more are refused outright.
MAX_PROOFS = 4


class TooManyProofs(ProofFormatError):
    """A document carries more proofs than a verifier checks (``MAX_PROOFS``)."""


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


class Transformed:
    """The unsecured documents of one proof set, each transformed once, under one work budget.

    vc-data-integrity §4.5: every proof of a set covers the same unsecured document, and a proof
    of a chain covers it plus the proofs its ``previousProof`` names. Each distinct unsecured
    document is turned into its RDF dataset, canonical N-Quads or JCS once, however many proofs
    share it; one ``WorkBudget`` covers all of them and the proof configurations, so the number
    of proofs does not multiply the work a poison graph can demand. Failures are remembered too.
    """

    __slots__ = ("_memo", "budget", "document")

    def __init__(self, document: Mapping[str, Any], budget: WorkBudget | None = None) -> None:
        self.document = document
        self.budget = WorkBudget() if budget is None else budget
        self._memo: dict[tuple[Any, ...], Any] = {}

    def _once(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        if key not in self._memo:
            try:
                self._memo[key] = compute()
            except InputError as exc:
                self._memo[key] = exc
        value = self._memo[key]
        if isinstance(value, InputError):
            raise value
        return value

    def dataset(self, unsecured: Mapping[str, Any] | None = None, key: tuple[Any, ...] = ((),)) -> list[Quad]:
        """The RDF dataset of the unsecured document ``key`` names (by default: the document
        without its proofs, which is what the verifier reports on — the same document a proof
        without ``previousProof`` signed, so its key, ``((),)``, shares the one computation)."""
        if unsecured is None:
            unsecured = {k: v for k, v in self.document.items() if k != "proof"}
        result: list[Quad] = self._once(("dataset", *key), lambda: rdf_dataset(unsecured))
        return result

    def transformation(self, suite: Cryptosuite, unsecured: Mapping[str, Any], key: tuple[Any, ...]) -> bytes:
        if suite.canonical_form == "rdfc":
            compute = lambda: canonical_nquads(self.dataset(unsecured, key), self.budget).encode("utf-8")  # noqa: E731
        else:
            compute = lambda: suite.transformation(unsecured, self.budget)  # noqa: E731
        result: bytes = self._once((suite.canonical_form, *key), compute)
        return result


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
    transformed: Transformed | None = None,
) -> ProofResult:
    """Verify one proof of ``document`` (vc-data-integrity §4.4), as a result, never raising for
    an invalid or uncheckable proof. ``transformed`` shares the transformed document (and the
    work budget) with the other proofs of its set."""
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
    if transformed is None or transformed.document is not document:
        transformed = Transformed(document)
    try:
        signature = decode_proof_value(proof)
        suite.check_proof_context(proof, document)
        unsecured = _unsecured_for(document, proof, all_proofs if all_proofs is not None else [proof])
        key: tuple[Any, ...] = (_previous_key(proof),)
        if suite.name == "eddsa-jcs-2022" and "@context" in proof:
            unsecured["@context"] = proof["@context"]
            key += (_json_key(proof["@context"]),)
        config = suite.proof_configuration(proof, unsecured, transformed.budget)
        data = hashing(config, transformed.transformation(suite, unsecured, key))
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


def _previous_key(proof: Mapping[str, Any]) -> tuple[str, ...]:
    previous = proof.get("previousProof")
    if previous is None:
        return ()
    return (previous,) if isinstance(previous, str) else tuple(str(p) for p in previous)


def _json_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def verify_proofs(
    document: Mapping[str, Any],
    resolver: KeyResolver,
    *,
    expected_purpose: str = "assertionMethod",
    transformed: Transformed | None = None,
) -> list[ProofResult]:
    """Verify every proof of a proof set or chain (vc-data-integrity §4.5).

    At most ``MAX_PROOFS`` proofs are verified: a document with more raises ``TooManyProofs``
    before any work. The unsecured document is transformed once for the whole set
    (``transformed``, which the caller may keep to read the dataset the proofs covered)."""
    proofs = proofs_of(document)
    if len(proofs) > MAX_PROOFS:
        raise TooManyProofs(
            f"the document carries {len(proofs)} proofs; vcengine verifies at most {MAX_PROOFS}",
            path="$.proof",
        )
    if transformed is None or transformed.document is not document:
        transformed = Transformed(document)
    return [
        verify_proof(
            document,
            p,
            resolver,
            index=i,
            all_proofs=proofs,
            expected_purpose=expected_purpose,
            transformed=transformed,
        )
        for i, p in enumerate(proofs)
    ]
