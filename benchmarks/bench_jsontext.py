"""What strict JSON costs on the verify hot path (issue 7, finding 3), as ratios measured in one run.

``jsontext.loads`` refuses repeated keys, lone surrogates and non-finite numbers, and bounds size
and depth. Baseline: the standard library's ``json.loads`` of the same bytes. Context: one full
offline ``verify_credential`` (eddsa-rdfc-2022) of the same credential, to show the share the
parse takes. The credential is the ~4 KB typical OB 3.0 fixture, as bytes (what the VC API and
GraphQL hand over) and as text (what the CLI hands over), once as written and once with
backslash escapes in it (which make the surrogate scan run).

Run: ``.venv/bin/python benchmarks/bench_jsontext.py``. Single process, one core.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vcengine.core import jsontext
from vcengine.core.keys import KeyPair
from vcengine.core.proofs.data_integrity import add_proof
from vcengine.core.resolve import OfflineResolver
from vcengine.core.verify import verify_credential

FIXTURE = Path(__file__).with_name("fixtures") / "ob3-typical.json"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def best_us(fn: Callable[[], Any], *, number: int, rounds: int = 15) -> float:
    """The fastest of ``rounds`` batches of ``number`` calls, in microseconds per call."""
    fn()
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number * 1e6)
    return best


def main() -> None:
    key = KeyPair.from_seed(bytes(range(32)))
    doc = json.loads(FIXTURE.read_text(encoding="utf-8"))
    doc.pop("proof", None)
    doc.pop("credentialStatus", None)
    doc["issuer"]["id"] = key.public.did_key
    signed = add_proof(doc, key, verification_method=key.public.did_key_verification_method, created=NOW)
    plain = json.dumps(signed, indent=2, ensure_ascii=False)
    escaped = plain.replace("course completion", 'course \\"completion\\"\\n')
    verify_us = best_us(
        lambda: verify_credential(plain, resolver=OfflineResolver(), now=NOW), number=20, rounds=5
    )
    print(f"credential: {len(plain.encode())} bytes; one offline verify: {verify_us:8.1f} us")
    for label, text in (("as written", plain), ("with escapes", escaped)):
        data = text.encode()
        baseline = best_us(lambda: json.loads(data), number=2000)  # noqa: B023
        for kind, value in (("bytes", data), ("str", text)):
            strict = best_us(lambda: jsontext.loads(value), number=2000)  # noqa: B023
            print(
                f"{label:<13} {kind:<5} json.loads {baseline:6.1f} us  jsontext.loads {strict:6.1f} us  "
                f"x{strict / baseline:4.2f}  (+{strict - baseline:4.1f} us = "
                f"{(strict - baseline) / verify_us:6.2%} of a verify)"
            )


if __name__ == "__main__":
    main()
