"""The public door: rdfc_nquads reproduces every published N-Quads vector byte for byte."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from pyld import jsonld

from vcengine.core import canonicalize
from vcengine.core.canonicalize import jcs, rdfc_nquads, rdfc_nquads_reference
from vcengine.core.jsonld_to_rdf import pyld_options
from vcengine.errors import ContextError, JsonLdError

VECTORS = Path(__file__).resolve().parents[2] / "conformance" / "vectors"
W3C = VECTORS / "w3c-vc-di-eddsa"
IMPL = VECTORS / "1edtech-ob-impl-guide"


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _w3c_cases() -> list[tuple[str, dict[str, Any], str]]:
    unsigned = _json(W3C / "unsigned.json")
    cases = []
    for suite, tag in (("eddsa-rdfc-2022", "DataInt"), ("Ed25519Signature2020", "EdSig")):
        config = _json(W3C / suite / f"proofConfig{tag}.json")
        config.setdefault("@context", unsigned["@context"])
        cases.append((f"{suite}/canonDoc", unsigned, (W3C / suite / f"canonDoc{tag}.txt").read_text()))
        cases.append((f"{suite}/proofCanon", config, (W3C / suite / f"proofCanon{tag}.txt").read_text()))
    return cases


def _impl_cases() -> list[tuple[str, dict[str, Any], str]]:
    cases = []
    for path in sorted(IMPL.glob("*-vector.json")):
        vector = _json(path)
        document = vector["unsigned_credential"]
        config = {**vector["proof_options"], "@context": document["@context"]}
        cases.append(
            (f"{path.name}/document", document, (IMPL / vector["canonical_document_file"]).read_text())
        )
        cases.append(
            (f"{path.name}/proof", config, (IMPL / vector["canonical_proof_config_file"]).read_text())
        )
    return cases


CASES = _w3c_cases() + _impl_cases()


def test_all_vectors_found() -> None:
    assert len(CASES) == 8


@pytest.mark.parametrize(("name", "document", "expected"), CASES, ids=[c[0] for c in CASES])
def test_vector_reproduced_byte_for_byte(name: str, document: dict[str, Any], expected: str) -> None:
    assert rdfc_nquads(document) == expected
    assert rdfc_nquads_reference(document) == expected


def test_ob_vector_hashes() -> None:
    vector = _json(IMPL / "ob3-eddsa-rdfc-2022-vector.json")
    document = vector["unsigned_credential"]
    config = {**vector["proof_options"], "@context": document["@context"]}
    assert (
        hashlib.sha256(rdfc_nquads(document).encode()).hexdigest() == vector["expected"]["document_hash_hex"]
    )
    assert (
        hashlib.sha256(rdfc_nquads(config).encode()).hexdigest()
        == vector["expected"]["proof_config_hash_hex"]
    )


def test_input_is_not_mutated() -> None:
    document = _json(IMPL / "ob3-eddsa-rdfc-2022-vector.json")["signed_credential"]
    before = json.dumps(document, sort_keys=True)
    rdfc_nquads(document)
    assert json.dumps(document, sort_keys=True) == before


# --- canonical N-Quads escaping (pyld gets this wrong) ---------------------------------------


def _pyoxigraph_rdfc(document: dict[str, Any]) -> str:
    """pyld toRdf (unescaped N-Quads, which the N-Quads grammar still accepts) -> pyoxigraph RDFC-1.0."""
    options = {**pyld_options(), "format": "application/n-quads"}
    raw = jsonld.JsonLdProcessor().to_rdf(dict(document), options)
    dataset = ox.Dataset(ox.parse(raw.encode("utf-8"), format=ox.RdfFormat.N_QUADS))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    text = ox.serialize(dataset, format=ox.RdfFormat.N_QUADS).decode("utf-8")
    return "".join(sorted(line + "\n" for line in text.split("\n") if line))


@pytest.mark.parametrize(
    "name", ["back\bspace", "one\x01two", "tab\tnl\ncr\rff\f", 'q"b\\', "del\x7f", "é😀"]
)
def test_control_characters_are_escaped_like_rdf_canonize_and_pyoxigraph(name: str) -> None:
    document = _json(IMPL / "ob3-eddsa-rdfc-2022-vector.json")["unsigned_credential"]
    document = {**document, "name": name}
    document["credentialSubject"] = {**document["credentialSubject"], "id": None}  # a blank node too
    del document["credentialSubject"]["id"]
    assert rdfc_nquads(document) == _pyoxigraph_rdfc(document)


def test_pyld_reference_differs_only_by_escaping() -> None:
    document = {"@context": {"@vocab": "https://example.org/#"}, "@id": "urn:x:s", "v": "a\bb\x01"}
    assert rdfc_nquads(document) == '<urn:x:s> <https://example.org/#v> "a\\bb\\u0001" .\n'
    assert rdfc_nquads_reference(document) == '<urn:x:s> <https://example.org/#v> "a\bb\x01" .\n'


# --- safety at the door ---------------------------------------------------------------------


def test_unknown_context_is_a_context_error() -> None:
    with pytest.raises(ContextError):
        rdfc_nquads({"@context": "https://example.org/remote.jsonld", "@id": "urn:x"})
    with pytest.raises(ContextError):
        rdfc_nquads_reference({"@context": "https://example.org/remote.jsonld", "@id": "urn:x"})


def test_poison_graph_in_json_ld_is_refused() -> None:
    # a clique of 10 indistinguishable blank nodes written as JSON-LD
    nodes = [{"@id": f"_:n{i}", "p": [{"@id": f"_:n{j}"} for j in range(10) if j != i]} for i in range(10)]
    document = {"@context": {"@vocab": "https://example.org/#"}, "@id": "urn:x", "has": nodes}
    with pytest.raises(JsonLdError, match="poison graph"):
        rdfc_nquads(document)


def test_jcs_is_unchanged() -> None:
    assert jcs({"b": 1, "a": [True, None, 1.5]}) == b'{"a":[true,null,1.5],"b":1}'
    with pytest.raises(JsonLdError):
        jcs({"x": float("nan")})


def test_public_door() -> None:
    assert set(canonicalize.__all__) == {
        "jcs",
        "rdf_dataset",
        "rdfc_nquads",
        "rdfc_nquads_reference",
        "to_rdf_reference",
    }


def test_concurrent_calls_agree() -> None:
    from concurrent.futures import ThreadPoolExecutor

    documents = [case[1] for case in CASES] * 4
    expected = [case[2] for case in CASES] * 4
    fallback = {
        "@context": {"@vocab": "https://e.org/#"},
        "@id": "urn:a",
        "@reverse": {"p": {"@id": "urn:b"}},
    }
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(rdfc_nquads, documents)) == expected
        assert len(set(pool.map(rdfc_nquads, [fallback] * 16))) == 1


# --- JCS fast path: byte-identical to the rfc8785 library --------------------------------------

import rfc8785 as _rfc8785  # noqa: E402
from hypothesis import given as _given  # noqa: E402
from hypothesis import strategies as _st  # noqa: E402

from vcengine.core.canonicalize import jcs as _jcs  # noqa: E402

_json_values = _st.recursive(
    _st.none()
    | _st.booleans()
    | _st.integers(min_value=-(2**60), max_value=2**60)
    | _st.floats(allow_nan=False, allow_infinity=False)
    | _st.text(),
    lambda children: (
        _st.lists(children, max_size=4) | _st.dictionaries(_st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=25,
)


@_given(_json_values)
def test_jcs_matches_rfc8785(value: object) -> None:
    try:
        expected = _rfc8785.dumps(value)
    except (_rfc8785.CanonicalizationError, TypeError, ValueError, UnicodeEncodeError):
        with pytest.raises(JsonLdError):
            _jcs(value)
        return
    assert _jcs(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        {"\U0001f600": 1, "\ue000": 2, "a": 3},
        {"s": "\x00\x1f\x7f\u2028\ud7ff"},
        [2**53 - 1, -(2**53 - 1)],
        {"f": 1.5e300, "g": -0.0, "h": 1e-7},
    ],
)
def test_jcs_edge_cases(value: object) -> None:
    assert _jcs(value) == _rfc8785.dumps(value)


@pytest.mark.parametrize(
    "value",
    [
        {"a": "x:1.5,y", "b": 2.5, "c": [1.0, 'q":3.0,"', 1e21], "d": 'say "1.0"', "e": -0.0},
        {"s": "back\\slash", "n": 1.0, "t": '\\":1.5,'},
        [1.5, {"k": 12345678901234567}],
        {"id": "urn:uuid:1e5b", "v": 100, "w": 1e-7, "x": 123456789012345.6},
    ],
)
def test_jcs_numbers_inside_and_outside_strings(value: object) -> None:
    try:
        expected = _rfc8785.dumps(value)
    except _rfc8785.CanonicalizationError:
        with pytest.raises(JsonLdError):
            _jcs(value)
        return
    assert _jcs(value) == expected
