"""Status lists, issuer profiles, DID documents, health and the request limits, over HTTP."""

from __future__ import annotations

import re
from typing import Any

from tests.api.conftest import LiveServer

BROWSER = "text/html,application/xhtml+xml,*/*;q=0.8"


def status_url(server: LiveServer, credential: dict[str, Any]) -> str:
    doc = server.client.get(credential["url"]).json()
    return str(doc["credentialStatus"]["statusListCredential"])


def test_status_list_is_cacheable_with_etag(live_server: LiveServer) -> None:
    url = status_url(live_server, live_server.issued_credential())
    first = live_server.client.get(url)
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("application/json")
    body = first.json()
    assert "BitstringStatusListCredential" in body["type"] and body["id"] == url
    max_age = int(re.fullmatch(r"public, max-age=(\d+)", first.headers["cache-control"])[1])  # type: ignore[index]
    assert 0 < max_age <= live_server.settings.status_list_ttl_seconds
    etag = first.headers["etag"]
    assert etag.startswith('"')
    again = live_server.client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert live_server.client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    ld = live_server.client.get(url, headers={"Accept": "application/ld+json"})
    assert ld.headers["content-type"].startswith("application/ld+json")


def test_status_list_changes_its_etag_when_a_bit_flips(live_server: LiveServer) -> None:
    credential = live_server.issued_credential()
    url = status_url(live_server, credential)
    before = live_server.client.get(url).headers["etag"]
    live_server.revoke(credential["id"])
    after = live_server.client.get(url, headers={"If-None-Match": before})
    assert after.status_code == 200 and after.headers["etag"] != before


def test_unknown_status_list(live_server: LiveServer) -> None:
    response = live_server.client.get("/status-lists/nope")
    assert response.status_code == 404 and response.json()["type"].endswith("not-found")


def test_url_issuer_profile_json_and_html(live_server: LiveServer) -> None:
    issuer = live_server.create_issuer(name="Profile Academy")
    url = issuer["issuerId"]
    doc = live_server.client.get(url, headers={"Accept": "application/ld+json"}).json()
    assert doc["id"] == url and "Profile" in doc["type"] and doc["name"] == "Profile Academy"
    assert doc["assertionMethod"] == [m["id"] for m in doc["verificationMethod"]]
    html = live_server.client.get(url, headers={"Accept": BROWSER})
    assert html.headers["content-type"].startswith("text/html")
    assert 'property="og:title" content="Profile Academy"' in html.text
    assert live_server.client.get(url, headers={"Accept": "image/png"}).status_code == 406


def test_did_web_document_lists_retired_keys_after_rotation(live_server: LiveServer) -> None:
    issuer = live_server.create_issuer(name="Web Academy", kind="DID_WEB")
    did = issuer["issuerId"]
    assert did.startswith(f"did:web:127.0.0.1%3A{live_server.port}:issuers:")
    record_id = did.rsplit(":", 1)[1]
    achievement = live_server.create_achievement(issuer["id"])
    before = live_server.issue(achievement["id"])
    data = live_server.gql(
        "mutation($i: RotateIssuerKeyInput!) { rotateIssuerKey(input: $i) { key { verificationMethod }"
        " userErrors { message } } }",
        {"i": {"issuerId": issuer["id"]}},
    )["rotateIssuerKey"]
    assert not data["userErrors"], data
    response = live_server.client.get(f"/issuers/{record_id}/did.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/did+json")
    doc = response.json()
    assert doc["id"] == did
    methods = [m["id"] for m in doc["verificationMethod"]]
    assert len(methods) == 2 and data["key"]["verificationMethod"] in methods
    assert sorted(doc["assertionMethod"]) == sorted(methods)
    assert all(m["type"] == "Multikey" and m["controller"] == did for m in doc["verificationMethod"])
    old = live_server.client.get(before["url"]).json()
    assert old["proof"]["verificationMethod"] in methods
    body = live_server.client.post("/credentials/verify", json={"verifiableCredential": old}).json()
    assert body["verified"] is True, body


def test_did_json_only_for_did_web_issuers(live_server: LiveServer) -> None:
    issuer = live_server.create_issuer(name="Url Academy")
    record_id = issuer["issuerId"].rsplit("/", 1)[1]
    assert live_server.client.get(f"/issuers/{record_id}/did.json").status_code == 404
    assert live_server.client.get("/issuers/nope").status_code == 404
    assert live_server.client.get("/.well-known/did.json").status_code == 404


def test_healthz(live_server: LiveServer) -> None:
    response = live_server.client.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"
    assert response.headers["cache-control"] == "no-store"


def test_oversized_body_is_refused(live_server: LiveServer) -> None:
    big = b"{" + b" " * (live_server.settings.max_body_bytes + 10) + b"}"
    response = live_server.client.post(
        "/credentials/verify", content=big, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"

    def chunks() -> Any:
        for _ in range(20):
            yield b" " * (live_server.settings.max_body_bytes // 10)

    streamed = live_server.client.post(
        "/credentials/verify", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert streamed.status_code == 413


def test_wrong_media_type_and_method(live_server: LiveServer) -> None:
    response = live_server.client.post(
        "/credentials/verify", content=b"{}", headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 415
    assert live_server.client.get("/credentials/verify").status_code == 404
    assert live_server.client.delete("/healthz").status_code == 405
