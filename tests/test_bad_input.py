"""Hostile and malformed input (issue 2, "Bad input"): each gets a clear error naming what is wrong,
never a crash, a hang or "verified". Times are measured by pytest's --durations, not asserted."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from tests.conftest import NOW, VECTORS, load
from vcengine.cli import main
from vcengine.core.keys import KeyPair
from vcengine.core.proofs.data_integrity import add_proof
from vcengine.core.resolve import OfflineResolver
from vcengine.core.verify import verify_credential
from vcengine.errors import InputError, JsonLdError

KEY = KeyPair.from_seed(bytes(range(32)))


def _ob() -> dict:
    doc = load("1edtech-ob-impl-guide/ob3-eddsa-rdfc-2022-vector.json")["unsigned_credential"]
    doc["issuer"]["id"] = KEY.public.did_key
    return doc


def _signed(doc: dict) -> dict:
    return add_proof(doc, KEY, verification_method=KEY.public.did_key_verification_method, created=NOW)


def _b64(obj: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize(
    ("name", "mutate", "message"),
    [
        ("remote context", lambda d: d["@context"].append("https://evil.example/ctx.jsonld"), "not bundled"),
        (
            "inline context redefining a term",
            lambda d: d["@context"].append({"name": "https://evil.example/n"}),
            "protected",
        ),
        ("undefined term", lambda d: d["credentialSubject"].update(secretNote="x"), "secretNote"),
        ("wrong type for a term", lambda d: d.update(validFrom=12), "validFrom"),
    ],
)
def test_hostile_documents_are_refused_at_signing(name: str, mutate: object, message: str) -> None:
    from vcengine.cli.sign import sign_one

    doc = _ob()
    mutate(doc)  # type: ignore[operator]
    with pytest.raises(InputError, match=message):
        sign_one(doc, KEY, "eddsa-rdfc-2022", None, NOW)


def test_poison_graph_is_refused_quickly() -> None:
    # A clique of blank nodes (as in W3C rdf-canon test 074c): every node links to every other.
    nodes = [{"@id": f"_:b{i}"} for i in range(24)]
    for i, node in enumerate(nodes):
        node["https://example.org/p"] = [{"@id": f"_:b{j}"} for j in range(24) if j != i]
    with pytest.raises(JsonLdError, match="poison graph"):
        from vcengine.core.canonicalize import rdfc_nquads

        rdfc_nquads({"@graph": nodes})


def test_verifier_reports_hostile_documents_as_failed_not_verified() -> None:
    signed = _signed(_ob())
    signed["credentialSubject"]["injected"] = "after signing"
    report = verify_credential(signed, resolver=OfflineResolver(), now=NOW)
    assert report.verdict == "failed" and "injected" in report.check("proof").reason  # type: ignore[union-attr]


def _jwt(header: dict, payload: dict, signature: bytes = b"sig") -> str:
    return f"{_b64(header)}.{_b64(payload)}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (_jwt({"alg": "none"}, {"vc": {}}), "none"),
        (_jwt({"alg": "HS256", "kid": "did:key:x"}, {"iss": "x"}), "HS256"),
        ("a.b", "neither JSON"),
        ("eyJ.!!!.x", "base64url"),
    ],
)
def test_hostile_jwts_exit_2_with_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], token: str, message: str
) -> None:
    path = tmp_path / "t.jwt"
    path.write_text(token)
    assert main(["verify", str(path)]) == 2
    assert message in capsys.readouterr().err


def test_kid_naming_another_key_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from vcengine.core.proofs import vc_jwt

    doc = _ob()
    other = KeyPair.from_seed(bytes(range(2, 34)))
    token = vc_jwt.sign(doc, other, kid=KEY.public.did_key_verification_method)
    path = tmp_path / "t.jwt"
    path.write_text(token)
    assert main(["verify", str(path), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["verdict"] == "failed"


@pytest.mark.parametrize(
    ("key_doc", "message"),
    [
        ({"secretKeyMultibase": "zzzz"}, "34 (seed) or 66"),
        ({"secretKeyMultibase": "z0OIl"}, "alphabet"),
        ({"kty": "RSA", "d": "AA"}, "kty=OKP"),
        ({"publicKeyMultibase": "z6Mk"}, "none of secretKeyMultibase"),
    ],
)
def test_bad_key_files_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], key_doc: dict, message: str
) -> None:
    key = tmp_path / "k.json"
    key.write_text(json.dumps(key_doc))
    assert main(["sign", str(VECTORS / "w3c-vc-di-eddsa" / "unsigned.json"), "--key", str(key)]) == 2
    err = capsys.readouterr().err
    assert message in err or "multicodec" in err
    assert "zzzz" not in err or message in err


def test_large_and_deep_documents_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text('{"a":' * 5000 + "1" + "}" * 5000)
    assert main(["verify", str(deep)]) == 2
    assert "deeper than" in capsys.readouterr().err
    big = tmp_path / "big.json"
    big.write_text('{"a":"' + "x" * (5 * 1024 * 1024) + '"}')
    assert main(["verify", str(big)]) == 2
    assert "limit" in capsys.readouterr().err
