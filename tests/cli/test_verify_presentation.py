"""`vcengine verify` of a verifiable presentation file: exit codes, --challenge/--domain, both renderings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_cli import run
from tests.core.test_presentation import ACTIVE, CHALLENGE, DOMAIN, presentation, prove
from tests.core.test_signed_graph import URL, status_list


def test_verify_a_presentation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    vp = tmp_path / "vp.json"
    vp.write_text(json.dumps(prove(presentation(ACTIVE))))
    lst = tmp_path / "list.json"
    lst.write_text(json.dumps(status_list({})))
    base = ["verify", str(vp), "--status-list", f"{URL}={lst}", "--now", "2026-11-27T00:00:00Z"]
    code, out, _ = run(capsys, *base, "--challenge", CHALLENGE, "--domain", DOMAIN, "--json")
    report = json.loads(out)
    assert (code, report["verdict"], report["format"]) == (0, "verified", "vp")
    assert report["credentials"][0]["verdict"] == "verified"
    code, out, _ = run(capsys, *base, "--challenge", "replayed", "--domain", DOMAIN)
    assert code == 1
    assert "presentation:" in out and "[FAIL] challenge" in out and "credential 1 of 1" in out
    code, out, _ = run(capsys, *base)  # without --challenge/--domain none is expected
    assert code == 0
    code, out, _ = run(capsys, "verify", str(vp), "--now", "2026-11-27T00:00:00Z")  # no status list given
    assert code == 3 and "????" in out


def test_verify_a_presentation_jwt(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.core.test_presentation import _jws

    token = _jws({**presentation(ACTIVE), "nonce": CHALLENGE, "aud": DOMAIN})
    path = tmp_path / "vp.jwt"
    path.write_text(token)
    lst = tmp_path / "list.json"
    lst.write_text(json.dumps(status_list({})))
    argv = ["verify", str(path), "--status-list", f"{URL}={lst}", "--now", "2026-11-27T00:00:00Z", "--json"]
    code, out, _ = run(capsys, *argv, "--challenge", CHALLENGE, "--domain", DOMAIN)
    assert (code, json.loads(out)["format"]) == (0, "vp-jwt")
    code, out, _ = run(capsys, *argv, "--challenge", "other")
    assert code == 1
