"""`vcengine serve`: its flags, the first start (generated admin key, master key file) and a restart."""

from __future__ import annotations

import os
import re
import stat
import time
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.e2e.conftest import Served, serve_env
from vcengine.cli import build_parser, main


def test_serve_flags() -> None:
    args = build_parser().parse_args(
        [
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            "9000",
            "--data",
            "d",
            "--base-url",
            "https://b.example",
            "--dev",
        ]
    )
    assert (args.host, args.port, args.data, args.base_url, args.dev) == (
        "127.0.0.1",
        9000,
        "d",
        "https://b.example",
        True,
    )
    defaults = build_parser().parse_args(["serve"])
    assert (defaults.host, defaults.port, defaults.data, defaults.mongodb_uri) == (
        "127.0.0.1",
        8000,
        None,
        None,
    )


def test_server_limit_flags() -> None:
    args = build_parser().parse_args(
        [
            "serve",
            "--header-timeout",
            "2.5",
            "--body-timeout",
            "60",
            "--keep-alive-timeout",
            "1",
            "--max-connections",
            "64",
        ]
    )
    assert (args.header_timeout, args.body_timeout, args.keep_alive_timeout, args.max_connections) == (
        2.5,
        60.0,
        1.0,
        64,
    )
    defaults = build_parser().parse_args(["serve"])
    assert defaults.header_timeout is None and defaults.max_connections is None  # the settings decide


@pytest.mark.parametrize(
    "bad", [["--header-timeout", "0"], ["--body-timeout", "soon"], ["--max-connections", "2.5"]]
)
def test_bad_server_limits_are_usage_errors(bad: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["serve", *bad])
    assert exit_info.value.code == 2
    assert "greater than 0" in capsys.readouterr().err


def test_half_a_tls_configuration_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--ssl-certfile", "cert.pem"]) == 2
    assert "--ssl-keyfile" in capsys.readouterr().err


def test_first_start_prints_the_admin_key_once(tmp_path: Path) -> None:
    first = Served(tmp_path, serve_env())
    try:
        first.wait_ready()
        match = re.search(r"admin API key \(shown once, store it now\): (vce_\S+)", first.output)
        assert match, first.output
        key = match[1]
        assert f"created {tmp_path / 'master.key'}" in first.output
        assert "created issuer did:key:z6Mk" in first.output
        response = httpx.post(
            f"{first.base_url}/graphql",
            json={"query": "{ __typename }"},
            headers={"Authorization": f"Bearer {key}"},
        )
        assert response.status_code == 200 and response.json()["data"]["__typename"] == "Query"
    finally:
        first.stop()
    private = [tmp_path / "master.key", *(tmp_path.glob("vcengine.sqlite3*"))]
    assert len(private) >= 2
    assert {p.name: _mode(p) for p in private} == {p.name: 0o600 for p in private}
    assert _mode(tmp_path) == 0o700
    # loosened by hand (a copy, a restore from backup): tightened at the next start, with a warning
    for path in private:
        os.chmod(path, 0o644)
    os.chmod(tmp_path, 0o755)
    again = Served(tmp_path, serve_env())
    try:
        again.wait_ready()
        assert "admin API key" not in again.output and "created organization" not in again.output
        assert f"read from {tmp_path / 'master.key'}" in again.output
        assert "it was mode 0644, readable by other users: changed to 0600" in again.output
        assert f"{tmp_path / 'vcengine.sqlite3'} was mode 0644, open to other users; changed to 0600" in (
            again.output
        )
    finally:
        again.stop()
    assert all(_mode(p) == 0o600 for p in private if p.exists()) and _mode(tmp_path) == 0o700


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _descendants(root: int) -> set[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                line = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(line[line.rindex(")") + 2 :].split()[1])
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        children = [p for p, parent in parents.items() if parent == pid]
        found.update(children)
        todo.extend(children)
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return state[state.rindex(")") + 2] != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_verification_workers_die_with_a_killed_server(tmp_path: Path) -> None:
    served = Served(tmp_path, serve_env(VCENGINE_VERIFY_WORKERS="2"))
    try:
        served.wait_ready()
        children = _descendants(served.process.pid)
        assert len(children) >= 3  # the fork server and the 2 verification workers it forked
        served.process.kill()  # SIGKILL the server alone: nothing of it can clean up
        served.process.wait()
        deadline = time.monotonic() + 15
        while any(_running(pid) for pid in children):
            assert time.monotonic() < deadline, [pid for pid in children if _running(pid)]
            time.sleep(0.05)
    finally:
        served.stop()
