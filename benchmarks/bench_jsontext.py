"""What strict JSON costs on the verify hot path (issue 7, finding 3), as ratios measured in one run.

``jsontext.loads`` refuses repeated keys, lone surrogates and non-finite numbers, and bounds size
and depth. Baseline: the standard library's ``json.loads`` of the same bytes. Context: one full
offline ``verify_credential`` (eddsa-rdfc-2022) of the same credential, to show the share the
parse takes. The credential is the ~4 KB typical OB 3.0 fixture, as bytes (what the VC API and
GraphQL hand over) and as text (what the CLI hands over), once as written and once with
backslash escapes in it (which make the surrogate scan run).

Run: ``.venv/bin/python -m benchmarks.bench_jsontext [--quick]``. Interleaved rounds, medians
(``_harness``). Single process, one core.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks._harness import Load, Result, interleaved
from vcengine.core import jsontext
from vcengine.core.keys import KeyPair
from vcengine.core.proofs.data_integrity import add_proof
from vcengine.core.resolve import OfflineResolver
from vcengine.core.verify import verify_credential

FIXTURE = Path(__file__).with_name("fixtures") / "ob3-typical.json"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


NAME = "jsontext"


def run(quick: bool = False) -> list[Result]:
    key = KeyPair.from_seed(bytes(range(32)))
    doc = json.loads(FIXTURE.read_text(encoding="utf-8"))
    doc.pop("proof", None)
    doc.pop("credentialStatus", None)
    doc["issuer"]["id"] = key.public.did_key
    signed = add_proof(doc, key, verification_method=key.public.did_key_verification_method, created=NOW)
    plain = json.dumps(signed, indent=2, ensure_ascii=False)
    escaped = plain.replace("course completion", 'course \\"completion\\"\\n')
    cases: dict[str, Any] = {"verify": lambda: verify_credential(plain, resolver=OfflineResolver(), now=NOW)}
    for label, text in (("as written", plain), ("with escapes", escaped)):
        data = text.encode()
        cases[f"json.loads, {label}"] = lambda data=data: json.loads(data)
        cases[f"jsontext.loads bytes, {label}"] = lambda data=data: jsontext.loads(data)
        cases[f"jsontext.loads str, {label}"] = lambda text=text: jsontext.loads(text)
    with Load() as load:
        ms = interleaved(cases, rounds=5 if quick else 15, seconds=1.5 if quick else 6.0)
    print(f"credential: {len(plain.encode())} bytes; one offline verify: {ms['verify']:.3f} ms")
    results = []
    for label in ("as written", "with escapes"):
        baseline = ms[f"json.loads, {label}"]
        for kind in ("bytes", "str"):
            strict = ms[f"jsontext.loads {kind}, {label}"]
            results.append(
                Result(NAME, f"jsontext.loads / json.loads ({kind}, {label})", strict / baseline, "x")
            )
            share = (strict - baseline) / ms["verify"] * 100
            results.append(Result(NAME, f"strict JSON, share of a verify ({kind}, {label})", share, "%"))
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
