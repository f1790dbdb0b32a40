"""Reading JSON from untrusted sources: strict, and within bounded time and memory.

Strict means I-JSON (RFC 7493) where RFC 8259 leaves room for two parsers to disagree:

- a member name repeated in one object (RFC 8259 §4 "SHOULD be unique"; I-JSON §2.3 "MUST NOT"):
  Python keeps the last, other parsers the first, so ``{"issuer": A, "issuer": B}`` could be
  read as two different credentials;
- a string holding a lone UTF-16 surrogate, escaped (``"\\ud800"``) or not (RFC 8259 §8.2,
  I-JSON §2.1): not Unicode, it cannot be encoded as UTF-8 and is canonicalized differently;
- a number that is not a finite IEEE 754 double (I-JSON §2.2): ``NaN``/``Infinity`` (not JSON at
  all) and numbers that overflow to infinity, such as ``1e999``.

Limits (size, nesting depth) are checked before and during parsing so that a hostile document
is refused with a clear error rather than exhausting memory or the stack.

The standard library's C decoder does the parsing; the checks ride on its hooks
(``object_pairs_hook``, ``parse_float``, ``parse_constant``), and the surrogate walk runs only when
the raw text holds a surrogate escape or character, so valid documents pay little for them.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from vcengine.errors import JsonError

__all__ = ["MAX_BYTES", "MAX_DEPTH", "check_depth", "check_value", "loads"]

MAX_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 64

#: A surrogate code point in a decoded string: after decoding, a valid escaped pair has become one
#: astral character, so any surrogate left is a lone half.
_SURROGATE = re.compile("[\ud800-\udfff]")
#: In the raw text, an escape of a surrogate (``\\uD800``-``\\uDFFF``). It may also match an
#: escaped backslash followed by ``ud800``; the walk of the parsed value then finds nothing.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")


def _children(node: Any) -> Any:
    if isinstance(node, dict):
        return node.values()
    if isinstance(node, list):
        return node
    return None


def check_depth(value: Any, limit: int = MAX_DEPTH) -> None:
    """Raise JsonError if ``value`` nests objects/arrays deeper than ``limit`` (iterative)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children = _children(node)
        if children is None:
            continue
        if depth > limit:
            raise JsonError(f"JSON nests deeper than {limit} levels")
        stack.extend((child, depth + 1) for child in children)


def _check_text(text: str) -> None:
    match = _SURROGATE.search(text)
    if match is not None:
        raise JsonError(
            f"JSON contains a lone surrogate (U+{ord(match[0]):04X}) in a string, which is not valid Unicode"
        )


def _check_strings(value: Any) -> None:
    """Raise JsonError if any string or member name in ``value`` holds a lone surrogate."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            _check_text(node)
        elif isinstance(node, dict):
            for key in node:
                _check_text(key)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def check_value(value: Any, *, max_depth: int = MAX_DEPTH) -> None:
    """Hold an already parsed value (e.g. a GraphQL literal) to the rules ``loads`` applies:
    finite numbers, no lone surrogates, bounded depth. (A dict cannot repeat a key.)"""
    check_depth(value, max_depth)
    _check_strings(value)
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, float) and not math.isfinite(node):
            raise JsonError(f"JSON contains {node!r}, which is not a finite number")
        children = _children(node)
        if children is not None:
            stack.extend(children)


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise JsonError(f"JSON has the key {key[:100]!r} more than once in one object")
            seen.add(key)
    return obj


def _float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise JsonError(f"JSON number {shown} is out of range: it is not a finite double")
    return value


def _reject_constant(name: str) -> Any:
    raise JsonError(f"JSON contains {name}, which is not valid JSON")


def loads(data: str | bytes, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> Any:
    """Parse ``data`` as strict JSON (see the module docstring), within size and depth limits."""
    if len(data) > max_bytes:
        raise JsonError(f"JSON document is {len(data)} bytes; the limit is {max_bytes}")
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JsonError(f"JSON is not valid UTF-8 (byte {exc.start})") from None
    else:
        text = data
        if not text.isascii():  # a str from a caller may hold raw surrogates; decoded bytes cannot
            try:
                text.encode("utf-8")
            except UnicodeEncodeError as exc:
                _check_text(text[exc.start : exc.end])
    try:
        value = json.loads(
            text, object_pairs_hook=_object, parse_float=_float, parse_constant=_reject_constant
        )
    except json.JSONDecodeError as exc:
        raise JsonError(f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        # The C decoder guards its recursion; a document this deep is refused outright.
        raise JsonError(f"JSON nests deeper than {max_depth} levels") from None
    except ValueError as exc:  # an integer beyond int()'s digit limit (CVE-2020-10735)
        raise JsonError(f"malformed JSON: a number has too many digits ({exc})") from None
    if text.count("{") + text.count("[") > max_depth:  # cheap bound: fewer brackets cannot nest deeper
        check_depth(value, max_depth)
    # Measured on a 3 KB credential: a regex over the whole text costs twice the parse; finding
    # no backslash at all (most credentials) costs a tenth of a microsecond.
    if "\\" in text and _SURROGATE_ESCAPE.search(text) is not None:
        _check_strings(value)
    return value
