"""The three Ed25519 Data Integrity cryptosuites, each as its spec's algorithm steps.

- ``eddsa-rdfc-2022``: https://www.w3.org/TR/vc-di-eddsa/#eddsa-rdfc-2022 (§3.3) — RDFC-1.0.
- ``eddsa-jcs-2022``:  https://www.w3.org/TR/vc-di-eddsa/#eddsa-jcs-2022 (§3.4) — RFC 8785 JCS.
- ``Ed25519Signature2020``: https://www.w3.org/TR/vc-di-eddsa/#the-ed25519signature2020-suite — legacy
  proof type with RDFC-1.0, used by older OB 3.0 credentials and by the DCC Learner Credential Wallet.

Each suite names the steps of its spec: *transformation*, *proof configuration*, *hashing*
and *proof serialization/verification*. The generic parts (adding a proof, proof sets and
chains, purposes) live in ``data_integrity``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from vcengine.core.canonicalize import jcs, rdfc_nquads
from vcengine.core.contexts import DATA_INTEGRITY_V2_CONTEXT, ED25519_2020_CONTEXT, VC_V2_CONTEXT
from vcengine.core.multibase import decode_base58btc, encode_base58btc
from vcengine.core.rdfc import WorkBudget
from vcengine.errors import KeyFormatError, ProofFormatError

__all__ = [
    "ED25519_SIGNATURE_2020",
    "EDDSA_JCS_2022",
    "EDDSA_RDFC_2022",
    "SUITES",
    "Cryptosuite",
    "decode_proof_value",
    "suite_for_proof",
]


class Cryptosuite(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def proof_type(self) -> str: ...
    @property
    def canonical_form(self) -> Literal["rdfc", "jcs"]:
        """What the transformation computes: RDFC-1.0 N-Quads or JCS (suites sharing a form
        share the transformed document, computed once per proof set)."""

    def prepare_document(self, document: dict[str, Any]) -> dict[str, Any]: ...
    def proof_configuration(
        self, proof: Mapping[str, Any], document: Mapping[str, Any], budget: WorkBudget | None = None
    ) -> bytes: ...
    def transformation(self, unsecured: Mapping[str, Any], budget: WorkBudget | None = None) -> bytes: ...
    def check_proof_context(self, proof: Mapping[str, Any], document: Mapping[str, Any]) -> None: ...


def hashing(canonical_proof_config: bytes, transformed_document: bytes) -> bytes:
    """vc-di-eddsa §3.3.4 Hashing: SHA-256(proof config) ‖ SHA-256(document) — proof config first."""
    return hashlib.sha256(canonical_proof_config).digest() + hashlib.sha256(transformed_document).digest()


def serialize_proof_value(signature: bytes) -> str:
    """vc-di-eddsa §3.3.6: ``proofValue`` = multibase base58btc of the raw 64-byte signature."""
    return encode_base58btc(signature)


def decode_proof_value(proof: Mapping[str, Any]) -> bytes:
    value = proof.get("proofValue")
    if not isinstance(value, str):
        raise ProofFormatError("proof has no proofValue string", path="$.proof.proofValue")
    try:
        signature = decode_base58btc(value, what="proofValue")
    except KeyFormatError as exc:
        raise ProofFormatError(exc.message, path="$.proof.proofValue") from None
    if len(signature) != 64:
        raise ProofFormatError(
            f"proofValue decodes to {len(signature)} bytes; an Ed25519 signature is 64",
            path="$.proof.proofValue",
        )
    return signature


def _with_context(value: Mapping[str, Any], context: Any) -> dict[str, Any]:
    out = {k: v for k, v in value.items() if k not in ("@context", "proofValue")}
    out["@context"] = context
    return out


def _contexts(document: Mapping[str, Any]) -> list[Any]:
    ctx = document.get("@context")
    return list(ctx) if isinstance(ctx, list) else ([] if ctx is None else [ctx])


@dataclass(frozen=True)
class EddsaRdfc2022:
    """vc-di-eddsa §3.3 eddsa-rdfc-2022."""

    name: str = "eddsa-rdfc-2022"
    proof_type: str = "DataIntegrityProof"
    canonical_form: Literal["rdfc", "jcs"] = "rdfc"

    def prepare_document(self, document: dict[str, Any]) -> dict[str, Any]:
        # VC 1.1 contexts do not define DataIntegrityProof: add the data-integrity context,
        # as vc-data-integrity §2.1 "context injection" allows and Digital Bazaar's suite does.
        ctx = _contexts(document)
        if VC_V2_CONTEXT not in ctx and (DATA_INTEGRITY_V2_CONTEXT not in ctx):
            return {**document, "@context": [*ctx, DATA_INTEGRITY_V2_CONTEXT]}
        return document

    def proof_configuration(
        self, proof: Mapping[str, Any], document: Mapping[str, Any], budget: WorkBudget | None = None
    ) -> bytes:
        """§3.3.5 Proof Configuration: the proof options with the document's @context, RDFC-1.0."""
        if proof.get("type") != self.proof_type or proof.get("cryptosuite") not in (self.name, "eddsa-2022"):
            raise ProofFormatError(f"proof is not a DataIntegrityProof with cryptosuite {self.name}")
        return rdfc_nquads(_with_context(proof, document.get("@context")), budget).encode("utf-8")

    def transformation(self, unsecured: Mapping[str, Any], budget: WorkBudget | None = None) -> bytes:
        """§3.3.3 Transformation: RDFC-1.0 canonical N-Quads of the unsecured document."""
        return rdfc_nquads(unsecured, budget).encode("utf-8")

    def check_proof_context(self, proof: Mapping[str, Any], document: Mapping[str, Any]) -> None:
        return None


@dataclass(frozen=True)
class EddsaJcs2022:
    """vc-di-eddsa §3.4 eddsa-jcs-2022 (not accepted by 1EdTech certification, valid W3C)."""

    name: str = "eddsa-jcs-2022"
    proof_type: str = "DataIntegrityProof"
    canonical_form: Literal["rdfc", "jcs"] = "jcs"

    def prepare_document(self, document: dict[str, Any]) -> dict[str, Any]:
        return document

    def proof_configuration(
        self, proof: Mapping[str, Any], document: Mapping[str, Any], budget: WorkBudget | None = None
    ) -> bytes:
        """§3.4.5: the proof options, carrying the document's @context when it has one, in JCS."""
        if proof.get("type") != self.proof_type or proof.get("cryptosuite") != self.name:
            raise ProofFormatError(f"proof is not a DataIntegrityProof with cryptosuite {self.name}")
        config = {k: v for k, v in proof.items() if k != "proofValue"}
        if "@context" in document:
            config["@context"] = document["@context"]
        return jcs(config)

    def transformation(self, unsecured: Mapping[str, Any], budget: WorkBudget | None = None) -> bytes:
        """§3.4.3 Transformation: JCS of the unsecured document."""
        return jcs(dict(unsecured))

    def check_proof_context(self, proof: Mapping[str, Any], document: Mapping[str, Any]) -> None:
        """§3.4.2 Verify Proof step 4: the document @context must start with the proof's @context."""
        if "@context" not in proof:
            return
        proof_ctx, doc_ctx = proof["@context"], _contexts(document)
        proof_list = proof_ctx if isinstance(proof_ctx, list) else [proof_ctx]
        if doc_ctx[: len(proof_list)] != proof_list:
            raise ProofFormatError("proof @context does not match the start of the document's @context")


@dataclass(frozen=True)
class Ed25519Signature2020:
    """The legacy ``Ed25519Signature2020`` proof type (RDFC-1.0, no ``cryptosuite``)."""

    name: str = "Ed25519Signature2020"
    proof_type: str = "Ed25519Signature2020"
    canonical_form: Literal["rdfc", "jcs"] = "rdfc"

    def prepare_document(self, document: dict[str, Any]) -> dict[str, Any]:
        # The suite's terms live in its own context; add it when missing, as Digital Bazaar's
        # suite does by default (``addSuiteContext``).
        ctx = _contexts(document)
        if ED25519_2020_CONTEXT in ctx:
            return document
        return {**document, "@context": [*ctx, ED25519_2020_CONTEXT]}

    def proof_configuration(
        self, proof: Mapping[str, Any], document: Mapping[str, Any], budget: WorkBudget | None = None
    ) -> bytes:
        if proof.get("type") != self.proof_type:
            raise ProofFormatError("proof is not an Ed25519Signature2020 proof")
        if ED25519_2020_CONTEXT not in _contexts(document):
            raise ProofFormatError(f"an Ed25519Signature2020 proof needs the {ED25519_2020_CONTEXT} context")
        return rdfc_nquads(_with_context(proof, document.get("@context")), budget).encode("utf-8")

    def transformation(self, unsecured: Mapping[str, Any], budget: WorkBudget | None = None) -> bytes:
        return rdfc_nquads(unsecured, budget).encode("utf-8")

    def check_proof_context(self, proof: Mapping[str, Any], document: Mapping[str, Any]) -> None:
        return None


EDDSA_RDFC_2022 = EddsaRdfc2022()
EDDSA_JCS_2022 = EddsaJcs2022()
ED25519_SIGNATURE_2020 = Ed25519Signature2020()
SUITES: dict[str, Cryptosuite] = {
    s.name: s for s in (EDDSA_RDFC_2022, EDDSA_JCS_2022, ED25519_SIGNATURE_2020)
}
# "eddsa-2022" is the pre-2023 name of eddsa-rdfc-2022, still found in older artefacts.
_ALIASES = {"eddsa-2022": EDDSA_RDFC_2022}


def suite_for_proof(proof: Mapping[str, Any]) -> Cryptosuite | None:
    """The suite that verifies ``proof``, or None when vcengine does not implement its type."""
    if proof.get("type") == "DataIntegrityProof":
        name = proof.get("cryptosuite")
        return SUITES.get(name) or _ALIASES.get(name) if isinstance(name, str) else None
    if proof.get("type") == "Ed25519Signature2020":
        return ED25519_SIGNATURE_2020
    return None
