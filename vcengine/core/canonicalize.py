"""Canonical forms that proofs sign: RDFC-1.0 N-Quads of JSON-LD, and JCS (RFC 8785).

RDFC-1.0 (https://www.w3.org/TR/rdf-canon/) of a JSON-LD document is computed by JSON-LD
toRdf (https://www.w3.org/TR/json-ld11-api/#deserialize-json-ld-to-rdf-algorithm) followed by
canonical labelling. Data Integrity requires "safe mode": a term the contexts do not define
must be an error, never silently left out of what is signed (vc-data-integrity §4.8 / DATA_LOSS).

``rdfc_nquads`` takes the fast path (:mod:`vcengine.core.jsonld_to_rdf` with cached contexts,
then :mod:`vcengine.core.rdfc`) and falls back to pyld's toRdf for JSON-LD features the fast
walker does not implement; both paths are canonicalized by :mod:`vcengine.core.rdfc`, which
escapes literals as canonical N-Quads requires and bounds the work on poison graphs.
``rdfc_nquads_reference`` is plain pyld URDNA2015, kept for comparison and benchmarks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import rfc8785
from pyld import jsonld

from vcengine.core.jsonld_to_rdf import (
    MAX_QUADS,
    SENTINEL_BASE,
    pyld_options,
    to_quads,
    translate_pyld_error,
)
from vcengine.core.jsontext import check_depth
from vcengine.core.rdfc import Quad, canonical_nquads, literal
from vcengine.errors import JsonLdError

__all__ = ["jcs", "rdfc_nquads", "rdfc_nquads_reference", "to_rdf_reference"]

_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def _dropped(term: Any) -> None:
    raise JsonLdError(f"term {term!r} is not defined by the document's contexts; it would not be signed")


def _term(node: Mapping[str, Any]) -> str:
    kind, value = node["type"], node["value"]
    if kind == "blank node":
        return str(value)
    if kind == "IRI":
        if value.startswith(SENTINEL_BASE):
            rel = value[len(SENTINEL_BASE) :]
            raise JsonLdError(f"{rel!r} is an undefined type or a relative IRI; it cannot be signed")
        return f"<{value}>"
    if node.get("datatype") == _LANGSTRING and node.get("language"):
        return literal(value, language=node["language"])
    return literal(value, node["datatype"])


def to_rdf_reference(document: Mapping[str, Any]) -> list[Quad]:
    """The dataset of ``document`` as quads, computed by pyld toRdf (safe mode, closed world)."""
    check_depth(document)
    processor = jsonld.JsonLdProcessor(on_property_dropped=_dropped)
    try:
        dataset = processor.to_rdf(dict(document), pyld_options())
    except jsonld.JsonLdError as exc:
        raise translate_pyld_error(exc) from None
    quads: list[Quad] = []
    for graph_name, triples in dataset.items():
        graph = (
            ""
            if graph_name == "@default"
            else _term({"type": "blank node" if graph_name.startswith("_:") else "IRI", "value": graph_name})
        )
        for t in triples:
            quads.append((_term(t["subject"]), _term(t["predicate"]), _term(t["object"]), graph))
    if len(quads) > MAX_QUADS:
        raise JsonLdError(f"document produces more than {MAX_QUADS} RDF statements")
    return quads


def rdfc_nquads(document: Mapping[str, Any]) -> str:
    """RDFC-1.0 canonical N-Quads of ``document`` (JSON-LD), in JSON-LD safe mode."""
    quads = to_quads(document)
    if quads is None:
        quads = to_rdf_reference(document)
    return canonical_nquads(quads)


def rdfc_nquads_reference(document: Mapping[str, Any]) -> str:
    """pyld's URDNA2015 N-Quads of ``document`` (safe mode): the slow reference.

    Differs from :func:`rdfc_nquads` only where pyld is wrong: it writes control characters
    in literals unescaped, and it does not bound the work on poison graphs.
    """
    processor = jsonld.JsonLdProcessor(on_property_dropped=_dropped)
    options = {"algorithm": "URDNA2015", "format": "application/n-quads", **pyld_options()}
    try:
        out: str = processor.normalize(dict(document), options)
    except jsonld.JsonLdError as exc:
        raise translate_pyld_error(exc) from None
    if SENTINEL_BASE in out:
        start = out.index(SENTINEL_BASE) + len(SENTINEL_BASE)
        rel = out[start : out.index(">", start)]
        raise JsonLdError(f"{rel!r} is an undefined type or a relative IRI; it cannot be signed")
    return out


def jcs(value: Any) -> bytes:
    """RFC 8785 JSON Canonicalization Scheme bytes of ``value``."""
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise JsonLdError(f"value cannot be canonicalized with JCS: {exc}") from None
