"""What only the SQLite adapter does: files, instances sharing a file, its own failures."""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.storage.stores import started
from tests.storage.test_contract import cred, issued, org, status_list, transition
from vcengine.core.status import StatusList
from vcengine.errors import StoreError
from vcengine.services.ports import CredentialFilter
from vcengine.storage import _sqlite_schema as s
from vcengine.storage.sqlite import SqliteStore

pytestmark = pytest.mark.anyio


async def test_schema_is_versioned_and_start_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "dir" / "vcengine.sqlite3"
    async with started(SqliteStore(path)) as store:
        await store.start()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(3,)]
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    conn.close()
    async with started(SqliteStore(path)):  # reopening keeps one version row
        pass
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM schema_version").fetchone() == (1,)
    conn.close()


async def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "vcengine.sqlite3"
    async with started(SqliteStore(path)):
        pass
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE schema_version SET version = 99")
    conn.close()
    with pytest.raises(StoreError, match="newer vcengine"):
        await SqliteStore(path).start()


async def test_a_store_written_before_the_added_columns_gets_them(tmp_path: Path) -> None:
    path = tmp_path / "vcengine.sqlite3"
    with sqlite3.connect(path) as conn:  # the version 1 api_keys table, as vcengine 0.1 wrote it
        conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        conn.execute("INSERT INTO schema_version VALUES (1)")
        conn.execute(
            "CREATE TABLE api_keys (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, name TEXT NOT NULL,"
            " prefix TEXT NOT NULL UNIQUE, secret_hash TEXT NOT NULL, scopes TEXT NOT NULL,"
            " created_at TEXT NOT NULL, revoked_at TEXT)"
        )
        conn.execute(
            "INSERT INTO api_keys VALUES ('k1', 'o1', 'old', 'old1', 'h', '{\"scopes\":[\"admin\"]}',"
            " '20260101T000000.000000Z', NULL)"
        )
    conn.close()
    used = datetime(2026, 2, 1, tzinfo=UTC)
    async with started(SqliteStore(path)) as store:
        key = await store.get_api_key("o1", "k1")
        assert key is not None and key.created_by is None and key.last_used_at is None
        await store.record_api_key_use("k1", used)
    async with started(SqliteStore(path)) as store:  # a second start changes nothing
        assert (await store.list_api_keys("o1", None, 5)).items == [replace(key, last_used_at=used)]
    with sqlite3.connect(path) as conn:  # (version 2 for the status columns, not for these)
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(3,)]
    conn.close()


async def test_unwritable_location_is_a_clear_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(StoreError, match="data directory"):
        await SqliteStore(blocker / "vcengine.sqlite3").start()
    (tmp_path / "dir.sqlite3").mkdir()
    with pytest.raises(StoreError, match=r"dir\.sqlite3"):
        await SqliteStore(tmp_path / "dir.sqlite3").start()


async def test_not_started_and_closed(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "x.sqlite3")
    with pytest.raises(StoreError, match="not started"):
        await store.get_organization("o")
    await store.start()
    await store.close()
    await store.close()
    with pytest.raises(StoreError, match="not started"):
        await store.get_organization("o")


async def test_a_failure_in_the_middle_of_a_write_rolls_everything_back(tmp_path: Path) -> None:
    path = tmp_path / "vcengine.sqlite3"
    async with started(SqliteStore(path)) as store:
        first = status_list("L1")
        await store.open_status_list(first, replacing=None)
        with sqlite3.connect(path) as conn:  # the third cursor insert of the next open fails
            conn.execute(
                "CREATE TRIGGER fail BEFORE INSERT ON status_cursors WHEN NEW.shard = 2 "
                "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
            )
        conn.close()
        with pytest.raises(StoreError, match="disk on fire"):
            await store.open_status_list(status_list("L2"), replacing="L1")
        assert await store.active_status_list("o1", "iss1", "revocation") == first
        assert await store.get_status_list("L2") is None
        with sqlite3.connect(path) as conn:
            assert conn.execute("SELECT count(*) FROM status_cursors WHERE list_id = 'L2'").fetchone() == (0,)
        conn.close()


async def test_claims_from_two_instances_on_one_file_never_overlap(tmp_path: Path) -> None:
    path = tmp_path / "vcengine.sqlite3"
    async with started(SqliteStore(path)) as a, started(SqliteStore(path)) as b:
        await a.open_status_list(status_list("L1", shards=2), replacing=None)
        claims = [(a, b)[i % 2].claim_positions("L1", i % 2, 3, 200) for i in range(200)]
        ranges = await asyncio.gather(*claims)
    for shard in (0, 1):
        taken = [p for i, r in enumerate(ranges) if i % 2 == shard for p in r]
        assert sorted(taken) == list(range(200))


async def test_a_locked_database_is_unavailable(tmp_path: Path) -> None:
    from vcengine.errors import StoreUnavailable

    path = tmp_path / "vcengine.sqlite3"
    async with started(SqliteStore(path, busy_timeout=0.05)) as store:
        await store.open_status_list(status_list("L1"), replacing=None)
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            with pytest.raises(StoreUnavailable, match=r"busy|locked"):
                await store.claim_positions("L1", 0, 1, 10)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert await store.claim_positions("L1", 0, 1, 10) == range(0, 1)


async def test_a_version_1_file_is_migrated(tmp_path: Path) -> None:
    """Columns added; a suspension list's revoked entries, as its credentials recorded them, are
    pinned in its ``revoked_list`` so that they can never be unsuspended."""
    path = tmp_path / "vcengine.sqlite3"
    suspension = replace(status_list("L1"), purpose="suspension")
    async with started(SqliteStore(path)) as store:
        await store.open_status_list(suspension, replacing=None)
        await store.open_status_list(status_list("L2"), replacing=None)
        for i, status in enumerate(["revoked", "suspended", "active", "revoked"]):
            list_id = "L2" if i == 3 else "L1"
            await store.insert_credential(
                cred(f"c{i}", status=status, status_list_id=list_id, status_index=7 * i)
            )
    with sqlite3.connect(path) as conn:  # what version 1 wrote
        conn.execute("ALTER TABLE credentials DROP COLUMN status_version")
        conn.execute("ALTER TABLE status_lists DROP COLUMN revoked_list")
        conn.execute("UPDATE schema_version SET version = 1")
    conn.close()
    async with started(SqliteStore(path)) as store:
        migrated = await store.get_status_list("L1")
        assert migrated is not None and migrated.revoked_list
        revoked = StatusList.decode(migrated.revoked_list)
        assert [i for i in range(revoked.length) if revoked.get(i)] == [0]
        assert (await store.get_status_list("L2")).revoked_list == ""  # type: ignore[union-attr]
        assert (await store.get_credential("o1", "c1")).status_version == 0  # type: ignore[union-attr]
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(3,)]
    conn.close()


FIXTURES = Path(__file__).parent / "fixtures"


async def test_a_version_2_file_is_migrated_keeping_its_data(tmp_path: Path) -> None:
    """Version 3 makes ``credentials.achievement_id`` nullable (a table rebuild) and gives status
    lists a ``status_size``: every row, key, cursor and index of a version 2 file survives."""
    path = tmp_path / "vcengine.sqlite3"
    kept = cred("c1", key="k1", status="suspended", status_list_id="L1", status_index=3)
    suspension = replace(status_list("L1"), purpose="suspension", version=4)
    with sqlite3.connect(path) as conn:  # a file as version 2 wrote it
        conn.executescript((FIXTURES / "sqlite_schema_v2.sql").read_text())
        conn.execute("INSERT INTO schema_version VALUES (2)")
        conn.execute(
            f"INSERT INTO organizations ({s.ORGANIZATION}) VALUES (?, ?, ?)", s.organization_row(org())
        )
        conn.execute(
            f"INSERT INTO credentials ({s.CREDENTIAL}) VALUES ({s.placeholders(s.CREDENTIAL)})",
            s.credential_row(kept),
        )
        v2_list = s.STATUS_LIST.removesuffix(", status_size")
        conn.execute(
            f"INSERT INTO status_lists ({v2_list}) VALUES ({s.placeholders(v2_list)})",
            s.status_list_row(suspension)[:-1],
        )
        conn.execute("INSERT INTO active_status_lists VALUES ('o1', 'iss1', 'suspension', 'L1')")
        conn.execute("INSERT INTO status_cursors VALUES ('L1', 0, 5)")
        with pytest.raises(sqlite3.IntegrityError):  # what version 2 could not hold
            conn.execute(
                f"INSERT INTO credentials ({s.CREDENTIAL}) VALUES ({s.placeholders(s.CREDENTIAL)})",
                s.credential_row(cred("c0", achievement_id=None)),
            )
    conn.close()
    async with started(SqliteStore(path)) as store:
        assert await store.get_credential("o1", "c1") == kept
        assert await store.get_by_idempotency_key("o1", "k1") == kept
        assert await store.get_status_list("L1") == suspension  # status_size 1
        assert await store.active_status_list("o1", "iss1", "suspension") == suspension
        assert await store.claim_positions("L1", 0, 1, 10) == range(5, 6)
        free = cred("c2", t=1, achievement_id=None)
        assert await store.insert_credential(free) == free
        assert await store.get_credential("o1", "c2") == free
        assert await store.insert_credential(cred("c3", key="k1")) == kept  # still unique per org
        listed = await store.list_credentials("o1", CredentialFilter(), None, 10)
        assert [c.id for c in listed.items] == ["c1", "c2"]
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(3,)]
        indexes = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"credentials_by_org", "credentials_by_achievement"} <= indexes
        assert conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE name = 'credentials_v3'"
        ).fetchone() == (0,)
    conn.close()
    async with started(SqliteStore(path)) as store:  # a second start changes nothing
        assert await store.get_credential("o1", "c2") == free


async def test_a_failure_between_credential_and_event_keeps_neither(tmp_path: Path) -> None:
    """The credential and its issued event are one transaction: if the event cannot be written,
    the credential is not there either; likewise a status list and its transitions."""
    path = tmp_path / "vcengine.sqlite3"
    async with started(SqliteStore(path)) as store:
        await store.open_status_list(status_list("L1"), replacing=None)
        await store.insert_credential(cred("c0"))
        with sqlite3.connect(path) as conn:
            conn.execute(
                "CREATE TRIGGER fail BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
            )
        conn.close()
        with pytest.raises(StoreError, match="disk on fire"):
            await store.insert_credential(cred("c1"), issued("e1", "c1"))
        assert await store.find_credential("c1") is None
        with pytest.raises(StoreError, match="disk on fire"):
            await store.save_status_list(
                status_list("L1"), expected_version=1, transitions=[transition("c0", "revoked", "e2")]
            )
        assert (await store.get_status_list("L1")).version == 1  # type: ignore[union-attr]
        assert (await store.get_credential("o1", "c0")).status == "active"  # type: ignore[union-attr]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@contextmanager
def _umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


async def test_store_files_are_private_whatever_the_umask(tmp_path: Path) -> None:
    """E-mail hashes, API key hashes and permutation keys: 0600 files in a 0700 directory, even
    under a umask of 000 (issue 7, finding 7)."""
    path = tmp_path / "data" / "vcengine.sqlite3"
    with _umask(0):
        async with started(SqliteStore(path)) as store:
            await store.create_organization(org())  # a write: the -wal and -shm files exist
            files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
            assert all(f.exists() for f in files)
            assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
            assert _mode(path.parent) == 0o700


async def test_loose_permissions_are_tightened_at_start_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "data" / "vcengine.sqlite3"
    async with started(SqliteStore(path)) as store:
        await store.create_organization(org())
    files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
    existing = [f for f in files if f.exists()]
    for f in existing:
        os.chmod(f, 0o644)
    os.chmod(path.parent, 0o755)
    with caplog.at_level(logging.WARNING, logger="vcengine"):
        async with started(SqliteStore(path)) as store:
            assert await store.get_organization("o1") is not None
    assert _mode(path.parent) == 0o700
    assert all(_mode(f) == 0o600 for f in files if f.exists())
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    for f in [path.parent, *existing]:
        assert any(str(f) in w and ("0644" in w or "0755" in w) for w in warnings), (f, warnings)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="vcengine"):
        async with started(SqliteStore(path)):
            pass
    assert not caplog.records  # nothing left to fix, nothing said
