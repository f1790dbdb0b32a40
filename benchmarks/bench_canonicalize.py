"""Time RDFC-1.0 canonicalization: plain pyld against the fast path, on the OB 3.0 vector.

``.venv/bin/python -m benchmarks.bench_canonicalize [--quick]``. The baseline is what a Python
user writes: ``jsonld.normalize(doc, {"algorithm": "URDNA2015", "format":
"application/n-quads", "documentLoader": loader})`` with the loader built once. Interleaved
rounds, medians (``_harness``); then a whole eddsa-rdfc-2022 sign and verify (canonicalize
document + proof configuration, 2 x SHA-256, Ed25519) with the fast path; for the OB vector
and a ~3.8 KB OB credential.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyld import jsonld

from benchmarks._harness import Load, Result, interleaved
from vcengine.core.canonicalize import rdfc_nquads
from vcengine.core.contexts import document_loader

VECTORS = Path(__file__).resolve().parents[1] / "conformance" / "vectors"
VECTOR = VECTORS / "1edtech-ob-impl-guide" / "ob3-eddsa-rdfc-2022-vector.json"
LARGER = VECTORS / "interop" / "digitalbazaar" / "ob3-results-alignments-evidence.eddsa-rdfc-2022.json"


NAME = "canonicalize"
PYLD_OPTIONS = {
    "algorithm": "URDNA2015",
    "format": "application/n-quads",
    "documentLoader": document_loader(),
}


def pyld_normalize(document: dict[str, Any]) -> str:
    out: str = jsonld.normalize(document, PYLD_OPTIONS)
    return out


def bench(
    label: str, document: dict[str, Any], options: dict[str, Any], key: Any, quick: bool
) -> list[Result]:
    config = {**options, "@context": document["@context"]}
    assert rdfc_nquads(document) == pyld_normalize(document)

    def hash_data() -> bytes:
        proof_hash = hashlib.sha256(rdfc_nquads(config).encode("utf-8")).digest()
        return proof_hash + hashlib.sha256(rdfc_nquads(document).encode("utf-8")).digest()

    signature = key.sign(hash_data())
    public = key.public_key()
    timings = interleaved(
        {
            "pyld": lambda: pyld_normalize(document),
            "fast": lambda: rdfc_nquads(document),
            "sign": lambda: key.sign(hash_data()),
            "verify": lambda: public.verify(signature, hash_data()),
        },
        rounds=5 if quick else 15,
        seconds=2.0 if quick else 6.0,
    )
    size = f"{label}, {len(json.dumps(document))} bytes"
    return [
        Result(NAME, f"pyld jsonld.normalize ({size})", timings["pyld"], "ms"),
        Result(NAME, f"rdfc_nquads ({size})", timings["fast"], "ms"),
        Result.at_least(NAME, f"pyld / rdfc_nquads ({label})", timings["pyld"] / timings["fast"], "x", 10),
        Result(NAME, f"eddsa-rdfc-2022 sign, canonicalize + hash + Ed25519 ({label})", timings["sign"], "ms"),
        Result(
            NAME, f"eddsa-rdfc-2022 verify, canonicalize + hash + Ed25519 ({label})", timings["verify"], "ms"
        ),
    ]


def run(quick: bool = False) -> list[Result]:
    vector = json.loads(VECTOR.read_text(encoding="utf-8"))
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(vector["key"]["private_key_seed_hex"]))
    document = vector["unsigned_credential"]
    config = {**vector["proof_options"], "@context": document["@context"]}
    proof_hash = hashlib.sha256(rdfc_nquads(config).encode("utf-8")).digest()
    doc_hash = hashlib.sha256(rdfc_nquads(document).encode("utf-8")).digest()
    assert key.sign(proof_hash + doc_hash).hex() == vector["expected"]["signature_hex"]
    with Load() as load:
        results = bench("1EdTech guide vector", document, vector["proof_options"], key, quick)
        larger = json.loads(LARGER.read_text(encoding="utf-8"))
        options = {k: v for k, v in larger.pop("proof").items() if k != "proofValue"}
        results += bench("OB 3.0 with results + evidence", larger, options, key, quick)
    for result in results:
        print(result.line())
    print(load.line())
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer rounds (smoke run)")
    run(parser.parse_args().quick)


if __name__ == "__main__":
    main()
