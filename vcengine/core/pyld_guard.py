"""Running pyld safely: its failures become our errors, and two of its defects are kept away.

pyld (https://github.com/digitalbazaar/pyld) does JSON-LD context processing and the fallback
toRdf / URDNA2015. On some valid-but-unusual input it raises plain Python exceptions instead of
a JsonLdError, and two forms it gets wrong are handled here before it sees them:

- ``{"@vocab": null}`` with no vocabulary mapping active raises KeyError (JSON-LD 1.1 Context
  Processing §4.1.2 step 5.8.2 makes it a no-op): :func:`vocab_null_as_noop`;
- ``@import`` is merged into the *cached* imported context, so one document would change a
  bundled context for every later one in the process: :func:`refuse_import`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from pyld import jsonld

from vcengine.errors import JsonLdError, VcengineError

__all__ = ["needs_item_by_item", "pyld_errors", "refuse_import", "translate_pyld_error", "vocab_null_as_noop"]


def translate_pyld_error(exc: BaseException) -> VcengineError:
    """Our error behind a pyld failure: the first VcengineError in its cause chain, if any, else
    a JsonLdError carrying the JSON-LD error code. pyld also raises plain Python exceptions
    (KeyError, TypeError, ...) on some valid-but-unusual forms; they are JSON-LD processing
    failures too, never bugs to surface as a 500."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, VcengineError):
            return cause
        cause = cause.__cause__
    code = exc.code if isinstance(exc, jsonld.JsonLdError) else None
    root: BaseException = exc
    while root.__cause__ is not None:
        root = root.__cause__
    if isinstance(root, jsonld.JsonLdError):
        detail = str(root.args[0]) if root.args else "invalid JSON-LD"
        code = code or root.code
    else:
        detail = f"this JSON-LD form is not supported ({type(root).__name__}: {root})"
    text = f"JSON-LD processing failed: {detail}" + (f" [{code}]" if code else "")
    return JsonLdError(text[:500], code=code or "processing failure")


@contextmanager
def pyld_errors() -> Iterator[None]:
    """Run pyld: every failure of JSON-LD processing leaves as a VcengineError. pyld's warnings
    (a keyword-like term it ignores, as JSON-LD 1.1 says) stay warnings: they only surface as
    exceptions in a process that turned warnings into errors."""
    try:
        yield
    except (VcengineError, MemoryError, Warning):
        raise
    except Exception as exc:  # pyld raises arbitrary exceptions on odd input
        raise translate_pyld_error(exc) from None


def refuse_import(value: Any) -> None:
    """JsonLdError if a context (or a document) anywhere uses ``@import``.

    JSON-LD 1.1 merges the imported context into a copy (Context Processing step 5.6); pyld 3.3
    merges it into the cached imported document itself, so one document with
    ``{"@import": "https://www.w3.org/ns/credentials/v2", ...}`` would change that context for
    every later document in the process. vcengine refuses the keyword instead.
    """
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "@import" in item:
                raise JsonLdError(
                    "@import is not supported in a JSON-LD context by vcengine", code="invalid context entry"
                )
            stack.extend(v for v in item.values() if isinstance(v, dict | list))
        elif isinstance(item, list):
            stack.extend(v for v in item if isinstance(v, dict | list))


def vocab_null_as_noop(active: Mapping[str, Any], local: Any) -> Any:
    """``{"@vocab": null}`` removes the vocabulary mapping (JSON-LD 1.1 Context Processing
    §4.1.2 step 5.8.2); with none active that is a no-op, but pyld 3.3 raises KeyError on it.
    Written here because pyld cannot be configured around it: drop the member in that case."""
    if isinstance(local, dict) and "@vocab" in local and local["@vocab"] is None and "@vocab" not in active:
        return {key: value for key, value in local.items() if key != "@vocab"}
    return local


def needs_item_by_item(local: Any) -> bool:
    """True when item-by-item processing is needed and equivalent: a ``{"@vocab": null}`` item
    and no ``@propagate`` (which pyld only honours on the first item of an array)."""
    items = local if isinstance(local, list) else [local]
    dicts = [item for item in items if isinstance(item, dict)]
    return any("@vocab" in d and d["@vocab"] is None for d in dicts) and not any(
        "@propagate" in d for d in dicts
    )
