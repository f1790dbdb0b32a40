"""Issue 4's "Done when": the README's main command starts the server on the embedded store, and
over HTTP: create an issuer and an achievement, issue a credential, fetch its page, JSON and PNG,
verify it (verified), revoke it, verify again (revoked)."""

from __future__ import annotations

import json

import httpx2 as httpx

from tests.e2e.conftest import ADMIN_KEY, Served, graphql
from vcengine.core.bake import unbake


def test_done_when(served: Served) -> None:
    assert "vcengine: serving" in served.output and "SQLite" in served.output
    admin = httpx.Client(
        base_url=served.base_url, headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=30
    )
    public = httpx.Client(base_url=served.base_url, timeout=30)
    with admin, public:
        issuer = graphql(
            admin,
            "mutation($i: CreateIssuerInput!) { createIssuer(input: $i) {"
            "  issuer { id issuerId } userErrors { message } } }",
            {"i": {"name": "Done When University", "url": "https://dwu.example"}},
        )["issuer"]
        achievement = graphql(
            admin,
            "mutation($i: CreateAchievementInput!) { createAchievement(input: $i) {"
            " achievement { id } userErrors { message } } }",
            {
                "i": {
                    "issuerId": issuer["id"],
                    "name": "Service Operator",
                    "description": "Runs vcengine in production.",
                    "criteriaNarrative": "Started the server, issued, verified and revoked a credential.",
                }
            },
        )["achievement"]
        credential = graphql(
            admin,
            "mutation($i: IssueCredentialInput!) { issueCredential(input: $i) {"
            " credential { id url } userErrors { message } } }",
            {
                "i": {
                    "achievementId": achievement["id"],
                    "recipient": {"email": "op@dwu.example", "name": "Op"},
                }
            },
        )["credential"]
        url = credential["url"]
        assert url.startswith(served.base_url + "/credentials/")

        page = public.get(url, headers={"Accept": "text/html"})
        assert page.status_code == 200 and 'data-verdict="verified"' in page.text
        assert "Service Operator" in page.text and "Done When University" in page.text
        document = public.get(url, headers={"Accept": "application/ld+json"}).json()
        assert document["id"] == url and document["issuer"]["id"] == issuer["issuerId"]
        png = public.get(url + "/badge.png")
        assert png.headers["content-type"] == "image/png"
        assert json.loads(unbake(png.content).text) == document

        verified = public.post("/credentials/verify", json={"verifiableCredential": document}).json()
        assert verified["verified"] is True, verified

        graphql(
            admin,
            "mutation($i: RevokeCredentialInput!) { revokeCredential(input: $i) { userErrors { message } } }",
            {"i": {"id": credential["id"]}},
        )
        revoked = public.post("/credentials/verify", json={"verifiableCredential": document}).json()
        assert revoked["verified"] is False
        status = next(c for c in revoked["results"]["checks"] if c["check"] == "status")
        assert status["outcome"] == "fail" and status["code"] == "revoked"
        assert 'data-status="revoked"' in public.get(url, headers={"Accept": "text/html"}).text
