"""The rules that need JSON-LD: contexts that process, no protected term redefined, every type a
term or an absolute URL — as ensure_signable applies them for every cryptosuite, and as the RDFC
signer agrees."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from vcengine.core.canonicalize import rdfc_nquads
from vcengine.core.keys import KeyPair
from vcengine.core.proofs.data_integrity import add_proof
from vcengine.core.schema import ensure_signable
from vcengine.core.vcdm_jsonld import jsonld_issues
from vcengine.errors import ContextError, JsonLdError, SchemaError

V2 = "https://www.w3.org/ns/credentials/v2"
V1 = "https://www.w3.org/2018/credentials/v1"
EXAMPLES = "https://www.w3.org/ns/credentials/examples/v2"
KEY = KeyPair.from_seed(bytes(range(32)))
CREATED = datetime(2026, 1, 1, tzinfo=UTC)
SUITES = ("eddsa-rdfc-2022", "eddsa-jcs-2022", "Ed25519Signature2020")


def vc(**patch: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": [V2],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:subject", "name": "Jayden Doe"},
    }
    doc.update(patch)
    return doc


def rules_of(doc: dict[str, Any]) -> dict[str, str | None]:
    return {issue.path: issue.rule for issue in jsonld_issues(doc, v11=doc["@context"][0] == V1)}


CASES: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "@vocab null leaves a type undefined",  # the W3C test suite's credential-type-unmapped-fail
        {"@context": [V2, {"@vocab": None}], "type": ["VerifiableCredential", "ExampleTestCredential"]},
        "$.type",
        "VCDM2-4.5-type-values",
    ),
    (
        "a type no context defines",
        {"type": ["VerifiableCredential", "ExampleDegreeCredential"]},
        "$.type",
        "VCDM2-4.5-type-values",
    ),
    (
        "a type mapped to something that is not a URL",  # credential-type-mapped-nonurl-fail
        {
            "@context": [V2, {"ExampleTestCredential": "https ://not-a-url#ExampleTestCredential"}],
            "type": ["VerifiableCredential", "ExampleTestCredential"],
        },
        "$['@context']",
        "VCDM2-4.3-context-processable",
    ),
    (
        "a protected term redefined",  # credential-redef-type-fail
        {"@context": [V2, {"VerifiableCredential": "https://example.org/#VerifiableCredential"}]},
        "$['@context']",
        "VCDM2-5.2.1-term-redefinition",
    ),
    (
        "a protected term given another meaning",
        {"@context": [V2, {"id": "https://example.org/#id"}]},
        "$['@context']",
        "VCDM2-5.2.1-term-redefinition",
    ),
    (
        "a status type no context defines",
        {"credentialStatus": {"id": "https://example.org/s#1", "type": "CredentialStatusList2017"}},
        "$.credentialStatus.type",
        "VCDM2-4.5-type-values",
    ),
    (
        "an evidence type no context defines",
        {"evidence": [{"type": ["https://example.org/#Evidence"]}, {"type": "DocumentVerification"}]},
        "$.evidence[1].type",
        "VCDM2-4.5-type-values",
    ),
    (
        "a subject type no context defines",
        {"credentialSubject": {"id": "did:example:s", "type": "Person"}},
        "$.credentialSubject.type",
        "VCDM2-4.5-type-values",
    ),
    ("@version 1.0", {"@context": [V2, {"@version": 1.0}]}, "$['@context']", "VCDM2-4.3-context-processable"),
    ("@vocab a number", {"@context": [V2, {"@vocab": 5}]}, "$['@context']", "VCDM2-4.3-context-processable"),
    (
        "a term defined as a number",
        {"@context": [V2, {"ex": 5}]},
        "$['@context']",
        "VCDM2-4.3-context-processable",
    ),
    (
        "a VC 1.1 type no context defines",
        {
            "@context": [V1],
            "type": ["VerifiableCredential", "Degree"],
            "issuanceDate": "2024-01-01T00:00:00Z",
        },
        "$.type",
        "VC11-4.3-type-values",
    ),
    (
        "a VC 1.1 protected term redefined",
        {
            "@context": [V1, {"VerifiableCredential": "https://example.org/#VC"}],
            "issuanceDate": "2024-01-01T00:00:00Z",
        },
        "$['@context']",
        "VC11-5.3.1-term-redefinition",
    ),
]


@pytest.mark.parametrize(("label", "patch", "path", "rule"), CASES, ids=[c[0] for c in CASES])
def test_jsonld_rules_are_named(label: str, patch: dict[str, Any], path: str, rule: str) -> None:
    doc = vc(**patch)
    assert rules_of(doc).get(path) == rule, f"{label}: {rules_of(doc)}"
    for suite in SUITES:  # refused before any suite signs, JCS included
        with pytest.raises(SchemaError) as caught:
            ensure_signable(doc)
        assert caught.value.rule == rule and caught.value.path == path, suite


ALLOWED: list[tuple[str, dict[str, Any]]] = [
    (
        "a defined extra type",
        {"@context": [V2, EXAMPLES], "type": ["VerifiableCredential", "ExampleDegreeCredential"]},
    ),
    ("a type that is an absolute URL", {"type": ["VerifiableCredential", "https://example.org/#Degree"]}),
    (
        "a type defined inline",
        {
            "@context": [V2, {"Degree": "https://example.org/#Degree"}],
            "type": ["VerifiableCredential", "Degree"],
        },
    ),
    ("@vocab null with every term defined", {"@context": [V2, {"@vocab": None}]}),
    ("@vocab set, then cleared", {"@context": [V2, {"@vocab": "https://example.org/#"}, {"@vocab": None}]}),
    (
        "@vocab maps the unknown type",
        {"@context": [V2, {"@vocab": "https://example.org/#"}], "type": ["VerifiableCredential", "Degree"]},
    ),
    (
        "a new term",
        {
            "@context": [V2, {"favoriteFood": "https://example.org/#favoriteFood"}],
            "credentialSubject": {"favoriteFood": "Papaya"},
        },
    ),
    ("@version 1.1", {"@context": [V2, {"@version": 1.1, "x": "https://example.org/#x"}]}),
    ("@protected true terms", {"@context": [V2, {"@protected": True, "y": "https://example.org/#y"}]}),
]


@pytest.mark.parametrize(("label", "patch"), ALLOWED, ids=[a[0] for a in ALLOWED])
def test_valid_contexts_and_types_are_signed_by_every_suite(label: str, patch: dict[str, Any]) -> None:
    doc = vc(**patch)
    assert jsonld_issues(doc, v11=False) == [], label
    ensure_signable(doc)
    for suite in SUITES:
        signed = add_proof(
            doc, KEY, suite=suite, verification_method="did:example:issuer#key-1", created=CREATED
        )
        assert signed["proof"]["proofValue"]


def test_vocab_null_is_a_no_op_when_no_vocabulary_is_active() -> None:
    # JSON-LD 1.1 Context Processing step 5.8.2: the same dataset with or without it
    plain = vc()
    cleared = vc(**{"@context": [V2, {"@vocab": None}]})
    assert rdfc_nquads(plain) == rdfc_nquads(cleared)


def test_vocab_null_after_a_vocab_really_removes_it() -> None:
    doc = vc(
        **{"@context": [V2, {"@vocab": "https://example.org/#"}, {"@vocab": None}]},
        credentialSubject={"id": "did:example:s", "undefinedTerm": 1},
    )
    with pytest.raises(JsonLdError, match="undefinedTerm"):
        rdfc_nquads(doc)
    kept = vc(
        **{"@context": [V2, {"@vocab": "https://example.org/#"}]},
        credentialSubject={"id": "did:example:s", "undefinedTerm": 1},
    )
    assert "<https://example.org/#undefinedTerm>" in rdfc_nquads(kept)


def test_a_context_vcengine_does_not_bundle_is_a_context_error_not_a_fetch() -> None:
    with pytest.raises(ContextError, match="not bundled"):
        ensure_signable(vc(**{"@context": [V2, "https://example.org/contexts/v1"]}))


def test_a_context_form_pyld_cannot_process_is_a_clear_refusal() -> None:
    # valid JSON-LD 1.1 that pyld 3.3 reports as a cyclic IRI mapping: refused, never a crash
    doc = vc(**{"@context": [V2, {"@protected": False, "y": "https://example.org/#y"}]})
    with pytest.raises(SchemaError) as caught:
        ensure_signable(doc)
    assert caught.value.rule == "VCDM2-4.3-context-processable"
    assert "cyclic IRI mapping" in caught.value.message


def test_a_document_the_walker_hands_to_pyld_is_left_to_signing() -> None:
    # @base makes the cheap pre-flight step aside (node_types returns None); signing still checks
    doc = vc(**{"@context": [V2, {"@base": "https://example.org/"}]})
    assert jsonld_issues(doc, v11=False) == []
