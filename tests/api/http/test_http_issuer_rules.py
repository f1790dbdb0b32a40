"""POST /credentials/issue over real HTTP: a credential that breaks a VC Data Model rule is a 422
naming the rule (problem details), whatever the cryptosuite and before any issuer look-up; no
context form reaches a 500 (issue 8: ``{"@vocab": null}`` did)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.conftest import LiveServer
from tests.core.test_context_forms import credentials
from vcengine.core.rules import RULES

V2 = "https://www.w3.org/ns/credentials/v2"
SUITES = ("eddsa-rdfc-2022", "eddsa-jcs-2022", "Ed25519Signature2020")


def issuer_of(server: LiveServer) -> str:
    issuer = server.started.bootstrap.issuer
    assert issuer is not None
    return str(issuer.profile["id"])


def credential(server: LiveServer, **patch: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": [V2],
        "type": ["VerifiableCredential"],
        "issuer": issuer_of(server),
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:learner", "name": "Ada"},
    }
    doc.update(patch)
    return {k: v for k, v in doc.items() if v is not None}


def issue(server: LiveServer, doc: dict[str, Any], suite: str = "eddsa-rdfc-2022") -> Any:
    return server.admin.post(
        "/credentials/issue", json={"credential": doc, "options": {"cryptosuite": suite}}
    )


def assert_rule(response: Any, rule: str, path: str) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"] == "urn:vcengine:problem:data-model-rule"
    assert body["status"] == 422
    assert (body["rule"], body["path"]) == (rule, path), body
    assert body["spec"] == RULES[rule].url
    assert body["violations"][0] == {
        "rule": rule,
        "path": path,
        "message": body["violations"][0]["message"],
        "spec": RULES[rule].url,
    }
    assert rule in body["detail"]
    return body


@pytest.mark.parametrize("suite", SUITES)
def test_the_vocab_null_form_is_a_422_naming_the_rule_not_a_500(live_server: LiveServer, suite: str) -> None:
    # issue 8 (and the W3C suite's credential-type-unmapped-fail): this was a 500
    doc = credential(
        live_server,
        **{"@context": [V2, {"@vocab": None}], "type": ["VerifiableCredential", "ExampleTestCredential"]},
    )
    body = assert_rule(issue(live_server, doc, suite), "VCDM2-4.5-type-values", "$.type")
    assert "ExampleTestCredential" in body["detail"]


@pytest.mark.parametrize("suite", SUITES)
def test_vocab_null_with_every_term_defined_is_signed_and_verifies(
    live_server: LiveServer, suite: str
) -> None:
    doc = credential(live_server, **{"@context": [V2, {"@vocab": None}]})
    response = issue(live_server, doc, suite)
    assert response.status_code == 201, response.text
    vc = response.json()["verifiableCredential"]
    check = live_server.client.post("/credentials/verify", json={"verifiableCredential": vc})
    assert check.json()["verified"] is True, check.text


CASES: list[tuple[str, dict[str, Any], str, str]] = [
    ("empty subject", {"credentialSubject": {}}, "VCDM2-4.8-subject-claims", "$.credentialSubject"),
    ("no issuer", {"issuer": None}, "VCDM2-4.7-issuer-required", "$.issuer"),
    ("issuer not a URL", {"issuer": "Example University"}, "VCDM2-4.7-issuer-url", "$.issuer"),
    (
        "context order",
        {"@context": ["https://www.w3.org/ns/credentials/examples/v2", V2]},
        "VCDM2-4.3-context-order",
        "$['@context']",
    ),
    ("validity order", {"validUntil": "2023-01-01T00:00:00Z"}, "VCDM2-4.9-validity-order", "$.validUntil"),
    ("id not a URL", {"id": "credential-7"}, "VCDM2-4.4-id-url", "$.id"),
    (
        "evidence without type",
        {"evidence": {"id": "https://example.org/e/1"}},
        "VCDM2-5.6-evidence-type",
        "$.evidence.type",
    ),
    (
        "name with an extra member",
        {"name": {"@value": "Degree", "url": "https://example.org"}},
        "VCDM2-4.6-name",
        "$.name",
    ),
    (
        "protected term redefined",
        {"@context": [V2, {"VerifiableCredential": "https://example.org/#VC"}]},
        "VCDM2-5.2.1-term-redefinition",
        "$['@context']",
    ),
    (
        "related context digest mismatch",
        {"relatedResource": [{"id": V2, "digestSRI": "sha256-" + "A" * 43 + "="}]},
        "VCDM2-5.3-related-resource-digest",
        "$.relatedResource[0].digestSRI",
    ),
]


@pytest.mark.parametrize(("label", "patch", "rule", "path"), CASES, ids=[c[0] for c in CASES])
def test_each_rule_is_a_422_naming_it(
    live_server: LiveServer, label: str, patch: dict[str, Any], rule: str, path: str
) -> None:
    assert_rule(issue(live_server, credential(live_server, **patch)), rule, path)


def test_the_rules_are_checked_before_the_issuer_is_looked_up(live_server: LiveServer) -> None:
    # an issuer of no organization: still the data-model rule, not 403
    response = issue(
        live_server, credential(live_server, issuer="did:example:stranger", credentialSubject=[])
    )
    assert_rule(response, "VCDM2-4.8-subject-claims", "$.credentialSubject")
    assert issue(live_server, credential(live_server, issuer="did:example:stranger")).status_code == 403


def test_every_violation_is_listed(live_server: LiveServer) -> None:
    doc = credential(live_server, id="7", credentialSubject={}, validFrom="yesterday", termsOfUse={})
    body = issue(live_server, doc).json()
    assert {v["path"]: v["rule"] for v in body["violations"]} == {
        "$.id": "VCDM2-4.4-id-url",
        "$.credentialSubject": "VCDM2-4.8-subject-claims",
        "$.validFrom": "VCDM2-4.9-date-time-stamp",
        "$.termsOfUse.type": "VCDM2-5.5-terms-of-use-type",
    }


def test_an_import_is_refused_and_changes_nothing_for_the_next_request(live_server: LiveServer) -> None:
    evil = credential(live_server, **{"@context": [V2, {"@import": V2, "name": "https://evil.example/#n"}]})
    response = issue(live_server, evil)
    assert response.status_code == 422 and "@import" in response.text
    fine = credential(live_server, **{"@context": [V2, {"x": "https://example.org/#x"}]})
    signed = issue(live_server, fine)
    assert signed.status_code == 201, signed.text
    vc = signed.json()["verifiableCredential"]
    assert live_server.client.post("/credentials/verify", json={"verifiableCredential": vc}).json()[
        "verified"
    ]


@pytest.mark.filterwarnings("ignore:terms beginning with:SyntaxWarning")
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(credentials(), st.sampled_from(SUITES))
def test_no_context_form_reaches_a_500(live_server: LiveServer, doc: dict[str, Any], suite: str) -> None:
    doc = {**doc, "issuer": issuer_of(live_server)}
    response = issue(live_server, doc, suite)
    assert response.status_code in (201, 422), response.text
    if response.status_code == 422:
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"]
