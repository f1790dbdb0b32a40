"""Issue 7, finding 1 through the CLI: a revoked badge whose credentialStatus is moved under its
full IRI (a baked image too) still has a valid proof, and `vcengine verify` exits 1, not 0."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_lifecycle import INDEX, issued, lists_args, run, verify
from vcengine.core.bake.badge_image import render_badge_png

__all__ = ["issued"]  # the fixture, shared with the lifecycle tests
CRED = "https://www.w3.org/2018/credentials#"


def test_a_revoked_badge_re_expressed_exits_1(
    issued: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    d: Path = issued["dir"]
    code, _ = run(
        capsys,
        "status",
        "set",
        str(d / "revocation.state.json"),
        str(INDEX["revocation"]),
        "--key",
        str(issued["key"]),
    )
    assert code == 0
    code, report = verify(capsys, issued["signed"], *lists_args(d))
    assert code == 1 and report["verdict"] == "failed"

    hidden = json.loads(issued["signed"].read_text())
    hidden[CRED + "credentialStatus"] = hidden.pop("credentialStatus")
    (d / "hidden.json").write_text(json.dumps(hidden))
    (d / "badge.png").write_bytes(render_badge_png("Data Literacy Foundations", "Example", size=120))
    code, _ = run(capsys, "bake", str(d / "hidden.json"), str(d / "badge.png"), "-o", str(d / "hidden.png"))
    assert code == 0
    for target in ("hidden.json", "hidden.png"):
        code, report = verify(capsys, d / target, *lists_args(d))
        checks = {c["check"]: c for c in report["checks"]}
        assert checks["proof"]["outcome"] == "pass"
        assert (code, report["verdict"], checks["signed-graph"]["code"]) == (1, "failed", "graph-mismatch")
