"""The VC Data Model rules that need JSON-LD: contexts that process, no protected term redefined,
every ``type`` a defined term or an absolute URL.

- VCDM 2.0 §4.3: each ``@context`` item "processable as a JSON-LD Context"
  (https://www.w3.org/TR/vc-data-model-2.0/#contexts);
- §5.2.1: "JSON-LD-based processors MUST produce an error when a JSON-LD context redefines any
  term" of the base context, which marks them ``@protected``
  (https://www.w3.org/TR/vc-data-model-2.0/#semantic-interoperability);
- §4.5: "The value of the type property MUST be one or more terms and/or absolute URL strings"
  (https://www.w3.org/TR/vc-data-model-2.0/#types) — a term is a name the contexts define; with
  ``{"@vocab": null}`` an undefined name is neither.

Checked with the same cached context processing the RDFC walker uses
(:func:`vcengine.core.jsonld_to_rdf.node_types`), for the credential's types and those of the
objects directly under it, so the check costs dictionary look-ups once a context list has been
seen. Deeper types are checked where JSON-LD is fully expanded, i.e. when an RDFC proof is made.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vcengine.core.jsonld_to_rdf import SENTINEL_BASE, node_types
from vcengine.core.model import is_absolute_uri
from vcengine.core.rules import SchemaIssue
from vcengine.errors import JsonLdError

__all__ = ["jsonld_issues"]

#: The objects under a credential whose ``type`` values are checked (VCDM 2.0 §4.5 table, §5).
TYPED_CHILDREN = (
    "issuer",
    "credentialSubject",
    "credentialStatus",
    "credentialSchema",
    "refreshService",
    "termsOfUse",
    "evidence",
    "renderMethod",
    "confidenceMethod",
)
_REDEFINITION = "protected term redefinition"
# (context processable, protected term redefined, type values) for VCDM 2.0 and for VC 1.1
_RULES = {
    False: ("VCDM2-4.3-context-processable", "VCDM2-5.2.1-term-redefinition", "VCDM2-4.5-type-values"),
    True: ("VC11-4.1-context-processable", "VC11-5.3.1-term-redefinition", "VC11-4.3-type-values"),
}


def jsonld_issues(doc: Mapping[str, Any], *, v11: bool) -> list[SchemaIssue]:
    """Issues of the credential's contexts and types (empty list: none). The caller has checked
    the structure of ``@context`` and ``type`` first. ContextError (a context that is not
    bundled) propagates: vcengine never fetches one."""
    processable, redefinition, type_values = _RULES[v11]
    try:
        found = node_types(dict(doc), TYPED_CHILDREN)
    except JsonLdError as exc:
        rule = redefinition if exc.code == _REDEFINITION else processable
        return [SchemaIssue("$['@context']", exc.message, rule=rule)]
    issues = []
    for path, value, iri in found or ():
        if iri.startswith(SENTINEL_BASE):
            message = f"type {value!r:.80} is not a term the contexts define, nor an absolute URL"
        elif not is_absolute_uri(iri):
            message = f"type {value!r:.80} maps to {iri!r:.80}, which is not an absolute URL"
        else:
            continue
        issues.append(SchemaIssue(path, message, rule=type_values))
    return issues
