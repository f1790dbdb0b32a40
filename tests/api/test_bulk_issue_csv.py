"""Issue 10 point 6: bulk issuance from an uploaded CSV over a GraphQL multipart request (the
client is httpx, the server the real app under uvicorn): a dry run reports every problem by line
and issues nothing; the real run issues the good rows."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import ADMIN_KEY, LiveServer
from tests.e2e.conftest import vcengine_command

CSV_MUTATION = """mutation($input: BulkIssueCsvInput!) { bulkIssueCsv(input: $input) {
  dryRun rowCount issuedCount failedCount
  rows { line replayed credential { id recipient { email name } validUntil }
    userErrors { field message code } }
  userErrors { field message code } } }"""


def upload(server: LiveServer, csv: bytes, **options: Any) -> dict[str, Any]:
    operations = {"query": CSV_MUTATION, "variables": {"input": {"file": None, **options}}}
    response = server.admin.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.input.file"]})},
        files={"0": ("learners.csv", csv, "text/csv")},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["bulkIssueCsv"]
    return result


@pytest.fixture(scope="module")
def achievement(live_server: LiveServer) -> str:
    issuer = live_server.create_issuer("Spreadsheet College")
    return str(live_server.create_achievement(issuer["id"], "Spreadsheet Skills")["id"])


def test_a_dry_run_reports_every_problem_by_line_and_issues_nothing(
    live_server: LiveServer, achievement: str
) -> None:
    csv = (
        "email,name,achievement,valid_until,evidence_url\n"
        f"ada@example.com,Ada,{achievement},2031-06-30,https://evidence.example/ada\n"
        f"not-an-email,Bob,{achievement},,\n"
        "\n"
        f"cy@example.com,Cy,{achievement},2031-06-30T10:00,\n"
        "dee@example.com,Dee,QWNoaWV2ZW1lbnQ6bm9wZQ==,,\n"
        f"eve@example.com,Eve,{achievement},,not a url\n"
        f'"fay@example.com","Fay\nSmith",{achievement},2020-01-01,\n'
    ).encode()
    result = upload(live_server, csv, dryRun=True)
    assert (result["dryRun"], result["rowCount"], result["issuedCount"]) == (True, 6, 0)
    problems = {r["line"]: [(e["field"], e["code"]) for e in r["userErrors"]] for r in result["rows"]}
    assert problems == {
        2: [],
        3: [(["email"], "INVALID")],
        5: [(["valid_until"], "INVALID")],
        6: [(["achievement"], "NOT_FOUND")],
        7: [(["evidence_url"], "INVALID")],
        8: [(["valid_until"], "INVALID")],  # in the past; the row started on line 8
    }
    assert all(r["credential"] is None for r in result["rows"])
    assert result["failedCount"] == 5


def test_the_real_run_issues_the_good_rows(live_server: LiveServer, achievement: str) -> None:
    csv = (
        "Email, Name ,Achievement,Valid Until,Idempotency Key\n"
        f"gus@example.com,Gus,{achievement},2031-06-30,sheet-1-gus\n"
        f"bad,Hal,{achievement},,sheet-1-hal\n"
        f"ida@example.com,Ida,{achievement},,sheet-1-ida\n"
    ).encode()
    first = upload(live_server, csv)
    assert (first["issuedCount"], first["failedCount"]) == (2, 1)
    gus = first["rows"][0]["credential"]
    assert gus["recipient"] == {"email": "gus@example.com", "name": "Gus"}
    assert gus["validUntil"].startswith("2031-06-30T23:59:59")
    again = upload(live_server, csv)  # the same sheet again: the idempotency keys hold
    assert again["issuedCount"] == 0 and [r["replayed"] for r in again["rows"]] == [True, False, True]
    assert again["rows"][0]["credential"]["id"] == gus["id"]


@pytest.mark.parametrize(
    ("csv", "message"),
    [
        (b"", "the file is empty"),
        (b"email,achievement\n", "the file has no rows"),
        (b"email,name\nx@example.com,X\n", "line 1: no 'achievement' column"),
        (b"mail,achievement\n", "line 1: unknown column 'mail'"),
        (b"email,achievement\n\xff\xfe,x\n", "the file is not UTF-8"),
    ],
)
def test_an_unusable_file_is_one_clear_error(live_server: LiveServer, csv: bytes, message: str) -> None:
    result = upload(live_server, csv, dryRun=True)
    (error,) = result["userErrors"]
    assert error["field"] == ["input", "csv"] and error["message"].startswith(message)
    assert result["rows"] == []


def vcengine(server: LiveServer, *args: str, key: str | None = ADMIN_KEY) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VCENGINE_")}
    if key is not None:
        env["VCENGINE_API_KEY"] = key
    command = [*vcengine_command(), "issue", "--server", server.base_url, *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


def test_the_cli_checks_then_issues_a_sheet_in_chunks_reporting_lines(
    live_server: LiveServer, achievement: str, tmp_path: Path
) -> None:
    sheet = tmp_path / "learners.csv"
    lines = ["email,name,achievement,idempotency_key"]
    lines += [f"cli{i}@example.com,Learner {i},{achievement},cli-sheet-{i}" for i in range(7)]
    lines.insert(4, "")  # a blank line: skipped, but the line numbers after it still count it
    lines.insert(6, f"oops,Broken,{achievement},cli-sheet-bad")
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")

    dry = vcengine(live_server, "--csv", str(sheet), "--dry-run", "--chunk", "3")
    assert dry.returncode == 1, dry.stderr
    assert dry.stdout.splitlines() == [
        "line 7: email: is not an email address",
        "dry run: 8 rows checked, 1 with problems, nothing issued",
    ]
    assert "8/8 rows" in dry.stderr  # the progress, one line per chunk when stderr is not a terminal

    real = vcengine(live_server, "--csv", str(sheet), "--chunk", "3")
    assert real.returncode == 1
    assert real.stdout.splitlines()[-1] == "issued 7, replayed 0, failed 1 of 8 rows"
    again = vcengine(live_server, "--csv", str(sheet), "--chunk", "5")
    assert again.stdout.splitlines()[-1] == "issued 0, replayed 7, failed 1 of 8 rows"


def test_the_cli_says_what_is_wrong_with_its_input(live_server: LiveServer, tmp_path: Path) -> None:
    sheet = tmp_path / "bad.csv"
    sheet.write_text("mail,achievement\nx@example.com,y\n", encoding="utf-8")
    unusable = vcengine(live_server, "--csv", str(sheet))
    assert unusable.returncode == 2 and "line 1: unknown column 'mail'" in unusable.stderr
    no_key = vcengine(live_server, "--csv", str(sheet), key=None)
    assert no_key.returncode == 2 and "VCENGINE_API_KEY" in no_key.stderr
    wrong_key = vcengine(live_server, "--csv", str(sheet), key="vce_nope_" + "x" * 30)
    assert wrong_key.returncode == 3 and "API key" in wrong_key.stderr
    missing = vcengine(live_server, "--csv", str(tmp_path / "missing.csv"))
    assert missing.returncode == 2 and "missing.csv" in missing.stderr


def test_a_malformed_multipart_request_is_a_400(live_server: LiveServer) -> None:
    operations = json.dumps({"query": CSV_MUTATION, "variables": {"input": {"file": None}}})
    missing = live_server.admin.post(
        "/graphql", data={"operations": operations, "map": json.dumps({"0": ["variables.input.file"]})},
        files={"1": ("x.csv", b"email,achievement\n", "text/csv")},
    )  # fmt: skip
    assert missing.status_code == 400
    broken = live_server.admin.post(
        "/graphql", data={"operations": "{not json", "map": "{}"}, files={"0": ("x.csv", b"", "text/csv")}
    )
    assert broken.status_code == 400 and "JSON" in broken.text
