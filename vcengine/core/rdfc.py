"""RDF Dataset Canonicalization (RDFC-1.0) over quads, and canonical N-Quads.

Spec: https://www.w3.org/TR/rdf-canon/ — section numbers below refer to it.

A quad is a tuple ``(subject, predicate, object, graph)`` of terms already written in
canonical N-Quads form (https://www.w3.org/TR/rdf12-n-quads/#canonical-quads): ``<iri>``,
``_:label`` or a literal made with :func:`literal`; the graph is ``""`` for the default graph.
Keeping terms serialized makes the first-degree hash (§4.6) a string substitution.

Why hand-written when pyld (``pyld.canon.URDNA2015``) and pyoxigraph exist: pyld writes control
characters unescaped (so its bytes differ from rdf-canonize and pyoxigraph) and neither library
bounds the work of the N-degree hash (§4.9), which a hostile "poison graph" makes factorial
(rdf-canon test 074c). This module escapes as the spec says and stops after a fixed budget
(§4.9's "implementations ... should mitigate" note, like rdf-canonize's ``maxWorkFactor``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from itertools import permutations

from vcengine.errors import JsonLdError

__all__ = [
    "MAX_DEPTH",
    "MAX_WORK",
    "Quad",
    "WorkBudget",
    "canonical_nquads",
    "canonicalize",
    "escape_literal",
    "literal",
    "serialize_nquads",
]

Quad = tuple[str, str, str, str]

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

#: Budget of N-degree steps per dataset: calls of Hash N-Degree Quads plus permutations tried,
#: a permutation weighing more when it copies a large issuer. Ordinary credentials need a
#: handful, a list of 100 identical values ~30 000, a blank-node clique factorially many.
#: One step costs 2-6 us here, so a refusal comes within about 0.3 s.
MAX_WORK = 50_000

#: Deepest recursion of Hash N-Degree Quads (a chain of indistinguishable blank nodes).
MAX_DEPTH = 256


class WorkBudget:
    """N-degree steps allowed across several canonicalizations (of one document and its proofs).

    A verifier gives one budget to everything it canonicalizes for one document, so that the
    number of proofs does not multiply the work a poison graph can demand.
    """

    __slots__ = ("limit", "spent")

    def __init__(self, limit: int = MAX_WORK) -> None:
        self.limit = limit
        self.spent = 0

    def spend(self, cost: int, blank_nodes: int) -> None:
        self.spent += cost
        if self.spent > self.limit:
            raise JsonLdError(
                f"poison graph: canonicalization needs more than {self.limit} N-degree steps "
                f"({blank_nodes} blank nodes); refusing to continue"
            )


# --- canonical N-Quads terms (RDF 1.2 N-Quads §canonical-quads) ------------------------------

_ESCAPES = {i: f"\\u{i:04X}" for i in (*range(0x20), 0x7F)}
_ESCAPES.update({0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r"})
_ESCAPES.update({ord('"'): '\\"', ord("\\"): "\\\\"})
_NEEDS_ESCAPE = re.compile('[\x00-\x1f\x7f"\\\\]')


def escape_literal(value: str) -> str:
    """The lexical form as written between quotes in canonical N-Quads."""
    if _NEEDS_ESCAPE.search(value) is None:
        return value
    return value.translate(_ESCAPES)


def literal(value: str, datatype: str = XSD_STRING, language: str | None = None) -> str:
    """A literal term in canonical N-Quads form (``"v"``, ``"v"@lang`` or ``"v"^^<dt>``)."""
    text = '"' + escape_literal(value) + '"'
    if language is not None:
        return text + "@" + language
    if datatype == XSD_STRING:
        return text
    return text + "^^<" + datatype + ">"


def _line(s: str, p: str, o: str, g: str) -> str:
    if g:
        return f"{s} {p} {o} {g} .\n"
    return f"{s} {p} {o} .\n"


def serialize_nquads(quads: Iterable[Quad]) -> str:
    """Canonical N-Quads document: one line per distinct quad, in code point order."""
    return "".join(sorted({_line(*q) for q in quads}))


# --- RDFC-1.0 ------------------------------------------------------------------------------


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _Issuer:
    """§4.3 Issue Identifier: labels in the order issued (dicts keep insertion order)."""

    __slots__ = ("issued", "prefix")

    def __init__(self, prefix: str, issued: dict[str, str] | None = None) -> None:
        self.prefix = prefix
        self.issued = {} if issued is None else issued

    def issue(self, existing: str) -> str:
        label = self.issued.get(existing)
        if label is None:
            label = self.issued[existing] = f"{self.prefix}{len(self.issued)}"
        return label

    def copy(self) -> _Issuer:
        return _Issuer(self.prefix, dict(self.issued))


class _State:
    """§4.2 Canonicalization State, plus the work counter that bounds §4.9."""

    def __init__(self, quads: list[Quad], budget: WorkBudget | None = None) -> None:
        self.quads = quads
        self.blank_to_quads: dict[str, list[Quad]] = {}
        for quad in quads:
            s, _, o, g = quad
            for term in (s, o, g) if g else (s, o):
                if term[:2] == "_:":
                    bucket = self.blank_to_quads.setdefault(term, [])
                    if not bucket or bucket[-1] is not quad:
                        bucket.append(quad)
        self.canonical = _Issuer("_:c14n")
        self.first_degree: dict[str, str] = {}
        self.budget = WorkBudget() if budget is None else budget

    def spend(self, cost: int = 1) -> None:
        self.budget.spend(cost, len(self.blank_to_quads))

    def hash_first_degree(self, reference: str) -> str:
        """§4.6 Hash First Degree Quads."""
        lines = []
        for quad in self.blank_to_quads[reference]:
            s, p, o, g = quad
            if s[:2] == "_:":
                s = "_:a" if s == reference else "_:z"
            if o[:2] == "_:":
                o = "_:a" if o == reference else "_:z"
            if g[:2] == "_:":
                g = "_:a" if g == reference else "_:z"
            lines.append(_line(s, p, o, g))
        lines.sort()
        return _sha256("".join(lines))

    def hash_related(self, related: str, quad: Quad, issuer: _Issuer, position: str) -> str:
        """§4.7 Hash Related Blank Node."""
        label = self.canonical.issued.get(related) or issuer.issued.get(related)
        if label is None:
            label = self.first_degree[related]
        predicate = "" if position == "g" else quad[1]
        return _sha256(position + predicate + label)

    def hash_n_degree(self, identifier: str, issuer: _Issuer, depth: int = 0) -> tuple[str, _Issuer]:
        """§4.9 Hash N-Degree Quads, with a bounded number of steps and depth."""
        self.spend()
        if depth > MAX_DEPTH:
            raise JsonLdError(f"poison graph: Hash N-Degree Quads recurses deeper than {MAX_DEPTH} levels")
        related_hashes: dict[str, list[str]] = {}
        for quad in self.blank_to_quads[identifier]:
            for term, position in ((quad[0], "s"), (quad[2], "o"), (quad[3], "g")):
                if term != identifier and term[:2] == "_:":
                    digest = self.hash_related(term, quad, issuer, position)
                    related_hashes.setdefault(digest, []).append(term)
        data = []
        for digest in sorted(related_hashes):
            data.append(digest)
            chosen_path = ""
            chosen_issuer: _Issuer | None = None
            for permutation in permutations(related_hashes[digest]):
                self.spend(1 + len(issuer.issued) // 50)
                issuer_copy = issuer.copy()
                path = ""
                recursion: list[str] = []
                for related in permutation:
                    label = self.canonical.issued.get(related)
                    if label is None:
                        if related not in issuer_copy.issued:
                            recursion.append(related)
                        label = issuer_copy.issue(related)
                    path += label
                    if chosen_path and len(path) >= len(chosen_path) and path > chosen_path:
                        break
                else:
                    for related in recursion:
                        result, issuer_copy = self.hash_n_degree(related, issuer_copy, depth + 1)
                        path += issuer_copy.issue(related) + "<" + result + ">"
                        if chosen_path and len(path) >= len(chosen_path) and path > chosen_path:
                            break
                    else:
                        if not chosen_path or path < chosen_path:
                            chosen_path, chosen_issuer = path, issuer_copy
            data.append(chosen_path)
            if chosen_issuer is not None:  # always: the first permutation is never skipped
                issuer = chosen_issuer
        return _sha256("".join(data)), issuer


def canonicalize(quads: Iterable[Quad], budget: WorkBudget | None = None) -> dict[str, str]:
    """§4.4 Canonicalization Algorithm: map each blank node label to its canonical label."""
    return _canonical_labels(list(dict.fromkeys(quads)), budget)


def _canonical_labels(quads: list[Quad], budget: WorkBudget | None) -> dict[str, str]:
    state = _State(quads, budget)
    if len(state.blank_to_quads) == 1:  # one blank node (a proof configuration): its hash is unique
        state.canonical.issue(next(iter(state.blank_to_quads)))
        return state.canonical.issued
    by_hash: dict[str, list[str]] = {}
    for blank in state.blank_to_quads:
        digest = state.first_degree[blank] = state.hash_first_degree(blank)
        by_hash.setdefault(digest, []).append(blank)
    shared: list[list[str]] = []
    for digest in sorted(by_hash):  # §4.4.3 step 5: unique hashes first, in hash order
        blanks = by_hash[digest]
        if len(blanks) == 1:
            state.canonical.issue(blanks[0])
        else:
            shared.append(blanks)
    for blanks in shared:  # step 6: the N-degree algorithm for the rest
        results = []
        for blank in blanks:
            if blank in state.canonical.issued:
                continue
            temporary = _Issuer("_:b")
            temporary.issue(blank)
            results.append(state.hash_n_degree(blank, temporary))
        for _, issuer in sorted(results, key=lambda r: r[0]):
            for existing in issuer.issued:
                state.canonical.issue(existing)
    return state.canonical.issued


def canonical_nquads(quads: Iterable[Quad], budget: WorkBudget | None = None) -> str:
    """RDFC-1.0 canonical N-Quads (§4.4 step 7) of a dataset given as quads.

    ``budget`` bounds the N-degree work; by default each call gets ``MAX_WORK`` steps."""
    unique = list(dict.fromkeys(quads))
    labels = _canonical_labels(unique, budget)
    get = labels.get
    lines = [_line(get(s, s), p, get(o, o), get(g, g)) for s, p, o, g in unique]
    lines.sort()
    return "".join(lines)
