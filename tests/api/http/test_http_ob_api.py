"""The 1EdTech Open Badges 3.0 API end to end over a real server: a client registers itself
(RFC 7591), gets the learner's consent through the authorization code flow with PKCE — driven by
Authlib's OAuth 2.0 client (``requests`` transport), the learner signing in by the one-time link
a real SMTP server (aiosmtpd) receives, in a browser played by httpx — then reads the learner's
credentials page by page, refreshes (with rotation) and revokes its tokens."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.integrations.base_client.errors import OAuthError as OAuth2Error
from authlib.integrations.requests_client import OAuth2Session

from tests.api.conftest import LiveServer
from tests.api.test_delivery import messages_to
from tests.smtp_server import Inbox, smtp_server
from vcengine.api.settings import Secret

SCOPE = "https://purl.imsglobal.org/spec/ob/v3p0/scope/"
READ, UPSERT = SCOPE + "credential.readonly", SCOPE + "credential.upsert"
PROFILE_READ, PROFILE_UPDATE = SCOPE + "profile.readonly", SCOPE + "profile.update"
APP = "https://backpack.example"
REDIRECT = f"{APP}/callback"
LEARNER = "ob-learner@example.org"


@pytest.fixture(scope="module")
def inbox() -> Iterator[Inbox]:
    with smtp_server() as box:
        yield box


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, inbox: Inbox) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path_factory.mktemp("ob-api"), smtp_url=Secret(inbox.url), smtp_retry_seconds=0.2)
    live.start()
    try:
        yield live
    finally:
        live.stop()


def metadata(**extra: Any) -> dict[str, Any]:
    return {
        "client_name": "Backpack",
        "client_uri": APP,
        "logo_uri": f"{APP}/logo.png",
        "tos_uri": f"{APP}/terms",
        "policy_uri": f"{APP}/privacy",
        "software_id": "c1b1b4d6-0f8e-4c59-9d2b-7a1f4f6e0a11",
        "software_version": "1.0",
        "redirect_uris": [REDIRECT],
        "scope": f"{READ} {UPSERT} {PROFILE_READ} {PROFILE_UPDATE} offline_access",
        **extra,
    }


def discover(server: LiveServer) -> dict[str, Any]:
    document: dict[str, Any] = requests.get(f"{server.base_url}/ims/ob/v3p0/discovery", timeout=10).json()
    return document


def sign_in_link(inbox: Inbox, address: str, already: int) -> str:
    deadline = time.monotonic() + 20
    while (
        len(found := [m for m in messages_to(inbox, address) if "Open Badges API" in str(m["Subject"])])
        <= already
    ):
        assert time.monotonic() < deadline, "no sign-in email"
        time.sleep(0.05)
    text = found[-1].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    link = re.search(r"(https?://\S+/ims/ob/v3p0/sign-in/\S+)", text)
    assert link, text
    return link.group(1)


def consent(server: LiveServer, inbox: Inbox, url: str, email: str = LEARNER, decision: str = "allow") -> str:
    """The learner in a browser: the authorization page, the email, the link, the decision;
    the URL the browser is sent back to."""
    already = len([m for m in messages_to(inbox, email) if "Open Badges API" in str(m["Subject"])])
    page = server.client.get(url)
    assert page.status_code == 200 and "Email me a sign-in link" in page.text, page.text
    ticket = html.unescape(re.search(r'name="ticket" value="([^"]+)"', page.text).group(1))  # type: ignore[union-attr]
    sent = server.client.post(urlsplit(url).path, data={"ticket": ticket, "email": email.upper()})
    assert sent.status_code == 200 and "Check your email" in sent.text
    link = sign_in_link(inbox, email, already)
    shown = server.client.get(urlsplit(link).path)
    assert shown.status_code == 200 and "Allow “Backpack”?" in shown.text
    assert 'id="redirect-host">' in shown.text  # where the access goes is shown
    back = server.client.post(urlsplit(link).path, data={"decision": decision})
    assert back.status_code == 303
    assert server.client.get(urlsplit(link).path).status_code == 404  # the link works once
    return str(back.headers["location"])


def minor(response: requests.Response) -> str:
    value: str = response.json()["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]
    return value


def register(server: LiveServer, **extra: Any) -> dict[str, Any]:
    url = discover(server)["components"]["securitySchemes"]["OAuth2ACG"]["x-imssf-registrationUrl"]
    answer = requests.post(url, json=metadata(**extra), timeout=10)
    assert answer.status_code == 201, answer.text
    registered: dict[str, Any] = answer.json()
    return registered


def session(registered: dict[str, Any], scope: str) -> OAuth2Session:
    return OAuth2Session(
        registered["client_id"],
        registered["client_secret"],
        scope=scope,
        redirect_uri=REDIRECT,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )


def authorized(server: LiveServer, inbox: Inbox, scope: str) -> tuple[OAuth2Session, dict[str, Any], str]:
    """A registered client with the learner's consent: (session with its token, flows, verifier)."""
    flows = discover(server)["components"]["securitySchemes"]["OAuth2ACG"]["flows"]["authorizationCode"]
    client = session(register(server), scope)
    verifier = "v" * 20 + "-" + "k" * 40
    url, state = client.create_authorization_url(flows["authorizationUrl"], code_verifier=verifier)
    back = consent(server, inbox, url)
    query = {k: v[0] for k, v in parse_qs(urlsplit(back).query).items()}
    assert back.startswith(REDIRECT + "?") and query["state"] == state
    assert query["iss"] == f"{server.base_url}/ims/ob/v3p0"
    client.fetch_token(flows["tokenUrl"], authorization_response=back, code_verifier=verifier)
    return client, flows, back


def test_the_discovery_document_names_the_oauth_endpoints_and_the_four_scopes(server: LiveServer) -> None:
    document = discover(server)
    assert document["openapi"].startswith("3.0")
    assert document["info"]["x-imssf-privacyPolicyUrl"] and document["info"]["termsOfService"]
    scheme = document["components"]["securitySchemes"]["OAuth2ACG"]
    flow = scheme["flows"]["authorizationCode"]
    api = f"{server.base_url}/ims/ob/v3p0"
    assert scheme["type"] == "oauth2" and scheme["x-imssf-registrationUrl"] == f"{api}/register"
    assert (flow["authorizationUrl"], flow["tokenUrl"], flow["refreshUrl"]) == (
        f"{api}/authorize", f"{api}/token", f"{api}/token",
    )  # fmt: skip
    assert set(flow["scopes"]) == {READ, UPSERT, PROFILE_READ, PROFILE_UPDATE}
    assert document["servers"][0]["url"] == api
    assert {op["operationId"] for path in document["paths"].values() for op in path.values()} == {
        "getCredentials", "upsertCredential", "getProfile", "putProfile", "getServiceDescription",
    }  # fmt: skip


def test_a_registered_client_reads_the_learners_credentials_in_pages_with_consent(
    server: LiveServer, inbox: Inbox
) -> None:
    issuer = server.create_issuer("Open Badges API Academy")
    names = ("First Badge", "Second Badge", "Third Badge")
    issued = []
    for name in names:
        achievement = server.create_achievement(issuer["id"], name)
        issued.append(server.issue(achievement["id"], recipient={"email": LEARNER, "name": "Lea"}))
    other = server.issue(achievement["id"], recipient={"email": "someone-else@example.org"})
    # a name that equals the learner's email does not make it the learner's credential
    server.issue(achievement["id"], recipient={"email": "impostor@example.org", "name": LEARNER})
    client, flows, _ = authorized(server, inbox, f"{READ} offline_access")
    assert (
        client.token["token_type"].lower() == "bearer" and client.token["scope"] == f"{READ} offline_access"
    )
    api = f"{server.base_url}/ims/ob/v3p0"

    first = client.get(f"{api}/credentials", params={"limit": 2}, timeout=10)
    assert first.status_code == 200, first.text
    assert first.headers["X-Total-Count"] == "3" and first.json()["compactJwsString"] == []
    assert [c["id"] for c in first.json()["credential"]] == [c["url"] for c in issued[:2]]
    links = requests.utils.parse_header_links(first.headers["Link"])
    rels = {link["rel"]: link["url"] for link in links}
    assert (
        set(rels) == {"first", "next", "last"} and "offset=2" in rels["next"] and "offset=2" in rels["last"]
    )
    second = client.get(rels["next"], timeout=10)
    assert [c["id"] for c in second.json()["credential"]] == [issued[2]["url"]]
    second_rels = {link["rel"] for link in requests.utils.parse_header_links(second.headers["Link"])}
    assert second_rels == {"first", "prev", "last"}
    everything = client.get(f"{api}/credentials", timeout=10).json()["credential"]
    assert other["url"] not in [c["id"] for c in everything] and len(everything) == 3
    assert everything[0]["credentialSubject"]["achievement"]["name"] == "First Badge"
    assert everything[0]["proof"]  # the signed credential, as issued
    later = client.get(f"{api}/credentials", params={"since": "2999-01-01T00:00:00Z"}, timeout=10)
    assert later.headers["X-Total-Count"] == "0" and later.json() == {
        "credential": [],
        "compactJwsString": [],
    }

    # this token reads, it does not write: 403 with the spec's status payload
    refused = client.put(
        f"{api}/profile", json={"id": "mailto:x@example.org", "type": ["Profile"]}, timeout=10
    )
    assert refused.status_code == 403
    assert refused.json()["imsx_codeMajor"] == "failure" and refused.json()["imsx_severity"] == "error"
    assert (
        refused.json()["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"] == "forbidden"
    )

    # refresh with rotation: the old refresh token works once; a replay revokes the grant
    old = dict(client.token)
    client.refresh_token(flows["tokenUrl"])
    assert client.token["access_token"] != old["access_token"]
    assert client.get(f"{api}/credentials", timeout=10).status_code == 200
    with pytest.raises(OAuth2Error) as replay:
        client.refresh_token(flows["tokenUrl"], refresh_token=old["refresh_token"])
    assert replay.value.error == "invalid_grant"
    revoked = client.get(f"{api}/credentials", timeout=10)
    assert revoked.status_code == 401 and "Bearer" in revoked.headers["WWW-Authenticate"]
    assert revoked.json()["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"] == (
        "unauthorizedrequest"
    )


def test_revocation_ends_the_token_and_a_replayed_code_is_refused(server: LiveServer, inbox: Inbox) -> None:
    client, flows, back = authorized(server, inbox, READ)
    api = f"{server.base_url}/ims/ob/v3p0"
    assert client.get(f"{api}/credentials", timeout=10).status_code == 200
    with pytest.raises(OAuth2Error) as again:
        client.fetch_token(
            flows["tokenUrl"], authorization_response=back, code_verifier="v" * 20 + "-" + "k" * 40
        )
    assert again.value.error == "invalid_grant"
    # the replay revoked what the code gave (RFC 6749 §4.1.2)
    assert client.get(f"{api}/credentials", timeout=10).status_code == 401

    client, flows, _ = authorized(server, inbox, READ)
    assert client.get(f"{api}/credentials", timeout=10).status_code == 200
    done = client.revoke_token(
        f"{api}/revoke", token=client.token["access_token"], token_type_hint="access_token"
    )
    assert done.status_code == 200
    assert client.get(f"{api}/credentials", timeout=10).status_code == 401
    with pytest.raises(OAuth2Error):
        client.refresh_token(flows["tokenUrl"])  # the pair was revoked together


def test_bad_registrations_and_requests_get_the_rfcs_errors(server: LiveServer, inbox: Inbox) -> None:
    url = f"{server.base_url}/ims/ob/v3p0/register"
    for bad, code in (
        ({"redirect_uris": ["http://backpack.example/cb"]}, "invalid_redirect_uri"),
        ({"redirect_uris": ["http://127.0.0.1:9/cb"]}, "invalid_redirect_uri"),  # loopback only with --dev
        ({"redirect_uris": ["https://elsewhere.example/cb"]}, "invalid_client_metadata"),
        ({"scope": "https://purl.imsglobal.org/spec/ob/v3p0/scope/everything"}, "invalid_client_metadata"),
        ({"grant_types": ["client_credentials"]}, "invalid_client_metadata"),
        ({"token_endpoint_auth_method": "none"}, "invalid_client_metadata"),
        ({"software_id": ""}, "invalid_client_metadata"),
    ):
        answer = requests.post(url, json=metadata(**bad), timeout=10)
        assert answer.status_code == 400 and answer.json()["error"] == code, (bad, answer.text)
    registered = register(server, scope=READ)
    assert "client_secret" in registered and registered["grant_types"] == [
        "authorization_code",
        "refresh_token",
    ]
    api = f"{server.base_url}/ims/ob/v3p0"
    wrong = requests.post(f"{api}/token", data={"grant_type": "refresh_token", "refresh_token": "x"},
                          auth=(registered["client_id"], "wrong"), timeout=10)  # fmt: skip
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    client = session(registered, f"{READ} {UPSERT}")
    target, _ = client.create_authorization_url(f"{api}/authorize", code_verifier="v" * 50)
    refused = server.client.get(target)  # a scope beyond the client's: back to the client with the error
    assert refused.status_code == 303
    assert parse_qs(urlsplit(refused.headers["location"]).query)["error"] == ["invalid_scope"]
    plain = server.client.get(f"{api}/authorize", params={
        "response_type": "code", "client_id": registered["client_id"], "redirect_uri": REDIRECT,
        "scope": READ, "code_challenge": "x" * 43, "code_challenge_method": "plain"})  # fmt: skip
    assert parse_qs(urlsplit(plain.headers["location"]).query)["error"] == ["invalid_request"]
    elsewhere = server.client.get(target.replace("backpack.example", "evil.example"))
    assert elsewhere.status_code == 400 and "redirect_uri" in elsewhere.text  # shown, never redirected
    anonymous = requests.get(f"{api}/credentials", timeout=10)
    assert anonymous.status_code == 401 and anonymous.json()["imsx_codeMajor"] == "failure"


def test_the_learner_brings_credentials_which_are_verified_upserted_and_read_back(
    server: LiveServer, inbox: Inbox
) -> None:
    issuer = server.create_issuer("Elsewhere College")
    achievement = server.create_achievement(issuer["id"], "Brought Along")
    # credentials of another learner address here stand for ones the learner earned elsewhere
    brought = server.issue(achievement["id"], recipient={"email": "old-address@example.org"})
    as_json = server.client.get(brought["url"], headers={"Accept": "application/json"}).json()
    jwt_record = server.issue(
        achievement["id"], recipient={"email": "old-address@example.org"}, proofFormat="VC_JWT"
    )
    as_jws = server.client.get(jwt_record["url"], headers={"Accept": "application/vc+jwt"}).text
    learner = server.issue(achievement["id"], recipient={"email": LEARNER})  # so the sign-in email is sent
    client, _, _ = authorized(server, inbox, f"{READ} {UPSERT}")
    url = f"{server.base_url}/ims/ob/v3p0/credentials"
    before = int(client.get(url, timeout=10).headers["X-Total-Count"])

    created = client.post(url, json=as_json, timeout=30)
    assert created.status_code == 201, created.text
    assert created.json() == as_json  # the body echoes the request
    assert client.post(url, json=as_json, timeout=30).status_code == 200  # the same one again: replaced
    jws = client.post(url, data=as_jws, headers={"Content-Type": "text/plain"}, timeout=30)
    assert jws.status_code == 201 and jws.text == as_jws
    older = dict(as_json, validFrom="2001-01-01T00:00:00Z")  # the signature no longer matches
    tampered = client.post(url, json=older, timeout=30)
    assert tampered.status_code == 400 and "does not verify" in tampered.json()["imsx_description"]
    assert (
        client.post(url, data="not a credential", headers={"Content-Type": "text/plain"}).status_code == 400
    )
    assert client.post(url, data=b"<x/>", headers={"Content-Type": "application/xml"}).status_code == 415

    own = server.client.get(learner["url"], headers={"Accept": "application/json"}).json()
    assert client.post(url, json=own, timeout=30).status_code == 200  # issued to them here: listed already
    listed = client.get(url, timeout=10)
    assert int(listed.headers["X-Total-Count"]) == before + 2
    body = listed.json()
    assert as_json in body["credential"] and learner["url"] in [c["id"] for c in body["credential"]]
    assert body["compactJwsString"] == [as_jws]

    reader, _, _ = authorized(server, inbox, READ)  # a read-only token may not write
    assert reader.post(url, json=as_json, timeout=30).status_code == 403


def test_the_learners_profile_is_put_and_read_with_the_profile_scopes(
    server: LiveServer, inbox: Inbox
) -> None:
    issuer = server.create_issuer("Profile Academy")
    server.issue(server.create_achievement(issuer["id"], "Profiled")["id"], recipient={"email": LEARNER})
    client, _, _ = authorized(server, inbox, f"{PROFILE_READ} {PROFILE_UPDATE}")
    url = f"{server.base_url}/ims/ob/v3p0/profile"
    profile = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "mailto:" + LEARNER,
        "type": ["Profile"],
        "name": "Lea Learner",
    }
    first = client.get(url, timeout=10)
    if first.status_code == 404:  # before any put (another test of this module may have put one)
        assert minor(first) == "not_found"
    put = client.put(url, json=profile, timeout=10)
    assert put.status_code == 200 and put.json() == profile
    assert client.get(url, timeout=10).json() == profile
    bad = client.put(url, json={"name": "no id, no type"}, timeout=10)
    assert bad.status_code == 400 and minor(bad) == "invalid_data"
    assert client.get(f"{server.base_url}/ims/ob/v3p0/credentials", timeout=10).status_code == 403
