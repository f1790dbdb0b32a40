"""Every example operation in graphql/operations/ runs against the real server, in the order a
client would use them: create an issuer and an achievement, issue, bulk issue, list with filters,
verify, suspend, revoke, verify again; create, list and revoke an API key; the subscription sees
the events."""

from __future__ import annotations

import base64
import json
from typing import Any

from tests.api.graphql.conftest import OPERATIONS, Server, wait_for
from tests.api.graphql.wsclient import Subscriber

RAN: set[str] = set()


def op(name: str) -> str:
    RAN.add(name)
    return (OPERATIONS / f"{name}.graphql").read_text(encoding="utf-8")


def run(server: Server, name: str, variables: dict[str, Any], key: str, field: str | None = None) -> Any:
    data = server.ok(op(name), variables, key)
    if field is None:
        return data
    payload = data[field]
    assert payload.get("userErrors", []) == [], payload
    return payload


def upload_csv(server: Server, name: str, variables: dict[str, Any], filled: dict[str, Any], key: str) -> Any:
    """Run ``name`` as a GraphQL multipart request with ``graphql/operations/learners.csv`` (its
    ``$placeholders`` filled in) as ``variables.input.file``."""
    csv_text = (OPERATIONS / "learners.csv").read_text(encoding="utf-8")
    for placeholder, value in filled.items():
        if isinstance(value, str):
            csv_text = csv_text.replace(f"${placeholder}", value)
    response = server.http.post(
        server.url,
        data={
            "operations": json.dumps({"query": op(name), "variables": variables}),
            "map": json.dumps({"0": ["variables.input.file"]}),
        },
        files={"0": ("learners.csv", csv_text.encode(), "text/csv")},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    payload = body["data"]["bulkIssueCsv"]
    assert payload["userErrors"] == [] and payload["failedCount"] == 0, payload
    return payload


def test_every_operation_runs_end_to_end(server: Server) -> None:
    key = server.tenant("Operations").key
    org = server.ok(op("viewer"), key=key)["viewer"]
    assert org["scopes"] == ["ADMIN"]
    events = Subscriber(server.ws_url, key, op("credential_events"), {"types": ["ISSUED", "REVOKED"]}, 3)
    events.start()
    wait_for(lambda: server.services.events.subscriber_count(server.call(_org_id(server, key))) > 0)

    issuer = run(
        server,
        "create_issuer",
        {"input": {"name": "ACME Academy", "url": "https://acme.example"}},
        key,
        "createIssuer",
    )["issuer"]
    assert issuer["kind"] == "URL" and issuer["keys"][0]["status"] == "ACTIVE"
    achievement = run(
        server,
        "create_achievement",
        {
            "input": {
                "issuerId": issuer["id"],
                "name": "GraphQL basics",
                "description": "Writes queries",
                "criteriaNarrative": "Pass the quiz",
                "achievementType": "Badge",
                "alignments": [{"targetName": "Skill", "targetUrl": "https://skills.example/graphql"}],
            }
        },
        key,
        "createAchievement",
    )["achievement"]
    issued = run(
        server,
        "issue_credential",
        {
            "input": {
                "achievementId": achievement["id"],
                "recipient": {"email": "ada@example.org", "name": "Ada"},
                "evidence": [{"url": "https://acme.example/work/1", "name": "Quiz"}],
                "idempotencyKey": "ops-1",
            }
        },
        key,
        "issueCredential",
    )
    credential = issued["credential"]
    assert credential["status"] == "ACTIVE" and not issued["replayed"]
    bulk = run(
        server,
        "bulk_issue",
        {
            "input": {
                "bulkId": "ops-bulk",
                "items": [
                    {
                        "achievementId": achievement["id"],
                        "recipient": {"identifier": f"did:example:{i}"},
                        "statusPurpose": "SUSPENSION",
                        "idempotencyKey": f"ops-bulk-{i}",
                    }
                    for i in range(3)
                ]
                + [{"achievementId": achievement["id"], "recipient": {"email": "bad"}}],
            }
        },
        key,
        "bulkIssue",
    )
    assert (bulk["issuedCount"], bulk["failedCount"]) == (3, 1)
    assert bulk["results"][3]["userErrors"][0]["field"] == ["input", "items", "3", "recipient", "email"]
    fast = run(
        server,
        "bulk_issue_json",
        {
            "input": {
                "bulkId": "ops-bulk-json",
                "items": [
                    {
                        "achievementId": achievement["id"],
                        "recipient": {"identifier": f"did:example:json-{i}"},
                        "statusPurpose": "SUSPENSION",
                        "idempotencyKey": f"ops-bulk-json-{i}",
                    }
                    for i in range(2)
                ]
                + [
                    {"achievementId": achievement["id"], "recipient": {"email": "bad"}},
                    {"achievementId": achievement["id"], "recipient": {"email": 3}},
                    {"achievementId": achievement["id"], "recipient": {}, "grade": "A"},
                    # an item bulkIssue already issued: its credential, replayed
                    {
                        "achievementId": achievement["id"],
                        "recipient": {"identifier": "did:example:0"},
                        "statusPurpose": "SUSPENSION",
                        "idempotencyKey": "ops-bulk-0",
                    },
                    None,
                ],
            }
        },
        key,
        "bulkIssueJson",
    )
    assert (fast["issuedCount"], fast["replayedCount"], fast["failedCount"]) == (2, 1, 4)
    assert (
        fast["results"][6]["userErrors"][0]["message"] == "must be an IssueCredentialInput object, not null"
    )
    assert fast["results"][6]["userErrors"][0]["field"] == ["input", "items", "6"]
    assert fast["results"][5]["credential"]["id"] == bulk["results"][0]["credential"]["id"]
    errors = [fast["results"][i]["userErrors"][0] for i in (2, 3, 4)]
    assert errors[0]["field"] == ["input", "items", "2", "recipient", "email"]
    assert errors[1]["field"] == ["input", "items", "3", "recipient", "email"]
    assert "String cannot represent a non string value: 3" in errors[1]["message"]
    assert errors[2]["field"] == ["input", "items", "4"] and "unknown field 'grade'" in errors[2]["message"]
    assert all(e["code"] == "INVALID" for e in errors), errors
    refused = server.ok(op("bulk_issue_json"), {"input": {"items": {"not": "a list"}}}, key)["bulkIssueJson"]
    assert refused["userErrors"][0]["field"] == ["input", "items"] and refused["results"] == []
    filled = {"achievementId": achievement["id"]}
    sheet = upload_csv(server, "bulk_issue_csv", {"input": {"file": None, "dryRun": True}}, filled, key)
    assert (sheet["dryRun"], sheet["validCount"], sheet["issuedCount"]) == (True, 2, 0)

    listed = run(
        server, "list_credentials", {"first": 2, "filter": {"achievementId": achievement["id"]}}, key
    )
    page = listed["credentials"]
    assert len(page["edges"]) == 2 and page["pageInfo"]["hasNextPage"]
    rest = run(
        server,
        "list_credentials",
        {"first": 10, "after": page["pageInfo"]["endCursor"], "filter": {"achievementId": achievement["id"]}},
        key,
    )
    assert len(rest["credentials"]["edges"]) == 4  # 1 + 3 bulk + 2 bulk JSON, less the first 2
    by_email = run(server, "list_credentials", {"first": 5, "filter": {"recipient": "Ada@Example.org"}}, key)
    assert [e["node"]["id"] for e in by_email["credentials"]["edges"]] == [credential["id"]]

    report = run(
        server, "verify_credential", {"input": {"credential": credential["json"]}}, key, "verifyCredential"
    )["report"]
    assert report["verdict"] == "VERIFIED", report

    suspended = run(
        server,
        "suspend_credentials",
        {"input": {"ids": [r["credential"]["id"] for r in bulk["results"][:3]]}},
        key,
        "suspendCredentials",
    )
    assert {c["status"] for c in suspended["credentials"]} == {"SUSPENDED"}
    first, second, third = (r["credential"]["id"] for r in bulk["results"][:3])
    one = run(server, "unsuspend_credential", {"input": {"id": first}}, key, "unsuspendCredential")
    assert one["credential"] == {"id": first, "status": "ACTIVE"}
    lifted = run(
        server, "unsuspend_credentials", {"input": {"ids": [second, third]}}, key, "unsuspendCredentials"
    )
    assert {c["status"] for c in lifted["credentials"]} == {"ACTIVE"}
    gone = run(server, "revoke_credentials", {"input": {"ids": [second, third]}}, key, "revokeCredentials")
    assert [c["status"] for c in gone["credentials"]] == ["REVOKED", "REVOKED"]
    refused = server.ok(op("unsuspend_credentials"), {"input": {"ids": [second]}}, key)[
        "unsuspendCredentials"
    ]
    assert refused["credentials"] == [] and refused["userErrors"], "a revoked credential stays revoked"
    offered = run(
        server,
        "create_credential_offer",
        {"input": {"credentialId": credential["id"]}},
        key,
        "createCredentialOffer",
    )["offer"]
    assert offered["openid4vciOfferUri"].startswith("openid-credential-offer://?credential_offer_uri=")
    assert offered["txCode"] is None and offered["qrCodeSvg"].startswith("<svg")
    revoked = run(server, "revoke_credential", {"input": {"id": credential["id"]}}, key, "revokeCredential")
    assert revoked["credential"]["status"] == "REVOKED"
    report = run(
        server, "verify_credential", {"input": {"credential": credential["json"]}}, key, "verifyCredential"
    )["report"]
    assert report["verdict"] == "FAILED"
    assert {c["check"]: c["code"] for c in report["checks"]}["status"] == "revoked"

    hook = run(
        server,
        "create_webhook_endpoint",
        {"input": {"url": "https://crm.example.com/hooks", "events": ["CREDENTIAL_REVOKED"]}},
        key,
        "createWebhookEndpoint",
    )
    assert hook["secret"].startswith("whsec_") and hook["endpoint"]["events"] == ["CREDENTIAL_REVOKED"]
    assert [e["id"] for e in run(server, "webhook_endpoints", {}, key)["webhookEndpoints"]] == [
        hook["endpoint"]["id"]
    ]
    run(server, "revoke_credentials", {"input": {"ids": [first]}}, key, "revokeCredentials")
    (delivery,) = run(server, "webhook_deliveries", {"endpointId": hook["endpoint"]["id"], "first": 5}, key)[
        "webhookDeliveries"
    ]["edges"]
    assert delivery["node"]["eventType"] == "CREDENTIAL_REVOKED" and delivery["node"]["state"] == "PENDING"
    assert json.loads(delivery["node"]["body"])["type"] == "credential.revoked"
    today = server.call(_today())
    stats = run(server, "analytics", {"filter": {"from": today, "to": today}, "interval": "DAY"}, key)[
        "analytics"
    ]
    totals = {t["type"]: t["count"] for t in stats["totals"]}
    assert (totals["issued"], totals["revoked"], stats["funnel"]["issued"]) == (6, 4, 6)  # 1 + 3 + 2 (JSON)

    rotated = run(server, "rotate_issuer_key", {"input": {"issuerId": issuer["id"]}}, key, "rotateIssuerKey")
    assert rotated["key"]["status"] == "ACTIVE"
    added = run(
        server, "generate_issuer_key", {"input": {"issuerId": issuer["id"]}}, key, "generateIssuerKey"
    )
    assert (
        added["key"]["status"] == "ACTIVE"
        and added["key"]["verificationMethod"] != rotated["key"]["verificationMethod"]
    )
    new_key = run(
        server, "create_api_key", {"input": {"name": "ci", "scopes": ["READ", "ISSUE"]}}, key, "createApiKey"
    )
    assert new_key["key"].startswith("vce_") and new_key["apiKey"]["scopes"] == ["ISSUE", "READ"]
    assert server.ok(op("organization"), key=new_key["key"])["organization"] == {
        **org["organization"],
        "createdAt": server.ok("{ organization { createdAt } }", key=key)["organization"]["createdAt"],
    }
    keys = run(server, "list_api_keys", {"first": 10}, key)["apiKeys"]["edges"]
    listed = {k["node"]["prefix"]: k["node"] for k in keys}
    ci = listed[new_key["apiKey"]["prefix"]]
    assert ci["createdBy"]["prefix"] in listed and ci["revokedAt"] is None and ci["lastUsedAt"]
    assert new_key["key"].rpartition("_")[2] not in str(keys)  # never the secret
    revoked = run(server, "revoke_api_key", {"input": {"id": ci["id"]}}, key, "revokeApiKey")
    assert revoked["apiKey"]["revokedAt"] and revoked["apiKey"]["prefix"] == ci["prefix"]
    assert server.gql(op("organization"), key=new_key["key"])["errors"][0]["extensions"]["code"] == (
        "UNAUTHENTICATED"
    )
    working = run(server, "list_api_keys", {"first": 10, "includeRevoked": False}, key)["apiKeys"]
    assert ci["id"] not in {e["node"]["id"] for e in working["edges"]}
    # -- delivery --
    template = {"subject": "{{ achievement_name }} for {{ recipient_name }}"}
    assert run(server, "set_email_template", {"input": template}, key, "setEmailTemplate")["template"][
        "customParts"
    ] == ["subject"]
    assert run(server, "email_template", {}, key)["emailTemplate"]["subject"] == template["subject"]
    preview = run(server, "preview_email_template", {"input": {"credentialId": credential["id"]}}, key)
    assert preview["previewEmailTemplate"]["preview"]["subject"] == "GraphQL basics for Ada"
    branded = {"issuerId": issuer["id"], "primaryColor": "#112233"}
    assert (
        run(server, "set_issuer_branding", {"input": branded}, key, "setIssuerBranding")["branding"][
            "primaryColor"
        ]
        == "#112233"
    )

    integration = run(
        server,
        "create_integration",
        {"input": {"platform": "MOODLE", "name": "Moodle"}},
        key,
        "createIntegration",
    )
    assert integration["secret"] and integration["integration"]["webhookUrl"].endswith(
        integration["integration"]["id"]
    )
    rule = {"integrationId": integration["integration"]["id"], "achievementId": achievement["id"]}
    made = run(
        server, "create_award_rule", {"input": {**rule, "trigger": "QUIZ_PASSED", "minScore": 7.5}}, key
    )
    assert made["createAwardRule"]["awardRule"]["minScore"] == 7.5
    listed = run(server, "list_integrations", {}, key)["integrations"]
    assert [i["awardRules"][0]["trigger"] for i in listed] == ["QUIZ_PASSED"]
    assert run(server, "integration_events", {"first": 5}, key)["integrationEvents"]["edges"] == []

    received = events.wait()
    types = [m["data"]["credentialEvents"]["type"] for m in received]
    assert types == ["ISSUED", "ISSUED", "ISSUED"] or types[:3].count("ISSUED") == 3
    assert {p.stem for p in OPERATIONS.glob("*.graphql")} == RAN


def _org_id(server: Server, key: str) -> Any:
    from vcengine.services import organizations

    async def org() -> str:
        return (await organizations.authenticate(server.services, key)).org_id

    return org()


def test_baked_image_and_jwt_verify(server: Server) -> None:
    tenant = server.tenant("Images")
    from vcengine.api.graphql.types.ids import global_id

    achievement = str(global_id("Achievement", tenant.achievement_id))
    mutation = op("issue_credential")
    data = server.ok(
        mutation,
        {"input": {"achievementId": achievement, "recipient": {"name": "Lin"}, "proofFormat": "VC_JWT"}},
        tenant.key,
    )
    jwt = data["issueCredential"]["credential"]["jwt"]
    assert jwt.count(".") == 2
    verify = op("verify_credential")
    assert server.ok(verify, {"input": {"jwt": jwt}}, tenant.key)["verifyCredential"]["report"]["verified"]
    record = server.call(server.services.store.get_achievement(tenant.org_id, tenant.achievement_id))
    assert record is not None and record.image_png is not None
    from vcengine.core.bake import bake

    image = base64.b64encode(bake(record.image_png, jwt)).decode()
    report = server.ok(verify, {"input": {"imageBase64": image}}, tenant.key)["verifyCredential"]["report"]
    assert report["verified"] and report["format"] == "vc-jwt"
    bad = server.ok(verify, {"input": {"imageBase64": "!!!"}}, tenant.key)["verifyCredential"]
    assert bad["report"] is None and bad["userErrors"][0]["field"] == ["input", "imageBase64"]
    two = server.ok(verify, {"input": {"jwt": jwt, "credential": json.loads("{}")}}, tenant.key)[
        "verifyCredential"
    ]
    assert two["userErrors"][0]["code"] == "INVALID"


# --- the example variables files ------------------------------------------------------------------


def example_variables(name: str, filled: dict[str, Any]) -> dict[str, Any]:
    """``graphql/operations/{name}.variables.json`` with each ``"$placeholder"`` string replaced by
    what the earlier operations returned (ids a reader copies from their own responses)."""
    text = (OPERATIONS / f"{name}.variables.json").read_text(encoding="utf-8")

    def fill(value: Any) -> Any:
        if isinstance(value, str) and value.startswith("$"):
            return filled[value[1:]]
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v) for v in value]
        return value

    result: dict[str, Any] = fill(json.loads(text))
    return result


def test_every_operation_runs_with_its_example_variables_file(server: Server) -> None:
    """Each operation's ``.variables.json`` is valid for it: run as a reader would, in order."""
    key, filled, ran = server.tenant("Examples").key, {}, set()

    def example(name: str) -> dict[str, Any]:
        ran.add(name)
        data = server.ok(op(name), example_variables(name, filled), key)
        payload = next(iter(data.values()))
        assert not (isinstance(payload, dict) and payload.get("userErrors")), (name, payload)
        return data

    ran.add("credential_events")
    events = Subscriber(
        server.ws_url, key, op("credential_events"), example_variables("credential_events", filled), 1
    )
    events.start()
    wait_for(lambda: server.services.events.subscriber_count(server.call(_org_id(server, key))) > 0)
    example("viewer")
    example("organization")
    filled["issuerId"] = example("create_issuer")["createIssuer"]["issuer"]["id"]
    filled["achievementId"] = example("create_achievement")["createAchievement"]["achievement"]["id"]
    credential = example("issue_credential")["issueCredential"]["credential"]
    filled.update(credentialId=credential["id"], credentialJson=credential["json"])
    bulk = [r["credential"]["id"] for r in example("bulk_issue")["bulkIssue"]["results"]]
    filled.update(bulkCredentialIds=bulk, bulkCredentialId=bulk[0], otherBulkCredentialIds=bulk[1:])
    assert len(example("list_credentials")["credentials"]["edges"]) == 3
    assert example("bulk_issue_json")["bulkIssueJson"]["issuedCount"] == 2
    ran.add("bulk_issue_csv")
    sheet = upload_csv(server, "bulk_issue_csv", example_variables("bulk_issue_csv", filled), filled, key)
    assert (sheet["rowCount"], sheet["issuedCount"]) == (2, 2)
    assert example("verify_credential")["verifyCredential"]["report"]["verified"]
    example("suspend_credentials")
    example("unsuspend_credential")
    example("unsuspend_credentials")
    example("revoke_credentials")
    offer = example("create_credential_offer")["createCredentialOffer"]["offer"]
    assert offer["txCode"].isdigit() and len(offer["txCode"]) == 6
    assert example("revoke_credential")["revokeCredential"]["credential"]["status"] == "REVOKED"
    example("rotate_issuer_key")
    example("generate_issuer_key")
    filled["apiKeyId"] = example("create_api_key")["createApiKey"]["apiKey"]["id"]
    example("list_api_keys")
    assert example("revoke_api_key")["revokeApiKey"]["apiKey"]["revokedAt"]
    created = example("create_webhook_endpoint")["createWebhookEndpoint"]
    filled["webhookEndpointId"] = created["endpoint"]["id"]
    assert len(example("webhook_endpoints")["webhookEndpoints"]) == 1
    assert example("webhook_deliveries")["webhookDeliveries"]["edges"] == []
    assert example("analytics")["analytics"]["interval"] == "MONTH"
    filled["integrationId"] = example("create_integration")["createIntegration"]["integration"]["id"]
    assert example("create_award_rule")["createAwardRule"]["awardRule"]["courseId"] == "python-101"
    assert example("list_integrations")["integrations"][0]["id"] == filled["integrationId"]
    assert example("integration_events")["integrationEvents"]["edges"] == []
    # -- delivery --
    assert example("set_email_template")["setEmailTemplate"]["template"]["customParts"] == ["subject", "text"]
    assert example("email_template")["emailTemplate"]["customParts"] == ["subject", "text"]
    preview = example("preview_email_template")["previewEmailTemplate"]["preview"]
    assert preview["subject"] == "Congratulations Ada Lovelace!" and "/claim/EXAMPLE" in preview["text"]
    assert example("set_issuer_branding")["setIssuerBranding"]["branding"]["primaryColor"] == "#1f4e79"
    assert events.wait()[0]["data"]["credentialEvents"]["type"] == "ISSUED"
    assert {p.name.removesuffix(".variables.json") for p in OPERATIONS.glob("*.variables.json")} == ran
    assert {p.stem for p in OPERATIONS.glob("*.graphql")} == ran


async def _today() -> str:
    from datetime import UTC, datetime

    return str(datetime.now(UTC).date())
