"""MongoDB: webhook deliveries decided with a status change are kept in the status list document
until copied out, so a process killed in between loses none of them."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.storage.stores import database_name, started
from tests.storage.test_contract import cred, status_list, transition
from tests.storage.test_jobs_contract import LEASE, at
from tests.storage.test_webhooks_contract import delivery
from vcengine.errors import StoreUnavailable
from vcengine.services.ports import EventRecord
from vcengine.storage.mongo import MongoStore

pytestmark = pytest.mark.anyio


def _dies_here(*_: object) -> None:
    raise StoreUnavailable("killed")  # as if the process died right after the previous write


async def test_deliveries_a_killed_writer_left_in_a_list_are_claimable(
    mongo_uri: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with started(MongoStore(mongo_uri, database_name()), drop=True) as store:
        await store.open_status_list(status_list("L1"), replacing=None)
        await store.insert_credential(cred("c0"))
        change = replace(transition("c0", "revoked", "e0"), jobs=(delivery("d-revoked", "w1"),))
        with monkeypatch.context() as patched:
            patched.setattr(MongoStore, "_copy_out_pending", _dies_here)
            with pytest.raises(StoreUnavailable):
                await store.save_status_list(status_list("L1"), expected_version=1, transitions=[change])
        db = store._client[store._database]  # type: ignore[index]
        assert await db["jobs"].count_documents({}) == 0
        (claimed,) = await store.claim_jobs(["webhook.deliver"], at(1), LEASE, 5)  # copied out first
        assert claimed.id == "d-revoked" and claimed.queue == "webhook:w1"
        assert await store.count_events("o1", "revoked") == 1
        assert await db["status_lists"].count_documents({"pending": {"$exists": True}}) == 0


async def test_deliveries_a_killed_writer_left_in_an_event_are_claimable(
    mongo_uri: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with started(MongoStore(mongo_uri, database_name()), drop=True) as store:
        claimed = EventRecord("e-claimed", "o1", "claimed", "c0", at(0), {})
        with monkeypatch.context() as patched:
            patched.setattr(MongoStore, "_copy_out_event_jobs", _dies_here)
            with pytest.raises(StoreUnavailable):
                await store.add_event(claimed, [delivery("d-claimed", "w1")])
        db = store._client[store._database]  # type: ignore[index]
        assert await db["jobs"].count_documents({}) == 0
        (job,) = await store.claim_jobs(["webhook.deliver"], at(1), LEASE, 5)  # copied out first
        assert job.id == "d-claimed"
        assert await db["events"].count_documents({"outbox_jobs": {"$exists": True}}) == 0
