from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest

from tests.conftest import load
from vcengine.core.keys import KeyPair
from vcengine.core.multibase import encode_base58btc
from vcengine.core.proofs.data_integrity import add_proof, verify_proofs
from vcengine.core.resolve import OfflineResolver
from vcengine.errors import JsonLdError, ProofFormatError, UnsupportedError

CREATED = datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC)
SUITES = ("eddsa-rdfc-2022", "eddsa-jcs-2022", "Ed25519Signature2020")


def _keys() -> list[KeyPair]:
    pairs = load("w3c-vc-di-eddsa/proof-set-chain/multiKeyPairs.json")
    return [KeyPair.from_key_document(k) for k in pairs.values()]


def _sign(doc: dict, key: KeyPair, suite: str = "eddsa-rdfc-2022", **kw: object) -> dict:
    return add_proof(
        doc,
        key,
        suite=suite,
        verification_method=key.public.did_key_verification_method,
        created=CREATED,
        **kw,
    )  # type: ignore[arg-type]


@pytest.mark.parametrize("suite", SUITES)
def test_sign_verify_and_tamper_each_suite(suite: str) -> None:
    doc = load("w3c-vc-di-eddsa/unsigned.json")
    before = copy.deepcopy(doc)
    signed = _sign(doc, _keys()[0], suite)
    assert doc == before, "add_proof must not mutate its input"
    [result] = verify_proofs(signed, OfflineResolver())
    assert (result.outcome, result.suite) == ("pass", suite)
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["alumniOf"] += "."
    [bad] = verify_proofs(tampered, OfflineResolver())
    assert bad.outcome == "fail" and "signature does not match" in bad.reason


def test_proof_set_and_chain_reproduce_w3c_vectors() -> None:
    k1, k2, k3, k4 = _keys()
    unsigned = load("w3c-vc-di-eddsa/proof-set-chain/unsigned.json")
    ids = [
        "urn:uuid:26329423-bec9-4b2e-88cb-a7c7d9dc4544",
        "urn:uuid:8cc9022b-6b14-4cf3-8571-74972c5feb54",
        "urn:uuid:d94f792a-c546-4d06-b38a-da070ab56c23",
    ]
    one = _sign(unsigned, k1, proof_id=ids[0])
    assert one == load("w3c-vc-di-eddsa/proof-set-chain/signedProofSet1.json")
    two = _sign(one, k2, proof_id=ids[1])
    assert two == load("w3c-vc-di-eddsa/proof-set-chain/signedProofSet2.json")
    chain3 = add_proof(
        two,
        k3,
        verification_method=k3.public.did_key_verification_method,
        proof_id=ids[2],
        created=datetime(2023, 2, 26, 22, 6, 38, tzinfo=UTC),
        previous_proof=ids[:2],
    )
    assert chain3 == load("w3c-vc-di-eddsa/proof-set-chain/signedProofChain1.json")
    chain4 = add_proof(
        chain3,
        k4,
        verification_method=k4.public.did_key_verification_method,
        created=datetime(2023, 2, 26, 22, 16, 38, tzinfo=UTC),
        previous_proof=ids[2],
    )
    assert chain4 == load("w3c-vc-di-eddsa/proof-set-chain/signedProofChain2.json")
    assert [r.outcome for r in verify_proofs(chain4, OfflineResolver())] == ["pass"] * 4


def test_chain_breaks_when_a_previous_proof_is_altered() -> None:
    chain = load("w3c-vc-di-eddsa/proof-set-chain/signedProofChain2.json")
    # Swap the created date of the proof the last one chains to: only proofs covering it fail.
    chain["proof"][2]["created"] = "2023-02-26T22:06:39Z"
    outcomes = [r.outcome for r in verify_proofs(chain, OfflineResolver())]
    assert outcomes == ["pass", "pass", "fail", "fail"]


def test_previous_proof_must_exist() -> None:
    with pytest.raises(ProofFormatError, match="not in the proof set"):
        _sign(load("w3c-vc-di-eddsa/unsigned.json"), _keys()[0], previous_proof="urn:uuid:missing")


def test_undefined_term_is_an_error_at_sign_and_at_verify() -> None:
    doc = load("1edtech-validator/ob30/simple.json")
    doc.pop("proof")
    doc["credentialSubject"]["undefinedTerm"] = "would silently vanish from the signature"
    with pytest.raises(JsonLdError, match="undefinedTerm"):
        _sign(doc, _keys()[0])
    signed = load("1edtech-validator/ob30/simple.json")
    signed["credentialSubject"]["undefinedTerm"] = "added after signing"
    [result] = verify_proofs(signed, OfflineResolver({}))
    assert result.outcome == "fail" and "undefinedTerm" in result.reason


def test_undefined_type_and_relative_iri_are_errors() -> None:
    doc = load("w3c-vc-di-eddsa/unsigned.json")
    doc["@context"] = ["https://www.w3.org/ns/credentials/v2"]
    doc.pop("credentialSubject")
    doc["credentialSubject"] = {"id": "relative/path"}
    with pytest.raises(JsonLdError, match="relative"):
        _sign(doc, _keys()[0])
    doc["credentialSubject"] = {"id": "did:example:1"}
    doc["type"] = ["VerifiableCredential", "NotDefinedAnywhere"]
    with pytest.raises(JsonLdError, match="NotDefinedAnywhere"):
        _sign(doc, _keys()[0])


def test_vc11_credential_is_signed_with_data_integrity_context_added() -> None:
    doc = {
        "@context": [
            "https://www.w3.org/2018/credentials/v1",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:2f3c2a1e-0d2c-4a55-9f0e-0d9b0f2b0a11",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "did:example:issuer", "type": "Profile", "name": "Ex"},
        "issuanceDate": "2024-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:s",
            "type": "AchievementSubject",
            "achievement": {
                "id": "urn:uuid:a",
                "type": "Achievement",
                "name": "A",
                "description": "d",
                "criteria": {"narrative": "n"},
            },
        },
    }
    for suite in SUITES:
        signed = _sign(doc, _keys()[0], suite)
        assert [r.outcome for r in verify_proofs(signed, OfflineResolver())] == ["pass"], suite


def test_wrong_purpose_unknown_type_and_bad_proof_value() -> None:
    signed = _sign(load("w3c-vc-di-eddsa/unsigned.json"), _keys()[0])
    for mutate, outcome, text in [
        (lambda p: p.update(proofPurpose="authentication"), "fail", "proofPurpose"),
        (lambda p: p.update(proofValue="z" + "1" * 10), "fail", "64"),
        (lambda p: p.update(proofValue="uAAAA"), "fail", "base58btc"),
        (lambda p: p.update(type="SomeProofType"), "not-checked", "not implemented"),
        (
            lambda p: p.update(verificationMethod="https://unknown.example/key#1"),
            "indeterminate",
            "cannot resolve",
        ),
    ]:
        doc = json.loads(json.dumps(signed))
        mutate(doc["proof"])
        [r] = verify_proofs(doc, OfflineResolver())
        assert r.outcome == outcome and text in r.reason, (r, text)


def test_unknown_suite_on_sign() -> None:
    with pytest.raises(UnsupportedError, match="unknown cryptosuite"):
        _sign(load("w3c-vc-di-eddsa/unsigned.json"), _keys()[0], "ecdsa-rdfc-2019")


# --- bounded verification cost (issue 7, finding 4) --------------------------------------------


def _poison_credential(clique: int = 8) -> dict:
    """A credential carrying a clique of indistinguishable blank nodes (a poison graph)."""
    nodes = [
        {"@id": f"_:n{i}", "ex:p": [{"@id": f"_:n{j}"} for j in range(clique) if j != i]}
        for i in range(clique)
    ]
    doc = load("w3c-vc-di-eddsa/unsigned.json")
    doc["@context"] = [*doc["@context"], {"ex": "https://example.org/#"}]
    doc["credentialSubject"] = {**doc["credentialSubject"], "ex:has": nodes}
    return doc


def _with_proofs(doc: dict, count: int) -> dict:
    """``count`` proofs with real-length proof values that do not match (the attack's shape)."""
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2023-02-24T23:36:38Z",
        "verificationMethod": _keys()[0].public.did_key_verification_method,
        "proofPurpose": "assertionMethod",
        "proofValue": encode_base58btc(bytes(range(64))),
    }
    return {**doc, "proof": [dict(proof, id=f"urn:proof:{i}") for i in range(count)]}


def test_more_proofs_than_the_cap_are_refused_before_any_work(monkeypatch: pytest.MonkeyPatch) -> None:
    from vcengine.core.proofs import data_integrity

    def no_work(*args: object, **kw: object) -> None:
        raise AssertionError("nothing may be canonicalized for a document over the cap")

    monkeypatch.setattr(data_integrity, "canonical_nquads", no_work)
    with pytest.raises(data_integrity.TooManyProofs, match=f"at most {data_integrity.MAX_PROOFS}"):
        verify_proofs(_with_proofs(_poison_credential(), 100), OfflineResolver())


def test_the_unsecured_document_is_transformed_once_per_proof_set(monkeypatch: pytest.MonkeyPatch) -> None:
    from vcengine.core.proofs import data_integrity

    doc = load("w3c-vc-di-eddsa/unsigned.json")
    signed = _sign(doc, _keys()[0])
    seen: list[int] = []
    real = data_integrity.canonical_nquads

    def counting(quads: list, budget: object = None) -> str:
        seen.append(len(quads))
        return real(quads, budget)  # type: ignore[arg-type]

    monkeypatch.setattr(data_integrity, "canonical_nquads", counting)
    four = {**signed, "proof": [signed["proof"]] * 3 + [dict(signed["proof"], id="urn:proof:x")]}
    results = verify_proofs(four, OfflineResolver())
    assert [r.outcome for r in results] == ["pass", "pass", "pass", "fail"]
    assert len(seen) == 1, "one transformation for the four proofs of one set"


def test_one_work_budget_covers_every_proof_of_a_poison_document() -> None:
    from vcengine.core.proofs.data_integrity import MAX_PROOFS, Transformed
    from vcengine.core.rdfc import MAX_WORK

    doc = _with_proofs(_poison_credential(), MAX_PROOFS)
    transformed = Transformed(doc)
    results = verify_proofs(doc, OfflineResolver(), transformed=transformed)
    assert all(r.outcome == "fail" and "poison graph" in r.reason for r in results)
    # the work stopped once, at the budget, instead of once per proof
    assert MAX_WORK < transformed.budget.spent <= MAX_WORK + 50
