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

- a Feistel network on ``w`` bits (``w`` = bit width of ``length - 1``, at least 2), split as
  NIST SP 800-38G FF1 splits odd widths: ``A`` has ``u = w // 2`` bits, ``B`` has ``v = w - u``,
  and the halves alternate; round ``i`` maps ``(A, B)`` to ``(B, A xor F_i(B))``, truncated to
  the width of ``A``. ``ROUNDS`` = 10 (even, so the split is ``(u, v)`` again at the end), as FF1;
- each round function ``F_i`` is a table indexed by ``B``, read from
  SHAKE-256(``DOMAIN || i || key``), a keyed PRF expanded once per list, so evaluating the
  permutation is ten table look-ups;
- cycle walking (Black and Rogaway, "Ciphers with Arbitrary Finite Domains", 2002): apply the
  network again while the result is ``>= length``. ``2^w < 2 * length``, so fewer than two
  passes are expected, and exactly one when ``length`` is a power of two (131,072 = 2^17).

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

from vcengine.core.status.bitstring import MIN_ENTRIES
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
MAX_WIDTH = 32  # lists of up to 2^32 entries

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

    __slots__ = ("_length", "_rounds", "_v")

    def __init__(self, key: bytes, length: int, rounds: int = ROUNDS) -> None:
        if length < 1:
            raise StatusListError("a permutation needs a non-empty domain")
        width = max(2, (length - 1).bit_length())
        if width > MAX_WIDTH:
            raise StatusListError(f"status lists are limited to {1 << MAX_WIDTH} entries")
        if rounds < 2 or rounds % 2:
            raise StatusListError("the Feistel network needs an even number of rounds")
        u, v = width // 2, width - width // 2
        self._length, self._v = length, v
        # round i: B has v bits on even rounds, u bits on odd ones; F_i's output has the other width
        self._rounds = tuple(_round_table(key, i, *((v, u) if i % 2 == 0 else (u, v))) for i in range(rounds))

    def __call__(self, position: int) -> int:
        if not 0 <= position < self._length:
            raise StatusListError(f"position out of range [0, {self._length})")
        v, length, rounds = self._v, self._length, self._rounds
        value = position
        while True:
            a, b = value >> v, value & ((1 << v) - 1)
            for table in rounds:
                a, b = b, a ^ table[b]
            value = (a << v) | b
            if value < length:
                return value


def _round_table(key: bytes, round_number: int, in_bits: int, out_bits: int) -> tuple[int, ...]:
    """F_i as a table: ``2^in_bits`` values of ``out_bits`` bits from SHAKE-256(DOMAIN || i || key)."""
    stream = hashlib.shake_256(DOMAIN + bytes([round_number]) + key).digest(4 << in_bits)
    mask = (1 << out_bits) - 1
    return tuple(int.from_bytes(stream[i : i + 4], "big") & mask for i in range(0, 4 << in_bits, 4))


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
        self._pool: list[int] = []

    def allocate(self) -> Allocation:
        return self.allocate_many(1)[0]

    def allocate_many(self, count: int) -> list[Allocation]:
        """``count`` fresh indexes, possibly spanning lists when one fills up."""
        out: list[Allocation] = []
        while len(out) < count:
            state = self._store.active_list() or self._open(replacing=None)
            shards = self._open_shards.get(state.id)
            if shards is None:
                shards = self._open_shards[state.id] = list(range(state.shards))
            if not shards:
                self._open(replacing=state.id)
                continue
            pick = self._random_below(len(shards))
            positions = state.shard_range(shards[pick])
            claimed = self._store.claim(state.id, shards[pick], count - len(out), len(positions))
            if not claimed:
                shards[pick] = shards[-1]
                shards.pop()
                continue
            permute, base, list_id = self._permutation(state), positions.start, state.id
            out.extend([Allocation(list_id, permute(base + offset)) for offset in claimed])
        return out

    def _random_below(self, n: int) -> int:
        """A random integer in ``[0, n)``; modulo bias < 2^-20 is harmless for a shard choice."""
        if not self._pool:
            chunk = self._random(256)
            self._pool = [int.from_bytes(chunk[i : i + 4], "big") for i in range(0, 256, 4)]
        return self._pool.pop() % n

    def _permutation(self, state: ListState) -> Permutation:
        permutation = self._permutations.get(state.id)
        if permutation is None:
            permutation = self._permutations[state.id] = Permutation(state.key, state.length)
        return permutation

    def _open(self, *, replacing: str | None) -> ListState:
        fresh = ListState(self._random(16).hex(), self._length, self._shards, self._random(32))
        return self._store.open_list(fresh, replacing=replacing)
