"""The structural VC Data Model rules: each MUST refused at its path with its rule id, VC 1.1 rules
for v1 documents, and the fast "all ids and types fine" walk agrees with the careful one."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vcengine.core import vcdm
from vcengine.core.rules import RULES
from vcengine.core.vcdm import identifier_issues, is_vc11, vcdm_issues

ROOT = Path(__file__).resolve().parents[2]
V2 = "https://www.w3.org/ns/credentials/v2"
V1 = "https://www.w3.org/2018/credentials/v1"


def vc2(**patch: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": [V2, "https://www.w3.org/ns/credentials/examples/v2"],
        "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
        "type": ["VerifiableCredential", "ExampleDegreeCredential"],
        "issuer": {"id": "did:example:issuer", "name": "Example University"},
        "validFrom": "2024-01-01T00:00:00Z",
        "validUntil": "2034-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:subject", "degree": {"type": "ExampleBachelorDegree"}},
    }
    doc.update(patch)
    return doc


def vc11(**patch: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": [V1],
        "id": "urn:uuid:0b7c5a36-4c55-4d35-8f3a-1f6f2d3a7c11",
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "issuanceDate": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:subject"},
    }
    doc.update(patch)
    return doc


def found(doc: Any) -> dict[str, str | None]:
    return {issue.path: issue.rule for issue in vcdm_issues(doc)}


def test_a_conforming_credential_has_no_issue() -> None:
    assert vcdm_issues(vc2()) == []
    assert vcdm_issues(vc11()) == []
    ob = json.loads((ROOT / "benchmarks/fixtures/ob3-typical.json").read_text())
    assert vcdm_issues(ob) == []


V2_CASES: list[tuple[str, dict[str, Any], str, str]] = [
    # §4.3 contexts
    ("no @context", {"@context": None}, "$['@context']", "VCDM2-4.3-context-required"),
    ("context a string", {"@context": V2}, "$['@context']", "VCDM2-4.3-context-order"),
    ("context empty", {"@context": []}, "$['@context']", "VCDM2-4.3-context-order"),
    (
        "context order",
        {"@context": ["https://www.w3.org/ns/credentials/examples/v2", V2]},
        "$['@context']",
        "VCDM2-4.3-context-order",
    ),
    ("context number", {"@context": [V2, 123192875]}, "$['@context'][1]", "VCDM2-4.3-context-values"),
    (
        "context not a url",
        {"@context": [V2, "https ://not-a-url/v1"]},
        "$['@context'][1]",
        "VCDM2-4.3-context-values",
    ),
    ("context repeated", {"@context": [V2, V2]}, "$['@context'][1]", "VCDM2-4.3-context-values"),
    ("context null item", {"@context": [V2, None]}, "$['@context'][1]", "VCDM2-4.3-context-values"),
    # §4.4 identifiers
    ("id relative", {"id": "credentials/3732"}, "$.id", "VCDM2-4.4-id-url"),
    ("id two values", {"id": ["urn:a", "urn:b"]}, "$.id", "VCDM2-4.4-id-url"),
    ("id a number", {"id": 5}, "$.id", "VCDM2-4.4-id-url"),
    (
        "subject id relative",
        {"credentialSubject": {"id": "subject"}},
        "$.credentialSubject.id",
        "VCDM2-4.4-id-url",
    ),
    (
        "evidence id relative",
        {"evidence": {"id": "ev 1", "type": "Evidence"}},
        "$.evidence.id",
        "VCDM2-4.4-id-url",
    ),
    # §4.5 types
    ("no type", {"type": None}, "$.type", "VCDM2-4.5-type-required"),
    (
        "type without VerifiableCredential",
        {"type": ["ExampleDegreeCredential"]},
        "$.type",
        "VCDM2-4.5-type-vc",
    ),
    ("type empty array", {"type": []}, "$.type", "VCDM2-4.5-type-values"),
    ("type a number", {"type": ["VerifiableCredential", 5]}, "$.type", "VCDM2-4.5-type-values"),
    (
        "nested type empty",
        {"credentialSubject": {"id": "did:example:s", "degree": {"type": ""}}},
        "$.credentialSubject.degree.type",
        "VCDM2-4.5-type-values",
    ),
    # §4.6 names and descriptions
    ("name a number", {"name": 5}, "$.name", "VCDM2-4.6-name"),
    (
        "name extra member",
        {"name": {"@value": "Degree", "@language": "en", "url": "did:example:1"}},
        "$.name",
        "VCDM2-4.6-name",
    ),
    (
        "name bad language",
        {"name": {"@value": "Degree", "@language": "not a tag"}},
        "$.name",
        "VCDM2-4.6-name",
    ),
    ("name bad direction", {"name": {"@value": "Degree", "@direction": "up"}}, "$.name", "VCDM2-4.6-name"),
    ("name without @value", {"name": {"@language": "en"}}, "$.name", "VCDM2-4.6-name"),
    ("description object", {"description": {"text": "x"}}, "$.description", "VCDM2-4.6-description"),
    (
        "issuer name extra",
        {"issuer": {"id": "did:example:i", "name": {"@value": "U", "x": 1}}},
        "$.issuer.name",
        "VCDM2-4.6-name",
    ),
    (
        "issuer description list of numbers",
        {"issuer": {"id": "did:example:i", "description": [1]}},
        "$.issuer.description",
        "VCDM2-4.6-description",
    ),
    # §4.7 issuer
    ("no issuer", {"issuer": None}, "$.issuer", "VCDM2-4.7-issuer-required"),
    ("issuer not a url", {"issuer": "Example University"}, "$.issuer", "VCDM2-4.7-issuer-url"),
    ("issuer a number", {"issuer": 5}, "$.issuer", "VCDM2-4.7-issuer-url"),
    ("issuer object without id", {"issuer": {"name": "U"}}, "$.issuer.id", "VCDM2-4.7-issuer-url"),
    ("issuer object id not a url", {"issuer": {"id": "university"}}, "$.issuer.id", "VCDM2-4.7-issuer-url"),
    # §4.8 credential subject
    ("no subject", {"credentialSubject": None}, "$.credentialSubject", "VCDM2-4.8-subject-required"),
    ("empty subject", {"credentialSubject": {}}, "$.credentialSubject", "VCDM2-4.8-subject-claims"),
    (
        "subject a string",
        {"credentialSubject": "did:example:1"},
        "$.credentialSubject",
        "VCDM2-4.8-subject-claims",
    ),
    ("subject empty array", {"credentialSubject": []}, "$.credentialSubject", "VCDM2-4.8-subject-claims"),
    (
        "one subject empty",
        {"credentialSubject": [{"id": "did:example:1"}, {}]},
        "$.credentialSubject[1]",
        "VCDM2-4.8-subject-claims",
    ),
    # §4.9 validity period
    (
        "validFrom without timezone",
        {"validFrom": "2024-01-01T00:00:00"},
        "$.validFrom",
        "VCDM2-4.9-date-time-stamp",
    ),
    ("validFrom a date", {"validFrom": "2024-01-01"}, "$.validFrom", "VCDM2-4.9-date-time-stamp"),
    ("validUntil a number", {"validUntil": 1700000000}, "$.validUntil", "VCDM2-4.9-date-time-stamp"),
    (
        "validUntil before validFrom",
        {"validUntil": "2023-12-31T23:59:59Z"},
        "$.validUntil",
        "VCDM2-4.9-validity-order",
    ),
    (
        "validUntil before validFrom across zones",
        {"validUntil": "2024-01-01T00:30:00+01:00"},
        "$.validUntil",
        "VCDM2-4.9-validity-order",
    ),
    # §4.10 status, §4.11 schemas
    (
        "status without type",
        {"credentialStatus": {"id": "https://example.org/status/1#3"}},
        "$.credentialStatus.type",
        "VCDM2-4.10-status",
    ),
    (
        "status id not a url",
        {"credentialStatus": {"id": "status 1", "type": "BitstringStatusListEntry"}},
        "$.credentialStatus.id",
        "VCDM2-4.10-status",
    ),
    (
        "status a string",
        {"credentialStatus": "https://example.org/status"},
        "$.credentialStatus",
        "VCDM2-4.10-status",
    ),
    (
        "second status without type",
        {"credentialStatus": [{"type": "A"}, {"id": "urn:x"}]},
        "$.credentialStatus[1].type",
        "VCDM2-4.10-status",
    ),
    (
        "schema without id",
        {"credentialSchema": {"type": "JsonSchema"}},
        "$.credentialSchema.id",
        "VCDM2-4.11-credential-schema",
    ),
    (
        "schema without type",
        {"credentialSchema": {"id": "https://example.org/s.json"}},
        "$.credentialSchema.type",
        "VCDM2-4.11-credential-schema",
    ),
    ("schema empty array", {"credentialSchema": []}, "$.credentialSchema", "VCDM2-4.11-credential-schema"),
    # §5.3 related resources
    (
        "related resource without digest",
        {"relatedResource": [{"id": "https://example.org/r"}]},
        "$.relatedResource[0].digestSRI",
        "VCDM2-5.3-related-resource",
    ),
    (
        "related resource without id",
        {"relatedResource": {"digestSRI": "sha256-" + "A" * 43 + "="}},
        "$.relatedResource.id",
        "VCDM2-5.3-related-resource",
    ),
    (
        "related resource a string",
        {"relatedResource": "https://example.org/r"},
        "$.relatedResource",
        "VCDM2-5.3-related-resource",
    ),
    # §5.4-5.6, §5.10
    (
        "refresh without type",
        {"refreshService": {"url": "https://example.org/refresh"}},
        "$.refreshService.type",
        "VCDM2-5.4-refresh-type",
    ),
    (
        "terms of use without type",
        {"termsOfUse": [{"id": "https://example.org/tou"}]},
        "$.termsOfUse[0].type",
        "VCDM2-5.5-terms-of-use-type",
    ),
    (
        "evidence without type",
        {"evidence": {"id": "https://example.org/e"}},
        "$.evidence.type",
        "VCDM2-5.6-evidence-type",
    ),
    ("evidence a number", {"evidence": [5]}, "$.evidence[0]", "VCDM2-5.6-evidence-type"),
    (
        "render method without type",
        {"renderMethod": {"id": "https://example.org/r"}},
        "$.renderMethod.type",
        "VCDM2-5.10-reserved-type",
    ),
    (
        "confidence method without type",
        {"confidenceMethod": [{"x": 1}]},
        "$.confidenceMethod[0].type",
        "VCDM2-5.10-reserved-type",
    ),
]


@pytest.mark.parametrize(("label", "patch", "path", "rule"), V2_CASES, ids=[c[0] for c in V2_CASES])
def test_each_vcdm2_rule_is_named_at_its_path(
    label: str, patch: dict[str, Any], path: str, rule: str
) -> None:
    doc = vc2(**patch)
    for key in [k for k, v in patch.items() if v is None]:
        del doc[key]
    issues = found(doc)
    assert issues.get(path) == rule, f"{label}: {issues}"
    assert rule in RULES
    assert len(issues) == len(vcdm_issues(doc))  # one issue per path


POSITIVE_V2: list[tuple[str, dict[str, Any]]] = [
    ("type a string", {"type": "VerifiableCredential"}),
    ("issuer a url", {"issuer": "https://university.example/issuers/14"}),
    ("subject with an id only", {"credentialSubject": {"id": "did:example:subject"}}),
    ("two subjects", {"credentialSubject": [{"id": "did:example:1"}, {"name": "Morgan"}]}),
    ("no validity period", {"validFrom": None, "validUntil": None}),
    ("validUntil equal to validFrom", {"validUntil": "2024-01-01T01:00:00+01:00"}),
    ("language value object", {"name": {"@value": "Degree", "@language": "en-GB", "@direction": "ltr"}}),
    ("names in three languages", {"description": [{"@value": "a", "@language": "en"}, {"@value": "b"}, "c"]}),
    ("status without id", {"credentialStatus": {"type": "BitstringStatusListEntry"}}),
    ("inline context object", {"@context": [V2, {"ex": "https://example.org/#"}]}),
    ("terms of use with id", {"termsOfUse": {"type": "IssuerPolicy", "id": "https://example.org/tou"}}),
    ("refresh service without id", {"refreshService": {"type": "VerifiableCredentialRefreshService2021"}}),
    ("ids inside a context are not checked", {"@context": [V2, {"id": "@id", "x": "https://e.org/#x"}]}),
]


@pytest.mark.parametrize(("label", "patch"), POSITIVE_V2, ids=[c[0] for c in POSITIVE_V2])
def test_what_vcdm2_allows_is_allowed(label: str, patch: dict[str, Any]) -> None:
    doc = vc2(**patch)
    for key in [k for k, v in patch.items() if v is None]:
        del doc[key]
    assert vcdm_issues(doc) == [], label


V11_CASES: list[tuple[str, dict[str, Any], str, str]] = [
    ("no issuanceDate", {"issuanceDate": None}, "$.issuanceDate", "VC11-4.6-issuance-date"),
    ("issuanceDate a date", {"issuanceDate": "2024-01-01"}, "$.issuanceDate", "VC11-4.6-issuance-date"),
    ("expirationDate not a date", {"expirationDate": "soon"}, "$.expirationDate", "VC11-4.8-expiration-date"),
    (
        "expiration before issuance",
        {"expirationDate": "2023-01-01T00:00:00Z"},
        "$.expirationDate",
        "VC11-4.8-expiration-date",
    ),
    (
        "status without id",
        {"credentialStatus": {"type": "StatusList2021Entry"}},
        "$.credentialStatus.id",
        "VC11-4.9-status-id-type",
    ),
    (
        "refresh without id",
        {"refreshService": {"type": "ManualRefreshService2018"}},
        "$.refreshService.id",
        "VC11-5.5-refresh-id-type",
    ),
    (
        "schema without type",
        {"credentialSchema": {"id": "https://example.org/s.json"}},
        "$.credentialSchema.type",
        "VC11-5.4-schema-id-type",
    ),
    ("issuer not a uri", {"issuer": "Example"}, "$.issuer", "VC11-4.5-issuer-uri"),
    ("id not a uri", {"id": "3732"}, "$.id", "VC11-4.2-id-uri"),
    ("type without VerifiableCredential", {"type": "Degree"}, "$.type", "VC11-4.3-type-vc"),
    ("empty subject", {"credentialSubject": {}}, "$.credentialSubject", "VC11-4.4-subject-claims"),
    ("context repeated", {"@context": [V1, V1]}, "$['@context'][1]", "VC11-4.1-context-values"),
]


@pytest.mark.parametrize(("label", "patch", "path", "rule"), V11_CASES, ids=[c[0] for c in V11_CASES])
def test_vc11_documents_follow_vc11_rules(label: str, patch: dict[str, Any], path: str, rule: str) -> None:
    doc = vc11(**patch)
    for key in [k for k, v in patch.items() if v is None]:
        del doc[key]
    assert is_vc11(doc)
    assert found(doc).get(path) == rule, f"{label}: {found(doc)}"


def test_vc11_allows_what_vcdm2_forbids_and_the_reverse() -> None:
    # a VC 1.1 issuanceDate may lack a timezone; names and related resources are 2.0 rules
    assert vcdm_issues(vc11(issuanceDate="2024-01-01T00:00:00", name=5, relatedResource=5)) == []
    # VCDM 2.0 does not require a status id nor a validity period
    assert vcdm_issues(vc2(credentialStatus={"type": "BitstringStatusListEntry"})) == []


def test_every_issue_names_a_known_rule_and_the_input_is_not_mutated() -> None:
    doc = vc2(id=5, issuer={"name": 1}, credentialSubject={}, validFrom="x", evidence=[{}], name=[5])
    before = copy.deepcopy(doc)
    issues = vcdm_issues(doc)
    assert len(issues) >= 6
    assert all(issue.rule in RULES for issue in issues)
    assert doc == before


def test_identifier_issues_checks_any_document() -> None:
    assert identifier_issues({"id": "https://example.org/p", "type": "Profile"}) == []
    issues = identifier_issues({"id": "p", "type": "Profile", "image": {"id": "i.png", "type": ""}})
    assert {i.path: i.rule for i in issues} == {
        "$.id": "VCDM2-4.4-id-url",
        "$.image.id": "VCDM2-4.4-id-url",
        "$.image.type": "VCDM2-4.5-type-values",
    }


# --- the fast walk answers exactly what the careful walk finds ----------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.sampled_from(["", "x", "urn:x", "did:example:1", "a b"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["id", "type", "@context", "name", "x"]), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(JSON)
def test_the_fast_walk_agrees_with_the_careful_walk(value: Any) -> None:
    doc = {"x": value}
    out: list[Any] = []
    vcdm._ids_and_types(doc, vcdm._V2, out)
    assert vcdm._ids_and_types_ok(doc) == (out == [])


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(
        [
            "@context",
            "id",
            "type",
            "issuer",
            "credentialSubject",
            "validFrom",
            "validUntil",
            "name",
            "description",
            "credentialStatus",
            "credentialSchema",
            "evidence",
            "termsOfUse",
            "refreshService",
            "relatedResource",
            "renderMethod",
        ]
    ),
    JSON,
)
def test_any_value_anywhere_is_an_issue_or_nothing_never_a_crash(key: str, value: Any) -> None:
    for make in (vc2, vc11):
        doc = make()
        doc[key] = value
        for issue in vcdm_issues(doc):
            assert issue.path.startswith("$") and issue.message and issue.rule in RULES
