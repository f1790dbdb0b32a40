"""Property: however a signed credential is re-expressed in JSON-LD, as long as its RDF graph is
unchanged (so its proof still passes), the report never disagrees with the graph (issue 7)."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from tests.core.test_signed_graph import (
    CRED,
    REVOKED,
    URL,
    XSD_DATETIME,
    generic_vc,
    open_badge,
    same_graph,
    sign,
    verify,
)
from vcengine.core.status import status_list_entry
from vcengine.core.verify import VerificationReport

STATUS = "https://www.w3.org/ns/credentials/status#"

# term -> (IRI, coercion): "@id", a datatype IRI, or None — as the bundled contexts define them.
TERMS: dict[str, tuple[str, str | None]] = {
    "credentialStatus": (CRED + "credentialStatus", "@id"),
    "credentialSubject": (CRED + "credentialSubject", "@id"),
    "issuer": (CRED + "issuer", "@id"),
    "validFrom": (CRED + "validFrom", XSD_DATETIME),
    "validUntil": (CRED + "validUntil", XSD_DATETIME),
    "statusPurpose": (STATUS + "statusPurpose", None),
    "statusListIndex": (STATUS + "statusListIndex", None),
    "statusListCredential": (STATUS + "statusListCredential", "@id"),
}
PREFIXES = {"cred": CRED, "bsl": STATUS}


def _expanded(value: Any, coercion: str | None) -> Any:
    """``value`` as it must be written under a full or compact IRI key (no coercion applies)."""
    if isinstance(value, list):
        return [_expanded(v, coercion) for v in value]
    if isinstance(value, str) and coercion == "@id":
        return {"@id": value}
    if isinstance(value, str) and coercion is not None:
        return {"@value": value, "@type": coercion}
    return value


def _nodes(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The JSON objects a re-expression may touch: the credential, its status entry and subject."""
    nodes = [doc]
    for key in ("credentialStatus", "credentialSubject", "issuer"):
        value = doc.get(key)
        if isinstance(value, dict):
            nodes.append(value)
    return nodes


def _rename(node: dict[str, Any], key: str, new_key: str, value: Any) -> None:
    items = list(node.items())
    node.clear()
    for k, v in items:
        if k == key:
            node[new_key] = value
        else:
            node[k] = v


def _add_prefixes(doc: dict[str, Any]) -> None:
    ctx = doc["@context"]
    if PREFIXES not in ctx:
        doc["@context"] = [*ctx, dict(PREFIXES)]


def apply(doc: dict[str, Any], op: str, which: int) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    nodes = _nodes(doc)
    node = nodes[which % len(nodes)]
    keys = [k for k in node if k in TERMS]
    key = keys[which % len(keys)] if keys else None
    if op == "full-iri" and key:
        iri, coercion = TERMS[key]
        _rename(node, key, iri, _expanded(node[key], coercion))
    elif op == "compact-iri" and key:
        iri, coercion = TERMS[key]
        prefix = next(p for p, ns in PREFIXES.items() if iri.startswith(ns))
        _add_prefixes(doc)
        _rename(node, key, f"{prefix}:{iri.rsplit('#', 1)[1]}", _expanded(node[key], coercion))
    elif op == "value-object" and key:
        _, coercion = TERMS[key]
        value = node[key]
        if isinstance(value, str) and coercion == "@id":
            node[key] = {"id": value}
        elif isinstance(value, str) and coercion is not None:
            node[key] = {"@value": value, "@type": coercion}
    elif op == "array" and key:
        node[key] = [node[key]]
    elif op == "keyword":
        for alias in ("id", "type"):
            if alias in node:
                _rename(node, alias, "@" + alias, node[alias])
                break
    elif op == "prefix-only":
        _add_prefixes(doc)
    elif op == "reorder":
        for k, v in list(node.items())[::-1]:
            del node[k]
            node[k] = v[::-1] if isinstance(v, list) else v
    elif op == "graph":
        body = {k: v for k, v in doc.items() if k not in ("@context", "proof")}
        doc = {"@context": doc["@context"], "@graph": [body], "proof": doc["proof"]}
    return doc


OPS = st.sampled_from(
    ["full-iri", "compact-iri", "value-object", "array", "keyword", "prefix-only", "reorder", "graph"]
)
BASES = {
    "revoked open badge": sign(open_badge(credentialStatus=REVOKED)),
    "revoked, Ed25519Signature2020": sign(open_badge(credentialStatus=REVOKED), "Ed25519Signature2020"),
    "expired": sign(generic_vc(validUntil="2026-06-01T00:00:00Z")),
    "not yet valid": sign(generic_vc(validFrom="2027-06-01T00:00:00Z")),
    "active open badge": sign(open_badge(credentialStatus=status_list_entry(URL, 9, "revocation"))),
    "active, revocable generic": sign(generic_vc(credentialStatus=status_list_entry(URL, 9, "revocation"))),
}
ORIGINAL = {name: verify(doc) for name, doc in BASES.items()}


def _outcome(report: VerificationReport, name: str) -> tuple[str, str | None] | None:
    check = report.check(name)
    return None if check is None else (check.outcome, check.code)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(
    base=st.sampled_from(sorted(BASES)),
    steps=st.lists(st.tuples(OPS, st.integers(0, 7)), min_size=1, max_size=4),
)
def test_the_report_never_disagrees_with_the_signed_graph(base: str, steps: list[tuple[str, int]]) -> None:
    original, doc = ORIGINAL[base], BASES[base]
    for op, which in steps:
        doc = apply(doc, op, which)
    assume(json.dumps(doc) != json.dumps(BASES[base]))
    assume(same_graph(BASES[base], doc))  # only RDF-preserving forms: the proof still passes
    report = verify(doc)
    event(f"{original.verdict} -> {report.verdict}, signed-graph {_outcome(report, 'signed-graph')}")
    if original.verdict != "verified":
        assert report.verdict != "verified", (base, steps, report.to_json())
    if report.verdict == "verified":
        assert original.verdict == "verified"
    if _outcome(report, "signed-graph") == ("pass", None):
        # the JSON states what was signed: the report is the original's, check for check
        for name in ("proof", "issuer", "validity", "status"):
            assert _outcome(report, name) == _outcome(original, name), (name, base, steps)


def test_the_originals_cover_each_outcome() -> None:
    verdicts = {
        name: (r.verdict, _outcome(r, "status"), _outcome(r, "validity")) for name, r in ORIGINAL.items()
    }
    assert verdicts["revoked open badge"][1] == ("fail", "revoked")
    assert verdicts["revoked, Ed25519Signature2020"][1] == ("fail", "revoked")
    assert verdicts["expired"][2] == ("fail", "expired")
    assert verdicts["not yet valid"][2] == ("fail", "not-yet-valid")
    assert verdicts["active open badge"][0] == "verified"
    assert verdicts["active, revocable generic"][0] == "verified"


def test_forms_that_state_the_same_json_still_verify() -> None:
    """The check refuses hidden statements, not harmless variations."""
    active = BASES["active, revocable generic"]
    for op in ("reorder", "prefix-only", "array"):
        form = apply(active, op, 3 if op == "array" else 0)
        assert json.dumps(form) != json.dumps(active) and same_graph(active, form)
        assert verify(form).verified, (op, verify(form).to_json())
