"""Canonical forms that proofs sign: RDFC-1.0 N-Quads of JSON-LD, and JCS (RFC 8785).

RDFC-1.0 (https://www.w3.org/TR/rdf-canon/) of a JSON-LD document is computed by JSON-LD
toRdf (https://www.w3.org/TR/json-ld11-api/#deserialize-json-ld-to-rdf-algorithm) followed by
canonical labelling. Data Integrity requires "safe mode": a term the contexts do not define
must be an error, never silently left out of what is signed (vc-data-integrity §4.8 / DATA_LOSS).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import rfc8785
from pyld import jsonld

from vcengine.core.contexts import document_loader
from vcengine.errors import JsonLdError

__all__ = ["jcs", "rdfc_nquads"]

# Relative IRIs (and undefined @type values, which pyld turns into relative IRIs) are resolved
# against this base so that they become visible, then refused: jsonld.js safe mode refuses them.
_SENTINEL_BASE = "https://relative-iri.vcengine.invalid/"
_LOADER = document_loader()


def _dropped(term: Any) -> None:
    raise JsonLdError(
        f"term {term!r} is not defined by the document's contexts; it would not be signed"
    )


def rdfc_nquads(document: Mapping[str, Any]) -> str:
    """RDFC-1.0 canonical N-Quads of ``document`` (JSON-LD), in JSON-LD safe mode."""
    processor = jsonld.JsonLdProcessor(on_property_dropped=_dropped)
    options = {
        "algorithm": "URDNA2015",
        "format": "application/n-quads",
        "documentLoader": _LOADER,
        "base": _SENTINEL_BASE,
    }
    try:
        out: str = processor.normalize(dict(document), options)
    except JsonLdError:
        raise
    except jsonld.JsonLdError as exc:
        cause: BaseException = exc
        while cause.__cause__ is not None:
            if isinstance(cause.__cause__, JsonLdError):
                raise cause.__cause__ from None
            cause = cause.__cause__
        raise JsonLdError(f"JSON-LD processing failed: {cause}") from None
    if _SENTINEL_BASE in out:
        start = out.index(_SENTINEL_BASE) + len(_SENTINEL_BASE)
        rel = out[start : out.index(">", start)]
        raise JsonLdError(f"{rel!r} is an undefined type or a relative IRI; it cannot be signed")
    return out


def jcs(value: Any) -> bytes:
    """RFC 8785 JSON Canonicalization Scheme bytes of ``value``."""
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise JsonLdError(f"value cannot be canonicalized with JCS: {exc}") from None
