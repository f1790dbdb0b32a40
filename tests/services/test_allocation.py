"""The async status index allocator over each real store (SQLite, MongoDB over the wire)."""

from __future__ import annotations

import asyncio
import random
import secrets
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.storage.stores import anyio_backend, make_store, mongo_uri, second_instance, started
from vcengine.core.status import StatusList
from vcengine.errors import StatusListError
from vcengine.services.allocation import Allocation, StatusAllocator
from vcengine.services.ports import Store
from vcengine.storage.mongo import MongoStore
from vcengine.storage.sqlite import SqliteStore

__all__ = ["anyio_backend", "mongo_uri"]

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["sqlite", "mongo"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SqliteStore | MongoStore]:
    async with make_store(request.param, tmp_path, request) as s:
        yield s


def allocator(store: Store, **kw: int) -> StatusAllocator:
    return StatusAllocator(
        store,
        secrets.token_bytes,
        lambda i: f"https://example.org/status/{i}",
        lambda: datetime.now(UTC),
        **kw,
    )


def assert_unique(allocations: list[Allocation], length: int) -> dict[str, set[int]]:
    by_list: dict[str, set[int]] = defaultdict(set)
    for a in allocations:
        assert 0 <= a.index < length
        assert a.index not in by_list[a.list_id], f"index {a.index} of {a.list_id} handed out twice"
        by_list[a.list_id].add(a.index)
    return by_list


async def test_ten_thousand_allocations_never_collide(store: Store) -> None:
    alloc = allocator(store)
    out = [await alloc.allocate("o1", "iss1", "revocation") for _ in range(100)]
    while len(out) < 10_000:
        out += await alloc.allocate_many("o1", "iss1", "revocation", 100)
    by_list = assert_unique(out, 131_072)
    assert len(out) == 10_000 and len(by_list) == 1
    (list_id,) = by_list
    record = await store.get_status_list(list_id)
    assert record is not None and record.url == f"https://example.org/status/{list_id}" == out[0].url
    assert record.length == 131_072 and record.shards == 16 and len(record.permutation_key) == 32
    assert StatusList.decode(record.encoded_list).length == 131_072
    assert sorted(a.index for a in out) != list(range(10_000))  # indexes say nothing of the order


async def test_a_full_list_spills_into_a_new_one(store: Store) -> None:
    alloc = allocator(store, length=64, shards=4)
    out = await alloc.allocate_many("o1", "iss1", "suspension", 200)
    by_list = assert_unique(out, 64)
    assert sorted(len(v) for v in by_list.values()) == [8, 64, 64, 64]
    lists = [await store.get_status_list(i) for i in by_list]
    assert sorted(r.full for r in lists if r) == [False, True, True, True]
    active = await store.active_status_list("o1", "iss1", "suspension")
    assert active is not None and len(by_list[active.id]) == 8 and not active.full
    assert await store.active_status_list("o1", "iss1", "revocation") is None
    other = await alloc.allocate("o2", "iss1", "suspension")  # another org has lists of its own
    assert other.list_id not in by_list


async def test_concurrent_allocators_never_collide(store: Store) -> None:
    length, rng = 300, random.Random(3)
    async with started(second_instance(store)) as other:
        allocators = [allocator(s, length=length, shards=8) for s in (store, store, other, other)]
        calls = [
            allocators[i % 4].allocate_many("o1", "iss1", "revocation", rng.randint(1, 40)) for i in range(60)
        ]
        results = await asyncio.gather(*calls)
    out = [a for batch in results for a in batch]
    by_list = assert_unique(out, length)
    active = await store.active_status_list("o1", "iss1", "revocation")
    assert active is not None
    for list_id, indexes in by_list.items():  # every list but the active one was used up exactly
        assert indexes == set(range(length)) or list_id == active.id
    assert sum(len(v) for v in by_list.values()) == len(out) > 2 * length


def test_shards_must_fit_the_list() -> None:
    with pytest.raises(StatusListError):
        allocator(None, length=4, shards=8)  # type: ignore[arg-type]
