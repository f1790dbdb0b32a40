"""Issue 4, "Store unavailable": with the MongoDB store gone, the API answers with a clear error
(no 500, no masked "Unexpected error"), health says so, and nothing is half-written: when the
store comes back, exactly the credentials that were acknowledged exist, and issuing works again.

Runs ``vcengine serve --mongodb-uri`` against nx-27017 (a MongoDB wire-protocol server) on a
file database, which is stopped and started again in the middle of the test.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import httpx2 as httpx

from tests.e2e.conftest import ADMIN_KEY, Served, create_achievement, graphql, serve_env
from tests.storage.stores import _free_port, _nx_executable, _wait_for

ISSUE = (
    "mutation($i: IssueCredentialInput!) { issueCredential(input: $i) {"
    " credential { id } userErrors { message code } } }"
)
LIST = "query { credentials(first: 100) { edges { node { id } } } }"


class Nx:
    """nx-27017 on a file database that survives a stop and a start."""

    def __init__(self, work: Path) -> None:
        self.work, self.port = work, _free_port()
        self.uri = f"mongodb://127.0.0.1:{self.port}/vcengine_outage"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [
            _nx_executable(),
            "--db",
            str(self.work / "mongo.db"),
            "--host",
            "127.0.0.1",
            "-p",
            str(self.port),
            "--log-file",
            str(self.work / "nx.log"),
            "--pid-file",
            str(self.work / "nx.pid"),
        ]
        with open(self.work / "nx-output.txt", "ab") as output:
            self.process = subprocess.Popen(
                command, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        _wait_for(self.process, self.port, self.work / "nx-output.txt")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def _post(client: httpx.Client, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _listed(admin: httpx.Client) -> list[str]:
    return sorted(e["node"]["id"] for e in _post(admin, LIST)["data"]["credentials"]["edges"])


def test_store_outage_is_a_clear_error_and_nothing_is_half_written(tmp_path: Path) -> None:
    nx = Nx(tmp_path)
    nx.start()
    server = Served(
        tmp_path / "data", serve_env(VCENGINE_BOOTSTRAP_API_KEY=ADMIN_KEY), "--mongodb-uri", nx.uri
    )
    admin = httpx.Client(
        base_url=server.base_url, headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=30
    )
    try:
        server.wait_ready()
        assert "MongoDB" in server.output
        achievement_id = create_achievement(
            admin,
            "Outage College",
            "https://outage.example",
            name="Patience",
            description="Waited.",
            criteriaNarrative="Was issued around an outage.",
        )
        item = {"achievementId": achievement_id, "recipient": {"email": "a@outage.example"}}
        first = graphql(admin, ISSUE, {"i": {**item, "idempotencyKey": "before"}})["credential"]
        url = _post(admin, "query($id: ID!) { credential(id: $id) { url } }", {"id": first["id"]})["data"]
        url = url["credential"]["url"]

        nx.stop()
        down = _post(admin, ISSUE, {"i": {**item, "idempotencyKey": "during"}})
        codes = [e.get("extensions", {}).get("code") for e in down.get("errors", [])]
        assert codes == ["STORE_UNAVAILABLE"], down
        assert "unavailable" in down["errors"][0]["message"]
        assert httpx.get(f"{server.base_url}/healthz", timeout=10).status_code == 503
        page = httpx.get(url, headers={"Accept": "application/ld+json"}, timeout=10)
        assert page.status_code == 503 and page.headers["content-type"] == "application/problem+json", (
            page.text
        )

        nx.start()
        assert _listed(admin) == [first["id"]], "the failed call must have written nothing"
        again = graphql(admin, ISSUE, {"i": {**item, "idempotencyKey": "during"}})["credential"]
        assert _listed(admin) == sorted([first["id"], again["id"]])
        assert httpx.get(f"{server.base_url}/healthz", timeout=10).status_code == 200
    finally:
        admin.close()
        server.stop()
        nx.stop()
