"""Issue 7, "leaked API keys": two `vcengine serve` on one store (SQLite data directory, or
MongoDB over the wire). A key revoked through instance A, or with `vcengine admin keys revoke`
while both run, is refused at once by both — over GraphQL and the W3C VC API."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from tests.e2e.conftest import ADMIN_KEY, Served, graphql, serve_env, vcengine_command
from tests.storage.stores import database_name, mongo_uri

__all__ = ["mongo_uri"]

CREATE = """mutation($i: CreateApiKeyInput!) {
  createApiKey(input: $i) { apiKey { id prefix } key userErrors { code } } }"""
REVOKE = """mutation($i: RevokeApiKeyInput!) {
  revokeApiKey(input: $i) { apiKey { revokedAt } userErrors { code } } }"""


def accepted(server: Served, key: str) -> bool:
    """Whether ``key`` authenticates on ``server``: GraphQL and the VC API must agree."""
    auth = {"Authorization": f"Bearer {key}"}
    body = httpx.post(
        f"{server.base_url}/graphql", json={"query": "{ organization { id } }"}, headers=auth, timeout=10
    ).json()
    # an empty credential: 400 or 422 for a working key (the body is wrong) or 403 for one without the
    # issue scope, 401 for a refused one
    status = httpx.post(
        f"{server.base_url}/credentials/issue", json={"credential": {}}, headers=auth, timeout=10
    ).status_code
    graphql_ok = "errors" not in body
    if not graphql_ok:
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", body
    assert status in (400, 401, 403, 422) and (status != 401) == graphql_ok, (status, body)
    return graphql_ok


@pytest.fixture(params=["sqlite", "mongo"])
def store_flags(request: pytest.FixtureRequest) -> list[str]:
    if request.param == "sqlite":
        return []
    return ["--mongodb-uri", f"{request.getfixturevalue('mongo_uri').rstrip('/')}/{database_name()}"]


@pytest.fixture
def instances(tmp_path: Path, store_flags: list[str]) -> Iterator[tuple[Served, Served]]:
    env = serve_env(VCENGINE_BOOTSTRAP_API_KEY=ADMIN_KEY)
    a = Served(tmp_path / "data", env, *store_flags)
    try:
        a.wait_ready()  # (the first start bootstraps; the second then finds the organization)
        b = Served(tmp_path / "data", env, *store_flags)
        try:
            b.wait_ready()
            yield a, b
        finally:
            b.stop()
    finally:
        a.stop()


def admin_cli(tmp_path: Path, store_flags: list[str], *argv: str) -> Any:
    where = store_flags or ["--data", str(tmp_path / "data")]
    done = subprocess.run(
        [*vcengine_command(), "admin", *argv, *where, "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        env=serve_env(),
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_revoked_key_fails_at_once_on_every_instance(
    instances: tuple[Served, Served], tmp_path: Path, store_flags: list[str]
) -> None:
    a, b = instances
    with httpx.Client(base_url=a.base_url, headers={"Authorization": f"Bearer {ADMIN_KEY}"}) as admin:
        ci = graphql(admin, CREATE, {"i": {"name": "ci", "scopes": ["READ", "ISSUE"]}})
        reader = graphql(admin, CREATE, {"i": {"name": "reader", "scopes": ["READ"]}})
        assert accepted(a, ci["key"]) and accepted(b, ci["key"])  # (each instance has seen them)
        assert accepted(a, reader["key"]) and accepted(b, reader["key"])

        revoked = graphql(admin, REVOKE, {"i": {"id": ci["apiKey"]["id"]}})
        assert revoked["apiKey"]["revokedAt"]
        assert not accepted(b, ci["key"]) and not accepted(a, ci["key"])  # no wait, no retry

    [org] = admin_cli(tmp_path, store_flags, "org", "list")
    out = admin_cli(tmp_path, store_flags, "keys", "revoke", reader["apiKey"]["prefix"], "--org", org["id"])
    assert out["apiKey"]["revokedAt"] and not out["alreadyRevoked"]
    assert not accepted(a, reader["key"]) and not accepted(b, reader["key"])
    assert accepted(b, ADMIN_KEY)

    listed = {k["prefix"]: k for k in admin_cli(tmp_path, store_flags, "keys", "list", "--org", org["id"])}
    assert listed[ci["apiKey"]["prefix"]]["revokedAt"] == revoked["apiKey"]["revokedAt"]
    assert (
        listed[ADMIN_KEY.split("_")[1]]["revokedAt"] is None and listed[ADMIN_KEY.split("_")[1]]["lastUsedAt"]
    )
