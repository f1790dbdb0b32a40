"""The verification report: every check, its outcome, and the verdict rules."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest

from tests.conftest import NOW, RESOLVE, load
from vcengine.core.keys import KeyPair
from vcengine.core.proofs.data_integrity import add_proof
from vcengine.core.resolve import OfflineResolver
from vcengine.core.verify import Check, VerificationReport, verify_credential

KEY = KeyPair.from_seed(bytes(range(32)))
OTHER = KeyPair.from_seed(bytes(range(1, 33)))


def _credential(**changes: object) -> dict:
    doc = load("1edtech-ob-impl-guide/ob3-eddsa-rdfc-2022-vector.json")["unsigned_credential"]
    doc["issuer"]["id"] = KEY.public.did_key
    doc.update(changes)
    return doc


def _signed(doc: dict, key: KeyPair = KEY) -> dict:
    return add_proof(doc, key, verification_method=key.public.did_key_verification_method, created=NOW)


def _outcomes(report: VerificationReport) -> dict[str, str]:
    return {c.name: c.outcome for c in report.checks}


def test_did_key_issuer_verifies_with_every_check_reported() -> None:
    report = verify_credential(_signed(_credential()), resolver=OfflineResolver(), now=NOW)
    assert report.verdict == "verified" and report.verified
    assert _outcomes(report) == {
        "syntax": "pass",
        "schema": "pass",
        "proof": "pass",
        "signed-graph": "pass",
        "issuer": "pass",
        "validity": "pass",
        "status": "skipped",
    }
    as_json = report.to_json()
    assert as_json["verdict"] == "verified" and len(as_json["checks"]) == 7


def test_key_not_controlled_by_issuer_is_not_verified() -> None:
    # Signed by OTHER's did:key but claiming KEY's did:key as issuer: the did:key document of the
    # issuer is known offline and does not list OTHER's key -> fail, not merely indeterminate.
    report = verify_credential(_signed(_credential(), OTHER), resolver=OfflineResolver(), now=NOW)
    assert report.verdict == "failed"
    assert report.check("issuer").code == "issuer-mismatch"  # type: ignore[union-attr]


def test_https_issuer_without_its_document_is_indeterminate_then_verified_with_it() -> None:
    doc = _credential()
    doc["issuer"]["id"] = "https://vc.example/issuers/5678"
    signed = _signed(doc)
    bare = verify_credential(signed, resolver=OfflineResolver(), now=NOW)
    assert bare.verdict == "indeterminate" and bare.check("issuer").code == "issuer-unresolved"  # type: ignore[union-attr]
    controller = {
        "id": "https://vc.example/issuers/5678",
        "assertionMethod": [KEY.public.did_key_verification_method],
    }
    bound = verify_credential(
        signed, resolver=OfflineResolver({"https://vc.example/issuers/5678": controller}), now=NOW
    )
    assert bound.verdict == "verified"
    wrong = {
        "id": "https://vc.example/issuers/5678",
        "assertionMethod": [OTHER.public.did_key_verification_method],
    }
    refused = verify_credential(
        signed, resolver=OfflineResolver({"https://vc.example/issuers/5678": wrong}), now=NOW
    )
    assert refused.verdict == "failed"


@pytest.mark.parametrize(
    ("changes", "now", "code"),
    [
        ({"validUntil": "2026-01-01T00:00:00Z"}, NOW, "expired"),
        ({"validFrom": "2027-01-01T00:00:00Z"}, NOW, "not-yet-valid"),
        ({}, datetime(2009, 12, 31, tzinfo=UTC), "not-yet-valid"),
    ],
)
def test_expired_and_not_yet_valid_are_distinct(changes: dict, now: datetime, code: str) -> None:
    report = verify_credential(_signed(_credential(**changes)), resolver=OfflineResolver(), now=now)
    assert report.verdict == "failed" and report.check("validity").code == code  # type: ignore[union-attr]


def test_vc11_dates_are_read() -> None:
    doc = _credential()
    doc["@context"][0] = "https://www.w3.org/2018/credentials/v1"
    doc["issuanceDate"] = doc.pop("validFrom")
    doc["expirationDate"] = "2020-01-01T00:00:00Z"
    report = verify_credential(_signed(doc), resolver=OfflineResolver(), now=NOW)
    assert report.check("validity").code == "expired"  # type: ignore[union-attr]


def test_status_present_but_unchecked_is_indeterminate_never_verified() -> None:
    doc = _credential(
        credentialStatus={
            "id": "https://status.example/1#5",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "5",
            "statusListCredential": "https://status.example/1",
        }
    )
    report = verify_credential(_signed(doc), resolver=OfflineResolver(), now=NOW)
    assert report.verdict == "indeterminate" and report.check("status").code == "status-unchecked"  # type: ignore[union-attr]


def test_unsupported_only_proof_is_indeterminate_and_no_proof_fails() -> None:
    signed = _signed(_credential())
    signed["proof"]["type"] = "BbsBlsSignature2020"
    assert verify_credential(signed, resolver=OfflineResolver(), now=NOW).verdict == "indeterminate"
    unsigned = _credential()
    report = verify_credential(unsigned, resolver=OfflineResolver(), now=NOW)
    assert report.verdict == "failed" and report.check("proof").code == "no-proof"  # type: ignore[union-attr]


def test_schema_failure_names_the_path() -> None:
    doc = _credential()
    del doc["credentialSubject"]["achievement"]["criteria"]
    report = verify_credential(_signed(doc), resolver=OfflineResolver(), now=NOW)
    schema = report.check("schema")
    assert schema is not None and schema.outcome == "fail" and "criteria" in schema.reason


def test_received_credential_is_not_mutated() -> None:
    signed = _signed(_credential())
    before = copy.deepcopy(signed)
    verify_credential(signed, resolver=OfflineResolver(), now=NOW)
    verify_credential(json.dumps(signed), resolver=OfflineResolver(), now=NOW)
    assert signed == before


def test_verdict_rules() -> None:
    def report(*outcomes: str) -> VerificationReport:
        return VerificationReport("json-ld", tuple(Check(str(i), o, "r") for i, o in enumerate(outcomes)))  # type: ignore[arg-type]

    assert report("pass", "skipped").verdict == "verified"
    assert report("pass", "indeterminate").verdict == "indeterminate"
    assert report("indeterminate", "fail").verdict == "failed"
    assert report("skipped").verdict == "indeterminate"  # nothing passed: never "verified"


def test_resolver_documents_for_the_w3c_issuer() -> None:
    doc = json.loads((RESOLVE / "w3c-vc-example-issuer.json").read_text())
    resolver = OfflineResolver({doc["id"]: doc})
    mb = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    vm = f"did:key:{mb}#{mb}"
    assert resolver.authorizes(doc["id"], vm, "assertionMethod") is True
    assert resolver.authorizes(doc["id"], vm, "authentication") is False
    assert resolver.authorizes("https://unknown.example", vm, "assertionMethod") is None
