"""Choosing status list indexes: unpredictable, never reused, without a hot counter.

Bitstring Status List v1.0 §2.1 says ``statusListIndex`` SHOULD be assigned randomly and §6
(privacy: herd privacy, correlation) asks that an index tell nothing about issue order or how
many credentials an issuer has issued. https://www.w3.org/TR/vc-bitstring-status-list/#privacy-considerations

Construction
------------
A list gets a random secret ``key`` (32 bytes) and ``shards`` cursors. Its positions
``0 .. length-1`` are cut into ``shards`` contiguous ranges; a shard hands its positions out in
order through an atomic cursor the store keeps (``AllocationStore.claim``). Position ``p``
becomes index ``permute(p)``, a keyed pseudorandom permutation of ``[0, length)``:

- a balanced Feistel network on ``2h`` bits (``h`` = half the bit width of ``length - 1``,
  rounded up) with ``ROUNDS`` = 10 rounds, as NIST SP 800-38G FF1 uses; round ``i`` maps
  ``(L, R)`` to ``(R, L xor F_i(R))``;
- each round function ``F_i`` is a table of ``2^h`` values read from
  SHAKE-256(``DOMAIN || i || key``), a keyed PRF expanded once per list, so evaluating the
  permutation is ten table look-ups;
- cycle walking (Black and Rogaway, "Ciphers with Arbitrary Finite Domains", 2002): apply the
  network again while the result is ``>= length``. ``2^2h < 4 * length``, so fewer than four
  passes are expected (at most two on average for 131,072 entries).

A bijection applied to positions that are each claimed once never yields an index twice; when
every shard is exhausted the list has been handed out exactly once and a new list (new random id,
new key) is opened. Each allocation picks a random shard, so concurrent instances spread over
``shards`` cursors rather than one. Without the key an index says nothing about when it was issued;
the key sits in the store next to the cursors, whose holder knows the issue order anyway.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from vcengine.core.status import MIN_ENTRIES
from vcengine.errors import StatusListError

__all__ = [
    "ROUNDS",
    "Allocation",
    "AllocationStore",
    "IndexAllocator",
    "ListState",
    "MemoryAllocationStore",
    "Permutation",
]

ROUNDS = 10
DOMAIN = b"vcengine/status-allocation/feistel/v1"
MAX_HALF_BITS = 16  # lists of up to 2^32 entries

RandomBytes = Callable[[int], bytes]  # like secrets.token_bytes


@dataclass(frozen=True, slots=True)
class ListState:
    """A status list being allocated from. ``key`` is secret and kept out of ``repr``."""

    id: str
    length: int
    shards: int
    key: bytes = field(repr=False)

    def shard_range(self, shard: int) -> range:
        """The positions (not indexes) shard ``shard`` hands out."""
        return range(shard * self.length // self.shards, (shard + 1) * self.length // self.shards)


@dataclass(frozen=True, slots=True)
class Allocation:
    list_id: str
    index: int


class AllocationStore(Protocol):
    """What allocation needs from storage; every method must be atomic across instances."""

    def active_list(self) -> ListState | None:
        """The list currently allocated from, if any."""
        ...

    def open_list(self, new: ListState, *, replacing: str | None) -> ListState:
        """Make ``new`` active if the active list's id is ``replacing`` (``None``: no list yet).

        Returns the list active afterwards — ``new``, or the one another instance opened first.
        """
        ...

    def claim(self, list_id: str, shard: int, count: int, limit: int) -> range:
        """Advance the cursor of ``(list_id, shard)`` by up to ``count``, never past ``limit``.

        Returns the offsets claimed (``range(cursor, new cursor)``); empty once exhausted.
        """
        ...


class MemoryAllocationStore:
    """An in-process ``AllocationStore``: a lock around two dictionaries."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active: ListState | None = None
        self._cursors: dict[tuple[str, int], int] = {}

    def active_list(self) -> ListState | None:
        return self._active

    def open_list(self, new: ListState, *, replacing: str | None) -> ListState:
        with self._lock:
            current = self._active.id if self._active else None
            if current == replacing:
                self._active = new
            assert self._active is not None
            return self._active

    def claim(self, list_id: str, shard: int, count: int, limit: int) -> range:
        with self._lock:
            start = self._cursors.get((list_id, shard), 0)
            stop = min(start + count, limit)
            self._cursors[(list_id, shard)] = max(start, stop)
            return range(start, stop)


class Permutation:
    """A keyed pseudorandom permutation of ``[0, length)``: Feistel network + cycle walking."""

    __slots__ = ("_half", "_length", "_mask", "_tables")

    def __init__(self, key: bytes, length: int, rounds: int = ROUNDS) -> None:
        if length < 1:
            raise StatusListError("a permutation needs a non-empty domain")
        half = max(1, ((length - 1).bit_length() + 1) // 2)
        if half > MAX_HALF_BITS:
            raise StatusListError(f"status lists are limited to {1 << 2 * MAX_HALF_BITS} entries")
        self._half, self._mask, self._length = half, (1 << half) - 1, length
        self._tables = tuple(self._round_table(key, i) for i in range(rounds))

    def _round_table(self, key: bytes, round_number: int) -> tuple[int, ...]:
        size = 1 << self._half
        stream = hashlib.shake_256(DOMAIN + bytes([round_number]) + key).digest(2 * size)
        return tuple(int.from_bytes(stream[i : i + 2], "big") & self._mask for i in range(0, 2 * size, 2))

    def __call__(self, position: int) -> int:
        if not 0 <= position < self._length:
            raise StatusListError(f"position out of range [0, {self._length})")
        half, mask, length, tables = self._half, self._mask, self._length, self._tables
        value = position
        while True:
            left, right = value >> half, value & mask
            for table in tables:
                left, right = right, left ^ table[right]
            value = (left << half) | right
            if value < length:
                return value


class IndexAllocator:
    """Hands out ``(list id, index)`` pairs; one per process, sharing the ``store``.

    ``random_bytes`` (e.g. ``secrets.token_bytes``) supplies list ids, keys and shard choices.
    ``length`` below ``MIN_ENTRIES`` is allowed here (tests), but ``StatusList.create`` refuses it.
    """

    def __init__(
        self,
        store: AllocationStore,
        random_bytes: RandomBytes,
        *,
        length: int = MIN_ENTRIES,
        shards: int = 16,
    ) -> None:
        if not 1 <= shards <= length:
            raise StatusListError("shards must be between 1 and the list length")
        self._store, self._random = store, random_bytes
        self._length, self._shards = length, shards
        self._permutations: dict[str, Permutation] = {}
        self._open_shards: dict[str, list[int]] = {}

    def allocate(self) -> Allocation:
        return self.allocate_many(1)[0]

    def allocate_many(self, count: int) -> list[Allocation]:
        """``count`` fresh indexes, possibly spanning lists when one fills up."""
        out: list[Allocation] = []
        while len(out) < count:
            state = self._store.active_list() or self._open(replacing=None)
            shards = self._open_shards.setdefault(state.id, list(range(state.shards)))
            if not shards:
                self._open(replacing=state.id)
                continue
            pick = int.from_bytes(self._random(4), "big") % len(shards)  # bias < 2^-20: harmless here
            positions = state.shard_range(shards[pick])
            claimed = self._store.claim(state.id, shards[pick], count - len(out), len(positions))
            if not claimed:
                shards[pick] = shards[-1]
                shards.pop()
                continue
            permute = self._permutation(state)
            base = positions.start
            out.extend(Allocation(state.id, permute(base + offset)) for offset in claimed)
        return out

    def _permutation(self, state: ListState) -> Permutation:
        permutation = self._permutations.get(state.id)
        if permutation is None:
            permutation = self._permutations[state.id] = Permutation(state.key, state.length)
        return permutation

    def _open(self, *, replacing: str | None) -> ListState:
        fresh = ListState(self._random(16).hex(), self._length, self._shards, self._random(32))
        return self._store.open_list(fresh, replacing=replacing)
