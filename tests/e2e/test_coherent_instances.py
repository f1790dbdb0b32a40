"""Issue 7, finding 6 "Stale instances": two ``vcengine serve`` processes on one store (one SQLite
data directory; one MongoDB database on nx-27017), behind one public base URL, as the README's
scale-out has them. A change made through one is what the other serves, verifies and shows on
its very next request: the status list (a new ETag, the new bit), ``POST /credentials/verify``,
the HTML page, and a key rotated through the other instance.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from tests.e2e.conftest import ADMIN_KEY, Served, create_achievement, graphql, serve_env
from tests.storage.stores import database_name, mongo_uri
from vcengine.core.status import StatusList

__all__ = ["mongo_uri"]

BASE = "https://badges.example"
ISSUE = (
    "mutation($i: IssueCredentialInput!) { issueCredential(input: $i) {"
    " credential { id url json } userErrors { message } } }"
)


def _change(action: str) -> str:
    name = f"{action}Credential"
    input_type = name[0].upper() + name[1:] + "Input"
    selection = "credential { status } userErrors { message }"
    return f"mutation($i: {input_type}!) {{ {name}(input: $i) {{ {selection} }} }}"


@pytest.fixture(params=["sqlite", "mongo"])
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Served, Served]]:
    master = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
    env = serve_env(VCENGINE_BOOTSTRAP_API_KEY=ADMIN_KEY, VCENGINE_MASTER_KEY=master)
    if request.param == "sqlite":
        dirs, extra = [tmp_path / "data", tmp_path / "data"], ["--base-url", BASE]
    else:
        uri = f"{request.getfixturevalue('mongo_uri')}/{database_name()}"
        dirs, extra = [tmp_path / "a", tmp_path / "b"], ["--base-url", BASE, "--mongodb-uri", uri]
    servers: list[Served] = []
    try:
        for directory in dirs:  # one after the other: the first start bootstraps the organization
            servers.append(Served(directory, env, *extra))
            servers[-1].wait_ready()
        yield servers[0], servers[1]
    finally:
        for server in servers:
            server.stop()


def _local(server: Served, url: str) -> str:
    """The path of a public URL (``BASE/...``) on one instance."""
    assert url.startswith(BASE + "/")
    return server.base_url + url[len(BASE) :]


class Instance:
    def __init__(self, server: Served) -> None:
        self.server = server
        self.admin = httpx.Client(
            base_url=server.base_url, headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=30
        )
        self.public = httpx.Client(base_url=server.base_url, timeout=30)

    def close(self) -> None:
        self.admin.close()
        self.public.close()

    def status_list(self, document: dict[str, Any]) -> tuple[str, int]:
        """(ETag, bit of the credential's entry) of the list this instance serves."""
        entry = document["credentialStatus"]
        response = self.public.get(_local(self.server, entry["statusListCredential"]))
        assert response.status_code == 200, response.text
        bits = StatusList.decode(response.json()["credentialSubject"]["encodedList"])
        return response.headers["etag"], bits.get(int(entry["statusListIndex"]))

    def verify(self, document: dict[str, Any]) -> tuple[bool, str | None]:
        report = self.public.post("/credentials/verify", json={"verifiableCredential": document})
        body = report.json()
        assert report.status_code == (200 if body["verified"] else 400), report.text  # the code says it
        status = next(c for c in body["results"]["checks"] if c["check"] == "status")
        return body["verified"], status.get("code") or status["outcome"]

    def page_status(self, document: dict[str, Any]) -> str:
        page = self.public.get(_local(self.server, document["id"]), headers={"Accept": "text/html"})
        assert page.status_code == 200
        return page.text.split('data-status="', 1)[1].split('"', 1)[0]


def test_a_change_through_one_instance_is_served_by_the_other_at_once(pair: tuple[Served, Served]) -> None:
    a, b = Instance(pair[0]), Instance(pair[1])
    try:
        achievement = create_achievement(
            a.admin, "Coherent College", "https://coherent.example", name="Scale-out",
            description="Two instances, one truth.", criteriaNarrative="Ran two instances.",
        )  # fmt: skip
        issued = graphql(a.admin, ISSUE, {"i": {"achievementId": achievement, "recipient": {"name": "Ada"}}})
        credential, document = issued["credential"], issued["credential"]["json"]
        # B serves, verifies and shows the credential as active (and holds that in memory)
        etag, bit = b.status_list(document)
        assert bit == 0 and b.verify(document) == (True, "pass") and b.page_status(document) == "active"

        graphql(a.admin, _change("revoke"), {"i": {"id": credential["id"]}})  # through A
        new_etag, bit = b.status_list(document)  # B's very next requests
        assert new_etag != etag and bit == 1
        stale = b.public.get(
            _local(b.server, document["credentialStatus"]["statusListCredential"]),
            headers={"If-None-Match": etag},
        )
        assert stale.status_code == 200
        assert b.verify(document) == (False, "revoked")
        assert b.page_status(document) == "revoked"
        listed = graphql(b.admin, "query($id: ID!) { node(id: $id) { ... on Credential { status } } }",
                         {"id": credential["id"]})  # fmt: skip
        assert listed["status"] == "REVOKED"

        # suspension both ways: suspended through B, seen by A; lifted through A, seen by B
        suspendable = graphql(
            a.admin,
            ISSUE,
            {"i": {"achievementId": achievement, "recipient": {"name": "Bo"}, "statusPurpose": "SUSPENSION"}},
        )["credential"]
        assert a.verify(suspendable["json"]) == (True, "pass")
        graphql(b.admin, _change("suspend"), {"i": {"id": suspendable["id"]}})
        assert a.verify(suspendable["json"]) == (False, "suspended")
        assert a.status_list(suspendable["json"])[1] == 1
        graphql(a.admin, _change("unsuspend"), {"i": {"id": suspendable["id"]}})
        assert (
            b.verify(suspendable["json"]) == (True, "pass") and b.page_status(suspendable["json"]) == "active"
        )
    finally:
        a.close()
        b.close()


def test_a_key_rotated_through_one_instance_counts_on_the_other_at_once(pair: tuple[Served, Served]) -> None:
    """Each rotation through A is followed by B's first sight of the new key: in a status list's
    proof, in a VC-JWT's ``kid``, in a credential's proof."""
    a, b = Instance(pair[0]), Instance(pair[1])
    try:
        achievement = create_achievement(
            a.admin, "Rotating Academy", "https://rotating.example", name="Rotation",
            description="Keys move on.", criteriaNarrative="Rotated a key.",
        )  # fmt: skip
        issuer = graphql(
            a.admin,
            "query($id: ID!) { node(id: $id) { ... on Achievement { issuer { id } } } }",
            {"id": achievement},
        )["issuer"]

        def rotate() -> None:
            graphql(
                a.admin,
                "mutation($i: RotateIssuerKeyInput!) { rotateIssuerKey(input: $i) {"
                " key { id } userErrors { message } } }",
                {"i": {"issuerId": issuer["id"]}},
            )

        first = graphql(a.admin, ISSUE, {"i": {"achievementId": achievement, "recipient": {"name": "Cy"}}})
        document = first["credential"]["json"]
        assert b.verify(document) == (True, "pass")  # B has read the issuer's keys
        rotate()  # A then re-signs the list with the new key
        graphql(a.admin, _change("revoke"), {"i": {"id": first["credential"]["id"]}})
        assert b.verify(document) == (False, "revoked")
        rotate()
        jwt = graphql(
            a.admin,
            "mutation($i: IssueCredentialInput!) { issueCredential(input: $i) {"
            " credential { url } userErrors { message } } }",
            {"i": {"achievementId": achievement, "recipient": {"name": "Ed"}, "proofFormat": "VC_JWT"}},
        )["credential"]
        token = b.public.get(_local(b.server, jwt["url"]), headers={"Accept": "application/vc+jwt"}).text
        report = b.public.post("/credentials/verify", json={"verifiableCredential": token})
        assert report.status_code == 200 and report.json()["verified"] is True, report.text
        rotate()
        second = graphql(a.admin, ISSUE, {"i": {"achievementId": achievement, "recipient": {"name": "Di"}}})
        proof = second["credential"]["json"]["proof"]
        assert proof["verificationMethod"] != document["proof"]["verificationMethod"]
        assert b.verify(second["credential"]["json"]) == (True, "pass")
        assert b.page_status(second["credential"]["json"]) == "active"
    finally:
        a.close()
        b.close()
