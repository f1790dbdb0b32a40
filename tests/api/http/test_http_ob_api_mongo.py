"""The Open Badges API on a MongoDB-backed server (nx-27017, or ``VCENGINE_TEST_MONGODB_URI``):
registration, the emailed sign-in and consent, reading the learner's credentials (of two
issuers), an upsert, refresh with rotation and revocation — every grant, token and upserted
credential on MongoDB."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.conftest import LiveServer
from tests.api.http.test_http_ob_api import LEARNER, READ, UPSERT, OAuth2Error, authorized, inbox
from tests.smtp_server import Inbox
from tests.storage.stores import database_name, mongo_uri
from vcengine.api.settings import Secret

__all__ = ["inbox", "mongo_uri"]  # fixtures, imported for these tests


@pytest.fixture(scope="module")
def on_mongo(tmp_path_factory: pytest.TempPathFactory, mongo_uri: str, inbox: Inbox) -> Iterator[LiveServer]:
    server = LiveServer(
        tmp_path_factory.mktemp("ob-api-mongo"),
        mongodb_uri=Secret(f"{mongo_uri}/{database_name()}"),
        smtp_url=Secret(inbox.url),
        smtp_retry_seconds=0.2,
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_a_client_reads_and_upserts_the_learners_credentials_on_mongodb(
    on_mongo: LiveServer, inbox: Inbox
) -> None:
    first = on_mongo.issued_credential(recipient={"email": LEARNER, "name": "Lea"})
    issuer = on_mongo.create_issuer("Second Academy")
    achievement = on_mongo.create_achievement(issuer["id"], "Second Badge")
    second = on_mongo.issue(achievement["id"], recipient={"email": LEARNER})
    elsewhere = on_mongo.issue(achievement["id"], recipient={"email": "old@example.org"})
    brought = on_mongo.client.get(elsewhere["url"], headers={"Accept": "application/json"}).json()
    client, flows, _ = authorized(on_mongo, inbox, f"{READ} {UPSERT}")
    url = f"{on_mongo.base_url}/ims/ob/v3p0/credentials"

    listed = client.get(url, timeout=10)
    assert listed.headers["X-Total-Count"] == "2"
    assert [c["id"] for c in listed.json()["credential"]] == [first["url"], second["url"]]
    assert client.post(url, json=brought, timeout=30).status_code == 201
    assert client.post(url, json=brought, timeout=30).status_code == 200
    page = client.get(url, params={"offset": 2, "limit": 5}, timeout=10)
    assert page.headers["X-Total-Count"] == "3" and page.json()["credential"] == [brought]

    old = dict(client.token)
    client.refresh_token(flows["tokenUrl"])
    assert client.get(url, timeout=10).status_code == 200
    with pytest.raises(OAuth2Error):
        client.refresh_token(flows["tokenUrl"], refresh_token=old["refresh_token"])
    assert client.get(url, timeout=10).status_code == 401  # the replay revoked the grant
