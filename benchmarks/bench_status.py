"""Bitstring Status List timings against the targets (``python -m benchmarks.bench_status [--quick]``).

Medians over interleaved rounds (``_harness``).

1. decode a 131,072-entry encodedList and read one index ............ target <= 0.2 ms
2. apply a batch of 1,000 changes, re-encode and re-sign the list credential
   (eddsa-rdfc-2022, one signature for the batch); also encode alone ... target <= 20 ms
3. allocate 100,000 indexes (one at a time, and as one batch) ........ target <= 1 s
"""

from __future__ import annotations

import argparse
import random
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import partial

from benchmarks._harness import Load, Result, interleaved
from vcengine.core.keys import KeyPair
from vcengine.core.status import MIN_ENTRIES, StatusList
from vcengine.core.status.allocation import IndexAllocator, MemoryAllocationStore
from vcengine.core.status.publish import publish


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


NAME = "status"


def run(quick: bool = False) -> list[Result]:
    rng = random.Random(2026)
    sparse = StatusList.create().with_changes({rng.randrange(MIN_ENTRIES): 1 for _ in range(200)})
    dense = StatusList.create().with_changes({rng.randrange(MIN_ENTRIES): 1 for _ in range(40_000)})
    batch = {i: 1 for i in rng.sample(range(MIN_ENTRIES), 1000)}
    seconds, rounds = (1.0, 5) if quick else (4.0, 11)

    def allocate_one_by_one() -> None:
        allocator = IndexAllocator(MemoryAllocationStore(), secrets.token_bytes)
        for _ in range(100_000):
            allocator.allocate()

    def allocate_batch() -> None:
        IndexAllocator(MemoryAllocationStore(), secrets.token_bytes).allocate_many(100_000)

    with Load() as load:
        small = interleaved(
            {
                "decode + get, sparse": partial(decode_and_get, sparse.encode()),
                "decode + get, dense": partial(decode_and_get, dense.encode()),
            },
            rounds=rounds,
            seconds=seconds,
        )
        changes = interleaved(
            {
                "encode, sparse": partial(change_and_encode, sparse, batch),
                "encode, dense": partial(change_and_encode, dense, batch),
                "sign, sparse": partial(change_encode_and_sign, sparse, batch),
                "sign, dense": partial(change_encode_and_sign, dense, batch),
            },
            rounds=rounds,
            seconds=seconds * 2,
        )
        allocation = interleaved(
            {"one by one": allocate_one_by_one, "batch": allocate_batch}, rounds=3, seconds=seconds
        )
    results = [
        Result.at_most(NAME, f"decode + get one index, {label}", small[f"decode + get, {label}"], "ms", 0.2)
        for label in ("sparse", "dense")
    ]
    for label in ("sparse", "dense"):
        results.append(
            Result.at_most(NAME, f"1,000 changes + encode ({label})", changes[f"encode, {label}"], "ms", 20)
        )
        results.append(
            Result.at_most(
                NAME, f"1,000 changes + encode + sign ({label})", changes[f"sign, {label}"], "ms", 20
            )
        )
    results.append(
        Result.at_most(NAME, "allocate 100,000 indexes one by one", allocation["one by one"], "ms", 1000)
    )
    results.append(
        Result.at_most(NAME, "allocate 100,000 indexes in one call", allocation["batch"], "ms", 1000)
    )
    for result in results:
        print(result.line())
    print(load.line())
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer rounds (smoke run)")
    run(parser.parse_args().quick)


if __name__ == "__main__":
    main()
