"""Regenerate ``verifier-cases.json``: VCDM 2.0 / VC Data Integrity / Bitstring Status List verifier
cases as data (``python conformance/vcdm2/make_verifier_cases.py``).

Deterministic: keys come from fixed seeds (listed in the output), proofs have a fixed ``created``.
Each case names the normative statement it exercises, the input (a credential or a presentation,
with request options), and the expected verdict, check code and VC API status code. The cases
are run by ``conformance/test_vcdm2_verifier.py`` through the library and through the VC API.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vcengine.core.keys import KeyPair
from vcengine.core.multibase import encode_base58btc
from vcengine.core.proofs import vc_jwt
from vcengine.core.proofs.data_integrity import add_proof

HERE = Path(__file__).resolve().parent
CREATED = datetime(2026, 1, 1, tzinfo=UTC)
ISSUER_SEED, HOLDER_SEED, OTHER_SEED = bytes(range(200, 232)), bytes(range(210, 242)), bytes(range(220, 252))
ISSUER, HOLDER, OTHER = (KeyPair.from_seed(s) for s in (ISSUER_SEED, HOLDER_SEED, OTHER_SEED))
V2 = "https://www.w3.org/ns/credentials/v2"
CRED = "https://www.w3.org/2018/credentials#"
VCDM = "https://www.w3.org/TR/vc-data-model-2.0/"
VCDI = "https://www.w3.org/TR/vc-data-integrity/"


def credential(**changes: Any) -> dict[str, Any]:
    doc = {
        "@context": [V2],
        "id": "urn:uuid:3f8e2a1c-6b4d-4e2f-9a7c-1d5e8b0c2f4a",
        "type": ["VerifiableCredential"],
        "issuer": ISSUER.public.did_key,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": HOLDER.public.did_key, "name": "Ada"},
    }
    doc.update(changes)
    return doc


def sign(doc: dict[str, Any], key: KeyPair = ISSUER, **options: Any) -> dict[str, Any]:
    return add_proof(
        doc, key, verification_method=key.public.did_key_verification_method, created=CREATED, **options
    )


def present(*vcs: dict[str, Any], key: KeyPair = HOLDER, **extra: Any) -> dict[str, Any]:
    vp = {"@context": [V2], "type": ["VerifiablePresentation"], "holder": HOLDER.public.did_key}
    if vcs:
        vp["verifiableCredential"] = list(vcs)
    proof_extra = {"challenge": "c-1", "domain": "https://verifier.example", **extra}
    proof_extra = {k: v for k, v in proof_extra.items() if v is not None}
    return sign(vp, key, proof_purpose="authentication", extra=proof_extra)


def case(
    name: str, spec: str, statement: str, kind: str, data: Any, verdict: str, http: int, **more: Any
) -> dict[str, Any]:
    return {
        "name": name,
        "spec": spec,
        "statement": statement,
        "kind": kind,
        "input": data,
        "expect": {"verdict": verdict, "http": http, **more},
    }


def cases() -> list[dict[str, Any]]:
    good = sign(credential())
    tampered = copy.deepcopy(good)
    tampered["credentialSubject"]["name"] = "Eve"
    set_of_two = sign(good, proof_id="urn:proof:2")
    bad_in_set = copy.deepcopy(set_of_two)
    bad_in_set["proof"][1]["proofValue"] = encode_base58btc(bytes(64))
    chained = sign(
        sign(credential(), proof_id="urn:proof:1"), previous_proof="urn:proof:1", proof_id="urn:proof:2"
    )
    broken_chain = copy.deepcopy(chained)
    broken_chain["proof"][1]["previousProof"] = "urn:proof:missing"
    five = copy.deepcopy(good)
    five["proof"] = [dict(good["proof"], id=f"urn:proof:{i}") for i in range(5)]
    hidden = copy.deepcopy(sign(credential(validUntil="2026-06-01T00:00:00Z")))
    hidden[CRED + "validUntil"] = {
        "@value": hidden.pop("validUntil"),
        "@type": "http://www.w3.org/2001/XMLSchema#dateTime",
    }
    unknown_suite = copy.deepcopy(good)
    unknown_suite["proof"]["cryptosuite"] = "bbs-2023"
    wrong_purpose = sign(credential(), proof_purpose="authentication")
    not_issuer = sign(credential(), OTHER)
    token = vc_jwt.sign(credential(), ISSUER)
    return [
        case(
            "valid eddsa-rdfc-2022",
            VCDI + "#verify-proof",
            "verified is true when the proof verifies",
            "credential",
            good,
            "verified",
            200,
        ),
        case(
            "tampered value",
            VCDI + "#verify-proof",
            "a changed signed value makes verified false",
            "credential",
            tampered,
            "failed",
            400,
            code="bad-proof",
        ),
        case(
            "proof set, both valid",
            VCDI + "#proof-sets",
            "each proof of a set is verified",
            "credential",
            set_of_two,
            "verified",
            200,
        ),
        case(
            "proof set, one invalid",
            VCDI + "#proof-sets",
            "an invalid proof in a set fails the document",
            "credential",
            bad_in_set,
            "failed",
            400,
            code="bad-proof",
        ),
        case(
            "proof chain",
            VCDI + "#proof-chains",
            "previousProof covers the named proof",
            "credential",
            chained,
            "verified",
            200,
        ),
        case(
            "proof chain, missing previous proof",
            VCDI + "#proof-chains",
            "a previousProof that names no proof of the set is an error",
            "credential",
            broken_chain,
            "failed",
            400,
            code="bad-proof",
        ),
        case(
            "too many proofs",
            VCDI + "#verify-proof",
            "vcengine verifies at most 4 proofs (a documented cap)",
            "credential",
            five,
            "failed",
            400,
            code="too-many-proofs",
        ),
        case(
            "unknown cryptosuite",
            VCDI + "#verify-proof",
            "a proof of an unimplemented suite is not verified",
            "credential",
            unknown_suite,
            "indeterminate",
            400,
            code="unsupported-proof",
        ),
        case(
            "wrong proof purpose",
            VCDI + "#proof-purposes",
            "the proof purpose must match the expected purpose (assertionMethod)",
            "credential",
            wrong_purpose,
            "failed",
            400,
            code="bad-proof",
        ),
        case(
            "signed by a key that is not the issuer's",
            VCDM + "#issuer",
            "the signing key must be the issuer's",
            "credential",
            not_issuer,
            "failed",
            400,
            code="issuer-mismatch",
        ),
        case(
            "validUntil re-expressed as a value object",
            VCDM + "#validity-period",
            "the report is read from what was signed (graph-mismatch)",
            "credential",
            hidden,
            "failed",
            400,
            code="graph-mismatch",
        ),
        case(
            "not a credential",
            VCDM + "#verifiable-credentials",
            "type must include VerifiableCredential",
            "credential",
            {**credential(), "type": ["Thing"]},
            "failed",
            422,
        ),
        case(
            "VC-JWT as a compact JWS string",
            VCDM + "#enveloped-verifiable-credentials",
            "a VC-JWT verifies",
            "credential",
            token,
            "verified",
            200,
        ),
        case(
            "VC-JWT as an EnvelopedVerifiableCredential",
            VCDM + "#enveloped-verifiable-credentials",
            "an envelope carries the VC-JWT",
            "credential",
            {
                "@context": V2,
                "id": f"data:application/vc+jwt,{token}",
                "type": "EnvelopedVerifiableCredential",
            },
            "verified",
            200,
        ),
        case(
            "presentation",
            VCDM + "#verifiable-presentations",
            "a holder-signed presentation verifies",
            "presentation",
            present(good),
            "verified",
            200,
            options={"challenge": "c-1", "domain": "https://verifier.example"},
        ),
        case(
            "presentation, wrong challenge",
            VCDI + "#verify-proof",
            "the proof's challenge must equal the verifier's",
            "presentation",
            present(good),
            "failed",
            400,
            code="challenge-mismatch",
            options={"challenge": "c-2"},
        ),
        case(
            "presentation, wrong domain",
            VCDI + "#verify-proof",
            "the proof's domain must include the verifier's",
            "presentation",
            present(good),
            "failed",
            400,
            code="domain-mismatch",
            options={"domain": "https://elsewhere.example"},
        ),
        case(
            "presentation not signed by its holder",
            VCDM + "#verifiable-presentations",
            "the holder signs the presentation",
            "presentation",
            present(good, key=OTHER),
            "failed",
            400,
            code="holder-mismatch",
            options={},
        ),
        case(
            "presentation carrying a tampered credential",
            VCDM + "#verifiable-presentations",
            "every carried credential is verified",
            "presentation",
            present(tampered),
            "failed",
            400,
            options={},
        ),
        case(
            "presentation with an assertion proof",
            VCDI + "#proof-purposes",
            "a presentation proof is for authentication",
            "presentation",
            sign(
                {"@context": [V2], "type": ["VerifiablePresentation"], "holder": HOLDER.public.did_key},
                HOLDER,
            ),
            "failed",
            400,
            code="bad-proof",
            options={},
        ),
        case(
            "not a presentation",
            VCDM + "#verifiable-presentations",
            "type must include VerifiablePresentation",
            "presentation",
            {"@context": [V2], "type": ["Thing"]},
            "failed",
            422,
            options={},
        ),
    ]


def main() -> None:
    out = {
        "about": __doc__.strip().splitlines()[0],
        "keys": {
            "issuer": {"seed": ISSUER_SEED.hex(), "did": ISSUER.public.did_key},
            "holder": {"seed": HOLDER_SEED.hex(), "did": HOLDER.public.did_key},
            "other": {"seed": OTHER_SEED.hex(), "did": OTHER.public.did_key},
        },
        "now": "2026-11-27T12:00:00Z",
        "cases": cases(),
    }
    (HERE / "verifier-cases.json").write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
