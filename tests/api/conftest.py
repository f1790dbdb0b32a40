"""A real server for the API tests: ``create_app`` under uvicorn on 127.0.0.1 (a free port), in a
thread of the test process, with a fresh embedded store and a known admin API key.

``live_server`` is shared by the whole session (start-up signs keys and opens SQLite once);
tests create their own issuers and achievements through ``LiveServer`` helpers, so they do
not depend on each other.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
import uvicorn

from vcengine.api.app import create_app
from vcengine.api.settings import Secret, Settings

ADMIN_KEY = "vce_testadmin_0123456789abcdefghijABCDEFGHIJ"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    def __init__(self, data_dir: Path, **settings: Any) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.settings = Settings(
            data_dir=data_dir,
            base_url=self.base_url,
            bootstrap_api_key=Secret(ADMIN_KEY),
            **{"dev": False, **settings},
        )
        self.started: Any = None
        app = create_app(self.settings, on_start=self._on_start)
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on", ws="websockets-sansio"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="uvicorn", daemon=True)
        self.client = httpx.Client(base_url=self.base_url, timeout=30)
        self.admin = httpx.Client(
            base_url=self.base_url, timeout=30, headers={"Authorization": f"Bearer {ADMIN_KEY}"}
        )

    def _on_start(self, started: Any) -> None:
        self.started = started

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.client.close()
        self.admin.close()
        self.server.should_exit = True
        self.thread.join(timeout=10)

    # --- GraphQL helpers ----------------------------------------------------------------------

    def gql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.admin.post("/graphql", json={"query": query, "variables": variables or {}})
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    def create_issuer(self, name: str = "Acme Academy", kind: str = "URL") -> dict[str, Any]:
        data = self.gql(
            "mutation($i: CreateIssuerInput!) { createIssuer(input: $i) {"
            " issuer { id issuerId } userErrors { message } } }",
            {"i": {"name": name, "kind": kind, "url": "https://acme.example"}},
        )["createIssuer"]
        assert not data["userErrors"], data
        issuer: dict[str, Any] = data["issuer"]
        return issuer

    def create_achievement(self, issuer_gid: str, name: str = "Python Fundamentals") -> dict[str, Any]:
        data = self.gql(
            "mutation($i: CreateAchievementInput!) { createAchievement(input: $i) {"
            " achievement { id } userErrors { message } } }",
            {
                "i": {
                    "issuerId": issuer_gid,
                    "name": name,
                    "description": "Writes, tests and ships idiomatic Python.",
                    "criteriaNarrative": "Completed all 12 modules and a capstone project.",
                    "achievementType": "Certificate",
                }
            },
        )["createAchievement"]
        assert not data["userErrors"], data
        achievement: dict[str, Any] = data["achievement"]
        return achievement

    def issue(self, achievement_gid: str, **extra: Any) -> dict[str, Any]:
        recipient = extra.pop("recipient", {"email": "ada@example.com", "name": "Ada Lovelace"})
        data = self.gql(
            "mutation($i: IssueCredentialInput!) { issueCredential(input: $i) {"
            " credential { id url status } userErrors { message } } }",
            {"i": {"achievementId": achievement_gid, "recipient": recipient, **extra}},
        )["issueCredential"]
        assert not data["userErrors"], data
        credential: dict[str, Any] = data["credential"]
        return credential

    def revoke(self, credential_gid: str) -> None:
        data = self.gql(
            "mutation($i: RevokeCredentialInput!) { revokeCredential(input: $i) { userErrors { message } } }",
            {"i": {"id": credential_gid}},
        )["revokeCredential"]
        assert not data["userErrors"], data

    def issued_credential(self, **extra: Any) -> dict[str, Any]:
        """A fresh issuer, achievement and credential; returns the credential (id, url, status)."""
        issuer = self.create_issuer()
        achievement = self.create_achievement(issuer["id"])
        return self.issue(achievement["id"], **extra)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path_factory.mktemp("vcengine-data"))
    server.start()
    try:
        yield server
    finally:
        server.stop()
