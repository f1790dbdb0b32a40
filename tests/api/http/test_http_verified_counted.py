"""A successful verification through the verifier endpoints of a credential this service issued
is counted in analytics (``verified``); failures, and credentials of other issuers, are not."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import LiveServer

ANALYTICS = """query($f: AnalyticsFilterInput!) { analytics(filter: $f) { totals { type count } } }"""


def _verified_count(server: LiveServer, day: str) -> int:
    totals = server.gql(ANALYTICS, {"f": {"from": day, "to": day}})["analytics"]["totals"]
    return sum(t["count"] for t in totals if t["type"] == "verified")


def test_successful_verifications_of_our_credentials_are_counted(live_server: LiveServer) -> None:
    credential = live_server.issued_credential()
    document: dict[str, Any] = live_server.client.get(credential["url"]).json()
    day = document["validFrom"][:10]
    before = _verified_count(live_server, day)
    for _ in range(2):
        response = live_server.client.post("/credentials/verify", json={"verifiableCredential": document})
        assert response.status_code == 200, response.text
    assert _verified_count(live_server, day) == before + 2
    tampered = {**document, "name": "Something else"}
    response = live_server.client.post("/credentials/verify", json={"verifiableCredential": tampered})
    assert response.status_code == 400
    page = live_server.client.get(credential["url"], headers={"Accept": "text/html"})  # the page verifies
    assert page.status_code == 200
    assert _verified_count(live_server, day) == before + 2
