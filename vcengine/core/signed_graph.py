"""The signed graph is the truth: what a credential's RDF dataset says, against what its JSON says.

An RDFC-1.0 proof (eddsa-rdfc-2022, Ed25519Signature2020) signs the credential's RDF dataset,
not its JSON text, and one dataset has many JSON-LD forms: a term or its full IRI as the key, a
compact IRI under a prefix added to ``@context``, a value object for a typed literal, ``@id`` or
``@type`` for their aliases, a node inside ``@graph``. A verifier that reads the JSON can be
shown a form in which ``credentialStatus`` or ``validUntil`` hides under another key while the
proof still passes. JCS proofs and VC-JWTs sign the JSON itself, but the same JSON can still say
under one key what the credential's contexts file under another.

So a verifier reads the properties it reports — the credential's id, types, issuer, validity
dates, subjects, status entries, and a status list's purpose and bits — from the dataset, and
:func:`disagreements` lists every place where the JSON does not say the same thing in the
compact form of its contexts. ``vcengine.core.verify`` refuses a credential (or a status list)
with any disagreement (check ``signed-graph``, code ``graph-mismatch``): everything else in the
report is then read from JSON that states exactly what was signed.

The properties are named by their IRIs in the VC Data Model (v1 and v2 contexts), Bitstring
Status List v1.0, StatusList2021 and Open Badges 3.0 vocabularies.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from vcengine.core.rdfc import Quad

__all__ = ["disagreements", "presentation_disagreements"]

CRED = "https://www.w3.org/2018/credentials#"
STATUS = "https://www.w3.org/ns/credentials/status#"
SL2021 = "https://w3id.org/vc/status-list#"
OB = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"
VCRL = "https://purl.imsglobal.org/spec/vcrl/v1p0/context.json#"
_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"

#: The types the verifier branches on: JSON term -> the IRIs it denotes in the bundled contexts
#: (OB 3.0 makes AchievementCredential an alias of OpenBadgeCredential).
TYPES: dict[str, frozenset[str]] = {
    "VerifiableCredential": frozenset({CRED + "VerifiableCredential"}),
    "VerifiablePresentation": frozenset({CRED + "VerifiablePresentation"}),
    "OpenBadgeCredential": frozenset({OB + "OpenBadgeCredential"}),
    "AchievementCredential": frozenset({OB + "OpenBadgeCredential", OB + "AchievementCredential"}),
    "EndorsementCredential": frozenset({OB + "EndorsementCredential"}),
    "BitstringStatusListCredential": frozenset({STATUS + "BitstringStatusListCredential"}),
    "StatusList2021Credential": frozenset({SL2021 + "StatusList2021Credential"}),
    "BitstringStatusList": frozenset({STATUS + "BitstringStatusList"}),
    "StatusList2021": frozenset({SL2021 + "StatusList2021"}),
}
_KNOWN_TYPE_IRIS = frozenset().union(*TYPES.values())

#: Status entry types -> the namespace of the entry's properties.
ENTRY_TYPES: dict[str, tuple[str, str | None]] = {
    "BitstringStatusListEntry": (STATUS + "BitstringStatusListEntry", STATUS),
    "StatusList2021Entry": (SL2021 + "StatusList2021Entry", SL2021),
    "1EdTechRevocationList": (VCRL + "1EdTechRevocationList", None),
}
_ENTRY_IRIS = {iri: ns for iri, ns in ENTRY_TYPES.values()}

#: The dates the verifier reads: VCDM 2.0 and VC 1.1 names (same IRIs in both contexts).
DATES = ("validFrom", "validUntil", "issuanceDate", "expirationDate")

#: Every predicate a check reads; :class:`_Graph` indexes these only.
READ: frozenset[str] = frozenset(
    {_RDF_TYPE[1:-1]}
    | {CRED + name for name in (*DATES, "issuer", "holder", "credentialSubject", "credentialStatus")}
    | {CRED + "verifiableCredential"}
    | {
        ns + name
        for ns in (STATUS, SL2021)
        for name in (
            "statusPurpose", "statusListIndex", "statusListCredential", "statusSize", "statusMessage",
            "status", "message", "encodedList",
        )
    }
)  # fmt: skip
_READ_TERMS = frozenset(f"<{iri}>" for iri in READ)

_ESCAPE = re.compile(r'\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[tbnrf"\\])')
_SIMPLE_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "\\": "\\"}


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    return _SIMPLE_ESCAPES[code] if len(code) == 1 else chr(int(code[1:], 16))


def _lexical(term: str) -> str | None:
    """The lexical form of a literal term in N-Quads form; None for an IRI or a blank node."""
    if not term.startswith('"'):
        return None
    text = term[1 : term.rindex('"')]
    return _ESCAPE.sub(_unescape, text) if "\\" in text else text


def _iri(term: str) -> str | None:
    return term[1:-1] if term.startswith("<") else None


class _Graph:
    """The default graph of a dataset: the predicates the checks read (:data:`READ`) indexed by
    subject then predicate IRI, and the types of every node; the rest of the dataset is not
    indexed (most of a badge's quads are OB and schema.org properties no check reads)."""

    def __init__(self, quads: Iterable[Quad]) -> None:
        self.quads = quads if isinstance(quads, list) else list(quads)
        self.nodes: dict[str, dict[str, list[str]]] = {}
        self.node_types: dict[str, set[str]] = {}
        nodes, node_types = self.nodes, self.node_types
        for s, p, o, g in self.quads:
            if g or p not in _READ_TERMS:
                continue
            if p == _RDF_TYPE and o.startswith("<"):
                node_types.setdefault(s, set()).add(o[1:-1])
            values = nodes.setdefault(s, {}).setdefault(p[1:-1], [])
            if o not in values:
                values.append(o)

    @property
    def objects(self) -> set[str]:
        """Every object of the default graph (needed only to find a top-level node without id)."""
        return {o for _, _, o, g in self.quads if not g}

    def values(self, node: str, predicate: str) -> list[str]:
        if predicate not in READ:  # a predicate left out of the index would read as absent
            raise ValueError(f"{predicate} is not indexed: add it to signed_graph.READ")
        return self.nodes.get(node, {}).get(predicate, [])

    def types(self, node: str) -> set[str]:
        return self.node_types.get(node, set())


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _json_scalar(value: Any) -> str | None:
    """A JSON scalar as the lexical form JSON-LD gives it (numbers too); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    return None


def _node_id(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and isinstance(value.get("id"), str):
        return str(value["id"])
    return None


def _graph_id(term: str) -> str | None:
    return _iri(term)


def _top_node(
    doc: Mapping[str, Any], graph: _Graph, problems: list[str], kind: str = "VerifiableCredential"
) -> str | None:
    """The node the JSON's top-level object is: by its id, or the one top-level node of ``kind``."""
    wanted = CRED + kind
    credentials = [s for s, types in graph.node_types.items() if wanted in types]
    doc_id = doc.get("id")
    if isinstance(doc_id, str):
        node = f"<{doc_id}>"
        if node not in credentials:
            problems.append(f"the signed data has no {kind} with the id {doc_id!r}")
            return None
        return node
    if doc_id is not None:
        problems.append("id is not a string")
        return None
    top = [s for s in credentials if s not in graph.objects]
    if len(top) != 1 or not top[0].startswith("_:"):
        named = [t for t in top if not t.startswith("_:")]
        problems.append(
            f"the JSON has no id but the signed {kind} is {_iri(named[0])!r}"
            if named
            else f"the signed data has {len(top)} top-level {kind} nodes without an id, not one"
        )
        return None
    return top[0]


def _check_types(where: str, json_types: Any, graph_types: set[str], problems: list[str]) -> None:
    terms = {t for t in _as_list(json_types) if isinstance(t, str) and t in TYPES}
    for term in sorted(terms):
        if not TYPES[term] & graph_types:
            problems.append(f"{where}type {term} is in the JSON but not in the signed data")
    for iri in sorted(graph_types & _KNOWN_TYPE_IRIS):
        if not any(iri in TYPES[t] for t in terms):
            problems.append(f"{where}the signed data has type <{iri}> that the JSON type does not state")


def _check_single(
    where: str, name: str, json_value: Any, graph_values: Sequence[str], *, iri: bool, problems: list[str]
) -> None:
    """One JSON member against the (at most one) value the signed data has for its IRI."""
    read = [(_iri(v) if iri else _lexical(v)) for v in graph_values]
    expected = _node_id(json_value) if iri else _json_scalar(json_value)
    if json_value is None and not read:
        return
    if len(read) == 1 and read[0] is not None and read[0] == expected:
        return
    shown = "absent" if json_value is None else repr(json_value)[:120]
    signed = "absent" if not read else ", ".join(repr(v)[:120] for v in read)
    problems.append(f"{where}{name} is {shown} in the JSON but {signed} in the signed data")


def _entry_from_graph(graph: _Graph, node: str) -> tuple[Any, ...]:
    types = sorted(graph.types(node) & set(_ENTRY_IRIS))
    namespaces = sorted({ns for t in types if (ns := _ENTRY_IRIS[t])})
    fields: list[Any] = [_graph_id(node), tuple(types)]
    for ns in namespaces:
        messages = sorted(
            (
                tuple(_lexical(v) for v in graph.values(m, ns + "status")),
                tuple(_lexical(v) for v in graph.values(m, ns + "message")),
            )
            for m in graph.values(node, ns + "statusMessage")
        )
        fields += [
            tuple(_lexical(v) for v in graph.values(node, ns + "statusPurpose")),
            tuple(_lexical(v) for v in graph.values(node, ns + "statusListIndex")),
            tuple(_iri(v) for v in graph.values(node, ns + "statusListCredential")),
            tuple(_lexical(v) for v in graph.values(node, ns + "statusSize")),
            tuple(messages),
        ]
    return tuple(fields)


def _one(value: Any) -> tuple[str | None, ...]:
    return () if value is None else (_json_scalar(value),)


def _entry_from_json(entry: Any) -> tuple[Any, ...]:
    if not isinstance(entry, Mapping):
        return ("not an object", repr(entry)[:80])
    types = sorted(ENTRY_TYPES[t][0] for t in _as_list(entry.get("type")) if t in ENTRY_TYPES)
    namespaces = sorted({ns for t in types if (ns := _ENTRY_IRIS[t])})
    fields: list[Any] = [entry.get("id") if isinstance(entry.get("id"), str) else None, tuple(types)]
    for _ in namespaces:
        raw_messages = entry.get("statusMessage")
        messages = sorted(
            (_one(m.get("status")), _one(m.get("message"))) if isinstance(m, Mapping) else ((repr(m),), ())
            for m in _as_list(raw_messages)
        )
        url = entry.get("statusListCredential")
        fields += [
            _one(entry.get("statusPurpose")),
            _one(entry.get("statusListIndex")),
            () if url is None else (url if isinstance(url, str) else repr(url),),
            _one(entry.get("statusSize")),
            tuple(messages),
        ]
    return tuple(fields)


def _check_status(doc: Mapping[str, Any], graph: _Graph, node: str, problems: list[str]) -> None:
    signed = [_entry_from_graph(graph, n) for n in graph.values(node, CRED + "credentialStatus")]
    stated = [_entry_from_json(e) for e in _as_list(doc.get("credentialStatus"))]
    # More than one entry is compared as a multiset; repr orders entries that hold None.
    differ = sorted(map(repr, signed)) != sorted(map(repr, stated)) if len(signed) > 1 else signed != stated
    if differ:
        problems.append(
            f"credentialStatus: the JSON states {len(stated)} entr{'y' if len(stated) == 1 else 'ies'} "
            f"and the signed data has {len(signed)}, or their type, purpose, index, list or messages differ"
        )


def _check_subjects(doc: Mapping[str, Any], graph: _Graph, node: str, problems: list[str]) -> None:
    signed = graph.values(node, CRED + "credentialSubject")
    stated = _as_list(doc.get("credentialSubject"))
    signed_ids = sorted(str(_iri(s)) for s in signed if s.startswith("<"))
    stated_ids = sorted({i for s in stated if (i := _node_id(s)) is not None})
    if (
        len(signed) != len({_node_id(s) or f"_:{n}" for n, s in enumerate(stated)})
        or signed_ids != stated_ids
    ):
        problems.append(
            f"credentialSubject: the JSON states {len(stated)} subject(s) {stated_ids} "
            f"and the signed data has {len(signed)} {signed_ids}"
        )
        return
    for subject in stated:
        if isinstance(subject, Mapping):
            _check_status_list_subject(subject, graph, signed, problems)


def _check_status_list_subject(
    subject: Mapping[str, Any], graph: _Graph, signed: Sequence[str], problems: list[str]
) -> None:
    """A status list credential's subject: its type, purposes and bits (what ``read_status`` reads)."""
    subject_id = _node_id(subject)
    candidates = [s for s in signed if (subject_id is None and s.startswith("_:")) or _iri(s) == subject_id]
    if len(candidates) != 1:
        if any(t in ("BitstringStatusList", "StatusList2021") for t in _as_list(subject.get("type"))):
            problems.append("credentialSubject: the status list subject is ambiguous in the signed data")
        return
    node = candidates[0]
    graph_types = graph.types(node)
    _check_types("credentialSubject.", subject.get("type"), graph_types, problems)
    for ns in (STATUS, SL2021):
        if not any(iri.startswith(ns) for iri in graph_types & _KNOWN_TYPE_IRIS):
            continue
        purposes = sorted(str(_lexical(v)) for v in graph.values(node, ns + "statusPurpose"))
        stated = sorted(str(_json_scalar(p)) for p in _as_list(subject.get("statusPurpose")))
        if purposes != stated:
            problems.append(f"credentialSubject.statusPurpose is {stated} in the JSON but {purposes} signed")
        _check_single(
            "credentialSubject.",
            "encodedList",
            subject.get("encodedList"),
            graph.values(node, ns + "encodedList"),
            iri=False,
            problems=problems,
        )


def disagreements(document: Mapping[str, Any], quads: Iterable[Quad]) -> list[str]:
    """Every way the JSON of ``document`` differs from its RDF dataset ``quads`` on what a
    verifier reads (see the module docstring); empty when the JSON states exactly what was signed."""
    graph = _Graph(quads)
    problems: list[str] = []
    node = _top_node(document, graph, problems)
    if node is None:
        return problems
    _check_types("", document.get("type"), graph.types(node), problems)
    _check_single(
        "", "issuer", document.get("issuer"), graph.values(node, CRED + "issuer"), iri=True, problems=problems
    )
    for name in DATES:
        _check_single(
            "", name, document.get(name), graph.values(node, CRED + name), iri=False, problems=problems
        )
    _check_subjects(document, graph, node, problems)
    _check_status(document, graph, node, problems)
    return problems


def presentation_disagreements(document: Mapping[str, Any], quads: Iterable[Quad]) -> list[str]:
    """Like :func:`disagreements`, for a verifiable presentation: its id, types, holder and the
    number of credentials it carries (each credential is verified on its own, against its proof)."""
    graph = _Graph(quads)
    problems: list[str] = []
    node = _top_node(document, graph, problems, "VerifiablePresentation")
    if node is None:
        return problems
    _check_types("", document.get("type"), graph.types(node), problems)
    holder = graph.values(node, CRED + "holder")
    _check_single("", "holder", document.get("holder"), holder, iri=True, problems=problems)
    signed = len(graph.values(node, CRED + "verifiableCredential"))
    stated = len(_as_list(document.get("verifiableCredential")))
    if signed != stated:
        problems.append(
            f"verifiableCredential: the JSON carries {stated} credential(s), the signed data {signed}"
        )
    return problems
