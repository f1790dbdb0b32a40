"""``Store.insert_credentials``: a batch of ``insert_credential`` calls as one write, on SQLite
and MongoDB."""

from __future__ import annotations

import asyncio

import pytest

from tests.storage.stores import second_instance, started
from tests.storage.test_contract import cred, issued
from tests.storage.test_jobs_contract import job
from vcengine.errors import Conflict
from vcengine.services.ports import CredentialFilter, CredentialInsert, Store

pytestmark = pytest.mark.anyio


def item(i: str, *, key: str | None = None, mail: bool = False) -> CredentialInsert:
    """Credential ``i`` with its ``issued`` event (``e-i``) and, if ``mail``, a job ``mail-i``."""
    jobs = [job(f"mail-{i}", payload={"credential": i})] if mail else []
    return CredentialInsert(cred(i, key=key), issued(f"e-{i}", i), jobs)


async def stored_ids(store: Store) -> list[str]:
    return [c.id for c in (await store.list_credentials("o1", CredentialFilter(), None, 100)).items]


async def test_a_batch_stores_each_credential_with_its_event_and_jobs(store: Store) -> None:
    bare = CredentialInsert(cred("c3"))
    stored = await store.insert_credentials([item("c1", mail=True), item("c2", key="k2"), bare])
    assert stored == [cred("c1"), cred("c2", key="k2"), cred("c3")]
    assert await stored_ids(store) == ["c1", "c2", "c3"]
    assert await store.count_events("o1", "issued") == 2
    assert await store.get_job("o1", "mail-c1") == job("mail-c1", payload={"credential": "c1"})
    assert await store.insert_credentials([]) == []


async def test_a_used_idempotency_key_returns_the_first_credential_as_a_single_insert_does(
    store: Store,
) -> None:
    first = cred("c0", key="k0")
    await store.insert_credential(first, issued("e-c0", "c0"))
    batch = [item("c1", key="k0", mail=True), item("c2", key="k"), item("c3", key="k", mail=True), item("c4")]
    stored = await store.insert_credentials(batch)
    assert [c.id for c in stored] == ["c0", "c2", "c2", "c4"]
    assert stored[0] == first
    assert await stored_ids(store) == ["c0", "c2", "c4"]
    assert await store.count_events("o1", "issued") == 3  # c0, c2, c4: a replay stores no event
    assert await store.get_job("o1", "mail-c1") is None
    assert await store.get_job("o1", "mail-c3") is None


async def test_a_replayed_batch_returns_what_the_first_one_stored(store: Store) -> None:
    first = await store.insert_credentials([item(f"c{i}", key=f"k{i}", mail=True) for i in range(50)])
    replay = [item(f"r{i}", key=f"k{i}", mail=True) for i in range(50)]
    replay.insert(25, item("new", key="k-new"))
    again = await store.insert_credentials(replay)
    assert again == [*first[:25], cred("new", key="k-new"), *first[25:]]
    assert len(await stored_ids(store)) == 51
    assert await store.count_events("o1", "issued") == 51
    assert await store.get_job("o1", "mail-r0") is None


@pytest.mark.parametrize("clash", ["already stored", "given twice"])
async def test_a_duplicate_id_leaves_nothing_of_the_batch(store: Store, clash: str) -> None:
    kept = cred("c0")
    await store.insert_credential(kept, issued("e-c0", "c0"))
    again = "c1" if clash == "given twice" else "c0"
    batch = [item("c1", key="k1", mail=True), item("c2", mail=True), item(again), item("c4", mail=True)]
    with pytest.raises(Conflict, match=f"credential {again} is {clash}: none of the batch is stored"):
        await store.insert_credentials(batch)
    assert await stored_ids(store) == ["c0"]
    assert await store.get_credential("o1", "c0") == kept
    assert await store.get_by_idempotency_key("o1", "k1") is None
    assert await store.count_events("o1", "issued") == 1
    for i in ("c1", "c2", "c4"):
        assert await store.get_job("o1", f"mail-{i}") is None
    # nothing of it holds on: the same batch without the clash stores whole
    batch[2] = item("c3")
    assert [c.id for c in await store.insert_credentials(batch)] == ["c1", "c2", "c3", "c4"]
    assert await store.count_events("o1", "issued") == 5


async def test_concurrent_batches_from_two_instances_store_one_credential_per_key(store: Store) -> None:
    async with started(second_instance(store)) as other:
        calls = [
            (store, other)[n % 2].insert_credentials([item(f"c{n}-{k}", key=f"k{k}") for k in range(10)])
            for n in range(6)
        ]
        results = await asyncio.gather(*calls)
    for k in range(10):
        assert len({stored[k].id for stored in results}) == 1
    assert len(await stored_ids(store)) == 10
    assert await store.count_events("o1", "issued") == 10
