"""Reading JSON from untrusted sources within bounded time and memory.

Limits (size, nesting depth) are checked before and during parsing so that a hostile document
is refused with a clear error rather than exhausting memory or the stack.
"""

from __future__ import annotations

import json
from typing import Any

from vcengine.errors import JsonError

__all__ = ["MAX_BYTES", "MAX_DEPTH", "check_depth", "loads"]

MAX_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 64


def check_depth(value: Any, limit: int = MAX_DEPTH) -> None:
    """Raise JsonError if ``value`` nests objects/arrays deeper than ``limit`` (iterative)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            raise JsonError(f"JSON nests deeper than {limit} levels")
        stack.extend((child, depth + 1) for child in children)


def _reject_constant(name: str) -> Any:
    raise JsonError(f"JSON contains {name}, which is not valid JSON")


def loads(data: str | bytes, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> Any:
    """Parse ``data`` as strict JSON (no NaN/Infinity), within size and depth limits."""
    if len(data) > max_bytes:
        raise JsonError(f"JSON document is {len(data)} bytes; the limit is {max_bytes}")
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JsonError(f"JSON is not valid UTF-8 (byte {exc.start})") from None
    else:
        text = data
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise JsonError(f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        # The C decoder guards its recursion; a document this deep is refused outright.
        raise JsonError(f"JSON nests deeper than {max_depth} levels") from None
    if text.count("{") + text.count("[") > max_depth:  # cheap bound: fewer brackets cannot nest deeper
        check_depth(value, max_depth)
    return value
