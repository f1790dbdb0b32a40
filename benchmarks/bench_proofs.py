"""Sign and verify, end to end as a user runs them, against the straightforward implementation
in the same loop (interleaved, medians over all rounds; see ``_harness``).

- **sign path** = ``ensure_signable`` (VCDM 2.0 rules + OB 3.0 schema) + ``add_proof``: what
  ``vcengine sign`` and the service run for every credential;
- **full report** = ``verify_credential``: syntax, OB 3.0 schema, proofs, signed graph, issuer
  binding, validity, status entry (offline, so the list itself is "not checked"): what
  ``vcengine verify`` and the VC API run;
- **straightforward** = what most Python code does: ``jsonschema`` validation of the OB 3.0
  schema, then pyld ``normalize`` (URDNA2015) of document and proof configuration with a
  closed-world loader, SHA-256 both, Ed25519 (the output is byte-identical to ours).

Targets: issue 2 (proof alone: eddsa-rdfc-2022 sign <= 0.5 ms, verify <= 0.6 ms); issue 12 (sign
path <= 1.3x ``add_proof``, full report <= 1.3x ``verify_proofs``, end to end >= 20x the
straightforward implementation).

Run: ``.venv/bin/python -m benchmarks.bench_proofs [--quick]``. Single process, one core.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import base58
from jsonschema import Draft201909Validator, FormatChecker
from pyld import jsonld

from benchmarks._harness import Load, Result, interleaved
from vcengine.core.contexts import document_loader
from vcengine.core.keys import KeyPair
from vcengine.core.proofs import vc_jwt
from vcengine.core.proofs.data_integrity import add_proof, verify_proofs
from vcengine.core.resolve import OfflineResolver
from vcengine.core.schema import ensure_signable
from vcengine.core.verify import verify_credential

FIXTURE = Path(__file__).with_name("fixtures") / "ob3-typical.json"
CREATED = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
LOADER = document_loader()


SCHEMA = json.loads(
    (
        Path(__file__).parents[1]
        / "vcengine"
        / "core"
        / "schemas"
        / "ob_v3p0_achievementcredential_schema.json"
    ).read_text(encoding="utf-8")
)
SCHEMA_VALIDATOR = Draft201909Validator(SCHEMA, format_checker=FormatChecker())


def straightforward_sign(doc: dict[str, Any], key: KeyPair, vm: str) -> dict[str, Any]:
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2026-11-27T12:00:00Z",
        "verificationMethod": vm,
        "proofPurpose": "assertionMethod",
    }
    opts = {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": LOADER}
    canon_doc = jsonld.normalize(doc, opts)
    canon_proof = jsonld.normalize({**proof, "@context": doc["@context"]}, opts)
    data = hashlib.sha256(canon_proof.encode()).digest() + hashlib.sha256(canon_doc.encode()).digest()
    return {**doc, "proof": {**proof, "proofValue": "z" + base58.b58encode(key.sign(data)).decode()}}


def straightforward_sign_path(doc: dict[str, Any], key: KeyPair, vm: str) -> dict[str, Any]:
    SCHEMA_VALIDATOR.validate(doc)
    return straightforward_sign(doc, key, vm)


def straightforward_verify(signed: dict[str, Any], key: KeyPair) -> None:
    doc = {k: v for k, v in signed.items() if k != "proof"}
    proof = {k: v for k, v in signed["proof"].items() if k != "proofValue"}
    opts = {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": LOADER}
    canon_doc = jsonld.normalize(doc, opts)
    canon_proof = jsonld.normalize({**proof, "@context": doc["@context"]}, opts)
    data = hashlib.sha256(canon_proof.encode()).digest() + hashlib.sha256(canon_doc.encode()).digest()
    key.public.verify(base58.b58decode(signed["proof"]["proofValue"][1:]), data)


def straightforward_verify_path(signed: dict[str, Any], key: KeyPair) -> None:
    SCHEMA_VALIDATOR.validate(signed)
    straightforward_verify(signed, key)


SUITES = ("eddsa-rdfc-2022", "eddsa-jcs-2022", "Ed25519Signature2020", "vc-jwt")
NAME = "proofs"


def _suite_cases(suite: str, doc: dict[str, Any], key: KeyPair) -> dict[str, Any]:
    """The sign path and the full report of one suite, as callables."""
    resolver = OfflineResolver()
    vm = key.public.did_key_verification_method
    unsigned = {k: v for k, v in doc.items() if k != "proof"}
    if suite == "vc-jwt":
        signed: Any = vc_jwt.sign(doc, key)

        def sign_path() -> Any:
            ensure_signable(unsigned)
            return vc_jwt.sign(unsigned, key)
    else:
        signed = add_proof(doc, key, suite=suite, verification_method=vm, created=CREATED)

        def sign_path() -> Any:
            ensure_signable(unsigned)
            return add_proof(unsigned, key, suite=suite, verification_method=vm, created=CREATED)

    def report() -> Any:
        result = verify_credential(signed, resolver=resolver, now=CREATED)
        assert all(c.outcome != "fail" for c in result.checks), result
        return result

    return {"sign": sign_path, "report": report}


def run(quick: bool = False) -> list[Result]:
    seconds = 2.0 if quick else 8.0
    rounds = 7 if quick else 21
    doc = json.loads(FIXTURE.read_text())
    key = KeyPair.from_seed(bytes(range(32)))
    vm = key.public.did_key_verification_method
    resolver = OfflineResolver()
    unsigned = {k: v for k, v in doc.items() if k != "proof"}
    ours = add_proof(unsigned, key, verification_method=vm, created=CREATED)
    base_signed = straightforward_sign_path(unsigned, key, vm)
    if ours["proof"]["proofValue"] != base_signed["proof"]["proofValue"]:
        raise SystemExit("proofValue differs from the straightforward implementation")
    print(
        f"credential: {FIXTURE.name}, {len(json.dumps(doc))} bytes of JSON; output byte-identical to pyld's"
    )

    def proofs_alone() -> Any:
        results = verify_proofs(ours, resolver)
        assert results[0].outcome == "pass"
        return results

    def full_report() -> Any:
        result = verify_credential(ours, resolver=resolver, now=CREATED)
        assert all(c.outcome != "fail" for c in result.checks), result
        return result

    def sign_path() -> Any:
        ensure_signable(unsigned)
        return add_proof(unsigned, key, verification_method=vm, created=CREATED)

    with Load() as load:
        sign = interleaved(
            {
                "sign path": sign_path,
                "add_proof": lambda: add_proof(unsigned, key, verification_method=vm, created=CREATED),
                "straightforward": lambda: straightforward_sign_path(unsigned, key, vm),
            },
            rounds=rounds,
            seconds=seconds,
        )
        verify = interleaved(
            {
                "full report": full_report,
                "verify_proofs": proofs_alone,
                "straightforward": lambda: straightforward_verify_path(ours, key),
            },
            rounds=rounds,
            seconds=seconds,
        )
        others = {
            suite: interleaved(_suite_cases(suite, doc, key), rounds=max(5, rounds // 3), seconds=seconds / 4)
            for suite in SUITES[1:]
        }
    results = [
        Result.at_most(NAME, "eddsa-rdfc-2022 add_proof alone", sign["add_proof"], "ms", 0.5),
        Result.at_most(NAME, "eddsa-rdfc-2022 verify_proofs alone", verify["verify_proofs"], "ms", 0.6),
        Result(NAME, "eddsa-rdfc-2022 sign path (validate + sign)", sign["sign path"], "ms"),
        Result(NAME, "eddsa-rdfc-2022 full verification report", verify["full report"], "ms"),
        Result.at_most(NAME, "sign path / add_proof", sign["sign path"] / sign["add_proof"], "x", 1.3),
        Result.at_most(
            NAME, "full report / verify_proofs", verify["full report"] / verify["verify_proofs"], "x", 1.3
        ),
        Result.at_least(
            NAME, "straightforward / ours, sign path", sign["straightforward"] / sign["sign path"], "x", 20
        ),
        Result.at_least(
            NAME,
            "straightforward / ours, verify path",
            verify["straightforward"] / verify["full report"],
            "x",
            20,
        ),
        Result.at_least(
            NAME,
            "straightforward / ours, proof alone (sign)",
            sign["straightforward"] / sign["add_proof"],
            "x",
            10,
        ),
    ]
    for suite, timings in others.items():
        results.append(Result(NAME, f"{suite} sign path (validate + sign)", timings["sign"], "ms"))
        results.append(Result(NAME, f"{suite} full verification report", timings["report"], "ms"))
    print(
        f"straightforward: sign path {sign['straightforward']:.3f} ms,"
        f" verify path {verify['straightforward']:.3f} ms"
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
