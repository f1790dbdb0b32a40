"""`vcengine admin`: organizations and API keys on the store, against SQLite and MongoDB
(nx-27017 over the wire), through the CLI's ``main``; every failure is one line and exit code 2."""

from __future__ import annotations

import asyncio
import base64
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.storage.stores import database_name, mongo_uri
from vcengine.cli import main
from vcengine.errors import PermissionDenied
from vcengine.services import organizations
from vcengine.services.context import Services
from vcengine.services.keystore import MasterKey
from vcengine.storage import open_store
from vcengine.storage.mongo import MongoStore

__all__ = ["mongo_uri"]


class Admin:
    """Runs ``vcengine admin …`` against one store (``where``: the --data or --mongodb-uri flags)."""

    def __init__(self, capsys: pytest.CaptureFixture[str], where: list[str], data: Path, uri: str | None):
        self.capsys, self.where, self.data, self.uri = capsys, where, data, uri

    def run(self, *argv: str, where: bool = True) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = main(["admin", *argv, *(self.where if where else [])])
        out, err = self.capsys.readouterr()
        return code, out, err

    def json(self, *argv: str) -> Any:
        code, out, err = self.run(*argv, "--json")
        assert code == 0, err
        return json.loads(out)

    def refused(self, *argv: str, where: bool = True) -> str:
        code, out, err = self.run(*argv, where=where)
        assert code == 2 and out == "", (code, out, err)
        assert err.count("\n") == 1 and err.startswith("vcengine: error: ") and "Traceback" not in err
        return err

    def authenticate(self, key: str) -> Any:
        async def check() -> Any:
            store = open_store(self.data, self.uri)
            await store.start()
            try:
                services = Services(store, MasterKey.unavailable("not needed"), "https://vc.example")
                return await organizations.authenticate(services, key)
            finally:
                await store.close()

        return asyncio.run(check())


@pytest.fixture(params=["sqlite", "mongo"])
def admin(
    request: pytest.FixtureRequest, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> Iterator[Admin]:
    for name in [n for n in os.environ if n.startswith("VCENGINE_")]:
        monkeypatch.delenv(name)
    data = tmp_path / "data"
    if request.param == "sqlite":
        yield Admin(capsys, ["--data", str(data)], data, None)
        return
    uri = f"{request.getfixturevalue('mongo_uri').rstrip('/')}/{database_name()}"
    yield Admin(capsys, ["--mongodb-uri", uri], data, uri)
    asyncio.run(_drop(uri))


async def _drop(uri: str) -> None:
    store = open_store(None, uri)
    assert isinstance(store, MongoStore)
    await store.start()
    await store.drop_database()
    await store.close()


def test_an_operator_recovers_a_leaked_admin_key(admin: Admin) -> None:
    made = admin.json("org", "create", "Acme Academy", "--key-name", "first admin")
    org, leaked = made["organization"], made["key"]
    assert made["apiKey"]["scopes"] == ["admin"] and made["apiKey"]["name"] == "first admin"
    assert made["issuer"] is None and leaked.startswith(f"vce_{made['apiKey']['prefix']}_")
    assert admin.authenticate(leaked).org_id == org["id"]
    assert admin.json("org", "list") == [org]

    fresh = admin.json("keys", "create", "--org", "Acme Academy", "--scopes", "admin", "--name", "ops")
    assert fresh["apiKey"]["createdBy"] is None and admin.authenticate(fresh["key"]).can("admin")
    revoked = admin.json("keys", "revoke", made["apiKey"]["prefix"], "--org", org["id"])
    assert revoked["apiKey"]["revokedAt"] and not revoked["alreadyRevoked"]
    with pytest.raises(PermissionDenied):
        admin.authenticate(leaked)
    again = admin.json("keys", "revoke", leaked, "--org", org["id"])  # the whole key names it too
    assert again["alreadyRevoked"] and again["apiKey"]["revokedAt"] == revoked["apiKey"]["revokedAt"]

    listed = admin.json("keys", "list", "--org", org["id"])
    assert [k["id"] for k in listed] == [made["apiKey"]["id"], fresh["apiKey"]["id"]]
    assert listed[0]["revokedAt"] and listed[1]["revokedAt"] is None and listed[1]["lastUsedAt"]
    assert leaked.rpartition("_")[2] not in json.dumps(listed)
    assert set(listed[0]) == {
        "id",
        "name",
        "prefix",
        "scopes",
        "createdAt",
        "lastUsedAt",
        "revokedAt",
        "createdBy",
    }


def test_keys_are_created_with_the_scopes_asked_and_read_by_people(admin: Admin) -> None:
    admin.json("org", "create", "Beta")
    code, out, err = admin.run(
        "keys", "create", "--org", "Beta", "--scopes", "read,issue", "--scopes", "revoke"
    )
    assert code == 0 and err == ""
    assert "with scopes issue,read,revoke" in out and "shown once" in out
    key = out.strip().splitlines()[-1]
    assert admin.authenticate(key).scopes == {"read", "issue", "revoke"}
    code, out, _ = admin.run("keys", "list", "--org", "Beta")
    header, *rows = out.strip().splitlines()[1:]
    assert header.split() == ["ID", "PREFIX", "NAME", "SCOPES", "CREATED", "LAST", "USED", "STATUS"]
    assert [r.split()[2:4] for r in rows] == [["admin", "admin"], ["operator", "issue,read,revoke"]]
    assert rows[1].split()[-1] == "active" and key not in out
    code, out, _ = admin.run("org", "list")
    assert code == 0 and out.splitlines()[0].split() == ["ID", "NAME", "CREATED"] and "Beta" in out


def test_the_last_admin_key_can_be_revoked_by_the_operator_with_a_warning(admin: Admin) -> None:
    made = admin.json("org", "create", "Gamma")
    code, out, err = admin.run("keys", "revoke", made["apiKey"]["id"], "--org", "Gamma")
    assert code == 0 and f"API key {made['apiKey']['prefix']}" in out and "revoked" in out
    assert "no working admin key" in err and "vcengine admin keys create --org" in err
    with pytest.raises(PermissionDenied):
        admin.authenticate(made["key"])


def test_unknown_ambiguous_and_malformed_input_is_refused_in_one_line(admin: Admin) -> None:
    made = admin.json("org", "create", "Delta")
    admin.json("org", "create", "Twin")
    admin.json("org", "create", "Twin")
    assert "no organization with the id or name 'Nope'" in admin.refused("keys", "list", "--org", "Nope")
    assert "2 organizations are named 'Twin'" in admin.refused("keys", "list", "--org", "Twin")
    assert "no API key" in admin.refused("keys", "revoke", "nokey", "--org", "Delta")
    other = admin.json("org", "list")[1]["id"]
    assert "no API key" in admin.refused("keys", "revoke", made["apiKey"]["id"], "--org", other)
    assert admin.authenticate(made["key"]).org_id == made["organization"]["id"]
    assert "scopes" in admin.refused("keys", "create", "--org", "Delta", "--scopes", "root")
    assert "must not be empty" in admin.refused("org", "create", " ")
    assert len(admin.json("org", "list")) == 3


def test_an_issuer_is_created_only_with_the_servers_master_key(admin: Admin, monkeypatch: Any) -> None:
    if admin.uri is not None:  # MongoDB: its servers share one key, which must be given
        assert "set VCENGINE_MASTER_KEY" in admin.refused("org", "create", "Epsilon", "--issuer", "E")
        assert admin.json("org", "list") == []
        monkeypatch.setenv("VCENGINE_MASTER_KEY", base64.urlsafe_b64encode(os.urandom(32)).decode())
    made = admin.json("org", "create", "Epsilon", "--issuer", "Epsilon issuer")
    assert made["issuer"]["issuerId"].startswith("did:key:z6Mk")
    if admin.uri is None:  # SQLite: created beside the store, as the first `vcengine serve` would
        assert (admin.data / "master.key").stat().st_mode & 0o077 == 0
    monkeypatch.setenv("VCENGINE_MASTER_KEY", base64.urlsafe_b64encode(os.urandom(32)).decode())
    assert "does not open the store's issuer keys" in admin.refused("org", "create", "Zeta", "--issuer", "Z")
    assert [o["name"] for o in admin.json("org", "list")] == ["Epsilon"]


def test_the_store_comes_from_the_environment_like_serve(
    admin: Admin, monkeypatch: Any, tmp_path: Path
) -> None:
    made = admin.json("org", "create", "Eta")
    if admin.uri is None:
        monkeypatch.setenv("VCENGINE_DATA_DIR", str(admin.data))
    else:
        monkeypatch.setenv("VCENGINE_MONGODB_URI", admin.uri)
        monkeypatch.setenv("VCENGINE_DATA_DIR", str(tmp_path / "elsewhere"))  # MongoDB wins, as in serve
    code, out, _ = admin.run("org", "list", "--json", where=False)
    assert code == 0 and json.loads(out) == [made["organization"]]


def test_no_store_at_the_data_directory_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["admin", "org", "list", "--data", str(tmp_path / "typo")])
    err = capsys.readouterr().err
    assert code == 2 and "no vcengine store at" in err and not (tmp_path / "typo").exists()
