from __future__ import annotations

import itertools
import random
import secrets
import threading
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vcengine.core.status import MIN_ENTRIES
from vcengine.core.status.allocation import (
    Allocation,
    IndexAllocator,
    ListState,
    MemoryAllocationStore,
    Permutation,
)
from vcengine.errors import StatusListError


def seeded(seed: int) -> IndexAllocator:
    return IndexAllocator(MemoryAllocationStore(), random.Random(seed).randbytes, length=1000, shards=7)


@settings(max_examples=60, deadline=None)
@given(key=st.binary(min_size=32, max_size=32), length=st.integers(1, 5000))
def test_permutation_is_a_bijection(key: bytes, length: int) -> None:
    permute = Permutation(key, length)
    assert sorted(permute(p) for p in range(length)) == list(range(length))


def test_permutation_depends_on_the_key_and_is_stable() -> None:
    a, b = Permutation(b"a" * 32, MIN_ENTRIES), Permutation(b"b" * 32, MIN_ENTRIES)
    first = [a(p) for p in range(20)]
    assert first == [Permutation(b"a" * 32, MIN_ENTRIES)(p) for p in range(20)]
    assert first != [b(p) for p in range(20)]
    assert first != sorted(first)  # consecutive positions do not give ordered indexes


def test_permutation_limits() -> None:
    with pytest.raises(StatusListError):
        Permutation(b"k" * 32, 0)
    with pytest.raises(StatusListError, match="limited"):
        Permutation(b"k" * 32, 2**32 + 1)
    with pytest.raises(StatusListError, match="out of range"):
        Permutation(b"k" * 32, 10)(10)


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    length=st.integers(1, 1500),
    shards=st.integers(1, 40),
    batches=st.lists(st.integers(1, 400), min_size=1, max_size=12),
)
def test_allocations_never_collide_cover_the_list_then_roll_over(
    seed: int, length: int, shards: int, batches: list[int]
) -> None:
    shards = min(shards, length)
    allocator = IndexAllocator(
        MemoryAllocationStore(), random.Random(seed).randbytes, length=length, shards=shards
    )
    got: list[Allocation] = []
    for size in batches:
        got.extend(allocator.allocate_many(size))
    while len(got) <= length:  # exhaust the first list and step into the next
        got.append(allocator.allocate())
    assert len(set(got)) == len(got)  # never the same (list, index) twice
    lists = list(dict.fromkeys(a.list_id for a in got))
    assert len(lists) >= 2
    first = [a.index for a in got if a.list_id == lists[0]]
    assert sorted(first) == list(range(length))  # the whole first list, exactly once
    assert all(a.list_id == lists[0] for a in got[:length])  # no new list before the old one is full
    assert all(0 <= a.index < length for a in got)


def test_full_default_list_then_new_list_id() -> None:
    allocator = IndexAllocator(MemoryAllocationStore(), secrets.token_bytes)
    got = allocator.allocate_many(MIN_ENTRIES)
    assert len({a.list_id for a in got}) == 1
    assert sorted(a.index for a in got) == list(range(MIN_ENTRIES))
    nxt = allocator.allocate()
    assert nxt.list_id != got[0].list_id and 0 <= nxt.index < MIN_ENTRIES


def test_deterministic_under_a_seed() -> None:
    assert seeded(7).allocate_many(50) == seeded(7).allocate_many(50)
    assert seeded(7).allocate_many(50) != seeded(8).allocate_many(50)


def test_indexes_reveal_no_order() -> None:
    got = [a.index for a in IndexAllocator(MemoryAllocationStore(), secrets.token_bytes).allocate_many(2000)]
    ascending = sum(1 for x, y in itertools.pairwise(got) if y > x)
    assert 800 < ascending < 1200  # ~half, as for a random sequence
    buckets = Counter(i * 8 // MIN_ENTRIES for i in got)
    assert len(buckets) == 8 and min(buckets.values()) > 150  # spread over the whole list


def test_shard_choice_spreads_load() -> None:
    store = MemoryAllocationStore()
    allocator = IndexAllocator(store, secrets.token_bytes, shards=16)
    for _ in range(1600):
        allocator.allocate()
    cursors = list(store._cursors.values())
    assert len(cursors) == 16 and min(cursors) > 40


def test_instances_sharing_a_store_never_collide() -> None:
    store = MemoryAllocationStore()
    results: list[list[Allocation]] = []

    def work(seed: int) -> None:
        allocator = IndexAllocator(store, random.Random(seed).randbytes, length=3000, shards=8)
        results.append([allocator.allocate() for _ in range(1000)] + allocator.allocate_many(600))

    threads = [threading.Thread(target=work, args=(s,)) for s in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    everything = [a for r in results for a in r]
    assert len(everything) == 8000 and len(set(everything)) == 8000
    assert len({a.list_id for a in everything}) == 3  # 8000 over lists of 3000: one list opened at a time


def test_open_list_race_returns_the_winner() -> None:
    store = MemoryAllocationStore()
    first = store.open_list(ListState("a", 10, 1, b"k" * 32), replacing=None)
    loser = store.open_list(ListState("b", 10, 1, b"k" * 32), replacing=None)
    assert first.id == loser.id == "a"
    assert store.open_list(ListState("c", 10, 1, b"k" * 32), replacing="a").id == "c"


def test_key_is_not_in_repr() -> None:
    state = ListState("list-1", 10, 2, b"\x99" * 32)
    assert "key" not in repr(state) and "\\x99" not in repr(state)
    assert [state.shard_range(s) for s in range(2)] == [range(0, 5), range(5, 10)]


def test_shards_must_fit_the_list() -> None:
    with pytest.raises(StatusListError, match="shards"):
        IndexAllocator(MemoryAllocationStore(), secrets.token_bytes, length=4, shards=5)
    with pytest.raises(StatusListError, match="shards"):
        IndexAllocator(MemoryAllocationStore(), secrets.token_bytes, shards=0)


def test_allocating_100_000_never_repeats_an_index() -> None:
    allocator = IndexAllocator(MemoryAllocationStore(), secrets.token_bytes)
    got = [allocator.allocate() for _ in range(100_000)]  # speed: benchmarks/bench_status.py
    assert len({a.index for a in got}) == 100_000
