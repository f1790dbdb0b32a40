"""What a new user meets first (issue 12, point 5), through the real ``vcengine`` command:
keys to stdout or a file (never a secret to a terminal unasked), ``| head`` without a traceback,
help everywhere, ``--version``, the exit codes in ``verify --help``, ``bake`` over a badge that
is already baked, and ``status refresh``."""

from __future__ import annotations

import argparse
import io
import json
import os
import pty
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import VECTORS
from vcengine import __version__
from vcengine.cli import build_parser

BAKED_PNG = VECTORS / "1edtech-validator" / "ob30" / "simple-json.png"


def vcengine(*argv: str, stdin: bytes = b"", timeout: float = 60) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "vcengine", *argv], input=stdin, capture_output=True, timeout=timeout
    )


# --- keys generate ------------------------------------------------------------------------------


def test_keys_generate_without_out_writes_only_the_key_to_stdout_and_the_did_to_stderr() -> None:
    done = vcengine("keys", "generate")
    assert done.returncode == 0, done.stderr
    key = json.loads(done.stdout)  # stdout is the key document and nothing else
    assert key["type"] == "Multikey" and key["secretKeyMultibase"].startswith("z")
    assert done.stderr.decode().strip() == key["controller"]


def _on_a_terminal(*argv: str) -> tuple[int, str]:
    """Run ``vcengine argv`` with stdout on a pseudo-terminal; its exit code and all it wrote."""
    leader, follower = pty.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "vcengine", *argv], stdout=follower, stderr=subprocess.PIPE
        )
        os.close(follower)
        _, err = proc.communicate(timeout=60)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # EIO: the terminal's other side is closed and drained
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(leader)
    return proc.returncode, shown.decode() + err.decode()


def test_keys_generate_refuses_to_print_a_secret_key_to_a_terminal() -> None:
    code, everything = _on_a_terminal("keys", "generate")
    assert code == 2
    assert "refusing to print a secret key to the terminal" in everything and "--out -" in everything
    assert "secretKeyMultibase" not in everything


def test_keys_generate_out_dash_prints_the_key_even_to_a_terminal() -> None:
    code, everything = _on_a_terminal("keys", "generate", "--out", "-")
    assert code == 0
    assert '"secretKeyMultibase"' in everything


# --- pipes, help, version -----------------------------------------------------------------------


def test_a_closed_pipe_ends_quietly_without_a_traceback() -> None:
    """``vcengine verify --jsonl < many | head -1``: the reader leaves; vcengine exits 141, silently."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "vcengine", "verify", "--jsonl"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    proc.stdin.write(b"{}\n" * 5000)  # far more reports than a pipe buffers
    proc.stdin.close()
    first = proc.stdout.readline()
    proc.stdout.close()  # as `head -1` does
    err = proc.stderr.read()
    proc.stderr.close()
    proc.wait(timeout=120)
    assert json.loads(first)["line"] == 1
    assert proc.returncode == 141
    assert b"Traceback" not in err and b"BrokenPipe" not in err, err


def test_vcengine_alone_prints_help() -> None:
    done = vcengine()
    assert done.returncode == 0
    text = done.stdout.decode()
    assert text.startswith("usage: vcengine") and "verify" in text and "keys" in text


def test_version() -> None:
    done = vcengine("--version")
    assert done.returncode == 0 and done.stdout.decode().strip() == f"vcengine {__version__}"


def _walk(parser: argparse.ArgumentParser, path: str) -> list[str]:
    """Every sub-command and option below ``parser`` that has no help text."""
    missing = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, child in action.choices.items():
                if not helps.get(name):
                    missing.append(f"{path} {name}")
                missing += _walk(child, f"{path} {name}")
        elif not isinstance(action, argparse._HelpAction | argparse._VersionAction) and not action.help:
            missing.append(f"{path} {'/'.join(action.option_strings) or action.dest}")
    return missing


def test_every_command_and_option_has_help_text() -> None:
    parser = build_parser()
    assert _walk(parser, "vcengine") == []
    bare = argparse.ArgumentParser()
    bare.add_argument("--undocumented")
    assert _walk(bare, "x") == ["x --undocumented"]  # the walk does find what lacks help


def test_verify_help_lists_the_exit_codes() -> None:
    done = vcengine("verify", "--help")
    text = done.stdout.decode()
    assert done.returncode == 0
    for line in ("0  verified", "1  failed", "2  malformed", "3  indeterminate"):
        assert line in text, text


# --- bake ---------------------------------------------------------------------------------------


def test_bake_says_when_it_replaces_a_baked_credential(tmp_path: Path) -> None:
    credential = tmp_path / "credential.json"
    credential.write_text(json.dumps({"id": "urn:uuid:1", "type": ["VerifiableCredential"]}))
    plain = tmp_path / "plain.png"
    Image.new("RGB", (8, 8), "white").save(plain)

    first = vcengine("bake", str(credential), str(plain), "-o", str(tmp_path / "once.png"))
    assert first.returncode == 0 and b"replacing" not in first.stderr

    again = vcengine("bake", str(credential), str(BAKED_PNG), "-o", str(tmp_path / "twice.png"))
    assert again.returncode == 0
    assert f"replacing the credential already baked into {BAKED_PNG}" in again.stderr.decode()
    unbaked = vcengine("unbake", str(tmp_path / "twice.png"))
    assert json.loads(unbaked.stdout) == json.loads(credential.read_text())


# --- status refresh -----------------------------------------------------------------------------


def test_status_refresh_re_signs_the_list_with_a_new_validity(tmp_path: Path) -> None:
    key = tmp_path / "key.json"
    assert vcengine("keys", "generate", "--out", str(key)).returncode == 0
    state = tmp_path / "list.json"
    url = "https://status.example/lists/1"
    new = vcengine("status", "new", str(state), "--key", str(key), "--url", url, "--ttl", "600")
    assert new.returncode == 0, new.stderr
    assert vcengine("status", "set", str(state), "7", "--key", str(key)).returncode == 0

    refreshed = vcengine("status", "refresh", str(state), "--key", str(key), "--ttl", "7200")
    assert refreshed.returncode == 0, refreshed.stderr
    listed = json.loads(refreshed.stdout)
    span = datetime.fromisoformat(listed["validUntil"]) - datetime.fromisoformat(listed["validFrom"])
    assert span.total_seconds() == 7200
    assert json.loads(state.read_text())["credential"] == listed
    shown = vcengine("status", "show", str(state), "7", "8")
    assert shown.stdout.decode().split("\n")[:2] == ["7: 1", "8: 0"]  # the bits are kept

    verified = vcengine(
        "verify", "--json", "-", "--now", listed["validFrom"], stdin=json.dumps(listed).encode()
    )
    report = json.loads(verified.stdout)
    assert {c["check"]: c["outcome"] for c in report["checks"]}["proof"] == "pass"


def test_status_refresh_of_a_file_that_is_not_a_list_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text("{}")
    key = tmp_path / "key.json"
    assert vcengine("keys", "generate", "--out", str(key)).returncode == 0
    done = vcengine("status", "refresh", str(other), "--key", str(key))
    assert done.returncode == 2 and b"is not a vcengine status list file" in done.stderr
    assert other.read_text() == "{}"


@pytest.fixture(autouse=True)
def _no_stdin_tty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
