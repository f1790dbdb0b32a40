"""The verification page in a real browser: headless Debian Chromium driven by Selenium.

Skipped only when ``/usr/bin/chromium`` is absent (CI installs ``chromium chromium-driver``).
Selenium Manager is never asked to download anything: the driver and browser paths are given.
The screenshot is kept as ``test-artifacts/verification-page.png``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx2 as httpx
import pytest

from tests.e2e.conftest import ADMIN_KEY, Served, create_achievement, graphql

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() or not CHROMEDRIVER.exists(),
    reason="Debian chromium / chromium-driver not installed (apt-get install chromium chromium-driver)",
)


@pytest.fixture
def browser() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    with tempfile.TemporaryDirectory(prefix="vcengine-chromium-") as profile:
        for argument in (
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--window-size=1280,1400",
        ):
            options.add_argument(argument)
        driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
        try:
            yield driver
        finally:
            driver.quit()


def test_verification_page_in_chromium(served: Served, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    admin = httpx.Client(
        base_url=served.base_url, headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=30
    )
    with admin:
        achievement_id = create_achievement(
            admin,
            "Northwind Institute of Technology",
            "https://northwind.example",
            name="Cloud Security Practitioner",
            description="Designs, deploys and audits secure cloud workloads.",
            criteriaNarrative="Passed the 3-hour practical exam with a score of at least 80%.",
            achievementType="Certification",
        )
        credential = graphql(
            admin,
            "mutation($i: IssueCredentialInput!) { issueCredential(input: $i) {"
            " credential { url } userErrors { message } } }",
            {
                "i": {
                    "achievementId": achievement_id,
                    "recipient": {"email": "grace@example.com", "name": "Grace Hopper"},
                    "validUntil": "2029-12-31T00:00:00Z",
                }
            },
        )["credential"]
    browser.get(credential["url"])
    assert browser.title == "Cloud Security Practitioner — Northwind Institute of Technology"
    assert browser.find_element(By.ID, "verdict").text == "Verified"
    image = browser.find_element(By.CSS_SELECTOR, ".hero img")
    assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image) > 0
    link = browser.find_element(By.ID, "add-to-linkedin")
    assert link.text == "Add to LinkedIn profile"
    assert link.get_attribute("href") == f"{credential['url']}/linkedin"  # counted, then redirected
    redirect = httpx.get(link.get_attribute("href"), follow_redirects=False, timeout=30)
    params = dict(parse_qsl(urlsplit(redirect.headers["location"]).query))
    assert params["startTask"] == "CERTIFICATION_NAME" and params["name"] == "Cloud Security Practitioner"
    assert params["certUrl"] == credential["url"]
    ARTIFACTS.mkdir(exist_ok=True)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1280, max(int(height) + 140, 800))
    assert browser.save_screenshot(str(ARTIFACTS / "verification-page.png"))
