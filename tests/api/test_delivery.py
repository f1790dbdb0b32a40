"""Email delivery and claiming end to end: a real server (uvicorn), a real SMTP server (aiosmtpd)
and the messages it receives, parsed with the stdlib ``email`` package; the claim link followed
over HTTP and accepted; what GraphQL and the event stream say about it."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from tests.api.conftest import LiveServer
from tests.smtp_server import Inbox, smtp_server
from vcengine.api.settings import Secret, store_for
from vcengine.services.claiming import token_hash
from vcengine.services.ports import ClaimTokenRecord

BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"}
DELIVERIES = """query($id: ID!) { node(id: $id) { ... on Credential { claimedAt
  deliveries { deliveryId kind state lastError attempts { attempt outcome detail messageId } } } } }"""
ISSUE = """mutation($i: IssueCredentialInput!) { issueCredential(input: $i) {
  credential { id url } userErrors { message field code } } }"""


@pytest.fixture(scope="module")
def inbox() -> Iterator[Inbox]:
    with smtp_server() as box:
        yield box


@pytest.fixture(scope="module")
def mailing(tmp_path_factory: pytest.TempPathFactory, inbox: Inbox) -> Iterator[LiveServer]:
    server = LiveServer(
        tmp_path_factory.mktemp("delivery"),
        smtp_url=Secret(inbox.url),
        smtp_from="Acme Badges <badges@acme.example>",
        smtp_retry_seconds=0.2,
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def achievement(mailing: LiveServer) -> str:
    issuer = mailing.create_issuer("Acme Academy")
    return str(mailing.create_achievement(issuer["id"], "Python Fundamentals")["id"])


def deliveries(server: LiveServer, credential_id: str, until: str, timeout: float = 20) -> dict[str, Any]:
    """The credential's claimedAt and deliveries, once its first delivery's state is ``until``."""
    deadline = time.monotonic() + timeout
    while True:
        node = server.gql(DELIVERIES, {"id": credential_id})["node"]
        if node["deliveries"] and node["deliveries"][0]["state"] == until:
            return dict(node)
        if time.monotonic() > deadline:
            raise AssertionError(f"no {until} delivery: {node}")
        time.sleep(0.1)


def messages_to(inbox: Inbox, address: str) -> list[EmailMessage]:
    return [m for m in inbox.messages if m["To"].addresses[0].addr_spec == address]


def claim_link(message: EmailMessage) -> str:
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    found = re.search(r"Accept your badge: (\S+)", text)
    assert found, text
    return found.group(1)


def events(server: LiveServer, type: str) -> int:
    async def count() -> int:
        store = store_for(server.settings)
        await store.start()
        try:
            org = (await store.list_organizations())[0]
            return await store.count_events(org.id, type)
        finally:
            await store.close()

    return asyncio.run(count())


def test_issuing_to_an_email_sends_one_message_whose_claim_link_works(
    mailing: LiveServer, inbox: Inbox, achievement: str
) -> None:
    recipient = {"email": "Grace@Example.com", "name": "Grace Hopper"}
    credential = mailing.issue(achievement, recipient=recipient)
    node = deliveries(mailing, credential["id"], "SENT")
    (delivery,) = node["deliveries"]
    assert delivery["kind"] == "CREDENTIAL"
    assert [a["outcome"] for a in delivery["attempts"]] == ["SENT"]
    (message,) = messages_to(inbox, "grace@example.com")
    assert message["Subject"] == "Grace Hopper, you earned Python Fundamentals"
    assert message["From"] == "Acme Badges <badges@acme.example>"
    assert message["Message-ID"] == delivery["attempts"][0]["messageId"]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Dear Grace Hopper," in text and "Dear Grace Hopper," in html
    link = claim_link(message)
    assert link.startswith(f"{mailing.base_url}/claim/") and f'href="{link}"' in html
    assert f'src="{credential["url"]}/badge.png"' in html
    assert f"{credential['url']}/linkedin" in text

    # the badge image the message shows is served
    assert mailing.client.get(f"{credential['url']}/badge.png").headers["content-type"] == "image/png"
    # the learner follows the link and accepts
    with httpx.Client(timeout=30, headers=BROWSER, follow_redirects=False) as learner:
        page = learner.get(link)
        assert page.status_code == 200 and "Accept badge" in page.text
        assert (
            page.headers["cache-control"] == "no-store" and page.headers["referrer-policy"] == "no-referrer"
        )
        assert "Grace Hopper, you earned a badge" in page.text
        # the email's wallet link lands on the claim page's "Add to wallet", which makes the offer
        assert f"{link}#wallet" in text and f'href="{link}#wallet"' in html and 'id="wallet"' in page.text
        offer = learner.post(f"{link}/wallet")
        assert offer.status_code == 200 and "openid-credential-offer://" in offer.text
        accepted = learner.post(link)
        assert accepted.status_code == 303 and accepted.headers["location"] == link.removeprefix(
            mailing.base_url
        )
        after = learner.get(link)
        assert "Accepted" in after.text and "Accept badge" not in after.text
        assert learner.post(link).status_code == 303  # accepting again changes nothing
        clicked = learner.get(f"{credential['url']}/linkedin")
        assert clicked.status_code == 302
        assert clicked.headers["location"].startswith("https://www.linkedin.com/profile/add?")
        assert "Python+Fundamentals" in clicked.headers["location"]
        assert learner.get(f"{credential['url']}/badge.svg?download=1").status_code == 200
        assert learner.get(credential["url"], headers={"Accept": "text/html"}).status_code == 200
    claimed = mailing.gql(DELIVERIES, {"id": credential["id"]})["node"]["claimedAt"]
    assert claimed is not None
    assert events(mailing, "claimed") == 1
    assert events(mailing, "delivered") >= 1
    assert events(mailing, "linkedin_clicked") == 1
    assert events(mailing, "downloaded") == 1
    assert events(mailing, "page_viewed") == 3  # the claim page twice and the credential page once


def test_a_refused_send_is_retried_and_delivered_once(
    mailing: LiveServer, inbox: Inbox, achievement: str
) -> None:
    inbox.refuse_next = 2
    credential = mailing.issue(achievement, recipient={"email": "retry@example.com", "name": "Re Try"})
    node = deliveries(mailing, credential["id"], "SENT")
    outcomes = [a["outcome"] for a in node["deliveries"][0]["attempts"]]
    assert outcomes == ["FAILED", "FAILED", "SENT"]
    assert "451" in node["deliveries"][0]["attempts"][0]["detail"]
    time.sleep(1.5)  # a runner that would send it again has had time to
    assert len(messages_to(inbox, "retry@example.com")) == 1
    assert inbox.refused >= 2


def test_a_mailbox_refused_for_good_is_a_bounce(mailing: LiveServer, inbox: Inbox, achievement: str) -> None:
    inbox.bounce.add("nobody@example.com")
    credential = mailing.issue(achievement, recipient={"email": "nobody@example.com"})
    node = deliveries(mailing, credential["id"], "BOUNCED")
    assert [a["outcome"] for a in node["deliveries"][0]["attempts"]] == ["BOUNCED"]
    assert "550" in node["deliveries"][0]["lastError"]
    assert events(mailing, "bounced") == 1


def test_delivery_none_and_email_without_an_address(mailing: LiveServer, achievement: str) -> None:
    quiet = mailing.issue(achievement, recipient={"email": "quiet@example.com"}, delivery="NONE")
    assert mailing.gql(DELIVERIES, {"id": quiet["id"]})["node"]["deliveries"] == []
    refused = mailing.gql(
        ISSUE,
        {"i": {"achievementId": achievement, "recipient": {"name": "No Mail"}, "delivery": "EMAIL"}},
    )["issueCredential"]
    assert refused["credential"] is None
    (error,) = refused["userErrors"]
    assert (
        error["field"] == ["input", "delivery"]
        and error["message"] == "EMAIL delivery needs the recipient's email"
    )


def test_unknown_and_malformed_claim_links_are_404_pages(mailing: LiveServer) -> None:
    for token in ("A" * 43, "short", "x" * 4000):
        response = mailing.client.get(f"/claim/{token}")
        assert response.status_code == 404, token
        assert "This claim link is not valid" in response.text
    assert mailing.client.post(f"/claim/{'B' * 43}").status_code == 404


def test_without_smtp_an_email_delivery_is_recorded_as_skipped(tmp_path: Path) -> None:
    server = LiveServer(tmp_path)
    server.start()
    try:
        issuer = server.create_issuer()
        achievement = server.create_achievement(issuer["id"])
        by_default = server.issue(achievement["id"], recipient={"email": "a@example.com"})
        assert server.gql(DELIVERIES, {"id": by_default["id"]})["node"]["deliveries"] == []
        asked = server.issue(achievement["id"], recipient={"email": "b@example.com"}, delivery="EMAIL")
        node = deliveries(server, asked["id"], "SKIPPED")
        (attempt,) = node["deliveries"][0]["attempts"]
        assert attempt["outcome"] == "SKIPPED" and "VCENGINE_SMTP_URL" in attempt["detail"]
    finally:
        server.stop()


def test_an_expired_claim_link_is_a_410_page_that_still_links_the_badge(
    mailing: LiveServer, achievement: str
) -> None:
    credential = mailing.issue(achievement, recipient={"email": "late@example.com"}, delivery="NONE")
    record_id = credential["url"].rsplit("/", 1)[1]
    token = "E" * 43

    async def add_expired() -> None:
        store = store_for(mailing.settings)
        await store.start()
        try:
            org = (await store.list_organizations())[0]
            past = datetime.now(UTC) - timedelta(days=1)
            record = ClaimTokenRecord(token_hash(token), org.id, record_id, past - timedelta(days=30), past)
            await store.add_claim_token(record)
        finally:
            await store.close()

    asyncio.run(add_expired())
    for response in (mailing.client.get(f"/claim/{token}"), mailing.client.post(f"/claim/{token}")):
        assert response.status_code == 410
        assert "This claim link has expired" in response.text
        assert f'href="{credential["url"]}"' in response.text
    assert mailing.gql(DELIVERIES, {"id": credential["id"]})["node"]["claimedAt"] is None


TEMPLATE = """query { emailTemplate { subject html text customParts updatedAt variables filters } }"""
SET_TEMPLATE = """mutation($i: EmailTemplateInput!) { setEmailTemplate(input: $i) {
  template { subject text customParts updatedAt } userErrors { field message code } } }"""
PREVIEW = """mutation($i: PreviewEmailTemplateInput!) { previewEmailTemplate(input: $i) {
  preview { subject html text } userErrors { field message code } } }"""


def test_an_organization_edits_previews_and_sends_its_own_template(
    mailing: LiveServer, inbox: Inbox, achievement: str
) -> None:
    default = mailing.gql(TEMPLATE)["emailTemplate"]
    assert default["customParts"] == [] and default["updatedAt"] is None
    assert "claim_url" in default["variables"] and "{{ claim_url }}" in default["html"]

    broken = mailing.gql(SET_TEMPLATE, {"i": {"text": "Hi\n{% for x in y %}{% endfor %}"}})[
        "setEmailTemplate"
    ]
    (error,) = broken["userErrors"]
    assert error["field"] == ["input", "text"] and error["code"] == "INVALID"
    assert error["message"].startswith("line 2: for is not allowed")
    assert mailing.gql(TEMPLATE)["emailTemplate"]["customParts"] == []  # nothing stored

    subject = "{{ issuer_name | upper }}: {{ achievement_name }} for {{ recipient_name | default('you') }}"
    text = "Claim it here: {{ claim_url }}\nShare: {{ linkedin_url }}\n"
    done = mailing.gql(SET_TEMPLATE, {"i": {"subject": subject, "text": text}})["setEmailTemplate"]
    assert done["userErrors"] == [] and done["template"]["customParts"] == ["subject", "text"]
    assert mailing.gql(TEMPLATE)["emailTemplate"]["subject"] == subject

    example = mailing.gql(PREVIEW, {"i": {}})["previewEmailTemplate"]["preview"]
    assert example["subject"] == "EXAMPLE ISSUER: Example Badge for Ada Lovelace"
    credential = mailing.issue(achievement, recipient={"email": "tpl@example.com", "name": "Tim Berners-Lee"})
    edited = mailing.gql(
        PREVIEW, {"i": {"credentialId": credential["id"], "subject": "For {{ recipient_name }}"}}
    )["previewEmailTemplate"]["preview"]
    assert edited["subject"] == "For Tim Berners-Lee" and "/claim/EXAMPLE" in edited["text"]
    bad = mailing.gql(PREVIEW, {"i": {"html": "{{ nope }}"}})["previewEmailTemplate"]["userErrors"]
    assert bad[0]["field"] == ["input", "html"] and "no value 'nope'" in bad[0]["message"]

    deliveries(mailing, credential["id"], "SENT")
    (message,) = messages_to(inbox, "tpl@example.com")
    assert message["Subject"] == "ACME ACADEMY: Python Fundamentals for Tim Berners-Lee"
    plain = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert plain.startswith(f"Claim it here: {mailing.base_url}/claim/")
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "Dear Tim Berners-Lee," in html  # the default HTML part
    reset = mailing.gql(SET_TEMPLATE, {"i": {}})["setEmailTemplate"]
    assert reset["template"]["customParts"] == []


BRANDING = """mutation($i: SetIssuerBrandingInput!) { setIssuerBranding(input: $i) {
  branding { logoUrl primaryColor accentColor } userErrors { field message code } } }"""


def test_issuer_branding_shows_on_the_credential_and_claim_pages(mailing: LiveServer, inbox: Inbox) -> None:
    issuer = mailing.create_issuer("Branded College")
    achievement = mailing.create_achievement(issuer["id"], "Branded Badge")
    for bad, field in (
        ({"logoUrl": "http://insecure.example/logo.png"}, "logoUrl"),
        ({"logoUrl": "javascript:alert(1)"}, "logoUrl"),
        ({"primaryColor": "red; background: url(x)"}, "primaryColor"),
    ):
        errors = mailing.gql(BRANDING, {"i": {"issuerId": issuer["id"], **bad}})["setIssuerBranding"][
            "userErrors"
        ]
        assert errors[0]["field"] == ["input", field], bad
    unknown = mailing.gql(BRANDING, {"i": {"issuerId": achievement["id"]}})["setIssuerBranding"]["userErrors"]
    assert unknown and unknown[0]["code"] in ("INVALID", "NOT_FOUND")
    done = mailing.gql(
        BRANDING,
        {
            "i": {
                "issuerId": issuer["id"],
                "logoUrl": "https://branded.example/logo.png",
                "primaryColor": "#AA3300",
                "accentColor": "#00aa88",
            }
        },
    )["setIssuerBranding"]
    assert done["userErrors"] == []
    assert done["branding"] == {
        "logoUrl": "https://branded.example/logo.png", "primaryColor": "#aa3300", "accentColor": "#00aa88",
    }  # fmt: skip
    credential = mailing.issue(achievement["id"], recipient={"email": "brand@example.com"})
    page = mailing.client.get(credential["url"], headers={"Accept": "text/html"}).text
    assert 'src="https://branded.example/logo.png"' in page and "--brand: #aa3300;" in page
    deliveries(mailing, credential["id"], "SENT")
    (message,) = messages_to(inbox, "brand@example.com")
    claim = mailing.client.get(claim_link(message)).text
    assert 'id="issuer-logo"' in claim and "#00aa88" in claim


def test_an_earner_opts_in_to_a_public_profile_of_the_badges_they_choose(
    mailing: LiveServer, inbox: Inbox, achievement: str
) -> None:
    first = mailing.issue(achievement, recipient={"email": "hedy@example.com", "name": "Hedy Lamarr"})
    second = mailing.issue(achievement, recipient={"email": "hedy@example.com", "name": "Hedy Lamarr"})
    for c in (first, second):
        deliveries(mailing, c["id"], "SENT")
    links = [claim_link(m) for m in messages_to(inbox, "hedy@example.com")]
    assert len(links) == 2
    with httpx.Client(timeout=30, headers=BROWSER) as learner:
        refused = learner.post(f"{links[0]}/profile/show", follow_redirects=False)
        assert refused.status_code == 409  # accept it first
        assert 'id="profile-show"' not in learner.get(links[0]).text
        for n, link in enumerate(links):
            assert learner.post(link, follow_redirects=False).status_code == 303
            page = learner.get(link).text
            assert 'id="profile-show"' in page
            assert ('id="profile-link"' in page) == (n == 1)  # the profile exists from the first "show"
            shown = learner.post(f"{link}/profile/show", follow_redirects=False)
            assert shown.status_code == 303 and shown.headers["location"] == link.removeprefix(
                mailing.base_url
            )
        page = learner.get(links[0]).text
        profile = re.search(r'id="profile-link" href="([^"]+)"', page)
        assert profile and 'id="profile-hide"' in page
        public = learner.get(profile.group(1))
        assert public.status_code == 200 and "Hedy Lamarr" in public.text
        assert public.text.count('class="badge-link"') == 2
        assert f'href="{first["url"]}"' in public.text and "hedy@example.com" not in public.text
        assert learner.post(f"{links[1]}/profile/hide", follow_redirects=False).status_code == 303
        assert learner.get(profile.group(1)).text.count('class="badge-link"') == 1
        mailing.revoke(first["id"])  # a revoked badge drops off by itself
        assert learner.get(profile.group(1)).text.count('class="badge-link"') == 0
        assert learner.get(f"{mailing.base_url}/earners/{'x' * 22}").status_code == 404


def test_a_spreadsheet_upload_emails_every_learner_once(
    mailing: LiveServer, inbox: Inbox, achievement: str
) -> None:
    from tests.api.graphql.test_graphql_bulk_issue_csv import upload

    sheet = (
        "email,name,achievement\r\n"
        f"sheet1@example.com,Sheet One,{achievement}\r\n"
        f"sheet2@example.com,Sheet Two,{achievement}\r\n"
    )
    result = upload(mailing, sheet)
    assert result["issuedCount"] == 2
    for row in result["rows"]:
        deliveries(mailing, row["credential"]["id"], "SENT")
    assert [len(messages_to(inbox, f"sheet{i}@example.com")) for i in (1, 2)] == [1, 1]
    upload(mailing, sheet)  # the same sheet again: replayed, no second email
    time.sleep(1)
    assert [len(messages_to(inbox, f"sheet{i}@example.com")) for i in (1, 2)] == [1, 1]
