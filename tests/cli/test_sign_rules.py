"""`vcengine sign` refuses what breaks a VC Data Model rule: exit 2, nothing on stdout, the rule id
and its spec section on stderr; in --jsonl mode the line names rule, spec and path."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import VECTORS
from vcengine.cli import main

KEY = VECTORS / "w3c-vc-di-eddsa" / "keyPair.json"
V2 = "https://www.w3.org/ns/credentials/v2"
SUITES = ("eddsa-rdfc-2022", "eddsa-jcs-2022", "Ed25519Signature2020", "vc-jwt")


def credential(**patch: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": [V2],
        "type": ["VerifiableCredential"],
        "issuer": "https://vc.example/issuers/5678",
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:learner", "name": "Ada"},
    }
    doc.update(patch)
    return doc


def sign(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, doc: dict[str, Any], suite: str
) -> tuple[int, str, str]:
    path = tmp_path / "unsigned.json"
    path.write_text(json.dumps(doc))
    capsys.readouterr()
    code = main(["sign", str(path), "--key", str(KEY), "--suite", suite])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("suite", SUITES)
def test_a_rule_violation_exits_2_naming_the_rule(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, suite: str
) -> None:
    code, out, err = sign(
        capsys, tmp_path, credential(credentialSubject=[{"id": "did:example:1"}, {}]), suite
    )
    assert (code, out) == (2, "")
    assert err.startswith("vcengine: error:")
    assert "[VCDM2-4.8-subject-claims]" in err
    assert "https://www.w3.org/TR/vc-data-model-2.0/#credential-subject" in err
    assert "$.credentialSubject[1]" in err


@pytest.mark.parametrize("suite", SUITES)
def test_the_vocab_null_form_exits_2_with_the_undefined_type(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, suite: str
) -> None:
    doc = credential(
        **{"@context": [V2, {"@vocab": None}], "type": ["VerifiableCredential", "ExampleTestCredential"]}
    )
    code, out, err = sign(capsys, tmp_path, doc, suite)
    assert (code, out) == (2, "")
    assert "[VCDM2-4.5-type-values]" in err and "ExampleTestCredential" in err
    assert "Traceback" not in err


def test_a_conforming_credential_is_signed(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = sign(
        capsys, tmp_path, credential(**{"@context": [V2, {"@vocab": None}]}), "eddsa-rdfc-2022"
    )
    assert code == 0 and json.loads(out)["proof"]["cryptosuite"] == "eddsa-rdfc-2022"


def test_jsonl_lines_name_rule_spec_and_path(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [credential(), credential(issuer="University"), credential(validUntil="2020-01-01T00:00:00Z")]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(json.dumps(line) for line in lines) + "\n"))
    capsys.readouterr()
    code = main(["sign", "--jsonl", "--key", str(KEY)])
    results = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 2 and len(results) == 3
    assert "proof" in results[0]
    assert {k: results[1][k] for k in ("rule", "spec", "path")} == {
        "rule": "VCDM2-4.7-issuer-url",
        "spec": "https://www.w3.org/TR/vc-data-model-2.0/#issuer",
        "path": "$.issuer",
    }
    assert results[2]["rule"] == "VCDM2-4.9-validity-order" and results[2]["path"] == "$.validUntil"
    assert "VCDM2-4.9-validity-order" in results[2]["error"]
