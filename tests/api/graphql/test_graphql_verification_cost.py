"""Cost accounting of verifyCredential: a request holds at most 10, weighed by their input, and
a request beyond either limit is refused before anything is verified."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.graphql.conftest import Server
from tests.api.graphql.test_graphql_security import gid, key_with
from tests.services.support import Tenant
from vcengine.api.graphql.cost import CODE, MAX_VERIFICATIONS, MAX_WEIGHT, UNIT_BYTES, weight
from vcengine.services import verifying

ISSUE = """mutation($input: IssueCredentialInput!) { issueCredential(input: $input) {
  credential { json } userErrors { message } } }"""
FIELDS = "{ report { verified } userErrors { message code } }"


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the verifications the service really runs (the test server verifies inline)."""
    calls: list[int] = []
    real = verifying.verify_job

    def counting(*args: Any) -> Any:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(verifying, "verify_job", counting)
    return calls


def credential(server: Server, tenant: Tenant) -> dict[str, Any]:
    variables = {
        "input": {"achievementId": gid("Achievement", tenant.achievement_id), "recipient": {"name": "Ada"}}
    }
    document: dict[str, Any] = server.ok(ISSUE, variables, tenant.key)["issueCredential"]["credential"][
        "json"
    ]
    return document


def aliases(count: int) -> str:
    return (
        "mutation($c: JSON!) { "
        + " ".join(f"v{i}: verifyCredential(input: {{credential: $c}}) {FIELDS}" for i in range(count))
        + " }"
    )


def refused(body: dict[str, Any]) -> str:
    assert body["data"] is None, body
    costs = [e for e in body["errors"] if (e.get("extensions") or {}).get("code") == CODE]
    assert len(costs) == 1, body["errors"]
    message: str = costs[0]["message"]
    assert message.startswith("too much verification in one request") and "nothing was verified" in message
    return message


def test_fifty_aliased_verifications_with_a_read_only_key_are_refused(
    server: Server, tenant: Tenant, verifications: list[int]
) -> None:
    doc = credential(server, tenant)
    body = server.gql(aliases(50), {"c": doc}, key_with(server, tenant, "read"))
    assert "50 verifyCredential fields; a request may hold 10" in refused(body)
    assert verifications == []


def test_eleven_are_refused_by_the_cost_limit_alone_and_ten_verify(
    server: Server, tenant: Tenant, verifications: list[int]
) -> None:
    doc, key = credential(server, tenant), key_with(server, tenant, "read")
    body = server.gql(aliases(MAX_VERIFICATIONS + 1), {"c": doc}, key)
    assert "11 verifyCredential fields" in refused(body)
    assert len(body["errors"]) == 1 and verifications == []
    data = server.ok(aliases(MAX_VERIFICATIONS), {"c": doc}, key)
    assert [data[f"v{i}"]["report"]["verified"] for i in range(MAX_VERIFICATIONS)] == [
        True
    ] * MAX_VERIFICATIONS
    assert len(verifications) == MAX_VERIFICATIONS


def test_huge_inputs_are_weighed_in_variables_literals_and_defaults(
    server: Server, tenant: Tenant, verifications: list[int]
) -> None:
    key = key_with(server, tenant, "read")
    big = "x" * (MAX_WEIGHT // 2 * UNIT_BYTES)  # two of these weigh more than a request may
    two = (
        f"mutation($a: String, $b: String) {{ a: verifyCredential(input: {{jwt: $a}}) {FIELDS}"
        f" b: verifyCredential(input: {{jwt: $b}}) {FIELDS} }}"
    )
    message = refused(server.gql(two, {"a": big, "b": big}, key))
    assert f"weigh {2 * weight(len(big))} units" in message and f"may weigh {MAX_WEIGHT}" in message

    inline = f'mutation {{ verifyCredential(input: {{jwt: "{big}{big}"}}) {FIELDS} }}'
    refused(server.gql(inline, None, key))
    by_default = (
        f"fragment F on Mutation {{ a: verifyCredential(input: $i) {FIELDS} }}"
        f' mutation($i: VerifyCredentialInput = {{jwt: "{big}{big}"}}) {{ ...F }}'
    )
    refused(server.gql(by_default, None, key))
    whole = "mutation($i: VerifyCredentialInput!) { verifyCredential(input: $i) " + FIELDS + " }"
    refused(server.gql(whole, {"i": {"jwt": big + big}}, key))
    assert verifications == []

    one = server.ok(whole, {"i": {"jwt": big}}, key)["verifyCredential"]
    assert one["userErrors"][0]["code"] == "INVALID", one  # within the budget: it ran, and is no JWT


def test_weight_is_one_per_verification_and_per_16_kib() -> None:
    assert (weight(0), weight(UNIT_BYTES - 1), weight(UNIT_BYTES), weight(4 * 1024 * 1024 * 4 // 3)) == (
        1,
        1,
        2,
        342,
    )


def test_a_document_validated_before_is_still_weighed_with_each_request_s_variables(
    server: Server, tenant: Tenant, verifications: list[int]
) -> None:
    """Validation is cached per document text (validation_cache); the cost rule is not."""
    key = key_with(server, tenant, "read")
    whole = "mutation($i: VerifyCredentialInput!) { verifyCredential(input: $i) " + FIELDS + " }"
    small = server.ok(whole, {"i": {"jwt": "x"}}, key)["verifyCredential"]
    assert small["userErrors"][0]["code"] == "INVALID"
    big = "x" * (MAX_WEIGHT * UNIT_BYTES)
    refused(server.gql(whole, {"i": {"jwt": big}}, key))
    assert verifications == []  # refused before anything ran


def test_an_invalid_document_is_refused_every_time_it_comes(server: Server, tenant: Tenant) -> None:
    bad = "query { organization { nosuchfield } }"
    for _ in range(2):
        body = server.gql(bad, None, tenant.key)
        assert body["data"] is None and "nosuchfield" in body["errors"][0]["message"], body
