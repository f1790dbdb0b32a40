"""The caller's organization and its API keys: listing, revoking, and what a revoked key can do."""

from __future__ import annotations

from typing import Any

from tests.api.graphql.conftest import Server, wait_for
from tests.api.graphql.test_graphql_security import issue
from tests.api.graphql.wsclient import Subscriber
from tests.services.support import Tenant


def test_the_organization_query_answers_every_caller(server: Server, tenant: Tenant) -> None:
    data = server.ok("{ organization { id name createdAt } viewer { organization { id } } }", key=tenant.key)
    assert data["organization"]["id"] == tenant.org_id == data["viewer"]["organization"]["id"]
    assert data["organization"]["name"] == "Org" and data["organization"]["createdAt"]
    body = server.gql("{ organization { id } }")
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


KEYS = """query($first: Int!, $after: String, $all: Boolean! = true) {
  apiKeys(first: $first, after: $after, includeRevoked: $all) {
    edges { cursor node { id name prefix scopes createdAt lastUsedAt revokedAt createdBy { id } } }
    pageInfo { hasNextPage hasPreviousPage endCursor } } }"""
CREATE = """mutation($name: String!, $scopes: [Scope!]!) {
  createApiKey(input: {name: $name, scopes: $scopes}) { apiKey { id prefix } key userErrors { code } } }"""
REVOKE = """mutation($id: ID!) { revokeApiKey(input: {id: $id}) {
  apiKey { id revokedAt } userErrors { field message code } } }"""


def create_key(server: Server, key: str, name: str, *scopes: str) -> dict[str, Any]:
    created: dict[str, Any] = server.ok(CREATE, {"name": name, "scopes": list(scopes)}, key)["createApiKey"]
    assert created["userErrors"] == []
    return created


def test_api_keys_are_listed_in_keyset_pages_without_their_secrets(server: Server, tenant: Tenant) -> None:
    made = [create_key(server, tenant.key, f"ci-{i}", "READ", "ISSUE") for i in range(4)]
    seen, after = [], None
    while True:
        page = server.ok(KEYS, {"first": 2, "after": after}, tenant.key)["apiKeys"]
        seen += [edge["node"] for edge in page["edges"]]
        assert page["pageInfo"]["hasPreviousPage"] == (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert [k["id"] for k in seen] == [tenant.key_id] + [m["apiKey"]["id"] for m in made]
    first = seen[0]
    assert first["scopes"] == ["ADMIN"] and first["createdBy"] is None and first["lastUsedAt"]
    assert {k["createdBy"]["id"] for k in seen[1:]} == {tenant.key_id}
    assert all(k["scopes"] == ["ISSUE", "READ"] and k["lastUsedAt"] is None for k in seen[1:])
    assert not any(m["key"].rpartition("_")[2] in str(seen) for m in made)
    bad = server.gql(KEYS, {"first": 2, "after": "nonsense"}, tenant.key)
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_a_revoked_key_fails_at_once_and_revoking_again_changes_nothing(
    server: Server, tenant: Tenant
) -> None:
    ci = create_key(server, tenant.key, "ci", "READ")
    assert server.ok("{ viewer { scopes } }", key=ci["key"])["viewer"]["scopes"] == ["READ"]
    revoked = server.ok(REVOKE, {"id": ci["apiKey"]["id"]}, tenant.key)["revokeApiKey"]
    assert revoked["userErrors"] == [] and revoked["apiKey"]["revokedAt"]
    body = server.gql("{ viewer { scopes } }", key=ci["key"])
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert server.ok(REVOKE, {"id": ci["apiKey"]["id"]}, tenant.key)["revokeApiKey"] == revoked
    working = server.ok(KEYS, {"first": 100, "all": False}, tenant.key)["apiKeys"]["edges"]
    assert [e["node"]["id"] for e in working] == [tenant.key_id]
    unknown = server.ok(REVOKE, {"id": "no-such-key"}, tenant.key)["revokeApiKey"]
    assert unknown["apiKey"] is None and unknown["userErrors"][0]["code"] == "NOT_FOUND"
    assert unknown["userErrors"][0]["field"] == ["input", "id"]


def test_the_last_admin_key_cannot_be_revoked_through_the_api(server: Server) -> None:
    tenant = server.tenant("Lockout")
    refused = server.ok(REVOKE, {"id": tenant.key_id}, tenant.key)["revokeApiKey"]
    assert refused["apiKey"] is None
    assert refused["userErrors"] == [
        {
            "field": ["input", "id"],
            "message": "this is the organization's last admin key: create another admin key first",
            "code": "LAST_ADMIN_KEY",
        }
    ]
    reader = create_key(server, tenant.key, "reader", "READ", "ADMIN")
    own = server.ok(REVOKE, {"id": tenant.key_id}, tenant.key)["revokeApiKey"]  # a key may revoke itself
    assert own["userErrors"] == [] and own["apiKey"]["id"] == tenant.key_id
    assert server.gql("{ organization { id } }", key=tenant.key)["data"] is None
    last = server.ok(REVOKE, {"id": reader["apiKey"]["id"]}, reader["key"])["revokeApiKey"]
    assert last["userErrors"][0]["code"] == "LAST_ADMIN_KEY"
    assert server.ok("{ organization { id } }", key=reader["key"])["organization"]["id"] == tenant.org_id


def test_a_subscription_ends_when_its_key_is_revoked(server: Server, tenant: Tenant) -> None:
    listener_key = create_key(server, tenant.key, "listener", "READ")
    query = "subscription { credentialEvents { type credentialId } }"
    listener = Subscriber(server.ws_url, listener_key["key"], query, {}, 2)
    listener.start()
    wait_for(lambda: server.services.events.subscriber_count(tenant.org_id) > 0)
    first = issue(server, tenant)["credential"]["id"]
    wait_for(lambda: len(listener.received) >= 1)
    server.ok(REVOKE, {"id": listener_key["apiKey"]["id"]}, tenant.key)
    issue(server, tenant)
    delivered, ended = listener.wait()
    assert delivered["data"]["credentialEvents"] == {"type": "ISSUED", "credentialId": first}
    assert ended["data"] is None and ended["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "revoked" in ended["errors"][0]["message"]
