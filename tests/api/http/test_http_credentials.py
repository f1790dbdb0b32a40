"""A credential at its URL over real HTTP: negotiation, the verification page, downloads."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

from tests.api.conftest import LiveServer
from vcengine.core.bake import unbake

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


class _Meta(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.links: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "meta" and ("property" in a or "name" in a):
            self.meta[a.get("property") or a["name"]] = a.get("content", "")
        if tag == "a" and "id" in a:
            self.links[a["id"]] = a["href"]


def parse(html: str) -> _Meta:
    parser = _Meta()
    parser.feed(html)
    return parser


def test_json_ld_for_machines(live_server: LiveServer) -> None:
    cred = live_server.issued_credential()
    for accept in ("application/ld+json", "application/json", "application/vc", "*/*", None):
        headers = {"Accept": accept} if accept else {}
        response = live_server.client.get(cred["url"], headers=headers)
        assert response.status_code == 200
        doc = response.json()
        assert doc["id"] == cred["url"]
        assert "proof" in doc and doc["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
        assert response.headers["vary"] == "Accept"
        assert response.headers["etag"].startswith('"')
    assert live_server.client.get(cred["url"], headers={"Accept": "image/png"}).status_code == 406


def test_html_page_for_people(live_server: LiveServer) -> None:
    cred = live_server.issued_credential(validUntil="2031-06-30T00:00:00Z")
    response = live_server.client.get(cred["url"], headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-cache"
    html = response.text
    assert 'data-verdict="verified"' in html and 'data-status="active"' in html
    assert "Python Fundamentals" in html and "Acme Academy" in html
    assert "Ada Lovelace" in html  # disclosed name
    assert "ada@example.com" not in html  # the email is only in the credential, hashed
    page = parse(html)
    assert page.meta["og:title"] == "Python Fundamentals — Acme Academy"
    assert page.meta["og:url"] == cred["url"]
    assert page.meta["og:image"] == cred["url"] + "/badge.png"
    assert page.meta["og:description"].startswith("Writes, tests")
    assert page.meta["twitter:card"] == "summary"
    assert page.links["add-to-linkedin"] == cred["url"] + "/linkedin"  # counted, then redirected
    counted = live_server.client.get(page.links["add-to-linkedin"], follow_redirects=False)
    assert counted.status_code == 302
    link = urlsplit(counted.headers["location"])
    params = dict(parse_qsl(link.query))
    assert link.netloc == "www.linkedin.com" and link.path == "/profile/add"
    assert params["startTask"] == "CERTIFICATION_NAME"
    assert params["name"] == "Python Fundamentals"
    assert params["organizationName"] == "Acme Academy"
    assert params["certUrl"] == cred["url"] and params["certId"] == cred["url"]
    assert (params["expirationYear"], params["expirationMonth"]) == ("2031", "6")
    assert re.fullmatch(r"\d{4}", params["issueYear"]) and 1 <= int(params["issueMonth"]) <= 12
    assert "Ada" not in link.query and "example.com" not in link.query


def test_page_escapes_what_issuers_wrote(live_server: LiveServer) -> None:
    issuer = live_server.create_issuer(name="<script>alert(1)</script> Academy")
    achievement = live_server.create_achievement(issuer["id"], name='Badge "><img src=x onerror=alert(1)>')
    cred = live_server.issue(achievement["id"], recipient={"name": "<b>Eve</b>"})
    html = live_server.client.get(cred["url"], headers={"Accept": BROWSER}).text
    assert "<script>alert(1)" not in html and "<img src=x" not in html and "<b>Eve</b>" not in html
    assert "&lt;script&gt;" in html


def test_revoked_page_says_so(live_server: LiveServer) -> None:
    cred = live_server.issued_credential()
    live_server.revoke(cred["id"])
    html = live_server.client.get(cred["url"], headers={"Accept": BROWSER}).text
    assert 'data-verdict="failed"' in html and 'data-status="revoked"' in html and "Revoked" in html


def test_downloads_carry_the_credential(live_server: LiveServer) -> None:
    cred = live_server.issued_credential()
    doc = live_server.client.get(cred["url"]).json()
    png = live_server.client.get(cred["url"] + "/badge.png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert re.fullmatch(
        r'inline; filename="python-fundamentals-[0-9a-f]{8}\.png"', png.headers["content-disposition"]
    )
    baked = unbake(png.content)
    assert baked.format == "ob3-json" and json.loads(baked.text) == doc
    svg = live_server.client.get(cred["url"] + "/badge.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert "default-src 'none'" in svg.headers["content-security-policy"]
    assert json.loads(unbake(svg.content).text) == doc
    download = live_server.client.get(cred["url"] + ".json")
    assert download.headers["content-type"] == "application/ld+json"
    assert download.json() == doc and "filename=" in download.headers["content-disposition"]
    again = live_server.client.get(cred["url"] + "/badge.png", headers={"If-None-Match": png.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_vc_jwt_credential_negotiates_the_token(live_server: LiveServer) -> None:
    cred = live_server.issued_credential(proofFormat="VC_JWT")
    token = live_server.client.get(cred["url"], headers={"Accept": "application/vc+jwt"})
    assert token.headers["content-type"].startswith("application/vc+jwt")
    assert token.text.count(".") == 2
    enveloped = live_server.client.get(cred["url"], headers={"Accept": "application/ld+json"}).json()
    assert enveloped["type"] == "EnvelopedVerifiableCredential"
    assert enveloped["id"] == "data:application/vc+jwt," + token.text
    assert unbake(live_server.client.get(cred["url"] + "/badge.png").content).text == token.text
    html = live_server.client.get(cred["url"], headers={"Accept": BROWSER}).text
    assert 'data-verdict="verified"' in html


def test_unknown_credential_is_a_problem(live_server: LiveServer) -> None:
    for path in ("/credentials/nope", "/credentials/nope.json", "/credentials/nope/badge.png"):
        response = live_server.client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == 404


def test_public_reads_allow_any_origin_and_set_security_headers(live_server: LiveServer) -> None:
    cred = live_server.issued_credential()
    response = live_server.client.get(cred["url"])
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


def test_achievement_and_its_image(live_server: LiveServer) -> None:
    cred = live_server.issued_credential()
    doc = live_server.client.get(cred["url"]).json()
    achievement = doc["credentialSubject"]["achievement"]
    served = live_server.client.get(achievement["id"])
    assert served.status_code == 200 and served.json()["name"] == "Python Fundamentals"
    image = live_server.client.get(achievement["image"]["id"])
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
    assert live_server.client.get(achievement["id"] + "/image.svg").content.lstrip().startswith(b"<")
