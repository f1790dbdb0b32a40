"""Bitstring Status List timings against the targets (plain script: ``python benchmarks/bench_status.py``).

1. decode a 131,072-entry encodedList and read one index ............ target <= 0.2 ms
2. apply a batch of 1,000 changes, re-encode and re-sign the list credential
   (eddsa-rdfc-2022, one signature for the batch); also encode alone ... target <= 20 ms
3. allocate 100,000 indexes (one at a time, and as one batch) ........ target <= 1 s
"""

from __future__ import annotations

import random
import secrets
import statistics
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import partial

from vcengine.core.keys import KeyPair
from vcengine.core.status import MIN_ENTRIES, StatusList
from vcengine.core.status.allocation import IndexAllocator, MemoryAllocationStore
from vcengine.core.status.publish import publish


def best_ms(run: Callable[[], object], *, repeat: int = 7, number: int = 1) -> tuple[float, float]:
    """(best, median) milliseconds per call over ``repeat`` rounds of ``number`` calls."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        for _ in range(number):
            run()
        times.append((time.perf_counter() - started) * 1000 / number)
    return min(times), statistics.median(times)


def report(name: str, target_ms: float, timing: tuple[float, float]) -> None:
    best, median = timing
    verdict = "OK  " if median <= target_ms else "SLOW"
    print(f"{verdict} {name:<58} best {best:9.3f} ms  median {median:9.3f} ms  target <= {target_ms:g} ms")


def decode_and_get(text: str) -> int:
    return StatusList.decode(text).get(94_567)


def change_and_encode(status_list: StatusList, batch: Mapping[int, int]) -> str:
    return status_list.with_changes(batch).encode()


_KEY = KeyPair.from_seed(bytes(range(32)))
_NOW = datetime(2026, 11, 27, tzinfo=UTC)


def change_encode_and_sign(status_list: StatusList, batch: Mapping[int, int]) -> dict[str, object]:
    return publish(
        status_list.with_changes(batch),
        url="https://issuer.example/status/1",
        issuer=_KEY.public.did_key,
        key=_KEY,
        verification_method=_KEY.public.did_key_verification_method,
        now=_NOW,
    )


def main() -> None:
    rng = random.Random(2026)
    sparse = StatusList.create().with_changes({rng.randrange(MIN_ENTRIES): 1 for _ in range(200)})
    dense = StatusList.create().with_changes({rng.randrange(MIN_ENTRIES): 1 for _ in range(40_000)})
    for label, status_list in (("sparse (200 set)", sparse), ("dense (~35,000 set)", dense)):
        text = status_list.encode()
        report(
            f"decode + get one index, {label}, {len(text)} chars",
            0.2,
            best_ms(partial(decode_and_get, text), number=2000),
        )

    batch = {i: 1 for i in rng.sample(range(MIN_ENTRIES), 1000)}
    for label, status_list in (("sparse", sparse), ("dense", dense)):
        report(
            f"1,000 changes + encode ({label}; excludes the signature)",
            20,
            best_ms(partial(change_and_encode, status_list, batch), number=20),
        )

        report(
            f"1,000 changes + encode + sign the list credential ({label})",
            20,
            best_ms(partial(change_encode_and_sign, status_list, batch), number=20),
        )

    def allocate_one_by_one() -> None:
        allocator = IndexAllocator(MemoryAllocationStore(), secrets.token_bytes)
        for _ in range(100_000):
            allocator.allocate()

    def allocate_batch() -> None:
        IndexAllocator(MemoryAllocationStore(), secrets.token_bytes).allocate_many(100_000)

    report("allocate 100,000 indexes, one call each", 1000, best_ms(allocate_one_by_one, repeat=3))
    report("allocate 100,000 indexes, one allocate_many call", 1000, best_ms(allocate_batch, repeat=3))


if __name__ == "__main__":
    main()
