"""JSON-LD to RDF quads for the subset of JSON-LD that credentials use, with cached contexts.

Spec: JSON-LD 1.1 Processing Algorithms — Expansion (§5.1.2
https://www.w3.org/TR/json-ld11-api/#expansion-algorithm), Value Expansion (§5.3.2), Node Map
Generation (§7.2) and Deserialize JSON-LD to RDF (§8.1, object to RDF §8.2, list to RDF §8.3),
fused into one walk that writes quads directly.

Why hand-written when pyld does all of this: pyld re-processes every context, builds the
expanded document and then the node map, which costs ~3 ms for a 3 KB Open Badge. Context
processing is reused from pyld (it is the hard, correct part) but its results are cached per
(parent context, local/scoped context); the walk itself mirrors pyld's ``_expand`` /
``_expand_object`` / ``_object_to_rdf`` step by step, so that pyld stays the reference.

Anything outside the subset is not guessed at: :func:`to_quads` returns ``None`` and the
caller falls back to pyld's toRdf. Outside the subset: ``@reverse`` and reverse terms,
``@nest``, ``@included``, ``@graph`` as a node key, explicit ``@list`` / ``@set`` objects,
index / language / id / type maps, ``@json``, ``@direction``, nested arrays, empty objects as
values, ``@base`` in a context, keys aliased to ``@value``, xsd:double-typed strings (pyld
rewrites them, the spec does not), numbers beyond the double range, language tags that are
not well formed, scalars in an ``@graph`` container and scoped contexts that redefine the term
that carries them.

Safety (Data Integrity "safe mode", vc-data-integrity §4.8): a term the contexts do not define,
an undefined ``@type`` and a relative IRI are errors, exactly as in the pyld path.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Mapping
from typing import Any

from cachetools import LRUCache
from pyld import jsonld
from pyld.context_resolver import ContextResolver

from vcengine.core.contexts import document_loader
from vcengine.core.jsontext import MAX_DEPTH
from vcengine.core.pyld_guard import needs_item_by_item, pyld_errors, refuse_import, vocab_null_as_noop
from vcengine.core.rdfc import Quad, literal
from vcengine.errors import JsonError, JsonLdError

__all__ = [
    "MAX_QUADS",
    "SENTINEL_BASE",
    "node_types",
    "pyld_options",
    "to_quads",
]

#: Relative IRIs (and undefined @type values, which JSON-LD turns into relative IRIs) are
#: resolved against this base so that they become visible, then refused.
SENTINEL_BASE = "https://relative-iri.vcengine.invalid/"

#: Upper bound on the size of the dataset a document may produce.
MAX_QUADS = 100_000

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF_TYPE = f"<{RDF}type>"
_RDF_FIRST = f"<{RDF}first>"
_RDF_REST = f"<{RDF}rest>"
_RDF_NIL = f"<{RDF}nil>"
XSD_BOOLEAN = XSD + "boolean"
XSD_DOUBLE = XSD + "double"
XSD_INTEGER = XSD + "integer"
XSD_STRING = XSD + "string"

# pyld's notion of an absolute IRI (jsonld.py ``_is_absolute_iri``) ...
_PYLD_ABSOLUTE = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$")
# ... and the characters an IRI may not contain (RFC 3987; N-Quads IRIREF).
_BAD_IRI_CHAR = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f]')
# Both at once: an absolute IRI that can be written in N-Quads as it is (the common case).
_GOOD_IRI = re.compile(r'^[A-Za-z][A-Za-z0-9+-.]*:[^\x00-\x20<>"{}|^`\\\x7f\s]*$')
_LANGUAGE_TAG = re.compile(r"^[a-zA-Z]+(-[a-zA-Z0-9]+)*$")
_GOOD_DATATYPES = frozenset(
    {None, XSD_STRING, XSD + "dateTime", XSD + "date", XSD + "anyURI", XSD + "float"}
    | {"https://www.w3.org/2001/XMLSchema#" + t for t in ("dateTime", "date", "anyURI", "float")}
)
_SUPPORTED_CONTAINERS = frozenset({"@set", "@list", "@graph"})


class _Fallback(Exception):  # private control flow: never leaves this module
    """The document uses JSON-LD this walker does not implement; use pyld instead."""


# --- contexts ------------------------------------------------------------------------------

_LOCK = threading.Lock()
_PROCESSOR = jsonld.JsonLdProcessor()
_RESOLVED: LRUCache[str, Any] = LRUCache(maxsize=512)
_LOADER = document_loader()
_MAX_CHILDREN = 64


def pyld_options(cache: LRUCache[str, Any] | None = None) -> dict[str, Any]:
    """Options for pyld: closed-world loader, sentinel base, and a context cache of our own.

    pyld's default cache is process-wide and shared with every other pyld user (and their
    loaders), so it is never used. ``cache`` must only be shared under a lock (cachetools
    caches are not thread-safe); by default each call gets a fresh one.
    """
    return {
        "base": SENTINEL_BASE,
        "documentLoader": _LOADER,
        "contextResolver": ContextResolver(LRUCache(64) if cache is None else cache, _LOADER),
        "processingMode": "json-ld-1.1",
    }


def _context_key(value: Any) -> str | None:
    """A cache key for a context value, None for values not worth caching (inline objects)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "\x00".join(value)
    return None


class _Term:
    """What the walker needs from one term definition (read through pyld's accessors)."""

    __slots__ = (
        "container",
        "datatype",
        "direction",
        "iri",
        "language",
        "predicate",
        "raw",
        "reverse",
        "scoped",
        "type",
    )

    def __init__(self, ctx: Mapping[str, Any], key: str, iri: str | None) -> None:
        value = jsonld.JsonLdProcessor.get_context_value
        self.iri = iri
        self.raw = ctx["mappings"].get(key)
        self.type: Any = value(ctx, key, "@type")
        container = value(ctx, key, "@container")
        self.container = frozenset(jsonld.JsonLdProcessor.arrayify(container or []))
        self.scoped: Any = value(ctx, key, "@context")
        self.language: Any = value(ctx, key, "@language")
        self.direction: Any = value(ctx, key, "@direction")
        self.reverse = bool(self.raw and self.raw.get("reverse"))
        self.predicate: str | None = None  # set by the walker once the term is checked
        # Value Expansion §5.3.2: the datatype of a coerced value, None for @id/@vocab/@none
        self.datatype = self.type if self.type not in (None, "@id", "@vocab", "@none") else None


class _Context:
    """A processed (frozen) pyld active context with memoised lookups and derived contexts."""

    __slots__ = ("_children", "_layouts", "_terms", "_typed", "_vocab", "previous", "raw")

    def __init__(self, raw: Mapping[str, Any], previous: _Context | None = None) -> None:
        self.raw = raw
        self.previous = previous
        self._terms: dict[str, _Term] = {}
        self._vocab: dict[str, Any] = {}
        self._children: dict[tuple[str, Any], tuple[Any, _Context]] = {}
        self._layouts: dict[tuple[str, ...], tuple[str | None, str | None, tuple[str, ...]]] = {}
        self._typed: dict[tuple[str, ...], tuple[_Context, tuple[str, ...]]] = {}

    def layout(self, keys: tuple[str, ...]) -> tuple[str | None, str | None, tuple[str, ...]]:
        """The entries of a node object: (its @type key, its @id key, the other keys)."""
        found = self._layouts.get(keys)
        if found is not None:
            return found
        type_key = id_key = None
        others = []
        for key in keys:
            expanded = self.expand_key(key)
            if expanded == "@type":
                if type_key is not None:
                    raise _Fallback
                type_key = key
            elif expanded == "@id":
                if id_key is not None:
                    raise _Fallback
                id_key = key
            elif key != "@context":
                others.append(key)
        found = (type_key, id_key, tuple(others))
        if len(self._layouts) < 1024:
            self._layouts[keys] = found
        return found

    def typed(self, types: tuple[str, ...]) -> tuple[_Context, tuple[str, ...]]:
        """Expansion step 11: the context after the types' scoped contexts, and the types' IRIs."""
        found = self._typed.get(types)
        if found is not None:
            return found
        ctx = self
        for t in sorted(types):
            local = self.term(t).scoped
            if local is not None and local is not False:
                ctx = ctx.scoped("type", local)
        iris = []
        for t in types:
            expanded = self.expand_key(t)
            if not isinstance(expanded, str):
                raise _Fallback
            iris.append(expanded)
        found = (ctx, tuple(iris))
        if len(self._typed) < 1024:
            self._typed[types] = found
        return found

    def term(self, key: str) -> _Term:
        found = self._terms.get(key)
        if found is None:
            found = self._terms[key] = _Term(self.raw, key, self.expand_key(key))
        return found

    def expand_key(self, key: str) -> Any:
        """IRI expansion of a property name or ``@type`` value (vocab-relative)."""
        try:
            return self._vocab[key]
        except KeyError:
            pass
        with pyld_errors():
            expanded = _PROCESSOR._expand_iri(self.raw, key, vocab=True, base=SENTINEL_BASE)
        if len(self._vocab) < 4096:
            self._vocab[key] = expanded
        return expanded

    def expand_id(self, value: str) -> str:
        """IRI expansion of an ``@id`` value (document-relative; compact IRIs allowed)."""
        if value.startswith("@"):
            raise _Fallback
        colon = value.find(":")
        if colon > 0:
            prefix, suffix = value[:colon], value[colon + 1 :]
            if prefix == "_" or suffix.startswith("//"):
                return value
            mapping = self.raw["mappings"].get(prefix)
            if mapping and mapping["_prefix"]:
                return str(mapping["@id"]) + suffix
            if _PYLD_ABSOLUTE.match(value):
                return value
        if "@base" in self.raw:
            raise _Fallback
        raise JsonLdError(f"{value!r} is a relative IRI; it cannot be signed")

    def derive(self, kind: str, local: Any, key: Any) -> _Context:
        """The context after processing ``local`` (``kind``: local, property or type scope)."""
        cached = self._children.get((kind, key)) if key is not None else None
        if cached is not None:
            return cached[1]
        refuse_import(local)
        flags = {"override_protected": kind == "property", "propagate": kind != "type"}
        with _LOCK, pyld_errors():
            if needs_item_by_item(local):
                # An array of contexts is processed item by item (Context Processing step 5),
                # so that each {"@vocab": null} is judged against the context before it.
                raw = self.raw
                for item in local if isinstance(local, list) else [local]:
                    item = vocab_null_as_noop(raw, item)
                    raw = _PROCESSOR._process_context(raw, item, pyld_options(_RESOLVED), **flags)
            else:
                raw = _PROCESSOR._process_context(self.raw, local, pyld_options(_RESOLVED), **flags)
        previous_raw = raw.get("previousContext")
        previous: _Context | None = None
        if previous_raw is self.raw:
            previous = self
        elif self.previous is not None and previous_raw is self.previous.raw:
            previous = self.previous
        elif previous_raw is not None:
            previous = _Context(previous_raw)
        child = _Context(raw, previous)
        if key is not None and len(self._children) < _MAX_CHILDREN:
            self._children[(kind, key)] = (local, child)
        return child

    def scoped(self, kind: str, local: Any) -> _Context:
        # Scoped contexts live in term definitions of cached contexts, so their id is stable
        # for as long as the cache entry (which also holds a reference to them) lives.
        return self.derive(kind, local, id(local))


_INITIAL = _Context(_PROCESSOR._get_initial_context({"processingMode": "json-ld-1.1"}))


# --- the walk ------------------------------------------------------------------------------


def _canonical_double(value: float) -> str:
    """JSON-LD canonical xsd:double lexical form (as pyld / jsonld.js ``toExponential(15)``)."""
    return re.sub(r"(\d)0*E\+?(-)?0*(\d)", r"\1E\2\3", f"{value:1.15E}")


def _iri(value: str) -> str:
    """An expanded IRI as a term, refusing relative and malformed IRIs."""
    if _GOOD_IRI.match(value) is not None and not value.startswith(SENTINEL_BASE):
        return "<" + value + ">"
    if value.startswith(SENTINEL_BASE):
        rel = value[len(SENTINEL_BASE) :]
        raise JsonLdError(f"{rel!r} is an undefined type or a relative IRI; it cannot be signed")
    if _BAD_IRI_CHAR.search(value) is not None:
        raise JsonLdError(f"{value!r} is not a valid IRI; it cannot be signed")
    if not _PYLD_ABSOLUTE.match(value):
        raise _Fallback
    return "<" + value + ">"


def _predicate(key: str, term: _Term) -> str:
    """The predicate term for a property, after the safe-mode check (expansion step 13.2)."""
    iri = term.iri
    if (
        iri is None
        or iri.startswith(SENTINEL_BASE)
        or not ((iri.startswith("@") and iri in jsonld.KEYWORDS) or _PYLD_ABSOLUTE.match(iri))
    ):
        raise JsonLdError(f"term {key!r} is not defined by the document's contexts; it would not be signed")
    if iri.startswith(("@", "_:")) or term.reverse:
        raise _Fallback
    if not term.container <= _SUPPORTED_CONTAINERS or term.type == "@json":
        raise _Fallback
    return _iri(iri)


def _enter(ctx: _Context, prop: str | None, element: dict[str, Any]) -> _Context:
    """Expansion §5.1.2 steps 7-9 for a node object: the active context its entries use."""
    scoped = ctx.term(prop).scoped if prop is not None else None
    if ctx.previous is not None and not (len(element) == 1 and ctx.expand_key(next(iter(element))) == "@id"):
        ctx = ctx.previous  # step 7: type-scoped contexts do not propagate into nodes
    if scoped is not None:
        ctx = ctx.scoped("property", scoped)  # step 8
    if "@context" in element:  # step 9
        local = element["@context"]
        if isinstance(local, dict) and list(local) == ["@context"]:
            raise _Fallback
        ctx = ctx.derive("local", local, _context_key(local))
    return ctx


def _types_of(ctx: _Context, element: dict[str, Any]) -> tuple[_Context, tuple[str, ...], tuple[str, ...]]:
    """Steps 10-11: the context after the node's type-scoped contexts, its types and their IRIs."""
    type_key = ctx.layout(tuple(element))[0]
    if type_key is None:
        return ctx, (), ()
    value = element[type_key]
    types = tuple(value) if isinstance(value, list) else (value,)
    if not all(isinstance(t, str) for t in types):
        raise _Fallback
    typed, iris = ctx.typed(types)
    return typed, types, iris


class _Walker:
    def __init__(self) -> None:
        self.quads: list[Quad] = []
        self.blank_ids: dict[str, str] = {}
        self.counter = 0

    def fresh(self) -> str:
        self.counter += 1
        return f"_:b{self.counter}"

    def emit(self, s: str, p: str, o: str, g: str) -> None:
        self.quads.append((s, p, o, g))
        if len(self.quads) > MAX_QUADS:
            raise JsonLdError(f"document produces more than {MAX_QUADS} RDF statements")

    def reference(self, expanded: str) -> str:
        """A node identifier (IRI or document blank node label) as a term."""
        if expanded.startswith("_:"):
            label = self.blank_ids.get(expanded)
            if label is None:
                label = self.blank_ids[expanded] = self.fresh()
            return label
        return _iri(expanded)

    def node(self, ctx: _Context, prop: str | None, element: dict[str, Any], graph: str, depth: int) -> str:
        """Expansion §5.1.2 steps 7-13 for a node object, emitting its quads; returns its term."""
        if depth > MAX_DEPTH:
            raise JsonError(f"JSON-LD document nests deeper than {MAX_DEPTH} levels")
        ctx = _enter(ctx, prop, element)
        keys = tuple(element)
        type_key, id_key, others = ctx.layout(keys)
        if type_key is not None:  # steps 10-11: type-scoped contexts
            value = element[type_key]
            types = tuple(value) if isinstance(value, list) else (value,)
            if not all(isinstance(t, str) for t in types):
                raise _Fallback
            typed, type_iris = ctx.typed(types)
            if typed is not ctx:
                ctx = typed
                if ctx.layout(keys)[:2] != (type_key, id_key):
                    raise _Fallback
        if id_key is None:
            subject = self.fresh()
        else:
            value = element[id_key]
            if not isinstance(value, str):
                raise _Fallback
            subject = self.reference(ctx.expand_id(value))
        if type_key is not None:
            for iri in type_iris:
                self.emit(subject, _RDF_TYPE, self.reference(iri), graph)
        for key in others:
            self.property(ctx, subject, key, element[key], graph, depth)
        return subject

    def property(self, ctx: _Context, subject: str, key: str, value: Any, graph: str, depth: int) -> None:
        """Expansion §5.1.2 step 13 for one entry, then Node Map / toRdf for its values."""
        term = ctx.term(key)
        predicate = term.predicate
        if predicate is None:
            predicate = term.predicate = _predicate(key, term)
        if value is None:
            return
        container = term.container
        if term.scoped is not None:
            term_ctx = ctx.scoped("property", term.scoped)
            if term_ctx.term(key).raw != term.raw:
                raise _Fallback
        else:
            term_ctx = ctx
        values = value if isinstance(value, list) else [value]
        if "@list" in container:
            if "@graph" in container:
                raise _Fallback
            head = self.list(term_ctx, key, values, graph, depth)
            self.emit(subject, predicate, head, graph)
            return
        for item in values:
            if "@graph" in container:
                if not isinstance(item, dict) or "@value" in item:
                    raise _Fallback
                name = self.fresh()
                self.value(term_ctx, key, item, name, depth)
                self.emit(subject, predicate, name, graph)
                continue
            obj = self.value(term_ctx, key, item, graph, depth)
            if obj is not None:
                self.emit(subject, predicate, obj, graph)

    def list(self, ctx: _Context, key: str, values: list[Any], graph: str, depth: int) -> str:
        """List to RDF conversion (§8.3)."""
        items = []
        for item in values:
            if isinstance(item, list) or item == {}:
                raise _Fallback
            obj = self.value(ctx, key, item, graph, depth)
            if obj is not None:
                items.append(obj)
        if not items:
            return _RDF_NIL
        head = node = self.fresh()
        for index, obj in enumerate(items):
            self.emit(node, _RDF_FIRST, obj, graph)
            following = self.fresh() if index + 1 < len(items) else _RDF_NIL
            self.emit(node, _RDF_REST, following, graph)
            node = following
        return head

    def value(self, ctx: _Context, key: str, item: Any, graph: str, depth: int) -> str | None:
        """One value of property ``key``: a node, a value object or a scalar; its term."""
        if type(item) is str:  # the common case first: a plain string literal
            term = ctx.term(key)
            if term.type is None and term.language is None and term.direction is None:
                return literal(item)
        if isinstance(item, dict):
            if not item:
                raise _Fallback
            if "@value" in item:
                return self.value_object(ctx, key, item)
            return self.node(ctx, key, item, graph, depth + 1)
        if item is None:
            return None
        if isinstance(item, list):
            raise _Fallback
        term = ctx.term(key)
        if isinstance(item, str):  # Value Expansion §5.3.2
            if term.type == "@id":
                return self.reference(ctx.expand_id(item))
            if term.type == "@vocab":
                expanded = ctx.expand_key(item)
                if not isinstance(expanded, str):
                    raise _Fallback
                return self.reference(expanded)
        datatype = term.datatype
        language = None
        if datatype is None and isinstance(item, str):
            if term.direction is not None:
                raise _Fallback
            language = term.language
        return _literal(item, datatype, language)

    def value_object(self, ctx: _Context, key: str, item: dict[str, Any]) -> str | None:
        """An explicit ``{"@value": ...}`` with at most ``@type`` or ``@language``."""
        if not set(item) <= {"@value", "@type", "@language"} or len(item) > 2:
            raise _Fallback
        scoped = ctx.term(key).scoped
        if scoped is not None:
            ctx = ctx.scoped("property", scoped)
        value = item["@value"]
        if value is None:
            return None
        if isinstance(value, (dict, list)):
            raise _Fallback
        datatype = item.get("@type")
        if datatype is not None:
            if not isinstance(datatype, str):
                raise _Fallback
            if ctx.term(datatype).scoped is not None:
                raise _Fallback
            datatype = ctx.expand_key(datatype)
            if (
                not isinstance(datatype, str)
                or datatype.startswith("_:")
                or not _PYLD_ABSOLUTE.match(datatype)
            ):
                raise _Fallback
        language = item.get("@language")
        if language is not None:
            if not isinstance(language, str) or not isinstance(value, str):
                raise _Fallback
            language = language.lower()
        return _literal(value, datatype, language)


def _literal(value: Any, datatype: str | None, language: str | None) -> str:
    """Object to RDF conversion (§8.2) of a native value, mirroring pyld ``_object_to_rdf``."""
    if type(value) is str and language is None and datatype in _GOOD_DATATYPES:
        return literal(value, datatype or XSD_STRING)
    if datatype is not None and (
        datatype.startswith("_:") or not _PYLD_ABSOLUTE.match(datatype) or _BAD_IRI_CHAR.search(datatype)
    ):
        raise _Fallback
    if isinstance(value, bool):
        return literal("true" if value else "false", datatype or XSD_BOOLEAN)
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:
            raise _Fallback from None
        if not math.isfinite(number):
            raise _Fallback
        if isinstance(value, float) and not value.is_integer():
            return literal(_canonical_double(value), datatype or XSD_DOUBLE)
        if datatype == XSD_DOUBLE or abs(value) >= 1e21:
            return literal(_canonical_double(number), datatype or XSD_DOUBLE)
        return literal(str(int(value)), datatype or XSD_INTEGER)
    if not isinstance(value, str) or datatype == XSD_DOUBLE:
        raise _Fallback  # pyld rewrites xsd:double strings; the spec does not
    if language is not None:
        if not _LANGUAGE_TAG.match(language):
            raise _Fallback
        return literal(value, language=language)
    return literal(value, datatype or XSD_STRING)


def node_types(document: Mapping[str, Any], children: tuple[str, ...]) -> list[tuple[str, str, str]] | None:
    """The ``type`` values of the document node and of the node objects directly under the
    ``children`` properties, with the IRI each expands to, as ``(JSON path, value, IRI)``.

    Expansion steps 7-11 exactly as the walker applies them (cached contexts), without the rest
    of the walk: cheap enough for a pre-flight. An IRI under SENTINEL_BASE is a value that is
    neither a defined term nor an absolute IRI. None where the walker would hand the document to
    pyld (the checks then happen when it is signed). Raises JsonLdError / ContextError when the
    contexts cannot be processed.
    """
    if not isinstance(document, dict):
        return None
    out: list[tuple[str, str, str]] = []
    try:
        ctx = _enter(_INITIAL, None, document)
        typed, types, iris = _types_of(ctx, document)
        out.extend(("$.type", t, iri) for t, iri in zip(types, iris, strict=True))
        for prop in children:
            value = document.get(prop)
            if value is None:
                continue
            items = value if isinstance(value, list) else [value]
            term = typed.term(prop)
            term_ctx = typed.scoped("property", term.scoped) if term.scoped is not None else typed
            for index, item in enumerate(items):
                if not isinstance(item, dict) or not item or "@value" in item:
                    continue
                where = f"$.{prop}[{index}].type" if isinstance(value, list) else f"$.{prop}.type"
                _, child_types, child_iris = _types_of(_enter(term_ctx, prop, item), item)
                out.extend((where, t, iri) for t, iri in zip(child_types, child_iris, strict=True))
    except _Fallback:
        return None
    return out


def to_quads(document: Mapping[str, Any]) -> list[Quad] | None:
    """The RDF dataset of ``document`` as quads (blank node labels arbitrary).

    None when the document uses JSON-LD outside the supported subset: then use pyld.
    Raises JsonLdError / ContextError / JsonError where the pyld path refuses, and also on an
    ``@id`` that is not a valid IRI (white space, ``<>"{}|^`\\``), about which pyld silently
    drops every statement.
    """
    if not isinstance(document, dict):
        return None
    walker = _Walker()
    try:
        walker.node(_INITIAL, None, document, "", 1)
    except _Fallback:
        return None
    return walker.quads
