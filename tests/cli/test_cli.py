"""The CLI contract: commands, JSON-lines bulk modes, and exit codes (0/1/2/3)."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import VECTORS
from vcengine.cli import main

W3C = VECTORS / "w3c-vc-di-eddsa"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_keys_generate_writes_a_private_file_and_prints_the_did(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "k.json"
    code, out, _ = run(capsys, "keys", "generate", "--out", str(out_file))
    assert code == 0
    doc = json.loads(out_file.read_text())
    assert out.strip() == doc["controller"] and doc["type"] == "Multikey"
    assert doc["id"] == f"{doc['controller']}#{doc['publicKeyMultibase']}"
    assert stat.S_IMODE(out_file.stat().st_mode) == 0o600
    assert doc["secretKeyMultibase"] not in out
    code, _, err = run(capsys, "keys", "generate", "--out", str(out_file))
    assert code == 2 and "never overwrites" in err
    assert json.loads(out_file.read_text()) == doc


def test_sign_jsonl_and_verify_jsonl_report_each_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    unsigned = json.loads((W3C / "unsigned.json").read_text())
    lines = [
        json.dumps({**unsigned, "id": f"urn:uuid:00000000-0000-4000-8000-00000000000{i}"}) for i in range(3)
    ]
    lines.insert(1, "{not json")
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
    code, out, _ = run(
        capsys, "sign", "--jsonl", "--key", str(W3C / "keyPair.json"), "--created", "2024-01-01T00:00:00Z"
    )
    results = out.splitlines()
    assert code == 2 and len(results) == 4
    assert "error" in json.loads(results[1]) and "malformed JSON" in json.loads(results[1])["error"]
    signed = [json.loads(r) for i, r in enumerate(results) if i != 1]
    assert all(s["proof"]["cryptosuite"] == "eddsa-rdfc-2022" for s in signed)

    tampered = dict(signed[2], validFrom="2023-01-02T00:00:00Z")
    feed = [json.dumps(signed[0]), "garbage", json.dumps(tampered)]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(feed) + "\n"))
    code, out, _ = run(
        capsys,
        "verify",
        "--jsonl",
        "--resolve",
        f"https://vc.example/issuers/5678={VECTORS.parent / 'resolve' / 'w3c-vc-example-issuer.json'}",
    )
    reports = [json.loads(r) for r in out.splitlines()]
    assert [r["line"] for r in reports] == [1, 2, 3]
    assert [r["verdict"] for r in reports] == ["verified", "malformed", "failed"]
    assert code == 2  # the worst outcome


def test_sign_vc_jwt_then_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = tmp_path / "k.json"
    did = run(capsys, "keys", "generate", "--out", str(key))[1].strip()
    unsigned = json.loads((VECTORS / "1edtech-ob-impl-guide" / "ob3-eddsa-rdfc-2022-vector.json").read_text())
    credential = unsigned["unsigned_credential"]
    credential["issuer"]["id"] = did
    path = tmp_path / "u.json"
    path.write_text(json.dumps(credential))
    code, token, _ = run(capsys, "sign", str(path), "--key", str(key), "--suite", "vc-jwt")
    assert code == 0 and token.count(".") == 2
    jwt = tmp_path / "c.jwt"
    jwt.write_text(token)
    code, out, _ = run(capsys, "verify", str(jwt), "--json")
    assert code == 0, out
    assert json.loads(out)["format"] == "vc-jwt"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "neither JSON"),
        (b"{oops", "malformed JSON"),
        (b"\x00\x01\x02", "neither JSON"),
        (b"a.b", "neither JSON"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "PNG"),
    ],
)
def test_malformed_input_exits_2_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    path = tmp_path / "input"
    path.write_bytes(content)
    code, out, err = run(capsys, "verify", str(path))
    assert code == 2 and out == ""
    assert message in err and err.startswith("vcengine: error:")


def test_unbake_reports_the_format(capsys: pytest.CaptureFixture[str]) -> None:
    for name, fmt in [
        ("ob30/simple-json.png", "ob3-json"),
        ("ob30/simple-jwt.svg", "ob3-jwt"),
        ("ob20/simple-badge.png", "ob2-json"),
    ]:
        code, out, _ = run(capsys, "unbake", str(VECTORS / "1edtech-validator" / name), "--json")
        assert code == 0 and json.loads(out)["format"] == fmt


def test_module_entry_point_runs_as_a_subprocess() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "vcengine", "verify", "-"],
        input=b"{}",
        capture_output=True,
        timeout=60,
        env={**os.environ},
    )
    assert proc.returncode == 1
    assert b"missing required properties" in proc.stdout
