"""Delivery's GraphQL surface and API key scopes: reading templates and previews needs READ;
changing the template or an issuer's branding needs ADMIN; each organization sees its own."""

from __future__ import annotations

from tests.api.graphql.conftest import Server
from tests.api.graphql.test_graphql_security import key_with
from tests.services.support import Tenant

SET = 'mutation { setEmailTemplate(input: {subject: "Hi {{ recipient_name }}"}) { userErrors { code } } }'
PREVIEW = "mutation { previewEmailTemplate(input: {}) { preview { subject } userErrors { code } } }"
READ = "{ emailTemplate { subject customParts } }"
BRAND = """mutation($id: ID!) { setIssuerBranding(input: {issuerId: $id, primaryColor: "#123456"}) {
  branding { primaryColor } userErrors { code } } }"""


def test_template_and_branding_scopes(server: Server, tenant: Tenant) -> None:
    reader, issuer_key = key_with(server, tenant, "read"), key_with(server, tenant, "issue")
    for key in (reader, issuer_key):
        assert server.ok(SET, {}, key)["setEmailTemplate"]["userErrors"] == [{"code": "FORBIDDEN"}]
        issuer = server.ok("{ issuers { id } }", {}, tenant.key)["issuers"][0]["id"]
        assert server.ok(BRAND, {"id": issuer}, key)["setIssuerBranding"]["userErrors"] == [
            {"code": "FORBIDDEN"}
        ]
    assert server.ok(PREVIEW, {}, reader)["previewEmailTemplate"]["preview"]["subject"].endswith(
        "Example Badge"
    )
    assert server.ok(READ, {}, reader)["emailTemplate"]["customParts"] == []
    assert server.ok(SET, {}, tenant.key)["setEmailTemplate"]["userErrors"] == []
    assert server.ok(READ, {}, reader)["emailTemplate"]["subject"] == "Hi {{ recipient_name }}"


def test_each_organization_has_its_own_template(server: Server, tenant: Tenant) -> None:
    other = server.tenant("Other org for templates")
    assert server.ok(SET, {}, tenant.key)["setEmailTemplate"]["userErrors"] == []
    assert server.ok(READ, {}, other.key)["emailTemplate"]["customParts"] == []


def test_an_issuer_shows_its_branding_to_its_own_organization(server: Server, tenant: Tenant) -> None:
    issuer = server.ok("{ issuers { id branding { primaryColor } } }", {}, tenant.key)["issuers"][0]
    assert issuer["branding"] is None
    assert server.ok(BRAND, {"id": issuer["id"]}, tenant.key)["setIssuerBranding"]["userErrors"] == []
    query = "query($id: ID!) { issuer(id: $id) { branding { primaryColor logoUrl } } }"
    assert server.ok(query, {"id": issuer["id"]}, tenant.key)["issuer"]["branding"] == {
        "primaryColor": "#123456",
        "logoUrl": None,
    }
    other = server.tenant("Branding outsider")
    assert server.ok(query, {"id": issuer["id"]}, other.key)["issuer"] is None
