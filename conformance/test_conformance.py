"""vcengine's conformance suite: anyone can run it with ``python -m pytest conformance``.

1. Reproduction: canonical N-Quads, hashes and proof values of the W3C vc-di-eddsa vectors and
   the 1EdTech OB 3.0 / CLR 2.0 implementation-guide vectors, byte for byte, through the CLI.
2. Verification: every signed credential and JWT in ``manifest.json`` gets its expected verdict
   (and CLI exit code), and the same credential with one signed value changed fails. Open Badges
   2.0 entries (``"ob2": true``) name the documents their badge links to (hosted assertion, badge
   class, issuer, key, revocation list) and, where known, the expected ``recipient``.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from vcengine.cli import main
from vcengine.core import ob2
from vcengine.core.bake import unbake
from vcengine.core.canonicalize import rdfc_nquads
from vcengine.core.proofs.cryptosuites import ED25519_SIGNATURE_2020, EDDSA_JCS_2022, EDDSA_RDFC_2022
from vcengine.core.resolve import OfflineResolver
from vcengine.core.status.check import status_checker
from vcengine.core.verify import verify_credential
from vcengine.errors import ResolutionError

HERE = Path(__file__).resolve().parent
W3C = HERE / "vectors" / "w3c-vc-di-eddsa"
IMPL = HERE / "vectors" / "1edtech-ob-impl-guide"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
MANIFEST = json.loads((HERE / "manifest.json").read_text())["vectors"]
EXIT = {"verified": 0, "failed": 1, "indeterminate": 3}


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _json(path: Path) -> Any:
    return json.loads(_text(path))


# ---------------------------------------------------------------------------------- reproduction

W3C_SUITES = [
    ("eddsa-rdfc-2022", "eddsa-rdfc-2022", "DataInt", EDDSA_RDFC_2022),
    ("eddsa-jcs-2022", "eddsa-jcs-2022", "JCS", EDDSA_JCS_2022),
    ("Ed25519Signature2020", "Ed25519Signature2020", "EdSig", ED25519_SIGNATURE_2020),
]


@pytest.mark.parametrize(("suite", "folder", "tag", "impl"), W3C_SUITES, ids=[s[0] for s in W3C_SUITES])
def test_w3c_intermediate_values(suite: str, folder: str, tag: str, impl: Any) -> None:
    d = W3C / folder
    signed = _json(d / f"signed{tag}.json")
    unsecured = {k: v for k, v in signed.items() if k != "proof"}
    proof_config = _json(d / f"proofConfig{tag}.json")
    canon_doc = impl.transformation(unsecured)
    canon_proof = impl.proof_configuration(proof_config, unsecured)
    assert canon_doc.decode() == _text(d / f"canonDoc{tag}.txt")
    assert canon_proof.decode() == _text(d / f"proofCanon{tag}.txt")
    assert hashlib.sha256(canon_doc).hexdigest() == _text(d / f"docHash{tag}.txt").strip()
    assert hashlib.sha256(canon_proof).hexdigest() == _text(d / f"proofHash{tag}.txt").strip()
    combined = hashlib.sha256(canon_proof).hexdigest() + hashlib.sha256(canon_doc).hexdigest()
    assert combined == _text(d / f"combinedHash{tag}.txt").strip()


@pytest.mark.parametrize(("suite", "folder", "tag", "impl"), W3C_SUITES, ids=[s[0] for s in W3C_SUITES])
def test_cli_sign_reproduces_w3c_proof_value(
    suite: str, folder: str, tag: str, impl: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    expected = _json(W3C / folder / f"signed{tag}.json")
    unsigned = W3C / "unsigned.json"
    if suite == "Ed25519Signature2020":  # the vector's document already lists the suite context
        unsigned = tmp_path / "unsigned.json"
        unsigned.write_text(json.dumps({**_json(W3C / "unsigned.json"), "@context": expected["@context"]}))
    args = [
        "sign",
        str(unsigned),
        "--key",
        str(W3C / "keyPair.json"),
        "--suite",
        suite,
        "--created",
        "2023-02-24T23:36:38Z",
    ]
    assert main(args) == 0
    signed = json.loads(capsys.readouterr().out)
    assert signed["proof"]["proofValue"] == _text(W3C / folder / f"sigBTC58{tag}.txt").strip()
    assert signed == expected


@pytest.mark.parametrize("name", ["ob3", "clr2"])
def test_1edtech_impl_guide_vector(name: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    vector = _json(IMPL / f"{name}-eddsa-rdfc-2022-vector.json")
    unsigned = vector["unsigned_credential"]
    assert rdfc_nquads(unsigned) == _text(IMPL / vector["canonical_document_file"])
    config = {**vector["proof_options"], "@context": unsigned["@context"]}
    assert rdfc_nquads(config) == _text(IMPL / vector["canonical_proof_config_file"])
    key_file = tmp_path / "key.json"
    key_file.write_text(json.dumps({"secretKeyMultibase": vector["key"]["secretKeyMultibase_as_published"]}))
    unsigned_file = tmp_path / "unsigned.json"
    unsigned_file.write_text(json.dumps(unsigned))
    opts = vector["proof_options"]
    args = [
        "sign",
        str(unsigned_file),
        "--key",
        str(key_file),
        "--created",
        opts["created"],
        "--verification-method",
        opts["verificationMethod"],
    ]
    assert main(args) == 0
    signed = json.loads(capsys.readouterr().out)
    assert signed["proof"]["proofValue"] == vector["expected"]["proofValue"]
    expected = vector["signed_credential"]
    expected_proof = expected["proof"] if isinstance(expected["proof"], list) else [expected["proof"]]
    assert {**signed, "proof": [signed["proof"]]} == {**expected, "proof": expected_proof}


# ---------------------------------------------------------------------------------- verification


def _load_vector(entry: dict[str, Any]) -> str:
    if entry.get("baked"):
        return unbake((HERE / entry["file"]).read_bytes()).text
    text = _text(HERE / entry["file"])
    if "pointer" in entry:
        return json.dumps(json.loads(text)[entry["pointer"]])
    return text


def _resolver(entry: dict[str, Any]) -> OfflineResolver:
    return OfflineResolver({url: _json(HERE / f) for url, f in entry["resolve"].items()})


def _status(entry: dict[str, Any], keys: OfflineResolver) -> Any:
    lists = {url: _json(HERE / f) for url, f in entry.get("status_lists", {}).items()}
    if not lists:
        return None

    def fetch(url: str) -> Any:
        if url not in lists:
            raise ResolutionError(f"{url} not supplied")
        return lists[url]

    return status_checker(fetch, keys)


def _verify(text: str, entry: dict[str, Any], *, bare: bool = False) -> Any:
    """The report for ``text`` with the entry's documents (none when ``bare``)."""
    if entry.get("ob2"):
        presented = ob2.detect(text)
        assert presented is not None, entry["name"]
        documents = {} if bare else {url: _json(HERE / f) for url, f in entry["resolve"].items()}
        return ob2.verify_ob2(
            presented, documents=ob2.MappedDocuments(documents), now=NOW, recipient=entry.get("recipient")
        )
    keys = OfflineResolver() if bare else _resolver(entry)
    return verify_credential(text, resolver=keys, now=NOW, status=_status(entry, keys))


def _tamper(text: str) -> str:
    """Change one signed value: the last character of the credential id (or, for a JWT, of its
    payload's ``jti``/``id``), keeping the document well formed so only the signature can fail.
    An OB 2.0 hosted assertion is not signed: its recipient changes, and the host disagrees."""

    def bump(value: str) -> str:
        return value[:-1] + ("0" if value[-1] != "0" else "1")

    if text.lstrip().startswith("{"):
        doc = json.loads(text)
        if ob2.has_ob2_context(doc):
            doc["recipient"]["identity"] = bump(doc["recipient"]["identity"])
        else:
            doc["id"] = bump(doc["id"])
        return json.dumps(doc)
    header, payload, sig = text.strip().split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    target = claims.get("vc", claims)
    target["id"] = bump(target["id"])
    if "jti" in claims:
        claims["jti"] = bump(claims["jti"])
    new_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{new_payload}.{sig}"


@pytest.mark.parametrize("entry", MANIFEST, ids=lambda e: e["name"])
def test_vector_verdict(entry: dict[str, Any]) -> None:
    report = _verify(_load_vector(entry), entry)
    assert report.verdict == entry["expect"], report.to_json()
    if "expect_code" in entry:
        assert entry["expect_code"] in {c.code for c in report.checks}, report.to_json()
    # Without the documents that bind the key to the issuer, "verified" must not be claimed.
    if entry["expect"] == "verified" and entry["resolve"]:
        bare = _verify(_load_vector(entry), entry, bare=True)
        assert bare.verdict == "indeterminate", bare.to_json()


@pytest.mark.parametrize("entry", [e for e in MANIFEST if e["tamper"]], ids=lambda e: e["name"])
def test_tampered_vector_fails(entry: dict[str, Any]) -> None:
    report = _verify(_tamper(_load_vector(entry)), entry)
    assert report.verdict == "failed", report.to_json()
    assert report.check("proof") is not None and report.check("proof").outcome == "fail"  # type: ignore[union-attr]


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["name"] for e in MANIFEST])
def test_cli_exit_codes(entry: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "input"
    if entry.get("baked"):
        path.write_bytes((HERE / entry["file"]).read_bytes())  # the CLI reads the image itself
    else:
        path.write_text(_load_vector(entry))
    resolve = [a for url, f in entry["resolve"].items() for a in ("--resolve", f"{url}={HERE / f}")]
    resolve += [
        a for url, f in entry.get("status_lists", {}).items() for a in ("--status-list", f"{url}={HERE / f}")
    ]
    if "recipient" in entry:
        resolve += ["--recipient", entry["recipient"]]
    assert (
        main(["verify", str(path), "--json", "--now", "2026-11-27T12:00:00Z", *resolve])
        == EXIT[entry["expect"]]
    )
    report = json.loads(capsys.readouterr().out)
    if "expect_code" in entry:
        assert entry["expect_code"] in {c.get("code") for c in report["checks"]}, report
    if entry["tamper"]:
        path.write_text(_tamper(_load_vector(entry)))
        capsys.readouterr()
        assert main(["verify", str(path), "--json", "--now", "2026-11-27T12:00:00Z", *resolve]) == 1
        assert json.loads(capsys.readouterr().out)["verdict"] == "failed"
