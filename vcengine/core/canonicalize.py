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

import json
import re
from collections.abc import Mapping
from typing import Any

import rfc8785
from pyld import jsonld

from vcengine.core.jsonld_to_rdf import MAX_QUADS, SENTINEL_BASE, pyld_options, to_quads
from vcengine.core.jsontext import check_depth
from vcengine.core.pyld_guard import pyld_errors, refuse_import
from vcengine.core.rdfc import Quad, WorkBudget, canonical_nquads, literal
from vcengine.errors import JsonLdError

__all__ = ["jcs", "rdf_dataset", "rdfc_nquads", "rdfc_nquads_reference", "to_rdf_reference"]

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
    refuse_import(document)
    processor = jsonld.JsonLdProcessor(on_property_dropped=_dropped)
    with pyld_errors():
        dataset = processor.to_rdf(dict(document), pyld_options())
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


def rdf_dataset(document: Mapping[str, Any]) -> list[Quad]:
    """The RDF dataset of ``document`` (JSON-LD) as quads, in JSON-LD safe mode: what an RDFC
    proof signs and what a verifier must read (see :mod:`vcengine.core.signed_graph`)."""
    quads = to_quads(document)
    return to_rdf_reference(document) if quads is None else quads


def rdfc_nquads(document: Mapping[str, Any], budget: WorkBudget | None = None) -> str:
    """RDFC-1.0 canonical N-Quads of ``document`` (JSON-LD), in JSON-LD safe mode."""
    return canonical_nquads(rdf_dataset(document), budget)


def rdfc_nquads_reference(document: Mapping[str, Any]) -> str:
    """pyld's URDNA2015 N-Quads of ``document`` (safe mode): the slow reference.

    Differs from :func:`rdfc_nquads` only where pyld is wrong: it writes control characters
    in literals unescaped, and it does not bound the work on poison graphs.
    """
    refuse_import(document)
    processor = jsonld.JsonLdProcessor(on_property_dropped=_dropped)
    options = {"algorithm": "URDNA2015", "format": "application/n-quads", **pyld_options()}
    with pyld_errors():
        out: str = processor.normalize(dict(document), options)
    if SENTINEL_BASE in out:
        start = out.index(SENTINEL_BASE) + len(SENTINEL_BASE)
        rel = out[start : out.index(">", start)]
        raise JsonLdError(f"{rel!r} is an undefined type or a relative IRI; it cannot be signed")
    return out


_MAX_SAFE_INT = 2**53 - 1
# A number that ECMAScript may print differently from Python (a fraction, an exponent, or 16+
# digits), in a structural position: right after ``:`` ``[`` or ``,``. The same text can occur
# inside a string; the parity of the quotes before it tells (see _es_numbers).
_NUMBER_TO_CHECK = re.compile(r"[:\[,](-?\d+(?:\.\d|[eE])|-?\d{16})")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_AT_OR_ABOVE_E000 = re.compile("[\ue000-\U0010ffff]")


class _Fallback(Exception):
    pass


def _es_number(token: str) -> str:
    if "." not in token and "e" not in token and "E" not in token:
        if abs(int(token)) > _MAX_SAFE_INT:
            raise _Fallback
        return token
    # ECMAScript Number::toString as RFC 8785 §3.2.2.3 amends it, from the rfc8785 library.
    return rfc8785.dumps(float(token)).decode("ascii")


def _es_numbers(text: str) -> str:
    """Rewrite the number tokens of compact JSON ``text`` the way ECMAScript prints them."""
    matches = list(_NUMBER_TO_CHECK.finditer(text))
    if not matches:
        return text
    if "\\\\" in text:  # escaped backslashes break the quote parity below: use the library
        raise _Fallback
    out: list[str] = []
    last = 0
    for match in matches:
        start = match.start(1)
        # Without escaped backslashes every backslash-quote is an escaped quote, so an odd number
        # of other quotes before the match means it sits inside a string.
        if (text.count('"', 0, start) - text.count('\\"', 0, start)) % 2:
            continue
        token = _NUMBER.match(text, start)
        assert token is not None
        out += (text[last:start], _es_number(token.group(0)))
        last = token.end()
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


def _es_number_scalar(text: str) -> str:
    if _NUMBER.fullmatch(text):
        return _es_number(text)
    return text


def jcs(value: Any) -> bytes:
    """RFC 8785 JSON Canonicalization Scheme bytes of ``value`` (JSON data: string keys).

    Written partly by hand: the ``rfc8785`` library is exact but pure Python, and took most of an
    eddsa-jcs-2022 signature's time. The standard library's sorted compact JSON is the same text
    except for number formatting (fixed here token by token, with the library's ECMAScript
    formatter) and key order where code-point and UTF-16 order disagree (characters at or above
    U+E000: those documents go to the library). ECMAScript's JSON.stringify escapes exactly what
    ``json.dumps`` escapes, in the same lowercase form; a lone surrogate fails the UTF-8 encode.
    """
    try:
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        if _AT_OR_ABOVE_E000.search(text):
            raise _Fallback
        text = _es_numbers(text) if text.startswith(("{", "[")) else _es_number_scalar(text)
        return text.encode("utf-8")
    except (_Fallback, TypeError, ValueError, RecursionError):
        pass
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise JsonLdError(f"value cannot be canonicalized with JCS: {exc}") from None
