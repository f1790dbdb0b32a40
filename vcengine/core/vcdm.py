"""The structural rules of the VC Data Model: v2.0 §4 and §5, or v1.1 for v1-context documents.

https://www.w3.org/TR/vc-data-model-2.0/ (and https://www.w3.org/TR/vc-data-model-1.1/). Each
check appends :class:`~vcengine.core.rules.SchemaIssue` values that name their rule (see the
table in :mod:`vcengine.core.rules`). What needs JSON-LD processing (is every ``type`` a defined
term, can every context be processed, is a protected term redefined) is in
:mod:`vcengine.core.vcdm_jsonld`.

Written as straight-line Python over the dict, by hand, because it runs before every signature
(the signing hot path, ``benchmarks/bench_proofs.py``): a JSON Schema of these rules costs ten
times more. The walk over every ``id`` and ``type`` answers "all good" without building a single
JSON path; only a document with an issue is walked again to name where.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from vcengine.core.contexts import VC_V1_CONTEXT, VC_V2_CONTEXT
from vcengine.core.dates import parse_date_time
from vcengine.core.model import is_absolute_uri
from vcengine.core.resource_integrity import digest_problems
from vcengine.core.rules import SchemaIssue
from vcengine.errors import SchemaError

__all__ = ["child_path", "identifier_issues", "is_vc11", "vcdm_issues"]

_JSON_PATH_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9_]*")
# A well-formed BCP 47 language tag, as JSON-LD 1.1 checks it (§9.7 "well-formed").
_LANGUAGE_TAG = re.compile(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*")
_LANGUAGE_VALUE_KEYS = frozenset({"@value", "@language", "@direction"})
_SCALARS = (str, int, float, bool, type(None))
_SCALAR_TYPES = frozenset(_SCALARS)


@dataclass(frozen=True, slots=True)
class _Ids:
    """The rule ids of one version of the data model (None: the version has no such rule)."""

    context_order: str
    context_values: str
    id_url: str
    type_required: str
    type_vc: str
    type_values: str
    issuer_required: str
    issuer_url: str
    subject_required: str
    subject_claims: str
    status: str
    schema: str
    refresh: str
    terms_of_use: str
    evidence: str
    status_needs_id: bool
    refresh_needs_id: bool


_V2 = _Ids(
    "VCDM2-4.3-context-order",
    "VCDM2-4.3-context-values",
    "VCDM2-4.4-id-url",
    "VCDM2-4.5-type-required",
    "VCDM2-4.5-type-vc",
    "VCDM2-4.5-type-values",
    "VCDM2-4.7-issuer-required",
    "VCDM2-4.7-issuer-url",
    "VCDM2-4.8-subject-required",
    "VCDM2-4.8-subject-claims",
    "VCDM2-4.10-status",
    "VCDM2-4.11-credential-schema",
    "VCDM2-5.4-refresh-type",
    "VCDM2-5.5-terms-of-use-type",
    "VCDM2-5.6-evidence-type",
    status_needs_id=False,
    refresh_needs_id=False,
)
_V11 = _Ids(
    "VC11-4.1-context-order",
    "VC11-4.1-context-values",
    "VC11-4.2-id-uri",
    "VC11-4.3-type-required",
    "VC11-4.3-type-vc",
    "VC11-4.3-type-values",
    "VC11-4.5-issuer-required",
    "VC11-4.5-issuer-uri",
    "VC11-4.4-subject-required",
    "VC11-4.4-subject-claims",
    "VC11-4.9-status-id-type",
    "VC11-5.4-schema-id-type",
    "VC11-5.5-refresh-id-type",
    "VC11-5.6-terms-of-use-type",
    "VC11-5.7-evidence-type",
    status_needs_id=True,
    refresh_needs_id=True,
)
_RESERVED = ("renderMethod", "confidenceMethod")  # VCDM 2.0 §5.10


def is_vc11(doc: Mapping[str, Any]) -> bool:
    """A VC 1.1 document: its first context is the v1 context."""
    contexts = doc.get("@context")
    first = contexts[0] if isinstance(contexts, list) and contexts else contexts
    return bool(first == VC_V1_CONTEXT)


def child_path(path: str, key: str) -> str:
    """``path.key``, or ``path['key']`` for a key that is not a plain name."""
    if _JSON_PATH_NAME.fullmatch(key):
        return f"{path}.{key}"
    return "{}['{}']".format(path, key.replace("\\", "\\\\").replace("'", "\\'"))


def vcdm_issues(doc: Mapping[str, Any]) -> list[SchemaIssue]:
    """Every structural issue of a credential (empty list: none), one per JSON path."""
    v11 = is_vc11(doc)
    ids = _V11 if v11 else _V2
    out: list[SchemaIssue] = []
    _context(doc, ids, VC_V1_CONTEXT if v11 else VC_V2_CONTEXT, out)
    _type(doc, ids, out)
    _issuer(doc, ids, v11, out)
    _subject(doc, ids, out)
    if v11:
        _dates(
            doc, "issuanceDate", "expirationDate", "VC11-4.6-issuance-date", "VC11-4.8-expiration-date", out
        )
    else:
        _dates(doc, "validFrom", "validUntil", "VCDM2-4.9-date-time-stamp", "VCDM2-4.9-validity-order", out)
        _language_value(doc, "$", "name", "VCDM2-4.6-name", out)
        _language_value(doc, "$", "description", "VCDM2-4.6-description", out)
        _related_resources(doc, out)
    _extension_points(doc, ids, v11, out)
    if not _ids_and_types_ok(doc):
        _ids_and_types(doc, ids, out)
    seen: set[str] = set()
    unique = []
    for issue in out:  # the most specific rule at a path wins (generic walks come last)
        if issue.path not in seen:
            seen.add(issue.path)
            unique.append(issue)
    return unique


def identifier_issues(node: Mapping[str, Any]) -> list[SchemaIssue]:
    """§4.4 and §4.5 alone, for any document (an issuer Profile): every ``id`` one URL, every
    ``type`` one or more non-empty strings."""
    out: list[SchemaIssue] = []
    if not _ids_and_types_ok(node):
        _ids_and_types(node, _V2, out)
    return out


# --- §4.3 contexts, §4.5 types, §4.7 issuer, §4.8 credential subject ----------------------------


def _context(doc: Mapping[str, Any], ids: _Ids, base: str, out: list[SchemaIssue]) -> None:
    where = "$['@context']"
    if "@context" not in doc:
        out.append(SchemaIssue(where, "@context is required", rule="VCDM2-4.3-context-required"))
        return
    contexts = doc["@context"]
    if not isinstance(contexts, list) or not contexts or contexts[0] not in (VC_V2_CONTEXT, VC_V1_CONTEXT):
        message = f"@context must be an array whose first item is {base}"
        out.append(SchemaIssue(where, message, rule=ids.context_order))
        return
    seen = {contexts[0]}
    for index, item in enumerate(contexts[1:], start=1):
        if isinstance(item, str):
            if item in seen:
                message = f"@context repeats {item[:80]!r} (it is an ordered set)"
            elif not is_absolute_uri(item):
                message = f"@context item {item[:80]!r} is not a URL"
            else:
                seen.add(item)
                continue
        elif isinstance(item, Mapping):
            continue
        else:
            message = f"@context items after the first must be URLs or objects, not {type(item).__name__}"
        out.append(SchemaIssue(f"{where}[{index}]", message, rule=ids.context_values))


def _type_value_ok(value: Any) -> bool:
    if type(value) is str:  # exact types first: what json.loads builds, and the common case
        return bool(value)
    if type(value) is list and value and all(type(t) is str and t for t in value):
        return True
    if isinstance(value, str):
        return bool(value)
    return isinstance(value, list) and bool(value) and all(isinstance(t, str) and t for t in value)


def _type(doc: Mapping[str, Any], ids: _Ids, out: list[SchemaIssue]) -> None:
    if "type" not in doc:
        out.append(SchemaIssue("$.type", "type is required", rule=ids.type_required))
    elif not _type_value_ok(doc["type"]):
        message = "type must be a non-empty string or array of non-empty strings (terms or URLs)"
        out.append(SchemaIssue("$.type", message, rule=ids.type_values))
    elif "VerifiableCredential" not in ([doc["type"]] if isinstance(doc["type"], str) else doc["type"]):
        out.append(SchemaIssue("$.type", "type must include VerifiableCredential", rule=ids.type_vc))


def _issuer(doc: Mapping[str, Any], ids: _Ids, v11: bool, out: list[SchemaIssue]) -> None:
    issuer = doc.get("issuer")
    if issuer is None:
        out.append(SchemaIssue("$.issuer", "issuer is required", rule=ids.issuer_required))
    elif isinstance(issuer, Mapping):
        if not is_absolute_uri(issuer.get("id")):
            value = issuer.get("id")
            message = (
                "issuer.id is required" if value is None else f"issuer.id must be a URL, got {value!r:.60}"
            )
            out.append(SchemaIssue("$.issuer.id", message, rule=ids.issuer_url))
        if not v11:
            _language_value(issuer, "$.issuer", "name", "VCDM2-4.6-name", out)
            _language_value(issuer, "$.issuer", "description", "VCDM2-4.6-description", out)
    elif not is_absolute_uri(issuer):
        message = f"issuer must be a URL or an object with an id, got {issuer!r:.60}"
        out.append(SchemaIssue("$.issuer", message, rule=ids.issuer_url))


def _subject(doc: Mapping[str, Any], ids: _Ids, out: list[SchemaIssue]) -> None:
    where = "$.credentialSubject"
    subject = doc.get("credentialSubject")
    if subject is None:
        out.append(SchemaIssue(where, "credentialSubject is required", rule=ids.subject_required))
        return
    if isinstance(subject, Mapping):
        if not subject:
            out.append(
                SchemaIssue(
                    where, "credentialSubject must not be empty: it states claims", rule=ids.subject_claims
                )
            )
        return
    if not isinstance(subject, list) or not subject:
        message = "credentialSubject must be an object or a non-empty array of objects"
        out.append(SchemaIssue(where, message, rule=ids.subject_claims))
        return
    for index, item in enumerate(subject):
        if not isinstance(item, Mapping) or not item:
            message = "each credentialSubject must be a non-empty object (the subject of one or more claims)"
            out.append(SchemaIssue(f"{where}[{index}]", message, rule=ids.subject_claims))


# --- §4.6 names and descriptions (language value objects, §11.1) -------------------------------


def _is_language_value_object(value: Any) -> bool:
    if not isinstance(value, Mapping) or not isinstance(value.get("@value"), str):
        return False
    if not _LANGUAGE_VALUE_KEYS.issuperset(value):
        return False
    language = value.get("@language")
    if language is not None and not (isinstance(language, str) and _LANGUAGE_TAG.fullmatch(language)):
        return False
    return value.get("@direction") in (None, "ltr", "rtl")


def _language_value(node: Mapping[str, Any], path: str, key: str, rule: str, out: list[SchemaIssue]) -> None:
    if key not in node:
        return
    value = node[key]
    if isinstance(value, str):
        return
    items = value if isinstance(value, list) and value else [value]
    if all(isinstance(item, str) or _is_language_value_object(item) for item in items):
        return
    message = (
        f"{key} must be a string or a language value object "
        "({@value, @language?, @direction?: ltr|rtl}, nothing else), or an array of them"
    )
    out.append(SchemaIssue(child_path(path, key), message, rule=rule))


# --- §4.9 validity period (VC 1.1: issuance and expiration dates) ------------------------------


def _dates(
    doc: Mapping[str, Any],
    start_name: str,
    end_name: str,
    format_rule: str,
    order_rule: str,
    out: list[SchemaIssue],
) -> None:
    stamp = start_name == "validFrom"
    if not stamp and start_name not in doc:
        out.append(
            SchemaIssue("$.issuanceDate", "issuanceDate is required in a VC 1.1 credential", rule=format_rule)
        )
    moments: list[datetime | None] = []
    for name in (start_name, end_name):
        value = doc.get(name)
        moment = None
        if value is not None:
            rule = format_rule if name == start_name or stamp else order_rule
            try:
                moment = parse_date_time(value)
            except SchemaError as exc:
                out.append(SchemaIssue(f"$.{name}", exc.message, rule=rule))
            else:
                if moment.tzinfo is None:
                    if stamp:
                        message = "must be an XML Schema dateTimeStamp (timezone required)"
                        out.append(SchemaIssue(f"$.{name}", message, rule=format_rule))
                    moment = moment.replace(tzinfo=UTC)  # VCDM 2.0 §4.9.1: read as UTC
        moments.append(moment)
    start, end = moments
    if start is not None and end is not None and end < start:
        out.append(SchemaIssue(f"$.{end_name}", f"{end_name} is before {start_name}", rule=order_rule))


# --- §4.10 status, §4.11 schemas, §5.4-5.6 refresh / terms of use / evidence, §5.10 reserved ----


def _extension_points(doc: Mapping[str, Any], ids: _Ids, v11: bool, out: list[SchemaIssue]) -> None:
    # (property, rule, does the rule govern the id: None no (§4.4 does), False if present, True required)
    points: list[tuple[str, str, bool | None]] = [
        ("credentialStatus", ids.status, ids.status_needs_id),
        ("credentialSchema", ids.schema, True),
        ("refreshService", ids.refresh, True if ids.refresh_needs_id else None),
        ("termsOfUse", ids.terms_of_use, None),
        ("evidence", ids.evidence, None),
    ]
    if not v11:
        points += [(name, "VCDM2-5.10-reserved-type", None) for name in _RESERVED]
    for name, rule, needs_id in points:
        if name not in doc:
            continue
        value = doc[name]
        items = value if isinstance(value, list) else [value]
        if not items:
            out.append(
                SchemaIssue(
                    f"$.{name}", f"{name} must be an object or a non-empty array of objects", rule=rule
                )
            )
        for index, item in enumerate(items):
            where = f"$.{name}[{index}]" if isinstance(value, list) else f"$.{name}"
            if not isinstance(item, Mapping):
                out.append(SchemaIssue(where, f"each {name} value must be an object", rule=rule))
                continue
            if "type" not in item:
                out.append(
                    SchemaIssue(f"{where}.type", f"each {name} value must specify its type", rule=rule)
                )
            elif not _type_value_ok(item["type"]):
                out.append(
                    SchemaIssue(
                        f"{where}.type", "type must be a non-empty string or array of strings", rule=rule
                    )
                )
            if needs_id is not None and ("id" in item or needs_id) and not is_absolute_uri(item.get("id")):
                what = "needs an id that is a URL" if "id" not in item else "id must be a URL"
                out.append(SchemaIssue(f"{where}.id", f"{name} {what}", rule=rule))


# --- §5.3 integrity of related resources ---------------------------------------------------------


def _related_resources(doc: Mapping[str, Any], out: list[SchemaIssue]) -> None:
    if "relatedResource" not in doc:
        return
    rule, where = "VCDM2-5.3-related-resource", "$.relatedResource"
    value = doc["relatedResource"]
    items = value if isinstance(value, list) else [value]
    if not items:
        out.append(SchemaIssue(where, "relatedResource must be one or more objects", rule=rule))
    seen: set[str] = set()
    for index, item in enumerate(items):
        at = f"{where}[{index}]" if isinstance(value, list) else where
        if not isinstance(item, Mapping):
            out.append(SchemaIssue(at, "each relatedResource must be an object", rule=rule))
            continue
        url = item.get("id")
        if not is_absolute_uri(url):
            out.append(SchemaIssue(f"{at}.id", "each relatedResource needs an id that is a URL", rule=rule))
        elif url in seen:
            out.append(SchemaIssue(f"{at}.id", f"relatedResource id {url!r:.80} is listed twice", rule=rule))
        else:
            seen.add(str(url))
        for member, message, mismatch in digest_problems(item):
            digest_rule = "VCDM2-5.3-related-resource-digest" if mismatch else rule
            out.append(SchemaIssue(f"{at}.{member}", message, rule=digest_rule))


# --- §4.4 every id is a URL; §4.5 every type is one or more terms / URLs -----------------------


def _ids_and_types_ok(root: Any) -> bool:
    """True when every ``id`` is one URL and every ``type`` one or more non-empty strings
    (``@context`` contents excepted). No paths, no allocation beyond the stack."""
    stack = [root]
    pop, push = stack.pop, stack.append  # bound once: this walk runs on every sign and verify
    while stack:
        value = pop()
        if type(value) is dict:
            for key, child in value.items():
                if key == "id":
                    if not is_absolute_uri(child):
                        return False
                elif key == "type":
                    if not (child if type(child) is str else _type_value_ok(child)):
                        return False
                elif type(child) not in _SCALAR_TYPES and key != "@context":
                    push(child)
        elif type(value) is list:
            for child in value:
                if type(child) not in _SCALAR_TYPES:
                    push(child)
        else:
            return False  # another Mapping or Sequence: let the careful walk judge it
    return True


def _ids_and_types(root: Mapping[str, Any], ids: _Ids, out: list[SchemaIssue]) -> None:
    stack: list[tuple[Any, str]] = [(root, "$")]
    while stack:
        value, where = stack.pop()
        if isinstance(value, Mapping):
            for key, child in value.items():
                if not isinstance(key, str) or key == "@context":
                    continue
                at = child_path(where, key)
                if key == "id" and not is_absolute_uri(child):
                    out.append(
                        SchemaIssue(at, f"id must be a single URL, got {child!r:.60}", rule=ids.id_url)
                    )
                elif key == "type" and not _type_value_ok(child):
                    message = f"type must be one or more terms or URLs (non-empty strings), got {child!r:.60}"
                    out.append(SchemaIssue(at, message, rule=ids.type_values))
                elif not isinstance(child, _SCALARS):
                    stack.append((child, at))
        elif isinstance(value, list | tuple):
            stack.extend((child, f"{where}[{index}]") for index, child in enumerate(value))
