"""``vcengine serve`` as a user starts it: a subprocess on 127.0.0.1, a fresh data directory."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

ADMIN_KEY = "vce_e2eadmin_0123456789abcdefghijABCDEFGHIJ"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def vcengine_command() -> list[str]:
    """The installed ``vcengine`` script next to this interpreter, else ``python -m vcengine``."""
    script = Path(sys.executable).with_name("vcengine")
    if script.exists():
        return [str(script)]
    found = shutil.which("vcengine")
    return [found] if found else [sys.executable, "-m", "vcengine"]


class Served:
    """A running ``vcengine serve``; ``output`` collects what it printed."""

    def __init__(self, data_dir: Path, env: dict[str, str], *extra: str) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        command = [*vcengine_command(), "serve", "--data", str(data_dir), "--port", str(self.port), *extra]
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            start_new_session=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"vcengine serve exited {self.process.returncode}:\n{self.output}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"vcengine serve did not become ready:\n{self.output}")

    def crash(self) -> None:
        """SIGKILL the server and every process it started (its signing workers), as a crash would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reader.join(timeout=5)
        if self.process.stdout is not None:
            self.process.stdout.close()


def graphql(client: httpx.Client, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """Run one GraphQL operation; fail on any error; return the single root field's payload."""
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = next(iter(body["data"].values()))
    assert data.get("userErrors", []) == [], data
    return data


def create_achievement(admin: httpx.Client, issuer_name: str, issuer_url: str, **achievement: str) -> str:
    """Create an issuer and one achievement of it over GraphQL; the achievement's GraphQL id."""
    issuer = graphql(
        admin,
        "mutation($i: CreateIssuerInput!) { createIssuer(input: $i) {"
        " issuer { id } userErrors { message } } }",
        {"i": {"name": issuer_name, "url": issuer_url}},
    )["issuer"]
    created = graphql(
        admin,
        "mutation($i: CreateAchievementInput!) { createAchievement(input: $i) {"
        " achievement { id } userErrors { message } } }",
        {"i": {"issuerId": issuer["id"], **achievement}},
    )["achievement"]
    return str(created["id"])


def serve_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VCENGINE_")}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    server = Served(tmp_path_factory.mktemp("served"), serve_env(VCENGINE_BOOTSTRAP_API_KEY=ADMIN_KEY))
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()
