"""Cross-verification fixtures signed by an independent implementation (Digital Bazaar).

The fixtures in ``conformance/vectors/interop/digitalbazaar/`` were produced by
``conformance/interop/run.sh`` with Digital Bazaar's JavaScript libraries
(``@digitalbazaar/vc`` + ``data-integrity`` + the eddsa-rdfc-2022 / eddsa-jcs-2022 /
Ed25519Signature2020 suites) from the inputs in ``conformance/interop/inputs/`` and the fixed key
``conformance/interop/keys/interop-key.json``. This module needs no Node: it checks that

* every expected fixture (input x suite) is present and well formed — an empty or incomplete
  fixture directory FAILS, it is never skipped;
* vcengine's Python API (``vcengine.core.verify.verify_credential``) verifies each fixture, and a
  copy with one signed value changed fails the proof check;
* vcengine, signing the same prepared input (``vectors/interop/unsigned/``) with the same key and
  ``created``, reproduces Digital Bazaar's ``proofValue`` byte for byte (Ed25519 is
  deterministic, so any canonicalization difference shows up here);
* the CLI (``python -m vcengine verify --json``) exits 0 for a fixture and 1 for a tampered copy.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import base58
import pytest

HERE = Path(__file__).resolve().parent
INTEROP = HERE / "interop"
VECTORS = HERE / "vectors" / "interop"
DB_DIR = VECTORS / "digitalbazaar"
UNSIGNED_DIR = VECTORS / "unsigned"
KEY_FILE = INTEROP / "keys" / "interop-key.json"

SUITES = ("eddsa-rdfc-2022", "eddsa-jcs-2022", "Ed25519Signature2020")
CREATED = "2025-07-01T00:00:00Z"  # the fixed `created` run.sh uses
NOW = datetime(2026, 1, 1, tzinfo=UTC)  # inside every fixture's validity period


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


KEY_DOC: dict[str, Any] = _load(KEY_FILE)
DID = KEY_DOC["controller"]
VM = KEY_DOC["id"]


def _expected_names() -> list[str]:
    inputs = sorted(p.stem for p in (INTEROP / "inputs").glob("*.json"))
    return [f"{name}.{suite}.json" for name in inputs for suite in SUITES]


def _fixture_names() -> list[str]:
    found = {p.name for p in DB_DIR.glob("*.json")} if DB_DIR.is_dir() else set()
    return sorted(found | set(_expected_names()))


FIXTURES = _fixture_names()


def _suite_of(name: str) -> str:
    return name.rsplit(".", 2)[1]


def _fixture(name: str) -> dict[str, Any]:
    path = DB_DIR / name
    assert path.is_file(), f"missing fixture {path} — re-run conformance/interop/run.sh"
    doc = _load(path)
    assert isinstance(doc, dict)
    return doc


def _tampered(doc: dict[str, Any]) -> dict[str, Any]:
    """Change exactly one signed value (the same one verify.mjs changes)."""
    bad = copy.deepcopy(doc)
    subject = bad["credentialSubject"]
    if isinstance(subject.get("achievement", {}).get("name"), str):
        subject["achievement"]["name"] += " (tampered)"
    elif isinstance(bad.get("name"), str):
        bad["name"] += " (tampered)"
    else:  # e.g. a BitstringStatusListCredential
        subject["id"] += "-tampered"
    return bad


def test_fixture_directory_is_complete() -> None:
    expected = _expected_names()
    assert len(expected) >= 9, "conformance/interop/inputs/ should hold at least 3 credentials"
    assert DB_DIR.is_dir(), f"{DB_DIR} is missing — run conformance/interop/run.sh"
    present = sorted(p.name for p in DB_DIR.glob("*.json"))
    assert present, f"{DB_DIR} is empty — run conformance/interop/run.sh"
    missing = sorted(set(expected) - set(present))
    assert not missing, f"fixtures missing (re-run conformance/interop/run.sh): {missing}"


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_is_well_formed(name: str) -> None:
    doc = _fixture(name)
    suite = _suite_of(name)
    assert suite in SUITES
    assert isinstance(doc.get("@context"), list) and doc["@context"][0] in (
        "https://www.w3.org/ns/credentials/v2",
        "https://www.w3.org/2018/credentials/v1",
    )
    assert "VerifiableCredential" in doc["type"]
    issuer = doc["issuer"]["id"] if isinstance(doc["issuer"], dict) else doc["issuer"]
    assert issuer == DID, "the issuer must be the signing key's did:key"
    proof = doc.get("proof")
    assert isinstance(proof, dict), "exactly one embedded proof expected"
    if suite == "Ed25519Signature2020":
        assert proof["type"] == "Ed25519Signature2020"
        assert "cryptosuite" not in proof
        assert "https://w3id.org/security/suites/ed25519-2020/v1" in doc["@context"]
    else:
        assert proof["type"] == "DataIntegrityProof"
        assert proof["cryptosuite"] == suite
    if suite == "eddsa-jcs-2022":
        assert proof["@context"] == doc["@context"]
    else:
        assert "@context" not in proof
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["verificationMethod"] == VM
    assert proof["created"] == CREATED
    value = proof["proofValue"]
    assert isinstance(value, str) and value.startswith("z")
    assert len(base58.b58decode(value[1:])) == 64
    # the signed document is exactly the committed prepared input plus the proof
    unsigned = _load(UNSIGNED_DIR / name)
    assert {k: v for k, v in doc.items() if k != "proof"} == unsigned


# --- vcengine verifies what Digital Bazaar signed (Python API) ---------------------------------


def _verify(doc: dict[str, Any]) -> Any:
    from vcengine.core.resolve import OfflineResolver
    from vcengine.core.verify import verify_credential

    return verify_credential(doc, resolver=OfflineResolver(), now=NOW)


@pytest.mark.parametrize("name", FIXTURES)
def test_vcengine_verifies_digitalbazaar_fixture(name: str) -> None:
    report = _verify(_fixture(name))
    summary = json.dumps(report.to_json(), indent=1, ensure_ascii=False)
    proof = report.check("proof")
    assert proof is not None and proof.outcome == "pass", summary
    issuer = report.check("issuer")
    assert issuer is not None and issuer.outcome == "pass", summary
    assert report.verified, summary


@pytest.mark.parametrize("name", FIXTURES)
def test_vcengine_rejects_tampered_fixture(name: str) -> None:
    report = _verify(_tampered(_fixture(name)))
    summary = json.dumps(report.to_json(), indent=1, ensure_ascii=False)
    assert not report.verified, summary
    proof = report.check("proof")
    assert proof is not None and proof.outcome == "fail", summary


# --- vcengine reproduces Digital Bazaar's signature byte for byte -----------------------------


@pytest.mark.parametrize("name", FIXTURES)
def test_vcengine_reproduces_digitalbazaar_proof_value(name: str) -> None:
    from vcengine.core.keys import KeyPair
    from vcengine.core.proofs.data_integrity import add_proof

    expected = _fixture(name)
    signed = add_proof(
        _load(UNSIGNED_DIR / name),
        KeyPair.from_key_document(KEY_DOC),
        suite=_suite_of(name),
        verification_method=VM,
        created=datetime.fromisoformat(CREATED.replace("Z", "+00:00")),
    )
    assert signed["proof"]["proofValue"] == expected["proof"]["proofValue"], (
        "vcengine and Digital Bazaar disagree on the signed bytes (canonicalization differs?)"
    )
    assert signed == expected


# --- the CLI: exit codes ---------------------------------------------------------------------


@pytest.mark.parametrize("suite", SUITES)
def test_cli_exit_codes(suite: str, tmp_path: Path) -> None:
    name = f"ob3-results-alignments-evidence.{suite}.json"
    good = DB_DIR / name
    bad = tmp_path / f"tampered.{name}"
    bad.write_text(json.dumps(_tampered(_fixture(name)), ensure_ascii=False), encoding="utf-8")
    cmd = [sys.executable, "-m", "vcengine", "verify", "--json", "--now", "2026-01-01T00:00:00Z"]
    ok = subprocess.run([*cmd, str(good)], capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert json.loads(ok.stdout)["verified"] is True
    ko = subprocess.run([*cmd, str(bad)], capture_output=True, text=True, timeout=120)
    assert ko.returncode == 1, ko.stdout + ko.stderr
    assert json.loads(ko.stdout)["verified"] is False
