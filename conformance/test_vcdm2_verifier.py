"""VCDM 2.0 / VC Data Integrity verifier cases as data (``vcdm2/verifier-cases.json``), each run
through the library and through the VC API of a real server (status code and verdict)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import LiveServer
from vcengine.core.dates import parse_date_time
from vcengine.core.presentation import PresentationReport, verify_presentation
from vcengine.core.resolve import OfflineResolver
from vcengine.core.verify import VerificationReport, verify_credential

HERE = Path(__file__).resolve().parent
SUITE = json.loads((HERE / "vcdm2" / "verifier-cases.json").read_text())
CASES = SUITE["cases"]
NOW = parse_date_time(SUITE["now"])


def _codes(report: VerificationReport | PresentationReport) -> set[str | None]:
    codes = {c.code for c in report.checks}
    if isinstance(report, PresentationReport):
        for credential in report.credentials:
            codes |= _codes(credential)
    return codes


def _library(case: dict[str, Any]) -> VerificationReport | PresentationReport:
    options = case["expect"].get("options", {})
    if case["kind"] == "presentation":
        return verify_presentation(
            case["input"],
            resolver=OfflineResolver(),
            now=NOW,
            challenge=options.get("challenge"),
            domain=options.get("domain"),
        )
    return verify_credential(case["input"], resolver=OfflineResolver(), now=NOW)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_library_verdict(case: dict[str, Any]) -> None:
    report = _library(case)
    assert report.verdict == case["expect"]["verdict"], report.to_json()
    if "code" in case["expect"]:
        assert case["expect"]["code"] in _codes(report), report.to_json()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path_factory.mktemp("vcdm2-verifier"))
    live.start()
    try:
        yield live
    finally:
        live.stop()


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_vc_api_status_code(server: LiveServer, case: dict[str, Any]) -> None:
    expect = case["expect"]
    if case["kind"] == "presentation":
        body = {"verifiablePresentation": case["input"], "options": expect.get("options", {})}
        response = server.client.post("/presentations/verify", json=body)
    else:
        response = server.client.post("/credentials/verify", json={"verifiableCredential": case["input"]})
    assert response.status_code == expect["http"], response.text
    if expect["http"] in (200, 400):
        assert response.json()["verified"] is (expect["verdict"] == "verified")


def test_the_cases_cover_every_outcome() -> None:
    assert {c["expect"]["verdict"] for c in CASES} == {"verified", "failed", "indeterminate"}
    assert {c["expect"]["http"] for c in CASES} == {200, 400, 422}
    assert {c["kind"] for c in CASES} == {"credential", "presentation"}
