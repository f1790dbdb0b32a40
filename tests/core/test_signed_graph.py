"""The signed graph is the truth (issue 7, findings 1 and 2): a credential re-expressed in another
JSON-LD form keeps a valid RDFC proof, and must never verify with what the JSON hides."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import load
from vcengine.core.canonicalize import rdf_dataset, rdfc_nquads
from vcengine.core.keys import KeyPair
from vcengine.core.proofs import vc_jwt
from vcengine.core.proofs.data_integrity import add_proof
from vcengine.core.resolve import OfflineResolver
from vcengine.core.signed_graph import disagreements
from vcengine.core.status import StatusList, status_list_entry
from vcengine.core.status.check import status_checker
from vcengine.core.status.publish import publish
from vcengine.core.verify import VerificationReport, verify_credential

NOW = datetime(2026, 11, 27, tzinfo=UTC)
KEY = KeyPair.from_seed(bytes(range(32)))
URL = "https://issuer.example/status/1"
CRED = "https://www.w3.org/2018/credentials#"
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"
V2 = "https://www.w3.org/ns/credentials/v2"


def status_list(bits: dict[int, int], now: datetime = NOW, ttl: timedelta = timedelta(days=1)) -> dict:
    return publish(
        StatusList.create().with_changes(bits),
        url=URL,
        issuer=KEY.public.did_key,
        key=KEY,
        verification_method=KEY.public.did_key_verification_method,
        now=now,
        ttl=ttl,
    )


def open_badge(**changes: Any) -> dict:
    doc = load("1edtech-ob-impl-guide/ob3-eddsa-rdfc-2022-vector.json")["unsigned_credential"]
    doc["issuer"]["id"] = KEY.public.did_key
    doc.update(changes)
    return doc


def generic_vc(**changes: Any) -> dict:
    doc = {
        "@context": [V2],
        "id": "urn:uuid:7f4e1a2c-0b1d-4c7e-9a55-3f0a8e6b2d11",
        "type": ["VerifiableCredential"],
        "issuer": KEY.public.did_key,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:learner"},
    }
    doc.update(changes)
    return doc


def sign(doc: dict, suite: str = "eddsa-rdfc-2022") -> dict:
    return add_proof(
        doc, KEY, suite=suite, verification_method=KEY.public.did_key_verification_method, created=NOW
    )


def verify(doc: dict | str, lists: dict[str, dict] | None = None) -> VerificationReport:
    resolver = OfflineResolver()
    lists = {URL: status_list({5: 1})} if lists is None else lists
    return verify_credential(
        doc, resolver=resolver, now=NOW, status=status_checker(lists.__getitem__, resolver)
    )


def outcome(report: VerificationReport, name: str) -> tuple[str, str | None] | None:
    check = report.check(name)
    return None if check is None else (check.outcome, check.code)


def same_graph(a: dict, b: dict) -> bool:
    strip = lambda d: {k: v for k, v in d.items() if k != "proof"}  # noqa: E731
    return rdfc_nquads(strip(a)) == rdfc_nquads(strip(b))


REVOKED = status_list_entry(URL, 5, "revocation")


def test_the_revoked_credential_itself_fails_as_revoked() -> None:
    report = verify(sign(open_badge(credentialStatus=REVOKED)))
    assert outcome(report, "status") == ("fail", "revoked")
    assert outcome(report, "signed-graph") == ("pass", None)


@pytest.mark.parametrize("form", ["full IRI", "compact IRI"])
def test_finding_1_credential_status_moved_to_another_key_never_verifies(form: str) -> None:
    signed = sign(open_badge(credentialStatus=REVOKED))
    hidden = copy.deepcopy(signed)
    entry = hidden.pop("credentialStatus")
    if form == "full IRI":
        hidden[CRED + "credentialStatus"] = entry
    else:
        hidden["@context"] = [*hidden["@context"], {"cred": CRED}]
        hidden["cred:credentialStatus"] = entry
    assert same_graph(signed, hidden), "the re-expression keeps the signed graph"
    report = verify(hidden)
    assert outcome(report, "proof") == ("pass", None), "the proof still passes"
    assert report.verdict == "failed"
    assert outcome(report, "signed-graph") == ("fail", "graph-mismatch")
    assert "credentialStatus" in report.check("signed-graph").reason  # type: ignore[union-attr]


@pytest.mark.parametrize("member", ["validUntil", "validFrom"])
def test_finding_2_dates_as_expanded_value_objects_never_verify(member: str) -> None:
    when = "2026-01-01T00:00:00Z" if member == "validUntil" else "2027-06-01T00:00:00Z"
    signed = sign(generic_vc(**{member: when}))
    expected = "expired" if member == "validUntil" else "not-yet-valid"
    assert outcome(verify(signed), "validity") == ("fail", expected)
    hidden = copy.deepcopy(signed)
    value = hidden.pop(member)
    hidden[CRED + member] = {"@value": value, "@type": XSD_DATETIME}
    assert same_graph(signed, hidden)
    report = verify(hidden)
    assert outcome(report, "proof") == ("pass", None)
    assert report.verdict == "failed"
    assert outcome(report, "signed-graph") == ("fail", "graph-mismatch")


def test_finding_2_an_expired_status_list_in_another_form_is_not_trusted() -> None:
    credential = sign(open_badge(credentialStatus=status_list_entry(URL, 7, "revocation")))
    expired = status_list({}, now=NOW - timedelta(days=3), ttl=timedelta(days=1))
    assert outcome(verify(credential, {URL: expired}), "status") == ("indeterminate", "status-unchecked")
    hidden = copy.deepcopy(expired)
    hidden[CRED + "validUntil"] = {"@value": hidden.pop("validUntil"), "@type": XSD_DATETIME}
    assert same_graph(expired, hidden)
    check = verify(credential, {URL: hidden}).check("status")
    assert check is not None and (check.outcome, check.code) == ("indeterminate", "status-list-untrusted")
    assert "validUntil" in check.reason


def test_jcs_and_jwt_get_the_same_guarantee() -> None:
    """JCS and VC-JWT sign the JSON, which the issuer may have written with the status under a
    key its contexts file elsewhere: the JSON then does not say what it means."""
    doc = generic_vc(**{"@context": [V2, {"cred": CRED}], "cred:credentialStatus": REVOKED})
    jcs = sign(doc, "eddsa-jcs-2022")
    report = verify(jcs)
    assert outcome(report, "proof") == ("pass", None)
    assert report.verdict == "failed" and outcome(report, "signed-graph") == ("fail", "graph-mismatch")
    token = vc_jwt.sign(doc, KEY, kid=KEY.public.did_key_verification_method)
    report = verify(token)
    assert outcome(report, "proof") == ("pass", None)
    assert report.verdict == "failed" and outcome(report, "signed-graph") == ("fail", "graph-mismatch")


def test_a_compact_credential_agrees_with_its_graph_in_every_suite() -> None:
    doc = open_badge(credentialStatus=status_list_entry(URL, 9, "revocation"))
    for suite in ("eddsa-rdfc-2022", "eddsa-jcs-2022", "Ed25519Signature2020"):
        report = verify(sign(doc, suite))
        assert report.verified, report.to_json()
        assert outcome(report, "signed-graph") == ("pass", None)


def test_disagreements_name_each_property() -> None:
    doc = generic_vc(validUntil="2027-01-01T00:00:00Z", credentialStatus=REVOKED)
    quads = rdf_dataset(doc)
    assert disagreements(doc, quads) == []
    for changed, word in [
        ({"issuer": "did:example:other"}, "issuer"),
        ({"validUntil": "2028-01-01T00:00:00Z"}, "validUntil"),
        ({"type": ["VerifiableCredential", "OpenBadgeCredential"]}, "OpenBadgeCredential"),
        ({"credentialStatus": status_list_entry(URL, 6, "revocation")}, "credentialStatus"),
        ({"credentialStatus": [REVOKED, REVOKED | {"id": URL + "#2"}]}, "credentialStatus"),
        ({"credentialSubject": {"id": "did:example:someone-else"}}, "credentialSubject"),
        ({"id": "urn:uuid:other"}, "urn:uuid:other"),
    ]:
        problems = disagreements({**doc, **changed}, quads)
        assert problems and word in problems[0], (changed, problems)
    without_id = {k: v for k, v in doc.items() if k != "id"}
    first = disagreements(without_id, quads)[0]
    assert first.startswith("the JSON has no id but the signed VerifiableCredential")
    assert disagreements(without_id, rdf_dataset(without_id)) == []
