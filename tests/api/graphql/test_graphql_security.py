"""Organizations are isolated, scopes are enforced, limits hold, failures are typed."""

from __future__ import annotations

import concurrent.futures
from typing import Any

import pytest

from tests.api.graphql.conftest import Server, wait_for
from tests.api.graphql.wsclient import Subscriber
from tests.services.support import Tenant
from vcengine.api.graphql.types.ids import global_id
from vcengine.services import organizations

ISSUE = """mutation($input: IssueCredentialInput!) { issueCredential(input: $input) {
  credential { id status } replayed userErrors { field message code } } }"""
CREDENTIAL = "query($id: ID!) { credential(id: $id) { id status } }"


def gid(kind: str, record: str) -> str:
    return str(global_id(kind, record))


def issue(server: Server, tenant: Tenant, key: str | None = None, **extra: Any) -> dict[str, Any]:
    variables = {
        "input": {
            "achievementId": gid("Achievement", tenant.achievement_id),
            "recipient": {"name": "Ada"},
            **extra,
        }
    }
    payload: dict[str, Any] = server.ok(ISSUE, variables, key or tenant.key)["issueCredential"]
    return payload


def key_with(server: Server, tenant: Tenant, *scopes: str) -> str:
    new = server.call(organizations.create_api_key(server.services, tenant.actor, "k", scopes))
    return new.plaintext


@pytest.fixture(scope="module")
def two(server: Server) -> tuple[Tenant, Tenant, str]:
    a, b = server.tenant("Alpha"), server.tenant("Beta")
    credential = issue(server, a, statusPurpose="SUSPENSION")["credential"]["id"]
    return a, b, credential


QUERIES = [
    ("query($id: ID!) { issuer(id: $id) { id } }", "issuer", "Issuer"),
    ("query($id: ID!) { achievement(id: $id) { id } }", "achievement", "Achievement"),
    (CREDENTIAL, "credential", "Credential"),
    ("query($id: ID!) { node(id: $id) { id } }", "node", "Issuer"),
    ("query($id: ID!) { node(id: $id) { id } }", "node", "Achievement"),
    ("query($id: ID!) { node(id: $id) { id } }", "node", "Credential"),
]


@pytest.mark.parametrize(("query", "field", "kind"), QUERIES)
def test_another_organization_reads_nothing(
    server: Server, two: Any, query: str, field: str, kind: str
) -> None:
    a, b, credential = two
    record = {"Issuer": a.issuer_id, "Achievement": a.achievement_id}.get(kind)
    target = gid(kind, record) if record else credential
    assert server.ok(query, {"id": target}, a.key)[field] is not None
    assert server.ok(query, {"id": target}, b.key)[field] is None


def test_another_organization_lists_nothing(server: Server, two: Any) -> None:
    a, b, _ = two
    lists = """query($f: CredentialFilterInput) { issuers { id }
      achievements(first: 100) { edges { node { id } } }
      credentials(first: 100, filter: $f) { edges { node { id } } } }"""
    mine = server.ok(lists, {"f": None}, a.key)
    theirs = server.ok(lists, {"f": {"achievementId": gid("Achievement", a.achievement_id)}}, b.key)
    assert theirs["credentials"]["edges"] == []
    assert not {i["id"] for i in mine["issuers"]} & {i["id"] for i in server.ok(lists, {}, b.key)["issuers"]}
    assert gid("Achievement", a.achievement_id) not in str(server.ok(lists, {}, b.key)["achievements"])
    keys = "{ apiKeys(first: 100) { edges { node { id } } } }"
    assert a.key_id in str(server.ok(keys, {}, a.key)) and a.key_id not in str(server.ok(keys, {}, b.key))


MUTATIONS = [
    (
        "createAchievement",
        "CreateAchievementInput",
        lambda a, c: {
            "issuerId": gid("Issuer", a.issuer_id),
            "name": "x",
            "description": "y",
            "criteriaNarrative": "z",
        },
    ),
    ("generateIssuerKey", "GenerateIssuerKeyInput", lambda a, c: {"issuerId": gid("Issuer", a.issuer_id)}),
    ("rotateIssuerKey", "RotateIssuerKeyInput", lambda a, c: {"issuerId": gid("Issuer", a.issuer_id)}),
    (
        "issueCredential",
        "IssueCredentialInput",
        lambda a, c: {"achievementId": gid("Achievement", a.achievement_id), "recipient": {"name": "Eve"}},
    ),
    ("revokeCredential", "RevokeCredentialInput", lambda a, c: {"id": c}),
    ("revokeCredentials", "RevokeCredentialsInput", lambda a, c: {"ids": [c]}),
    ("suspendCredential", "SuspendCredentialInput", lambda a, c: {"id": c}),
    ("suspendCredentials", "SuspendCredentialsInput", lambda a, c: {"ids": [c]}),
    ("unsuspendCredential", "UnsuspendCredentialInput", lambda a, c: {"id": c}),
    ("unsuspendCredentials", "UnsuspendCredentialsInput", lambda a, c: {"ids": [c]}),
    ("revokeApiKey", "RevokeApiKeyInput", lambda a, c: {"id": a.key_id}),
    # -- delivery --
    ("setIssuerBranding", "SetIssuerBrandingInput", lambda a, c: {"issuerId": gid("Issuer", a.issuer_id)}),
    ("previewEmailTemplate", "PreviewEmailTemplateInput", lambda a, c: {"credentialId": c}),
]


@pytest.mark.parametrize(("name", "input_type", "make"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_another_organization_changes_nothing(
    server: Server, two: Any, name: str, input_type: str, make: Any
) -> None:
    a, b, credential = two
    before = server.ok(CREDENTIAL, {"id": credential}, a.key)["credential"]
    keys_before = server.call(server.services.store.list_issuer_keys(a.issuer_id))
    api_keys_before = server.call(server.services.store.list_api_keys(a.org_id, None, 100))
    query = f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ userErrors {{ field code }} }} }}"
    errors = server.ok(query, {"input": make(a, credential)}, b.key)[name]["userErrors"]
    assert errors and {e["code"] for e in errors} == {"NOT_FOUND"}
    assert server.ok(CREDENTIAL, {"id": credential}, a.key)["credential"] == before
    assert server.call(server.services.store.list_issuer_keys(a.issuer_id)) == keys_before
    assert server.call(server.services.store.list_api_keys(a.org_id, None, 100)) == api_keys_before


def test_bulk_issue_into_another_organization_is_refused_per_item(server: Server, two: Any) -> None:
    a, b, _ = two
    query = """mutation($input: BulkIssueInput!) { bulkIssue(input: $input) { issuedCount
      results { userErrors { code } } } }"""
    items = [{"achievementId": gid("Achievement", a.achievement_id), "recipient": {"name": "Eve"}}]
    result = server.ok(query, {"input": {"items": items}}, b.key)["bulkIssue"]
    assert result["issuedCount"] == 0 and result["results"][0]["userErrors"] == [{"code": "NOT_FOUND"}]


def test_subscriptions_only_see_their_own_organization(server: Server, two: Any) -> None:
    a, b, _ = two
    query = "subscription { credentialEvents { type credentialId } }"
    listener = Subscriber(server.ws_url, b.key, query, {}, 1)
    listener.start()
    wait_for(lambda: server.services.events.subscriber_count(b.org_id) > 0)
    issue(server, a)
    own = issue(server, b)["credential"]["id"]
    [event] = listener.wait()
    assert event["data"]["credentialEvents"] == {"type": "ISSUED", "credentialId": own}


def test_a_subscription_needs_a_valid_key(server: Server) -> None:
    for key in (None, "vce_aaaaaaaa_" + "b" * 30):
        listener = Subscriber(server.ws_url, key, "subscription { credentialEvents { type } }", {}, 1)
        listener.start()
        with pytest.raises(Exception, match=r"4403|Forbidden"):
            listener.wait()


def test_scopes_are_enforced(server: Server, tenant: Tenant) -> None:
    reader, issuer_key = key_with(server, tenant, "read"), key_with(server, tenant, "issue")
    assert issue(server, tenant, reader)["userErrors"][0]["code"] == "FORBIDDEN"
    credential = issue(server, tenant, issuer_key)["credential"]["id"]
    revoke = "mutation($id: ID!) { revokeCredential(input: {id: $id}) { userErrors { code } } }"
    assert (
        server.ok(revoke, {"id": credential}, issuer_key)["revokeCredential"]["userErrors"][0]["code"]
        == "FORBIDDEN"
    )
    create = 'mutation { createIssuer(input: {name: "X"}) { userErrors { code } } }'
    assert server.ok(create, {}, reader)["createIssuer"]["userErrors"][0]["code"] == "FORBIDDEN"
    body = server.gql("{ credentials(first: 1) { edges { cursor } } }", key=issuer_key)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert server.ok(CREDENTIAL, {"id": credential}, reader)["credential"]["status"] == "ACTIVE"
    for key in (reader, issuer_key):
        listing = server.gql("{ apiKeys { edges { node { id } } } }", key=key)
        assert listing["data"] is None and listing["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        revoke_key = (
            "mutation($id: ID!) { revokeApiKey(input: {id: $id}) { apiKey { id } userErrors { code } } }"
        )
        refused = server.ok(revoke_key, {"id": tenant.key_id}, key)["revokeApiKey"]
        assert refused == {"apiKey": None, "userErrors": [{"code": "FORBIDDEN"}]}
    assert server.call(server.services.store.get_api_key(tenant.org_id, tenant.key_id)).revoked_at is None  # type: ignore[union-attr]


@pytest.mark.parametrize("key", [None, "Bearer nonsense", "vce_aaaaaaaa_" + "c" * 30])
def test_no_valid_key_is_unauthenticated(server: Server, key: str | None) -> None:
    body = server.gql("{ viewer { scopes } }", key=key)
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    mutation = server.gql('mutation { createIssuer(input: {name: "X"}) { userErrors { code } } }', key=key)
    assert mutation["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_concurrent_retries_with_one_idempotency_key_issue_once(server: Server, tenant: Tenant) -> None:
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: issue(server, tenant, idempotencyKey="retry-1"), range(8)))
    assert len({r["credential"]["id"] for r in results}) == 1
    assert sorted(r["replayed"] for r in results) == [False] + [True] * 7


@pytest.mark.parametrize(
    ("extra", "field", "code"),
    [
        ({"recipient": {}}, ["input", "recipient"], "INVALID"),
        ({"recipient": {"email": "x"}}, ["input", "recipient", "email"], "INVALID"),
        ({"validUntil": "2000-01-01T00:00:00Z"}, ["input", "validUntil"], "INVALID"),
        ({"achievementId": "QWNoaWV2ZW1lbnQ6bm9wZQ=="}, ["input", "achievementId"], "NOT_FOUND"),
        ({"achievementId": str(global_id("Issuer", "x"))}, ["input", "achievementId"], "NOT_FOUND"),
        ({"evidence": [{"url": "not a url"}]}, ["input", "evidence", "0", "url"], "INVALID"),
    ],
)
def test_invalid_input_is_a_typed_user_error(
    server: Server, tenant: Tenant, extra: dict[str, Any], field: list[str], code: str
) -> None:
    payload = issue(server, tenant, **extra)
    assert payload["credential"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, code)]


def test_did_key_issuers_cannot_rotate(server: Server) -> None:
    tenant = server.tenant("DidKey", kind="did:key")
    query = "mutation($id: ID!) { rotateIssuerKey(input: {issuerId: $id}) { userErrors { code } } }"
    errors = server.ok(query, {"id": gid("Issuer", tenant.issuer_id)}, tenant.key)["rotateIssuerKey"][
        "userErrors"
    ]
    assert errors == [{"code": "NOT_SUPPORTED"}]


def test_status_transitions_are_typed(server: Server, tenant: Tenant) -> None:
    credential = issue(server, tenant)["credential"]["id"]
    suspend = (
        "mutation($id: ID!) { suspendCredential(input: {id: $id}) { credential { id } userErrors { code } } }"
    )
    assert server.ok(suspend, {"id": credential}, tenant.key)["suspendCredential"]["userErrors"] == [
        {"code": "INVALID_TRANSITION"}
    ]


def test_aliases_and_tokens_are_limited(server: Server, tenant: Tenant) -> None:
    aliases = "{ " + " ".join(f"a{i}: viewer {{ scopes }}" for i in range(31)) + " }"
    body = server.gql(aliases, key=tenant.key)
    assert body["data"] is None and "aliases" in body["errors"][0]["message"]
    tokens = "{ viewer { " + " ".join(["scopes"] * 4001) + " } }"
    body = server.gql(tokens, key=tenant.key)
    assert "more than 4000 tokens" in body["errors"][0]["message"]


def test_the_deepest_legal_query_is_within_the_depth_limit(server: Server, tenant: Tenant) -> None:
    from vcengine.api.graphql.schema import MAX_DEPTH

    deepest = "{ credentials(first: 1) { edges { node { achievement { issuer { keys { id } } } } } } }"
    assert deepest.count("{") - 1 < MAX_DEPTH
    assert "errors" not in server.gql(deepest, key=tenant.key)


def test_bad_cursors_and_page_sizes_are_coded_errors(server: Server, tenant: Tenant) -> None:
    for args in ("first: 0", "first: 101", 'first: 5, after: "garbage"', 'first: 5, after: "WyJ4IiwgMF0"'):
        body = server.gql(f"{{ credentials({args}) {{ edges {{ cursor }} }} }}", key=tenant.key)
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", (args, body)
