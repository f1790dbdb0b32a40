"""The claim page in a real browser: the emailed link opened in headless Debian Chromium, the
badge accepted with a click. Screenshots are kept in ``test-artifacts/`` (claim-page.png before,
claim-accepted.png after)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import LiveServer
from tests.e2e.test_browser import ARTIFACTS, CHROMEDRIVER, CHROMIUM, browser
from tests.smtp_server import smtp_server
from vcengine.api.settings import Secret

__all__ = ["browser"]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() or not CHROMEDRIVER.exists(),
    reason="Debian chromium / chromium-driver not installed (apt-get install chromium chromium-driver)",
)


@pytest.fixture
def emailing(tmp_path: Path) -> Iterator[tuple[LiveServer, Any]]:
    with smtp_server() as inbox:
        server = LiveServer(tmp_path, smtp_url=Secret(inbox.url), smtp_retry_seconds=0.2)
        server.start()
        try:
            yield server, inbox
        finally:
            server.stop()


def test_a_learner_accepts_the_badge_from_the_emailed_link(
    emailing: tuple[LiveServer, Any], browser: Any
) -> None:
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    server, inbox = emailing
    issuer = server.create_issuer("Northwind Institute")
    achievement = server.create_achievement(issuer["id"], "Cloud Security Practitioner")
    credential = server.issue(achievement["id"], recipient={"email": "lin@example.com", "name": "Lin Wei"})
    (message,) = inbox.wait_for(1)
    text = message.get_body(("plain",)).get_content()
    link = re.search(r"Accept your badge: (\S+)", text).group(1)  # type: ignore[union-attr]

    browser.get(link)
    assert browser.find_element(By.ID, "badge-name").text == "Cloud Security Practitioner"
    assert browser.find_element(By.ID, "claim-state").text == "Lin Wei, you earned a badge"
    linkedin = browser.find_element(By.ID, "add-to-linkedin").get_attribute("href")
    assert linkedin == f"{credential['url']}/linkedin"
    assert browser.find_element(By.ID, "share-url").get_attribute("value") == credential["url"]
    png = browser.find_element(By.CSS_SELECTOR, ".hero img")
    assert browser.execute_script("return arguments[0].naturalWidth", png) > 0  # the badge image loads
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "claim-page.png"))

    browser.find_element(By.ID, "accept").click()
    # the form posts and the page comes back (303): wait for the new page, not the old one's nodes
    WebDriverWait(browser, 30, ignored_exceptions=(StaleElementReferenceException, WebDriverException)).until(
        lambda b: b.find_element(By.ID, "claim-state").text == "Accepted"
    )
    assert browser.current_url == link
    assert not browser.find_elements(By.ID, "accept")
    browser.save_screenshot(str(ARTIFACTS / "claim-accepted.png"))
    claimed = server.gql(
        "query($id: ID!) { node(id: $id) { ... on Credential { claimedAt } } }", {"id": credential["id"]}
    )
    assert claimed["node"]["claimedAt"] is not None

    # revoked: the claim and credential pages stop promoting it, and say when and why
    revoked = server.gql(
        "mutation($i: RevokeCredentialInput!) { revokeCredential(input: $i) { userErrors { message } } }",
        {"i": {"id": credential["id"], "publicReason": "Exam result withdrawn."}},
    )
    assert revoked["revokeCredential"]["userErrors"] == []
    browser.get(link)
    assert browser.find_element(By.ID, "claim-state").text == "This badge is revoked"
    assert not browser.find_elements(By.ID, "add-to-linkedin") and not browser.find_elements(By.ID, "accept")
    browser.get(credential["url"])
    assert browser.find_element(By.ID, "verdict").text == "Revoked"
    assert browser.find_element(By.ID, "stopped").text.startswith("Revoked on ")
    assert (
        browser.find_element(By.ID, "public-reason").text
        == "Reason given by the issuer: Exam result withdrawn."
    )
    assert not browser.find_elements(By.ID, "add-to-linkedin")
    assert not browser.find_elements(By.CSS_SELECTOR, "a[download]")
    browser.save_screenshot(str(ARTIFACTS / "revoked-page.png"))
