"""Closed-world JSON-LD document loader over the bundled ``contexts/index.json``.

Security property: nothing is ever fetched over the network. A URL that is not in the
index is an error (no SSRF, no tracking of holders through context fetches). The bytes of
each bundled file are checked against the sha256 recorded in the index when first loaded.

VC Data Model 2.0 §B.1 makes ``https://www.w3.org/ns/credentials/v2`` "already retrieved";
the same holds here for every bundled URL.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from vcengine.errors import ContextError

__all__ = [
    "CONTEXTS_DIR",
    "DATA_INTEGRITY_V2_CONTEXT",
    "ED25519_2020_CONTEXT",
    "MULTIKEY_CONTEXT",
    "OB_CONTEXT",
    "OB_EXTENSIONS_CONTEXT",
    "VC_V1_CONTEXT",
    "VC_V2_CONTEXT",
    "ContextIndex",
    "bundled_contexts",
    "document_loader",
]

# The context URLs the code names (all bundled; see contexts/index.json).
VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
DATA_INTEGRITY_V2_CONTEXT = "https://w3id.org/security/data-integrity/v2"
ED25519_2020_CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"


def _find_contexts_dir() -> Path:
    # Installed wheel: contexts/ is shipped as vcengine/_contexts. Source checkout: ../../contexts.
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "_contexts", here.parent / "contexts"):
        if (candidate / "index.json").is_file():
            return candidate
    raise ContextError("bundled contexts not found (neither vcengine/_contexts nor contexts/)")


CONTEXTS_DIR = _find_contexts_dir()


class ContextIndex:
    """The map URL -> (file, sha256) of ``contexts/index.json``, verified on load."""

    def __init__(self, directory: Path) -> None:
        self._dir = directory
        raw = json.loads((directory / "index.json").read_text(encoding="utf-8"))
        self._entries: dict[str, tuple[str, str]] = {
            url: (entry["file"], entry["sha256"]) for url, entry in raw.items()
        }
        self._documents: dict[str, Any] = {}

    @property
    def urls(self) -> frozenset[str]:
        return frozenset(self._entries)

    def raw_bytes(self, url: str) -> bytes:
        """The bundled bytes of ``url``, checked against the recorded sha256."""
        try:
            file, sha256 = self._entries[url]
        except KeyError:
            raise ContextError(
                f"context {url!r} is not bundled; vcengine never fetches contexts over the network"
            ) from None
        data = (self._dir / file).read_bytes()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise ContextError(f"bundled context {url!r} ({file}) does not match its sha256")
        return data

    def document(self, url: str) -> Any:
        """The parsed JSON of the bundled context at ``url`` (cached, shared: do not mutate)."""
        if not isinstance(url, str):
            raise ContextError(f"context reference must be a URL string, not {type(url).__name__}")
        doc = self._documents.get(url)
        if doc is None:
            doc = json.loads(self.raw_bytes(url))
            self._documents[url] = doc
        return doc


@cache
def bundled_contexts() -> ContextIndex:
    """The process-wide index of the contexts shipped with vcengine."""
    return ContextIndex(CONTEXTS_DIR)


def document_loader(index: ContextIndex | None = None, extra: Mapping[str, Any] | None = None) -> Any:
    """A pyld document loader that serves only bundled contexts (and ``extra`` documents).

    ``extra`` lets a caller add documents it obtained out of band (for example a context
    a test defines); they are served exactly as given.
    """
    idx = index or bundled_contexts()
    extras = dict(extra or {})

    def load(url: str, options: Any = None) -> dict[str, Any]:
        doc = extras[url] if url in extras else idx.document(url)
        return {"contextUrl": None, "documentUrl": url, "document": doc}

    return load
