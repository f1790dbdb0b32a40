"""issueCredential / bulkIssue over real HTTP: a credential that would break a VC Data Model rule
is a typed user error (code INVALID, ``rule`` naming it), never a top-level error or a 500."""

from __future__ import annotations

import dataclasses

from tests.api.graphql.conftest import Server
from tests.services.support import Tenant

ISSUE = """
mutation($i: IssueCredentialInput!) {
  issueCredential(input: $i) { credential { id } userErrors { field message code rule } }
}"""
BULK = """
mutation($i: BulkIssueInput!) {
  bulkIssue(input: $i) {
    issuedCount failedCount
    results { index credential { id } userErrors { field message code rule } }
  }
}"""


async def _broken(server: Server, tenant: Tenant) -> str:
    store = server.services.store
    record = await store.get_achievement(tenant.org_id, tenant.achievement_id)
    assert record is not None
    broken = dataclasses.replace(
        record, id=server.services.new_id(), achievement={**record.achievement, "id": "badge-1"}
    )
    await store.create_achievement(broken)
    return broken.id


def test_issue_credential_names_the_rule(server: Server, tenant: Tenant) -> None:
    achievement = server.call(_broken(server, tenant))
    response = server.gql(
        ISSUE, {"i": {"achievementId": achievement, "recipient": {"name": "Ada"}}}, tenant.key
    )
    assert "errors" not in response, response
    payload = response["data"]["issueCredential"]
    assert payload["credential"] is None
    [error] = payload["userErrors"]
    assert error["code"] == "INVALID" and error["rule"] == "VCDM2-4.4-id-url"
    assert error["field"] == ["input"]
    assert "$.credentialSubject.achievement.id" in error["message"]
    ok = server.ok(
        ISSUE, {"i": {"achievementId": tenant.achievement_id, "recipient": {"name": "Ada"}}}, tenant.key
    )
    assert ok["issueCredential"]["userErrors"] == [] and ok["issueCredential"]["credential"]["id"]


def test_bulk_issue_names_the_rule_per_item(server: Server, tenant: Tenant) -> None:
    achievement = server.call(_broken(server, tenant))
    items = [
        {
            "achievementId": achievement if i == 1 else tenant.achievement_id,
            "recipient": {"identifier": f"did:example:{i}"},
        }
        for i in range(3)
    ]
    data = server.ok(BULK, {"i": {"items": items}}, tenant.key)["bulkIssue"]
    assert (data["issuedCount"], data["failedCount"]) == (2, 1)
    errors = data["results"][1]["userErrors"]
    assert errors[0]["rule"] == "VCDM2-4.4-id-url" and errors[0]["field"] == ["input", "items", "1"]
    assert data["results"][0]["userErrors"] == [] and data["results"][0]["credential"]
