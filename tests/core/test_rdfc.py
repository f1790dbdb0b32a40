"""RDFC-1.0 over quads (vcengine.core.rdfc) against pyoxigraph's RDFC-1.0 implementation."""

from __future__ import annotations

import time
from typing import Any

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vcengine.core import rdfc
from vcengine.core.rdfc import Quad, canonical_nquads, escape_literal, literal
from vcengine.errors import JsonLdError

XSD = "http://www.w3.org/2001/XMLSchema#"

# Abstract terms: ("b", n) blank node, ("i", n) IRI, ("l", text, datatype, language) literal.
Term = tuple[Any, ...]


def _ours(term: Term | None) -> str:
    if term is None:
        return ""
    if term[0] == "b":
        return f"_:n{term[1]}"
    if term[0] == "i":
        return f"<http://example.org/{term[1]}>"
    return literal(term[1], term[2], term[3])


def _oxi(term: Term | None) -> Any:
    if term is None:
        return ox.DefaultGraph()
    if term[0] == "b":
        return ox.BlankNode(f"n{term[1]}")
    if term[0] == "i":
        return ox.NamedNode(f"http://example.org/{term[1]}")
    if term[3] is not None:
        return ox.Literal(term[1], language=term[3])
    return ox.Literal(term[1], datatype=ox.NamedNode(term[2]))


def _pyoxigraph_canonical(quads: list[tuple[Term, Term, Term, Term | None]]) -> str:
    dataset = ox.Dataset([ox.Quad(*(_oxi(t) for t in q)) for q in quads])
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    text = ox.serialize(dataset, format=ox.RdfFormat.N_QUADS).decode("utf-8")
    return "".join(sorted(line + "\n" for line in text.split("\n") if line))


def _our_canonical(quads: list[tuple[Term, Term, Term, Term | None]]) -> str:
    return canonical_nquads([tuple(_ours(t) for t in q) for q in quads])  # type: ignore[misc]


# --- canonical N-Quads escaping -------------------------------------------------------------


def test_escaping_matches_pyoxigraph_for_every_ascii_and_some_unicode() -> None:
    text = "".join(chr(i) for i in range(0x80)) + "é\u0080\u2028\ufeff😀"
    ours = _our_canonical([(("i", "s"), ("i", "p"), ("l", text, XSD + "string", None), None)])
    theirs = _pyoxigraph_canonical([(("i", "s"), ("i", "p"), ("l", text, XSD + "string", None), None)])
    assert ours == theirs


def test_escaping_rules_spelled_out() -> None:
    assert escape_literal('a"b\\c') == 'a\\"b\\\\c'
    assert escape_literal("\b\t\n\f\r") == "\\b\\t\\n\\f\\r"
    assert escape_literal("\x00\x01\x0b\x1f\x7f") == "\\u0000\\u0001\\u000B\\u001F\\u007F"
    assert escape_literal("plain é 😀") == "plain é 😀"


def test_literal_forms() -> None:
    assert literal("x") == '"x"'
    assert literal("x", XSD + "string") == '"x"'
    assert literal("1", XSD + "integer") == f'"1"^^<{XSD}integer>'
    assert literal("x", language="en-us") == '"x"@en-us'


# --- the algorithm -------------------------------------------------------------------------


def test_ground_dataset_is_sorted_and_deduplicated() -> None:
    q: Quad = ("<http://a>", "<http://p>", '"x"', "")
    r: Quad = ("<http://a>", "<http://p>", '"w"', "<http://g>")
    assert (
        canonical_nquads([q, r, q]) == '<http://a> <http://p> "w" <http://g> .\n<http://a> <http://p> "x" .\n'
    )


def test_w3c_rdf_canon_test_002_shape() -> None:
    # two blank nodes told apart by their first-degree hashes
    quads = [
        (("b", 1), ("i", "p"), ("l", "x", XSD + "string", None), None),
        (("b", 2), ("i", "p"), ("l", "y", XSD + "string", None), None),
        (("b", 1), ("i", "q"), ("b", 2), None),
    ]
    assert _our_canonical(quads) == _pyoxigraph_canonical(quads)


@pytest.mark.parametrize("size", [2, 3, 4, 5, 6])
def test_symmetric_cycles_need_the_n_degree_algorithm(size: int) -> None:
    quads = [(("b", i), ("i", "p"), ("b", (i + 1) % size), None) for i in range(size)]
    quads += [(("b", i + 10), ("i", "p"), ("b", (i + 1) % size + 10), ("b", 99)) for i in range(size)]
    assert _our_canonical(quads) == _pyoxigraph_canonical(quads)


def test_two_identical_disconnected_components() -> None:
    quads = [
        (("b", 1), ("i", "p"), ("b", 2), None),
        (("b", 2), ("i", "p"), ("b", 1), None),
        (("b", 3), ("i", "p"), ("b", 4), None),
        (("b", 4), ("i", "p"), ("b", 3), None),
        (("b", 5), ("i", "q"), ("l", "z", XSD + "string", None), ("b", 1)),
    ]
    assert _our_canonical(quads) == _pyoxigraph_canonical(quads)


_blank = st.builds(lambda n: ("b", n), st.integers(0, 5))
_iri = st.builds(lambda n: ("i", f"r{n}"), st.integers(0, 2))
_literal = st.one_of(
    st.builds(lambda s: ("l", s, XSD + "string", None), st.text(max_size=4)),
    st.builds(lambda s: ("l", s, XSD + "integer", None), st.sampled_from(["1", "2"])),
    st.builds(lambda s: ("l", s, None, "en"), st.sampled_from(["a", "b"])),
)
_predicate = st.builds(lambda n: ("i", f"p{n}"), st.integers(0, 1))
_quad = st.tuples(
    st.one_of(_blank, _iri),
    _predicate,
    st.one_of(_blank, _blank, _iri, _literal),
    st.one_of(st.none(), st.none(), _blank, _iri),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_quad, min_size=1, max_size=14))
def test_random_graphs_match_pyoxigraph(quads: list[tuple[Term, Term, Term, Term | None]]) -> None:
    assert _our_canonical(quads) == _pyoxigraph_canonical(quads)


@settings(max_examples=100, deadline=None)
@given(st.integers(2, 5), st.integers(1, 3), st.data())
def test_random_regular_graphs_match_pyoxigraph(n: int, k: int, data: st.DataObject) -> None:
    # every node has the same out-degree: first-degree hashes collide, N-degree decides
    perm = data.draw(st.permutations(list(range(n))))
    quads = [
        (("b", i), ("i", "p"), ("b", perm[(i + j) % n]), None) for i in range(n) for j in range(1, k + 1)
    ]
    assert _our_canonical(quads) == _pyoxigraph_canonical(quads)


def test_result_does_not_depend_on_input_labels_or_order() -> None:
    quads = [(("b", i), ("i", "p"), ("b", (i + 1) % 4), None) for i in range(4)]
    renamed = [(("b", (i + 2) % 4 + 7), p, ("b", (o[1] + 2) % 4 + 7), g) for (_, i), p, o, g in quads]
    assert _our_canonical(quads) == _our_canonical(list(reversed(renamed)))


# --- poison graphs ---------------------------------------------------------------------------


def _clique(n: int) -> list[Quad]:
    return [
        (f"_:n{i}", "<http://example.org/p>", f"_:n{j}", "") for i in range(n) for j in range(n) if i != j
    ]


def test_poison_clique_is_refused() -> None:
    start = time.perf_counter()
    with pytest.raises(JsonLdError, match="poison graph"):
        canonical_nquads(_clique(10))
    print(f"clique of 10 refused after {time.perf_counter() - start:.3f} s")  # measured, not asserted


def test_poison_graph_like_rdf_canon_074c_is_refused() -> None:
    # 074c: many mutually indistinguishable blank nodes, each linked to all others, in two graphs
    quads = _clique(8) + [(s, p, o, "_:g") for s, p, o, _ in _clique(8)]
    start = time.perf_counter()
    with pytest.raises(JsonLdError, match="poison graph"):
        canonical_nquads(quads)
    print(f"074c-like graph refused after {time.perf_counter() - start:.3f} s")


def test_small_cliques_are_still_canonicalized() -> None:
    quads = [((("b", int(s[3:])), ("i", "p"), ("b", int(o[3:])), None)) for s, _, o, _ in _clique(4)]
    assert _our_canonical(quads) == _pyoxigraph_canonical(quads)


def test_work_budget_is_a_module_constant() -> None:
    assert 100 <= rdfc.MAX_WORK <= 100_000
