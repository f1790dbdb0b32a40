"""Status list indexes for new credentials: never the same twice, across API instances.

The async counterpart of ``vcengine.core.status.allocation.IndexAllocator`` over the ``Store``
port (read that module for the construction and the privacy reasoning): each list has a secret
permutation key and ``shards`` cursors; an allocation picks a random shard, claims positions
from its cursor (``Store.claim_positions``, atomic across instances) and maps each position to
an index through the list's keyed permutation. When every shard of the active list is
exhausted, a new list is opened (``Store.open_status_list``: one winner if several instances
try at once, and everyone continues on the winner's list).

Bitstring Status List v1.0 §2.1 (``statusListIndex``) and §6 (herd privacy):
https://www.w3.org/TR/vc-bitstring-status-list/#privacy-considerations
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from vcengine.core.status import MIN_ENTRIES, StatusList
from vcengine.core.status.allocation import Permutation
from vcengine.core.status.bitstring import MAX_STATUS_SIZE
from vcengine.errors import StatusListError
from vcengine.services.ports import StatusListRecord, StatusPurpose, Store

__all__ = ["Allocation", "StatusAllocator"]

Purpose = StatusPurpose
RandomBytes = Callable[[int], bytes]


@dataclass(frozen=True, slots=True)
class Allocation:
    """One fresh entry: ``index`` in the list ``list_id`` published at ``url``."""

    list_id: str
    url: str
    index: int


class StatusAllocator:
    """Hands out status list entries; keep one per process (it caches lists and permutations).

    ``list_url(list_id)`` gives a new list's URL; ``now()`` its ``updated_at``; ``random_bytes``
    (e.g. ``secrets.token_bytes``) its id, its permutation key and the shard choices. ``length``
    below ``MIN_ENTRIES`` is for tests only: such lists fail the herd-privacy minimum.
    """

    def __init__(
        self,
        store: Store,
        random_bytes: RandomBytes,
        list_url: Callable[[str], str],
        now: Callable[[], datetime],
        *,
        length: int = MIN_ENTRIES,
        shards: int = 16,
    ) -> None:
        if not 1 <= shards <= length:
            raise StatusListError("shards must be between 1 and the list length")
        self._store, self._random, self._url, self._now = store, random_bytes, list_url, now
        self._length, self._shards = length, shards
        self._active: dict[tuple[str, str, str, int], StatusListRecord] = {}
        self._open_shards: dict[str, list[int]] = {}
        self._permutations: dict[str, Permutation] = {}
        self._pool: list[int] = []

    async def allocate(
        self, org_id: str, issuer_id: str, purpose: Purpose, *, status_size: int = 1
    ) -> Allocation:
        return (await self.allocate_many(org_id, issuer_id, purpose, 1, status_size=status_size))[0]

    async def allocate_many(
        self, org_id: str, issuer_id: str, purpose: Purpose, count: int, *, status_size: int = 1
    ) -> list[Allocation]:
        """``count`` fresh entries of the issuer's lists of ``purpose`` whose entries have
        ``status_size`` bits, spanning lists as they fill."""
        if not 1 <= status_size <= MAX_STATUS_SIZE:
            raise StatusListError(f"statusSize must be between 1 and {MAX_STATUS_SIZE}")
        key = (org_id, issuer_id, purpose, status_size)
        out: list[Allocation] = []
        while len(out) < count:
            current = await self._current(key)
            shards = self._open_shards.setdefault(current.id, list(range(current.shards)))
            if not shards:
                await self._open(key, replacing=current.id)
                continue
            shard = shards[self._random_below(len(shards))]
            positions = _shard_range(current, shard)
            claimed = await self._store.claim_positions(current.id, shard, count - len(out), len(positions))
            if not claimed:
                if shard in shards:  # another task may have removed it while we waited
                    shards.remove(shard)
                continue
            permute = self._permutation(current)
            out.extend(Allocation(current.id, current.url, permute(positions.start + p)) for p in claimed)
        return out

    async def _current(self, key: tuple[str, str, str, int]) -> StatusListRecord:
        current = self._active.get(key)
        if current is None:
            current = await self._store.active_status_list(*key)
            if current is None:
                return await self._open(key, replacing=None)
            self._active[key] = current
        return current

    async def _open(self, key: tuple[str, str, str, int], *, replacing: str | None) -> StatusListRecord:
        org_id, issuer_id, purpose, status_size = key
        list_id = self._random(16).hex()
        fresh = StatusListRecord(
            id=list_id,
            org_id=org_id,
            issuer_id=issuer_id,
            purpose=purpose,  # type: ignore[arg-type]
            url=self._url(list_id),
            encoded_list=_all_zero(self._length, purpose, status_size),
            version=0,
            updated_at=self._now(),
            permutation_key=self._random(32),
            length=self._length,
            shards=self._shards,
            status_size=status_size,
        )
        active = self._active[key] = await self._store.open_status_list(fresh, replacing=replacing)
        return active

    def _permutation(self, record: StatusListRecord) -> Permutation:
        permutation = self._permutations.get(record.id)
        if permutation is None:
            permutation = self._permutations[record.id] = Permutation(record.permutation_key, record.length)
        return permutation

    def _random_below(self, n: int) -> int:
        """A random integer in ``[0, n)``; modulo bias < 2^-20 is harmless for a shard choice."""
        if not self._pool:
            chunk = self._random(256)
            self._pool = [int.from_bytes(chunk[i : i + 4], "big") for i in range(0, 256, 4)]
        return self._pool.pop() % n


def _shard_range(record: StatusListRecord, shard: int) -> range:
    """The positions (not indexes) shard ``shard`` of the list hands out."""
    return range(shard * record.length // record.shards, (shard + 1) * record.length // record.shards)


def _all_zero(length: int, purpose: str, status_size: int) -> str:
    """The ``encodedList`` of a new list of ``length`` entries of ``status_size`` bits (§3.1):
    at least ``MIN_ENTRIES`` of them in service (shorter lists are for tests). The list holds no
    ``statusMessage``: those belong to each credential's entry (§2.1)."""
    bits = bytes(-(-length * status_size // 8))
    return StatusList(bits, length, status_size, purpose=purpose).encode()
