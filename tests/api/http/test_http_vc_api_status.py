"""Status through the W3C VC API over real HTTP: ``options.credentialStatus`` at issue, the lists
published at their ``statusListCredential`` URL, ``POST /credentials/status``, and the record
every VC API credential gets (GraphQL ``credentials``, its public page)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from typing import Any

import pytest

from tests.api.conftest import LiveServer
from vcengine.cli import main as cli_main
from vcengine.core.status import MIN_ENTRIES, StatusList
from vcengine.storage import SQLITE_FILE

MESSAGES = [
    {"status": "0x0", "message": "pending review"},
    {"status": "0x1", "message": "accepted"},
    {"status": "0x2", "message": "rejected"},
    {"status": "0x3", "message": "withdrawn"},
]
ENTRY = "BitstringStatusListEntry"


def credential(issuer: str, **extra: Any) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:learner", "name": "Ada"},
        **extra,
    }


def status(purpose: str, **extra: Any) -> dict[str, Any]:
    return {"type": ENTRY, "statusPurpose": purpose, **extra}


class Issuer:
    """A fresh issuer of the live server's organization: its public id and GraphQL id."""

    def __init__(self, server: LiveServer) -> None:
        made = server.create_issuer("Status Academy")
        self.server, self.id, self.gid = server, str(made["issuerId"]), str(made["id"])

    def issue(self, options: dict[str, Any] | None = None, **extra: Any) -> Any:
        body: dict[str, Any] = {"credential": credential(self.id, **extra)}
        if options is not None:
            body["options"] = options
        return self.server.admin.post("/credentials/issue", json=body)

    def issued(self, options: dict[str, Any], **extra: Any) -> tuple[dict[str, Any], str]:
        """The signed credential and its public page URL."""
        response = self.issue(options, **extra)
        assert response.status_code == 201, response.text
        return response.json()["verifiableCredential"], response.headers["location"]

    def listed(self) -> list[dict[str, Any]]:
        data = self.server.gql(
            "query($f: CredentialFilterInput) { credentials(first: 100, filter: $f) { edges { node {"
            " id url status proofFormat achievement { id } recipient { identifier } json } } } }",
            {"f": {"issuerId": self.gid}},
        )
        return [edge["node"] for edge in data["credentials"]["edges"]]


@pytest.fixture
def issuer(live_server: LiveServer) -> Issuer:
    return Issuer(live_server)


def verify(server: LiveServer, document: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    response = server.client.post("/credentials/verify", json={"verifiableCredential": document})
    return response.status_code, response.json()


def status_checks(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in report["results"]["checks"] if c["check"] == "status"]


def set_status(server: LiveServer, credential_id: str, *changes: tuple[str, bool]) -> Any:
    entries = [{"type": ENTRY, "statusPurpose": p, "status": s} for p, s in changes]
    return server.admin.post(
        "/credentials/status", json={"credentialId": credential_id, "credentialStatus": entries}
    )


def published(server: LiveServer, entry: dict[str, Any]) -> dict[str, Any]:
    """The status list credential at the entry's URL, as anyone fetches it."""
    url = entry["statusListCredential"]
    assert url.startswith(f"{server.base_url}/status-lists/")
    response = server.client.get(url)
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    return document


# --- each purpose, object and array ---------------------------------------------------------------


@pytest.mark.parametrize("purpose", ["revocation", "suspension", "message"])
def test_each_purpose_gets_an_entry_of_a_published_list_that_verifies(
    live_server: LiveServer, issuer: Issuer, purpose: str
) -> None:
    vc, page = issuer.issued({"credentialStatus": status(purpose)})
    entry = vc["credentialStatus"]
    assert isinstance(entry, dict)  # an object asked for, an object given
    assert entry["type"] == ENTRY and entry["statusPurpose"] == purpose
    assert entry["id"] == f"{entry['statusListCredential']}#{entry['statusListIndex']}"
    assert 0 <= int(entry["statusListIndex"]) < MIN_ENTRIES
    assert vc["id"] == page and page.startswith(f"{live_server.base_url}/credentials/")
    code, report = verify(live_server, vc)
    assert code == 200 and report["verified"] is True, report
    assert [c["outcome"] for c in status_checks(report)] == ["pass"]
    # the list: a BitstringStatusListCredential of the issuer, for this purpose, that verifies
    listed = published(live_server, entry)
    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert listed["id"] == entry["statusListCredential"]
    assert listed["issuer"] == issuer.id
    assert listed["credentialSubject"]["statusPurpose"] == purpose
    bits = StatusList.decode(listed["credentialSubject"]["encodedList"])
    assert bits.length >= MIN_ENTRIES and not bits.get(int(entry["statusListIndex"]))
    code, report = verify(live_server, listed)
    assert code == 200 and report["verified"] is True, report


def test_an_array_of_entries_stays_an_array(live_server: LiveServer, issuer: Issuer) -> None:
    vc, _ = issuer.issued({"credentialStatus": [status("revocation"), status("message")]})
    entries = vc["credentialStatus"]
    assert isinstance(entries, list)
    assert [e["statusPurpose"] for e in entries] == ["revocation", "message"]
    assert entries[0]["statusListCredential"] != entries[1]["statusListCredential"]
    code, report = verify(live_server, vc)
    assert code == 200 and report["verified"] is True, report
    (check,) = status_checks(report)  # one check over every entry
    assert check["outcome"] == "pass" and "status message" in check["reason"], check
    assert set_status(live_server, vc["id"], ("revocation", True)).json()["status"] == "revoked"
    code, report = verify(live_server, vc)
    assert code == 400 and report["verified"] is False
    (check,) = status_checks(report)
    assert check["outcome"] == "fail" and check["code"] == "revoked", check


def test_a_single_entry_in_an_array_stays_an_array(live_server: LiveServer, issuer: Issuer) -> None:
    vc, _ = issuer.issued({"credentialStatus": [status("suspension")]})
    assert isinstance(vc["credentialStatus"], list) and len(vc["credentialStatus"]) == 1


def test_a_message_entry_with_two_bits_carries_its_messages(live_server: LiveServer, issuer: Issuer) -> None:
    vc, _ = issuer.issued({"credentialStatus": status("message", statusSize=2, statusMessage=MESSAGES)})
    entry = vc["credentialStatus"]
    assert entry["statusSize"] == 2 and entry["statusMessage"] == MESSAGES
    code, report = verify(live_server, vc)
    assert code == 200 and report["verified"] is True, report
    (check,) = status_checks(report)
    assert check["outcome"] == "pass" and "pending review" in check["reason"], check
    listed = published(live_server, entry)
    assert "statusSize" not in listed["credentialSubject"]  # §2.1: it belongs to the entry
    bits = StatusList.decode(listed["credentialSubject"]["encodedList"], status_size=2, purpose="message")
    assert bits.length >= MIN_ENTRIES and bits.get(int(entry["statusListIndex"])) == 0
    # 2-bit entries come from lists of 2-bit entries, not from the 1-bit message lists
    one_bit, _ = issuer.issued({"credentialStatus": status("message")})
    assert one_bit["credentialStatus"]["statusListCredential"] != entry["statusListCredential"]
    again, _ = issuer.issued({"credentialStatus": status("message", statusSize=2, statusMessage=MESSAGES)})
    assert again["credentialStatus"]["statusListCredential"] == entry["statusListCredential"]
    assert again["credentialStatus"]["statusListIndex"] != entry["statusListIndex"]


# --- status updates -----------------------------------------------------------------------------------


def test_issue_revoke_then_verify_says_revoked(live_server: LiveServer, issuer: Issuer) -> None:
    vc, page = issuer.issued({"credentialStatus": status("revocation")})
    response = set_status(live_server, vc["id"], ("revocation", True))
    assert response.status_code == 200, response.text
    assert response.json() == {"credentialId": vc["id"], "status": "revoked"}
    code, report = verify(live_server, vc)
    assert code == 400 and report["verified"] is False
    (check,) = status_checks(report)
    assert check["outcome"] == "fail" and check["code"] == "revoked", check
    listed = published(live_server, vc["credentialStatus"])
    bits = StatusList.decode(listed["credentialSubject"]["encodedList"])
    assert bits.get(int(vc["credentialStatus"]["statusListIndex"])) == 1
    assert verify(live_server, listed)[0] == 200  # re-signed with the bit set
    assert set_status(live_server, vc["id"], ("revocation", True)).status_code == 200  # done already
    assert set_status(live_server, vc["id"], ("revocation", False)).status_code == 422  # final
    assert set_status(live_server, page, ("revocation", True)).status_code == 200  # by its page URL
    (node,) = issuer.listed()
    assert node["status"] == "REVOKED"


def test_suspend_then_unsuspend(live_server: LiveServer, issuer: Issuer) -> None:
    vc, _ = issuer.issued({"credentialStatus": status("suspension")})
    assert set_status(live_server, vc["id"], ("suspension", True)).json()["status"] == "suspended"
    code, report = verify(live_server, vc)
    assert code == 400 and status_checks(report)[0]["code"] == "suspended", report
    assert issuer.listed()[0]["status"] == "SUSPENDED"
    assert set_status(live_server, vc["id"], ("suspension", False)).json()["status"] == "active"
    code, report = verify(live_server, vc)
    assert code == 200 and report["verified"] is True, report
    assert issuer.listed()[0]["status"] == "ACTIVE"
    # a suspension entry can be revoked for good: its bit stays set
    assert set_status(live_server, vc["id"], ("revocation", True)).json()["status"] == "revoked"
    assert set_status(live_server, vc["id"], ("suspension", False)).status_code == 422
    assert verify(live_server, vc)[0] == 400


def test_a_revocation_entry_cannot_be_suspended(live_server: LiveServer, issuer: Issuer) -> None:
    vc, _ = issuer.issued({"credentialStatus": status("revocation")})
    response = set_status(live_server, vc["id"], ("suspension", True))
    assert response.status_code == 422, response.text
    assert "revocation status" in response.json()["detail"]
    assert verify(live_server, vc)[0] == 200


def test_a_caller_chosen_id_addresses_the_credential(live_server: LiveServer, issuer: Issuer) -> None:
    chosen = "urn:uuid:6a1f4c1e-95a1-4b0e-9a55-1d2f3e4a5b6c"
    vc, page = issuer.issued({"credentialStatus": status("suspension")}, id=chosen)
    assert vc["id"] == chosen and page != chosen
    assert set_status(live_server, chosen, ("suspension", True)).json()["status"] == "suspended"
    assert verify(live_server, vc)[0] == 400
    # another credential with status and the same id would be ambiguous for status updates
    response = issuer.issue({"credentialStatus": status("suspension")}, id=chosen)
    assert response.status_code == 409 and page in response.json()["detail"], response.text
    assert len(issuer.listed()) == 1
    # options.credentialId gives the id too
    other, _ = issuer.issued({"credentialId": "urn:uuid:other-1", "credentialStatus": status("revocation")})
    assert other["id"] == "urn:uuid:other-1"
    assert set_status(live_server, "urn:uuid:other-1", ("revocation", True)).status_code == 200


def test_the_earlier_update_form_still_works(live_server: LiveServer, issuer: Issuer) -> None:
    vc, _ = issuer.issued({"credentialStatus": status("suspension")})
    body = {"credentialId": vc["id"], "credentialStatus": {"statusPurpose": "suspension"}, "status": True}
    assert live_server.admin.post("/credentials/status", json=body).json()["status"] == "suspended"


def test_two_changes_in_one_update_apply_in_order(live_server: LiveServer, issuer: Issuer) -> None:
    vc, _ = issuer.issued({"credentialStatus": status("suspension")})
    response = set_status(live_server, vc["id"], ("suspension", True), ("suspension", False))
    assert response.json()["status"] == "active"


def test_an_update_whose_later_change_is_not_allowed_writes_nothing(
    live_server: LiveServer, issuer: Issuer
) -> None:
    vc, _ = issuer.issued({"credentialStatus": status("suspension")})
    response = set_status(live_server, vc["id"], ("revocation", True), ("suspension", False))
    assert response.status_code == 422 and "final" in response.json()["detail"], response.text
    assert issuer.listed()[0]["status"] == "ACTIVE"  # the revocation was not applied either
    assert verify(live_server, vc)[0] == 200
    both = set_status(live_server, vc["id"], ("suspension", True), ("revocation", True))
    assert both.json()["status"] == "revoked"
    assert verify(live_server, vc)[0] == 400


@pytest.mark.parametrize(
    ("body", "code", "words"),
    [
        ({"credentialStatus": [status("revocation", status=True)]}, 400, "credentialId"),
        ({"credentialId": "X"}, 400, "credentialStatus is required"),
        ({"credentialId": "X", "credentialStatus": []}, 400, "array of 1 to 3"),
        ({"credentialId": "X", "credentialStatus": [status("revocation")]}, 400, "status must be true"),
        ({"credentialId": "X", "credentialStatus": [status("revocation", status="yes")]}, 400, "status"),
        ({"credentialId": "X", "credentialStatus": [status("message", status=True)]}, 400, "message entry"),
        ({"credentialId": "X", "credentialStatus": [status("refresh", status=True)]}, 400, "statusPurpose"),
        (
            {
                "credentialId": "X",
                "credentialStatus": [
                    {"type": "StatusList2021Entry", "statusPurpose": "revocation", "status": True}
                ],
            },
            400,
            "type must be",
        ),
        ({"credentialId": "X", "credentialStatus": [status("revocation", status=True, x=1)]}, 400, "'x'"),
        (
            {"credentialId": "X", "credentialStatus": [status("revocation", status=True)], "status": True},
            400,
            "each entry carries",
        ),
        (
            {"credentialId": "X", "credentialStatus": [status("revocation", status=True)], "more": 1},
            400,
            "'more'",
        ),
        (
            {"credentialId": "urn:uuid:nobody", "credentialStatus": [status("revocation", status=True)]},
            404,
            "",
        ),
    ],
)
def test_bad_status_updates(live_server: LiveServer, body: dict[str, Any], code: int, words: str) -> None:
    response = live_server.admin.post("/credentials/status", json=body)
    assert response.status_code == code, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert words in response.json().get("detail", ""), response.json()


def test_a_bad_update_changes_nothing(live_server: LiveServer, issuer: Issuer) -> None:
    vc, _ = issuer.issued({"credentialStatus": status("suspension")})
    bad = [{"type": ENTRY, "statusPurpose": "suspension", "status": True}, {"statusPurpose": "refresh"}]
    response = live_server.admin.post(
        "/credentials/status", json={"credentialId": vc["id"], "credentialStatus": bad}
    )
    assert response.status_code == 400
    assert verify(live_server, vc)[0] == 200 and issuer.listed()[0]["status"] == "ACTIVE"


def other_organization_key(server: LiveServer, capsys: pytest.CaptureFixture[str]) -> str:
    """The admin key of a new organization, made as an operator makes it (on the running store)."""
    capsys.readouterr()
    assert (
        cli_main(["admin", "org", "create", "Elsewhere", "--data", str(server.settings.data_dir), "--json"])
        == 0
    )
    return str(json.loads(capsys.readouterr().out)["key"])


def test_another_organizations_credential_is_not_found(
    live_server: LiveServer, issuer: Issuer, capsys: pytest.CaptureFixture[str]
) -> None:
    vc, _ = issuer.issued({"credentialStatus": status("revocation")})
    other = {"Authorization": f"Bearer {other_organization_key(live_server, capsys)}"}
    body = {"credentialId": vc["id"], "credentialStatus": [status("revocation", status=True)]}
    response = live_server.client.post("/credentials/status", json=body, headers=other)
    assert response.status_code in (403, 404), response.text
    assert verify(live_server, vc)[0] == 200


# --- the record ---------------------------------------------------------------------------------------


def test_every_vc_api_credential_is_listed_and_has_its_page(live_server: LiveServer, issuer: Issuer) -> None:
    plain, plain_page = issuer.issued({"cryptosuite": "Ed25519Signature2020"})
    assert "id" not in plain and "credentialStatus" not in plain  # signed as given
    revocable, page = issuer.issued({"credentialStatus": status("revocation")})
    nodes = {node["url"]: node for node in issuer.listed()}
    assert set(nodes) == {"", revocable["id"]}
    node = nodes[revocable["id"]]
    assert node["status"] == "ACTIVE" and node["achievement"] is None
    assert node["proofFormat"] == "EDDSA_RDFC_2022" and node["json"] == revocable
    assert node["recipient"]["identifier"] == "did:example:learner"
    assert nodes[""]["proofFormat"] == "ED25519_SIGNATURE_2020" and nodes[""]["json"] == plain
    for url, document in ((page, revocable), (plain_page, plain)):
        html = live_server.client.get(url, headers={"Accept": "text/html"})
        assert html.status_code == 200 and "text/html" in html.headers["content-type"]
        as_json = live_server.client.get(url, headers={"Accept": "application/ld+json"})
        assert as_json.status_code == 200 and as_json.json() == document
    assert "Verified" in live_server.client.get(page, headers={"Accept": "text/html"}).text


def test_a_vc_1_1_credential_needs_the_status_context(live_server: LiveServer, issuer: Issuer) -> None:
    vc11 = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiableCredential"],
        "issuer": issuer.id,
        "issuanceDate": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:learner"},
    }
    options = {"credentialStatus": status("revocation")}
    refused = live_server.admin.post("/credentials/issue", json={"credential": vc11, "options": options})
    assert refused.status_code == 422 and "status/v1" in refused.json()["detail"], refused.text
    vc11["@context"] = [*vc11["@context"], "https://www.w3.org/ns/credentials/status/v1"]
    response = live_server.admin.post("/credentials/issue", json={"credential": vc11, "options": options})
    assert response.status_code == 201, response.text
    vc = response.json()["verifiableCredential"]
    code, report = verify(live_server, vc)
    assert code == 200 and report["verified"] is True, report
    assert set_status(live_server, vc["id"], ("revocation", True)).status_code == 200
    assert verify(live_server, vc)[0] == 400


# --- bad issue requests: 4xx and nothing stored ---------------------------------------------------------


@pytest.fixture
def store_file(live_server: LiveServer) -> Iterator[sqlite3.Connection]:
    with closing(
        sqlite3.connect(f"file:{live_server.settings.data_dir / SQLITE_FILE}?mode=ro", uri=True)
    ) as c:
        yield c


def _footprint(conn: sqlite3.Connection, issuer: Issuer) -> tuple[int, ...]:
    """What an issue request of ``issuer`` can leave in the store: credentials, events, lists, claims."""
    (record_id,) = conn.execute(
        "SELECT id FROM issuers WHERE json_extract(profile, '$.id') = ?", [issuer.id]
    ).fetchone()
    return tuple(
        conn.execute(sql, [record_id]).fetchone()[0]
        for sql in (
            "SELECT count(*) FROM credentials WHERE issuer_id = ?",
            "SELECT count(*) FROM events WHERE credential_id IN"
            " (SELECT id FROM credentials WHERE issuer_id = ?)",
            "SELECT count(*) FROM status_lists WHERE issuer_id = ?",
            "SELECT coalesce(sum(next), 0) FROM status_cursors WHERE list_id IN"
            " (SELECT id FROM status_lists WHERE issuer_id = ?)",
        )
    )


BAD_OPTIONS = [
    ({"credentialStatus": "revocation"}, 400, "object or an array"),
    ({"credentialStatus": []}, 400, "object or an array"),
    ({"credentialStatus": [status("revocation")] * 4}, 400, "1 to 3"),
    ({"credentialStatus": [status("revocation"), "x"]}, 400, "must be an object"),
    ({"credentialStatus": {"statusPurpose": "revocation"}}, 400, "type must be"),
    ({"credentialStatus": status("refresh")}, 400, "'refresh' is not supported"),
    ({"credentialStatus": status("")}, 400, "is not supported"),
    (
        {"credentialStatus": status("revocation", statusListIndex="5")},
        400,
        "unknown member 'statusListIndex'",
    ),
    ({"credentialStatus": status("message", statusSize=0)}, 400, "statusSize"),
    ({"credentialStatus": status("message", statusSize=True)}, 400, "statusSize"),
    ({"credentialStatus": status("message", statusSize=9)}, 400, "statusSize"),
    ({"credentialStatus": status("message", statusSize=2)}, 400, "statusMessage must be present"),
    ({"credentialStatus": status("message", statusSize=2, statusMessage=MESSAGES[:3])}, 400, "one message"),
    ({"credentialStatus": status("message", statusMessage="x")}, 400, "must be an array"),
    ({"credentialStatus": status("message", statusMessage=[{"status": 1, "message": "m"}] * 2)}, 400, "hex"),
    (
        {"credentialStatus": status("revocation", statusSize=2, statusMessage=MESSAGES)},
        400,
        "message purpose",
    ),
    ({"credentialStatus": [status("revocation"), status("revocation")]}, 400, "repeated"),
    ({"credentialStatus": [status("revocation"), status("suspension")]}, 400, "not both"),
    ({"cryptosuite": "ecdsa-rdfc-2019"}, 400, "cryptosuite"),
    ({"credentialId": 5}, 400, "credentialId"),
    ({"unknownOption": True}, 400, "unknown member 'unknownOption'"),
]


@pytest.mark.parametrize(("options", "code", "words"), BAD_OPTIONS)
def test_bad_options_are_refused_and_nothing_is_stored(
    live_server: LiveServer, issuer: Issuer, store_file: sqlite3.Connection,
    options: dict[str, Any], code: int, words: str,
) -> None:  # fmt: skip
    issuer.issued({})  # the issuer's one credential, so the footprint is not trivially empty
    before = _footprint(store_file, issuer)
    response = issuer.issue(options)
    assert response.status_code == code, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert words in response.json()["detail"], response.json()
    assert _footprint(store_file, issuer) == before


BAD_CREDENTIALS = [
    ({"credentialSubject": {}}, 422, "VCDM2-4.8-subject-claims"),  # a data-model rule, with the entry
    ({"credentialStatus": {"type": ENTRY, "statusPurpose": "revocation"}}, 422, "not both"),
    ({"id": "PLACEHOLDER/credentials/mine"}, 422, "given by this service"),
]


@pytest.mark.parametrize(("extra", "code", "words"), BAD_CREDENTIALS)
def test_credentials_that_cannot_get_status_are_refused_and_nothing_is_stored(
    live_server: LiveServer, issuer: Issuer, store_file: sqlite3.Connection,
    extra: dict[str, Any], code: int, words: str,
) -> None:  # fmt: skip
    issuer.issued({})
    before = _footprint(store_file, issuer)
    if "id" in extra:
        extra = {"id": extra["id"].replace("PLACEHOLDER", live_server.base_url)}
    response = issuer.issue({"credentialStatus": status("revocation")}, **extra)
    assert response.status_code == code, response.text
    body = response.json()
    assert words in body["detail"] or words == body.get("rule"), body
    assert _footprint(store_file, issuer) == before


def test_an_entry_of_this_services_lists_is_never_signed_from_outside(
    live_server: LiveServer, issuer: Issuer, store_file: sqlite3.Connection
) -> None:
    """A caller may not point its own entry at one of our lists (it would read another credential's bit)."""
    vc, _ = issuer.issued({"credentialStatus": status("revocation")})
    before = _footprint(store_file, issuer)
    response = issuer.issue(None, credentialStatus=dict(vc["credentialStatus"]))
    assert response.status_code == 422 and "allocated" in response.json()["detail"], response.text
    assert _footprint(store_file, issuer) == before


def test_another_organizations_issuer_is_forbidden_and_nothing_is_stored(
    live_server: LiveServer,
    issuer: Issuer,
    store_file: sqlite3.Connection,
    capsys: pytest.CaptureFixture[str],
) -> None:
    other = {"Authorization": f"Bearer {other_organization_key(live_server, capsys)}"}
    issuer.issued({})
    before = _footprint(store_file, issuer)
    body = {"credential": credential(issuer.id), "options": {"credentialStatus": status("revocation")}}
    response = live_server.client.post("/credentials/issue", json=body, headers=other)
    assert response.status_code == 403, response.text
    assert _footprint(store_file, issuer) == before
