"""`vcengine issue --csv` as a user runs it: a subprocess against a real uvicorn server, the key in
the environment, exit codes, errors by line, a progress bar from the server's events."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import ADMIN_KEY, LiveServer


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path_factory.mktemp("vcengine-issue-csv"))
    live.start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture(scope="module")
def achievement(server: LiveServer) -> str:
    issuer = server.create_issuer("CLI Academy")
    achievement_id: str = server.create_achievement(issuer["id"], "Command Lines")["id"]
    return achievement_id


def issue(server: LiveServer, *argv: str, key: str | None = ADMIN_KEY) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VCENGINE_API_KEY", "VCENGINE_SERVER")}
    if key is not None:
        env["VCENGINE_API_KEY"] = key
    return subprocess.run(
        [sys.executable, "-m", "vcengine", "issue", "--server", server.base_url, *argv],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def _count(server: LiveServer) -> int:
    """The organization's credentials, counted page by page."""
    total, after = 0, None
    while True:
        page = server.gql(
            "query($after: String) { credentials(first: 100, after: $after) {"
            " edges { node { id } } pageInfo { hasNextPage endCursor } } }",
            {"after": after},
        )["credentials"]
        total += len(page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            return total
        after = page["pageInfo"]["endCursor"]


def test_dry_run_then_issue_then_send_again(server: LiveServer, achievement: str, tmp_path: Path) -> None:
    sheet = tmp_path / "cohort.csv"
    rows = "".join(f"learner{i}@example.com,Learner {i},{achievement}\n" for i in range(600))
    sheet.write_text("email,name,achievement\n" + rows, encoding="utf-8")
    before = _count(server)
    dry = issue(server, "--csv", str(sheet), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.strip() == "600 rows: 600 valid, 0 wrong"
    assert _count(server) == before
    done = issue(server, "--csv", str(sheet))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "600 rows: 600 issued, 0 issued earlier"
    assert "issuing [" in done.stderr and "600/600" in done.stderr  # the progress bar, line by line
    assert _count(server) == before + 600
    again = issue(server, "--csv", str(sheet))
    assert again.returncode == 0 and again.stdout.strip() == "600 rows: 0 issued, 600 issued earlier"
    assert _count(server) == before + 600


def test_bad_rows_exit_1_name_each_line_and_issue_nothing(
    server: LiveServer, achievement: str, tmp_path: Path
) -> None:
    sheet = tmp_path / "typos.csv"
    sheet.write_text(
        f"email,name,achievement\nok@example.com,Ok,{achievement}\nnope,Nope,{achievement}\n",
        encoding="utf-8",
    )
    before = _count(server)
    done = issue(server, "--csv", str(sheet))
    assert done.returncode == 1, done.stderr
    assert "line 3, column email:" in done.stderr
    assert done.stdout.strip() == "2 rows: 1 wrong; nothing was issued"
    assert _count(server) == before
    as_json = issue(server, "--csv", str(sheet), "--json", "--dry-run")
    assert as_json.returncode == 1 and '"validCount": 1' in as_json.stdout


def test_refusals_exit_2(server: LiveServer, achievement: str, tmp_path: Path) -> None:
    sheet = tmp_path / "one.csv"
    sheet.write_text(f"email,achievement\na@example.com,{achievement}\n", encoding="utf-8")
    no_key = issue(server, "--csv", str(sheet), key=None)
    assert no_key.returncode == 2 and "VCENGINE_API_KEY" in no_key.stderr
    wrong_key = issue(server, "--csv", str(sheet), key="vce_nope_nope")
    assert wrong_key.returncode == 2 and "API key" in wrong_key.stderr
    missing = issue(server, "--csv", str(tmp_path / "missing.csv"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr
    columns = tmp_path / "columns.csv"
    columns.write_text("mail,achievement\na@example.com,x\n", encoding="utf-8")
    unknown = issue(server, "--csv", str(columns))
    assert unknown.returncode == 2 and "unknown column 'mail'" in unknown.stderr
    closed = issue(server, "--csv", str(sheet), "--server", "http://127.0.0.1:9")
    assert closed.returncode == 2 and "cannot reach" in closed.stderr
