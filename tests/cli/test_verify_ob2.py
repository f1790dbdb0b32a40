"""`vcengine verify` of Open Badges 2.0: hosted and signed assertions, as JSON, JWS or baked
PNG/SVG, with documents given by ``--resolve URL=FILE`` or fetched ``--online`` from a real
HTTPS server on 127.0.0.1; exit codes 0 verified, 1 failed, 2 malformed, 3 indeterminate."""

from __future__ import annotations

import base64
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.core.ob2.ob2_badges import RECIPIENT, Ob2Issuer, ob2_png, ob2_svg
from tests.loopback_https import LoopbackHttps
from vcengine.cli import main

NOW = "2026-06-01T00:00:00Z"


@pytest.fixture(scope="module")
def issuer() -> Ob2Issuer:
    return Ob2Issuer()


def resolve_args(tmp: Path, docs: dict[str, Any]) -> list[str]:
    args: list[str] = []
    for n, (url, doc) in enumerate(docs.items()):
        path = tmp / f"doc{n}.json"
        path.write_text(json.dumps(doc))
        args += ["--resolve", f"{url}={path}"]
    return args


def verify(
    capsys: pytest.CaptureFixture[str], tmp: Path, content: str | bytes, *args: str
) -> tuple[int, dict[str, Any] | None, str]:
    path = tmp / "input"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    capsys.readouterr()
    code = main(["verify", str(path), "--json", "--now", NOW, *args])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else None), err


def codes(report: dict[str, Any] | None) -> dict[str, Any]:
    assert report is not None
    return {c["check"]: c.get("code") for c in report["checks"]}


def test_hosted_assertion_with_resolved_documents(
    issuer: Ob2Issuer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assertion = issuer.assertion()
    docs = resolve_args(tmp_path, issuer.documents(assertion))
    code, report, _ = verify(capsys, tmp_path, json.dumps(assertion), *docs)
    assert code == 0 and report is not None
    assert (
        report["verdict"] == "verified"
        and report["format"] == "ob2-hosted"
        and report["id"] == assertion["id"]
    )
    assert verify(capsys, tmp_path, json.dumps(assertion), *docs, "--recipient", RECIPIENT)[0] == 0
    code, report, _ = verify(capsys, tmp_path, json.dumps(assertion), *docs, "--recipient", "eve@example.com")
    assert code == 1 and codes(report)["recipient"] == "wrong-recipient"
    without_host = resolve_args(tmp_path, issuer.documents())
    code, report, _ = verify(capsys, tmp_path, json.dumps(assertion), *without_host)
    assert code == 3 and codes(report)["proof"] == "hosted-unavailable"


def test_signed_assertion_verified_tampered_revoked_expired(
    issuer: Ob2Issuer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assertion = issuer.assertion(7, signed=True)
    token = issuer.sign(assertion)
    docs = resolve_args(tmp_path, issuer.documents())
    code, report, _ = verify(capsys, tmp_path, token, *docs, "--recipient", RECIPIENT)
    assert code == 0 and report is not None and report["format"] == "ob2-signed"

    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["issuedOn"] = "2023-01-01T00:00:00Z"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    code, report, _ = verify(capsys, tmp_path, f"{header}.{forged}.{signature}", *docs)
    assert code == 1 and codes(report)["proof"] == "bad-proof"

    revoking = Ob2Issuer()
    revoking.revoked = [{"id": assertion["id"], "revocationReason": "misconduct"}]
    code, report, _ = verify(capsys, tmp_path, token, *resolve_args(tmp_path, revoking.documents()))
    assert code == 1 and codes(report)["status"] == "revoked"

    expiring = issuer.sign(issuer.assertion(8, signed=True, expires="2025-12-31T23:59:59Z"))
    code, report, _ = verify(capsys, tmp_path, expiring, *docs)
    assert code == 1 and codes(report)["validity"] == "expired"

    no_key = resolve_args(tmp_path, {k: v for k, v in issuer.documents().items() if k != issuer.key_id})
    code, report, _ = verify(capsys, tmp_path, token, *no_key)
    assert code == 3 and codes(report)["proof"] == "unresolved-key"


def test_baked_png_and_svg(issuer: Ob2Issuer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hosted = issuer.assertion(3)
    token = issuer.sign(issuer.assertion(4, signed=True))
    docs = resolve_args(tmp_path, issuer.documents(hosted))
    for image, fmt in (
        (ob2_png(json.dumps(hosted)), "ob2-hosted"),
        (ob2_png(token), "ob2-signed"),
        (ob2_svg(json.dumps(hosted)), "ob2-hosted"),
        (ob2_svg(token), "ob2-signed"),
        (ob2_svg(hosted["id"]), "ob2-hosted"),  # a pre-2.0 style image: only the hosted URL
    ):
        code, report, _ = verify(capsys, tmp_path, image, *docs)
        assert code == 0 and report is not None and report["format"] == fmt, report
    forged = issuer.assertion(3, recipient="mallory@example.com")
    code, report, _ = verify(capsys, tmp_path, ob2_png(json.dumps(forged)), *docs)
    assert code == 1 and codes(report)["proof"] == "hosted-mismatch"


def test_malformed_and_refused_input(
    issuer: Ob2Issuer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = json.dumps(issuer.assertion())[:-5]
    code, report, err = verify(capsys, tmp_path, broken)
    assert code == 2 and report is None and "malformed JSON" in err
    no_recipient = {k: v for k, v in issuer.assertion().items() if k != "recipient"}
    code, report, _ = verify(capsys, tmp_path, json.dumps(no_recipient))
    assert code == 1 and codes(report) == {"syntax": "malformed"}
    vc = (
        Path(__file__).resolve().parents[2] / "conformance/vectors/w3c-vc-di-eddsa/unsigned.json"
    ).read_text()
    code, _, err = verify(capsys, tmp_path, vc, "--recipient", RECIPIENT)
    assert code == 2 and "--recipient" in err


def test_jsonl_mixes_verdicts(
    issuer: Ob2Issuer, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    good = issuer.sign(issuer.assertion(11, signed=True))
    expired = issuer.sign(issuer.assertion(12, signed=True, expires="2025-01-01T00:00:00Z"))
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{good}\n{expired}\n"))
    capsys.readouterr()
    code = main(["verify", "--jsonl", "--now", NOW, *resolve_args(tmp_path, issuer.documents())])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 1 and [line["verdict"] for line in lines] == ["verified", "failed"]


# ------------------------------------------------------------------------------------ --online


@pytest.fixture
def host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LoopbackHttps]:
    with LoopbackHttps(tmp_path) as server:
        monkeypatch.setenv("SSL_CERT_FILE", str(server.cert))
        yield server


def publish(host: LoopbackHttps, docs: dict[str, Any]) -> None:
    for url, doc in docs.items():
        host.routes[url[len(host.base) :]] = (200, json.dumps(doc).encode(), {})


def test_online_fetches_the_hosted_assertion_and_its_documents(
    host: LoopbackHttps, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    online = Ob2Issuer(host.base)
    assertion = online.assertion(21)
    publish(host, online.documents(assertion))
    code, report, _ = verify(
        capsys, tmp_path, ob2_png(json.dumps(assertion)), "--online", "--recipient", RECIPIENT
    )
    assert code == 0 and report is not None and report["verdict"] == "verified", report
    assert {"/assertions/21.json", "/badge.json", "/issuer.json"} <= set(host.requests)

    host.routes["/assertions/21.json"] = (410, b'{"revoked": true}', {})
    code, report, _ = verify(capsys, tmp_path, json.dumps(assertion), "--online")
    assert code == 1 and codes(report)["status"] == "revoked"

    del host.routes["/assertions/21.json"]
    code, report, _ = verify(capsys, tmp_path, json.dumps(assertion), "--online")
    assert code == 3 and codes(report)["proof"] == "hosted-unavailable"
    assert "HTTP 404" in next(c["reason"] for c in report["checks"] if c["check"] == "proof")  # type: ignore[index]


def test_online_signed_assertion_and_revocation_list(
    host: LoopbackHttps, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    online = Ob2Issuer(host.base)
    assertion = online.assertion(22, signed=True)
    token = online.sign(assertion)
    publish(host, online.documents())
    assert verify(capsys, tmp_path, token, "--online")[0] == 0
    assert "/key.json" in host.requests and "/revocations.json" in host.requests
    online.revoked = [assertion["id"]]
    publish(host, {online.list_id: online.revocation_list()})
    code, report, _ = verify(capsys, tmp_path, token, "--online")
    assert code == 1 and codes(report)["status"] == "revoked"
    # without --online nothing is fetched: the same token cannot be verified
    asked = len(host.requests)
    assert verify(capsys, tmp_path, token)[0] == 3 and len(host.requests) == asked
