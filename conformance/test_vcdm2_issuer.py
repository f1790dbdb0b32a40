"""VC Data Model 2.0 issuer conformance: the cases in ``vcdm2/issuer-cases.json`` (data: a
credential and ``expect``, "sign" or a rule id), through ``vcengine sign`` and through the VC API
``POST /credentials/issue`` of a real server on 127.0.0.1.

- CLI: "sign" → exit 0 and a credential whose proof, signed graph and issuer binding
  ``vcengine verify`` accepts; a rule id → exit
  2, nothing on stdout, the rule id on stderr. Every case with eddsa-rdfc-2022 and eddsa-jcs-2022.
- VC API: "sign" → 201 with a proof; a rule id → 422 problem details whose ``rule`` is that id.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import LiveServer
from vcengine.cli import main
from vcengine.core.rules import RULES

HERE = Path(__file__).resolve().parent
DATA = json.loads((HERE / "vcdm2" / "issuer-cases.json").read_text(encoding="utf-8"))
CASES = DATA["cases"]
ISSUER = DATA["issuer"]
KEY = HERE / "vectors" / "w3c-vc-di-eddsa" / "keyPair.json"
RESOLVE = f"{ISSUER}={HERE / 'resolve' / 'w3c-vc-example-issuer.json'}"
IDS = [case["name"] for case in CASES]


def test_the_cases_cover_every_vcdm2_rule_and_both_outcomes() -> None:
    expected = {case["expect"] for case in CASES}
    assert expected - {"sign"} <= set(RULES)
    vcdm2 = {rule for rule in RULES if rule.startswith("VCDM2-")}
    assert vcdm2 <= expected, sorted(vcdm2 - expected)
    assert sum(case["expect"] == "sign" for case in CASES) >= 10


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_vcengine_sign(
    case: dict[str, Any], suite: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unsigned = tmp_path / "unsigned.json"
    unsigned.write_text(json.dumps(case["credential"]), encoding="utf-8")
    capsys.readouterr()
    code = main(
        ["sign", str(unsigned), "--key", str(KEY), "--suite", suite, "--created", "2024-06-01T00:00:00Z"]
    )
    out, err = capsys.readouterr()
    if case["expect"] != "sign":
        assert (code, out) == (2, ""), err
        assert f"[{case['expect']}]" in err, err
        return
    assert code == 0, err
    signed = tmp_path / "signed.json"
    signed.write_text(out, encoding="utf-8")
    main(["verify", str(signed), "--json", "--resolve", RESOLVE, "--now", "2024-06-02T00:00:00Z"])
    report = json.loads(capsys.readouterr().out)
    outcomes = {check["check"]: check["outcome"] for check in report["checks"]}
    # the proof and what it covers verify; validity and status are the credential's own business
    assert {k: outcomes.get(k) for k in ("syntax", "proof", "signed-graph", "issuer")} == dict.fromkeys(
        ("syntax", "proof", "signed-graph", "issuer"), "pass"
    ), report


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path_factory.mktemp("vcdm2-issuer"))
    live.start()
    try:
        yield live
    finally:
        live.stop()


def with_issuer(value: Any, issuer: str) -> Any:
    """The credential with the cases' issuer replaced by the server's (in ``issuer`` only)."""
    doc = dict(value)
    if doc.get("issuer") == ISSUER:
        doc["issuer"] = issuer
    elif isinstance(doc.get("issuer"), dict) and doc["issuer"].get("id") == ISSUER:
        doc["issuer"] = {**doc["issuer"], "id": issuer}
    return doc


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_vc_api_issue(case: dict[str, Any], server: LiveServer) -> None:
    bootstrap = server.started.bootstrap.issuer
    assert bootstrap is not None
    credential = with_issuer(case["credential"], str(bootstrap.profile["id"]))
    response = server.admin.post("/credentials/issue", json={"credential": credential})
    if case["expect"] == "sign":
        assert response.status_code == 201, response.text
        assert response.json()["verifiableCredential"]["proof"]["proofValue"]
        return
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["rule"] == case["expect"], body
    assert body["spec"] == RULES[case["expect"]].url
