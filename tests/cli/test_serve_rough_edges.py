"""``vcengine serve`` misconfigured says what is wrong in one line and exits 2 (never a
traceback), and warns when the credential ids it will issue carry a loopback or plain-http URL."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.api.conftest import free_port
from tests.e2e.conftest import ADMIN_KEY, Served, serve_env, vcengine_command
from vcengine.cli.serve import base_url_warning


def serve_failing(tmp_path: Path, env: dict[str, str], *extra: str) -> subprocess.CompletedProcess[str]:
    command = [*vcengine_command(), "serve", "--data", str(tmp_path / "d"), "--port", str(free_port())]
    return subprocess.run([*command, *extra], env=env, capture_output=True, text=True, timeout=60)


def test_a_bad_bootstrap_api_key_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = serve_failing(
        tmp_path, serve_env(VCENGINE_BOOTSTRAP_API_KEY="hunter2"), "--base-url", "https://b.example"
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "vcengine: error: VCENGINE_BOOTSTRAP_API_KEY is not a vcengine API key: an API key reads "
        "vce_<8-32 lowercase letters/digits>_<20-128 letters/digits>"
    ]
    assert "hunter2" not in done.stderr + done.stdout


def test_a_store_that_fails_at_start_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """The store is opened in the app's lifespan (inside uvicorn): still one line, no traceback."""
    uri = "mongodb://nowhere.invalid:1/vcengine?serverSelectionTimeoutMS=300&connectTimeoutMS=300"
    done = serve_failing(tmp_path, serve_env(), "--mongodb-uri", uri, "--base-url", "https://b.example")
    assert done.returncode == 2, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("vcengine: error: MongoDB is unavailable"), errors
    assert "Traceback" not in done.stderr + done.stdout


def test_a_bad_setting_in_the_environment_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = serve_failing(tmp_path, serve_env(VCENGINE_DEV="maybe"))
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "vcengine: error: VCENGINE_DEV must be 1/true/yes/on or 0/false/no/off, not 'maybe'"
    ]


def test_serve_warns_about_a_loopback_base_url(tmp_path: Path) -> None:
    server = Served(tmp_path / "data", serve_env(VCENGINE_BOOTSTRAP_API_KEY=ADMIN_KEY))
    try:
        server.wait_ready()
    finally:
        server.stop()
    assert "vcengine: warning: credential ids will carry the loopback base URL" in server.output
    assert "--allow-http-loopback" in server.output


@pytest.mark.parametrize(
    ("url", "warns"),
    [
        ("http://127.0.0.1:8000", "loopback"),
        ("http://localhost:8000", "loopback"),
        ("https://localhost:8443", "loopback"),
        ("http://[::1]:8000", "loopback"),
        ("http://badges.example.org", "plain-http"),
        ("https://badges.example.org", None),
    ],
)
def test_which_base_urls_are_warned_about(url: str, warns: str | None) -> None:
    warning = base_url_warning(url)
    assert (warning is None) if warns is None else (warning is not None and warns in warning)
