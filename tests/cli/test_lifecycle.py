"""The whole life of a badge through the CLI: issue, bake, unbake, verify, revoke, suspend,
unsuspend, an unreachable status list, and expiry — each with the exit code scripts rely on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from vcengine.cli import main
from vcengine.core.bake.badge_image import render_badge_png, render_badge_svg

LISTS = {
    "revocation": "https://issuer.example/status/rev-1",
    "suspension": "https://issuer.example/status/sus-1",
}
INDEX = {"revocation": 48213, "suspension": 9071}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(list(argv))
    return code, capsys.readouterr().out


@pytest.fixture
def issued(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    key = tmp_path / "issuer-key.json"
    code, out = run(capsys, "keys", "generate", "--out", str(key))
    assert code == 0
    did = out.strip().splitlines()[-1]
    assert did.startswith("did:key:z6Mk")
    for purpose, url in LISTS.items():
        code, _ = run(
            capsys,
            "status",
            "new",
            str(tmp_path / f"{purpose}.state.json"),
            "--key",
            str(key),
            "--url",
            url,
            "--purpose",
            purpose,
        )
        assert code == 0
    credential = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:0b6f2f9e-3c44-4f62-9d9b-0f1d64cf6a35",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Data Literacy Foundations",
        "issuer": {"id": did, "type": ["Profile"], "name": "Ünïversité Example"},
        "validFrom": "2026-01-01T00:00:00Z",
        "validUntil": "2036-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:learner-42",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://issuer.example/achievements/data-literacy",
                "type": ["Achievement"],
                "name": "Data Literacy Foundations",
                "description": "Passed the course.",
                "criteria": {"narrative": "Complete all modules and pass the quiz with 80%."},
            },
        },
    }
    # The OB 3.0 schema allows one credentialStatus object: a badge is either revocable
    # (revocation list) or suspendable (suspension list). Issue one of each.
    paths = {}
    for purpose, url in LISTS.items():
        entry = {
            "id": f"{url}#{INDEX[purpose]}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": purpose,
            "statusListIndex": str(INDEX[purpose]),
            "statusListCredential": url,
        }
        unsigned = tmp_path / f"unsigned-{purpose}.json"
        unsigned.write_text(json.dumps({**credential, "credentialStatus": entry}, ensure_ascii=False))
        code, out = run(capsys, "sign", str(unsigned), "--key", str(key))
        assert code == 0
        paths[purpose] = tmp_path / f"signed-{purpose}.json"
        paths[purpose].write_text(out)
    return {"dir": tmp_path, "key": key, "signed": paths["revocation"], "suspendable": paths["suspension"]}


def lists_args(d: Path) -> list[str]:
    out: list[str] = []
    for purpose in LISTS:
        state = json.loads((d / f"{purpose}.state.json").read_text())
        path = d / f"{purpose}.list.json"
        path.write_text(json.dumps(state["credential"]))
        out += ["--status-list", str(path)]
    return out


def verify(capsys: pytest.CaptureFixture[str], target: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    code, out = run(capsys, "verify", str(target), "--json", *extra)
    return code, json.loads(out)


def status_check(report: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in report["checks"] if c["check"] == "status")


def test_issue_bake_verify_revoke(issued: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    d: Path = issued["dir"]
    (d / "badge.png").write_bytes(
        render_badge_png("Data Literacy Foundations", "Ünïversité Example", size=300)
    )
    (d / "badge.svg").write_bytes(render_badge_svg("Data Literacy Foundations", "Ünïversité Example"))
    for ext in ("png", "svg"):
        code, _ = run(
            capsys, "bake", str(issued["signed"]), str(d / f"badge.{ext}"), "-o", str(d / f"baked.{ext}")
        )
        assert code == 0
        code, out = run(capsys, "unbake", str(d / f"baked.{ext}"))
        assert code == 0 and json.loads(out) == json.loads(issued["signed"].read_text())

    # Offline with no list: status could not be checked -> indeterminate, never verified.
    code, report = verify(capsys, d / "baked.png")
    assert code == 3 and report["verdict"] == "indeterminate"
    assert status_check(report)["code"] == "status-unchecked"

    for target in ("baked.png", "baked.svg", "signed-revocation.json"):
        code, report = verify(capsys, d / target, *lists_args(d))
        assert (code, report["verdict"]) == (0, "verified"), report
        assert status_check(report)["outcome"] == "pass"

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
    code, report = verify(capsys, d / "baked.png", *lists_args(d))
    assert (code, report["verdict"], status_check(report)["code"]) == (1, "failed", "revoked")


def test_suspend_and_unsuspend(issued: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    d: Path = issued["dir"]
    state = str(d / "suspension.state.json")
    assert run(capsys, "status", "set", state, str(INDEX["suspension"]), "--key", str(issued["key"]))[0] == 0
    assert (
        run(capsys, "status", "show", state, str(INDEX["suspension"]))[1].strip()
        == f"{INDEX['suspension']}: 1"
    )
    code, report = verify(capsys, issued["suspendable"], *lists_args(d))
    assert (code, status_check(report)["code"]) == (1, "suspended")
    assert (
        run(capsys, "status", "clear", state, str(INDEX["suspension"]), "--key", str(issued["key"]))[0] == 0
    )
    code, report = verify(capsys, issued["suspendable"], *lists_args(d))
    assert (code, report["verdict"]) == (0, "verified")


def test_revocation_cannot_be_undone(issued: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    state = str(issued["dir"] / "revocation.state.json")
    assert run(capsys, "status", "set", state, "5", "--key", str(issued["key"]))[0] == 0
    before = Path(state).read_bytes()
    assert run(capsys, "status", "clear", state, "5", "--key", str(issued["key"]))[0] == 2
    assert Path(state).read_bytes() == before, "a refused change must leave the list untouched"


def test_unreachable_status_list_is_indeterminate(
    issued: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    d: Path = issued["dir"]
    doc = json.loads(issued["signed"].read_text())
    # Re-issue pointing at a list nobody serves: loopback port 9 (discard) refuses connections.
    entry = doc["credentialStatus"]
    entry["statusListCredential"] = "https://127.0.0.1:9/status/missing"
    entry["id"] = f"https://127.0.0.1:9/status/missing#{entry['statusListIndex']}"
    doc.pop("proof")
    unsigned = d / "unreachable.json"
    unsigned.write_text(json.dumps(doc))
    code, out = run(capsys, "sign", str(unsigned), "--key", str(issued["key"]))
    (d / "unreachable.signed.json").write_text(out)
    code, report = verify(capsys, d / "unreachable.signed.json", "--online")
    assert (code, report["verdict"]) == (3, "indeterminate")
    assert status_check(report)["code"] == "status-unreachable"


def test_expired_credential_fails_with_expired(
    issued: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = verify(
        capsys, issued["signed"], *lists_args(issued["dir"]), "--now", "2036-01-01T00:00:01Z"
    )
    validity = next(c for c in report["checks"] if c["check"] == "validity")
    assert (code, validity["code"]) == (1, "expired")
    code, report = verify(capsys, issued["signed"], "--now", "2025-12-31T23:59:59Z")
    validity = next(c for c in report["checks"] if c["check"] == "validity")
    assert (code, validity["code"]) == (1, "not-yet-valid")
