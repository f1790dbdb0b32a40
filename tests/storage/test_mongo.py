"""What only the MongoDB adapter does: indexes, a server that is not there."""

from __future__ import annotations

import gc
import socket
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.storage.stores import database_name, nx_server, second_instance, started
from tests.storage.test_contract import cred, issued, status_list, transition
from tests.storage.test_jobs_contract import LEASE, at, job
from vcengine.core.status import StatusList
from vcengine.errors import StoreError, StoreUnavailable
from vcengine.services.ports import CredentialInsert, OrganizationRecord
from vcengine.storage._mongo_docs import credential_doc, status_list_doc, transition_doc
from vcengine.storage.mongo import MongoStore

pytestmark = [pytest.mark.anyio, pytest.mark.mongo]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nobody listens once the socket is closed


# PyMongo's background monitor can leave a socket to a dead server for the garbage collector;
# collect it inside the test that caused it, so that it cannot surface as an "unclosed socket"
# warning in whichever later test happens to trigger a collection.
_contain_driver_leaks = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


@_contain_driver_leaks
async def test_an_unreachable_server_fails_fast_and_clearly() -> None:
    store = MongoStore(f"mongodb://user:secret@127.0.0.1:{_closed_port()}", server_selection_timeout=0.3)
    began = time.monotonic()
    with pytest.raises(StoreUnavailable, match=r"unavailable at mongodb://127\.0\.0\.1") as caught:
        await store.start()
    assert time.monotonic() - began < 3
    assert "secret" not in str(caught.value)
    with pytest.raises(StoreError, match="not started"):
        await store.get_organization("o")
    gc.collect()


@_contain_driver_leaks
async def test_the_server_going_away_is_unavailable(tmp_path: Path) -> None:
    with nx_server(tmp_path) as uri:
        store = MongoStore(uri, database_name(), server_selection_timeout=0.3)
        await store.start()
    try:
        with pytest.raises(StoreUnavailable):
            await store.create_organization(OrganizationRecord("o", "O", datetime.now(UTC)))
    finally:
        await store.close()
        gc.collect()


async def test_indexes_back_the_promises(mongo_uri: str) -> None:
    async with started(MongoStore(mongo_uri, database_name()), drop=True) as store:
        db = store._client[store._database]  # type: ignore[index]
        credentials = await db["credentials"].index_information()
        unique = [i for i in credentials.values() if i.get("unique")]
        assert [[k for k, _ in i["key"]] for i in unique] == [["org_id", "idempotency_key"]]
        assert any(i.get("unique") for i in (await db["api_keys"].index_information()).values())
        assert any(i.get("unique") for i in (await db["active_status_lists"].index_information()).values())
        await store.start()  # idempotent


def test_the_uri_is_shown_without_credentials() -> None:
    assert repr(MongoStore("mongodb://u:p@db.example:27017/x?tls=true")) == (
        "MongoStore('mongodb://db.example:27017/x?tls=true', 'vcengine')"
    )


# -- what a process killed between two writes leaves behind --------------------------------------


def _dies_here(*_: object) -> None:
    raise StoreUnavailable("killed")  # as if the process died right after the previous write


async def test_transitions_a_killed_writer_left_in_a_list_are_copied_out(
    mongo_uri: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with started(MongoStore(mongo_uri, database_name()), drop=True) as store:
        for previous, list_id in ((None, "L1"), ("L1", "L2"), ("L2", "L3")):
            await store.open_status_list(status_list(list_id), replacing=previous)
            await store.insert_credential(cred(f"c{list_id}"))
        with monkeypatch.context() as patched:
            patched.setattr(MongoStore, "_copy_out_pending", _dies_here)
            for list_id in ("L1", "L2", "L3"):
                with pytest.raises(StoreUnavailable):
                    await store.save_status_list(
                        status_list(list_id),
                        expected_version=1,
                        transitions=[transition(f"c{list_id}", "revoked", f"e{list_id}")],
                    )
        db = store._client[store._database]  # type: ignore[index]
        assert (await store.get_credential("o1", "cL1")).status == "active"  # type: ignore[union-attr]
        assert await db["events"].count_documents({}) == 0
        # the next read of a list, count_events of the org, or a start: each copies out what was left
        async with started(second_instance(store)) as other:
            assert (await other.get_status_list("L1")).version == 2  # type: ignore[union-attr]
            assert (await store.get_credential("o1", "cL1")).status == "revoked"  # type: ignore[union-attr]
            assert await db["events"].count_documents({"credential_id": "cL1"}) == 1
            assert await other.count_events("o1", "revoked") == 3
        assert await db["status_lists"].count_documents({"pending": {"$exists": True}}) == 0
        for list_id in ("L1", "L2", "L3"):
            record = await store.get_credential("o1", f"c{list_id}")
            assert record is not None and (record.status, record.status_version) == ("revoked", 2)
        # copying out again changes nothing
        await store._copy_out_left_behind("o1")
        assert await store.count_events("o1", "revoked") == 3


async def test_a_late_copy_never_overwrites_a_newer_status(mongo_uri: str) -> None:
    async with started(MongoStore(mongo_uri, database_name()), drop=True) as store:
        await store.open_status_list(status_list("L1"), replacing=None)
        await store.insert_credential(replace(cred("c0"), status="active", status_version=3))
        db = store._client[store._database]  # type: ignore[index]
        stale = transition("c0", "suspended", "e0")
        await db["status_lists"].update_one({"_id": "L1"}, {"$set": {"pending": [transition_doc(stale, 2)]}})
        await store.get_status_list("L1")
        assert await store.get_credential("o1", "c0") == replace(cred("c0"), status_version=3)
        assert await store.count_events("o1", "suspended") == 1  # the event of what did happen


async def test_an_issued_event_a_killed_writer_left_is_copied_out(
    mongo_uri: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with started(MongoStore(mongo_uri, database_name()), drop=True) as store:
        await store.create_organization(OrganizationRecord("o1", "O", datetime.now(UTC)))
        with monkeypatch.context() as patched:
            patched.setattr(MongoStore, "_copy_out_outboxes", _dies_here)
            for i in range(2):
                with pytest.raises(StoreUnavailable):
                    await store.insert_credential(cred(f"c{i}", key=f"k{i}"), issued(f"e{i}", f"c{i}"))
        db = store._client[store._database]  # type: ignore[index]
        assert await db["events"].count_documents({}) == 0
        # the retry of the same request finds the credential; its event is never lost
        assert (await store.insert_credential(cred("c9", key="k0"), issued("e9", "c9"))).id == "c0"
        async with started(second_instance(store)):  # a start copies out what was left
            assert await db["events"].count_documents({"credential_id": {"$in": ["c0", "c1"]}}) == 2
        assert await store.count_events("o1", "issued") == 2
        assert await db["credentials"].count_documents({"outbox": {"$exists": True}}) == 0


async def test_jobs_a_killed_writer_left_in_a_credential_are_claimable(
    mongo_uri: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with started(MongoStore(mongo_uri, database_name()), drop=True) as store:
        await store.create_organization(OrganizationRecord("o1", "O", datetime.now(UTC)))
        with monkeypatch.context() as patched:
            patched.setattr(MongoStore, "_copy_out_outboxes", _dies_here)
            with pytest.raises(StoreUnavailable):
                await store.insert_credential(cred("c0", key="k0"), issued("e0", "c0"), [job("mail-c0")])
        db = store._client[store._database]  # type: ignore[index]
        assert await db["jobs"].count_documents({}) == 0
        (claimed,) = await store.claim_jobs(["email"], at(1), LEASE, 5)  # a claimer copies it out first
        assert claimed.id == "mail-c0"
        assert await store.count_events("o1", "issued") == 1
        assert await db["credentials"].count_documents({"outbox_jobs": {"$exists": True}}) == 0


async def test_a_batch_a_killed_writer_left_keeps_every_event_and_job(
    mongo_uri: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed after its ``insert_many``: the credentials are stored, each carrying its event and
    jobs, and they are copied out later, as for a single insert."""
    async with started(MongoStore(mongo_uri, database_name()), drop=True) as store:
        await store.create_organization(OrganizationRecord("o1", "O", datetime.now(UTC)))
        batch = [
            CredentialInsert(cred(f"c{i}"), issued(f"e{i}", f"c{i}"), [job(f"mail-c{i}")]) for i in range(3)
        ]
        with monkeypatch.context() as patched:
            patched.setattr(MongoStore, "_copy_out_outboxes", _dies_here)
            with pytest.raises(StoreUnavailable):
                await store.insert_credentials(batch)
        db = store._client[store._database]  # type: ignore[index]
        assert await db["events"].count_documents({}) == 0
        assert await store.count_events("o1", "issued") == 3  # the read copies them out first
        assert len(await store.claim_jobs(["email"], at(1), LEASE, 5)) == 3
        assert await db["credentials"].count_documents({"outbox": {"$exists": True}}) == 0


async def test_documents_of_version_1_are_migrated_once(mongo_uri: str) -> None:
    async with started(MongoStore(mongo_uri, database_name()), drop=True) as store:
        db = store._client[store._database]  # type: ignore[index]
        old_list = status_list_doc(replace(status_list("L1"), purpose="suspension"))
        del old_list["revoked_list"]
        await db["status_lists"].insert_one(old_list)
        for i, status in enumerate(["revoked", "suspended"]):
            doc = credential_doc(cred(f"c{i}", status=status, status_list_id="L1", status_index=5 + i))
            del doc["status_version"]
            await db["credentials"].insert_one(doc)
        await db["meta"].delete_many({})
        async with started(second_instance(store)) as other:
            migrated = await other.get_status_list("L1")
            assert migrated is not None
            revoked = StatusList.decode(migrated.revoked_list)
            assert [i for i in range(revoked.length) if revoked.get(i)] == [5]
            assert await db["credentials"].count_documents({"status_version": 0}) == 2
            assert await db["meta"].find_one({"_id": "schema"}) == {"_id": "schema", "version": 3}


async def test_a_version_2_database_moves_to_version_3_keeping_its_documents(mongo_uri: str) -> None:
    """Version 3 rewrites nothing: a list without ``status_size`` has 1-bit entries, and the
    ``meta`` record moves to 3 so that an older vcengine can tell."""
    async with started(MongoStore(mongo_uri, database_name()), drop=True) as store:
        db = store._client[store._database]  # type: ignore[index]
        old_list = status_list_doc(replace(status_list("L1"), purpose="suspension"))
        del old_list["status_size"]
        await db["status_lists"].insert_one(old_list)
        await db["active_status_lists"].insert_one(
            {"org_id": "o1", "issuer_id": "iss1", "purpose": "suspension", "list_id": "L1"}
        )
        kept = cred("c1", status_list_id="L1", status_index=2)
        await db["credentials"].insert_one(credential_doc(kept))
        await db["meta"].update_one({"_id": "schema"}, {"$set": {"version": 2}})
        async with started(second_instance(store)) as other:
            assert await db["meta"].find_one({"_id": "schema"}) == {"_id": "schema", "version": 3}
            assert await other.get_credential("o1", "c1") == kept
            active = await other.active_status_list("o1", "iss1", "suspension")
            assert active is not None and active.id == "L1" and active.status_size == 1
            free = cred("c2", t=1, achievement_id=None)
            assert await other.insert_credential(free) == free
            assert await other.get_credential("o1", "c2") == free


async def test_a_newer_schema_is_refused(mongo_uri: str) -> None:
    async with started(MongoStore(mongo_uri, database_name()), drop=True) as store:
        db = store._client[store._database]  # type: ignore[index]
        await db["meta"].update_one({"_id": "schema"}, {"$set": {"version": 99}})
        with pytest.raises(StoreError, match="newer vcengine"):
            await second_instance(store).start()
