"""OB 2.0 verification end to end in the core: hosted and signed assertions, every check's
verdict and code, with documents from an in-memory resolver and the clock as an argument."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.core.ob2.ob2_badges import RECIPIENT, Ob2Issuer, rsa_key
from vcengine.core.bake import Baked
from vcengine.core.ob2 import MappedDocuments, NoDocuments, Presented, detect, from_baked, verify_ob2
from vcengine.core.verify import VerificationReport
from vcengine.errors import DocumentGone, ResolutionError

NOW = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def issuer() -> Ob2Issuer:
    return Ob2Issuer()


class Gone:
    """A resolver whose host answers 410 Gone for one URL."""

    def __init__(self, url: str, docs: Mapping[str, Any]) -> None:
        self.url, self.docs = url, MappedDocuments(docs)

    def __call__(self, url: str) -> Mapping[str, Any]:
        if url == self.url:
            raise DocumentGone(f"{url} answers HTTP 410 Gone")
        return self.docs(url)


def verify(value: Any, docs: Any, **kwargs: Any) -> VerificationReport:
    presented = value if isinstance(value, Presented) else detect(value)
    assert presented is not None
    resolver = docs if callable(docs) else MappedDocuments(docs)
    return verify_ob2(presented, documents=resolver, now=kwargs.pop("now", NOW), **kwargs)


def outcomes(report: VerificationReport) -> dict[str, tuple[str, str | None]]:
    return {c.name: (c.outcome, c.code) for c in report.checks}


# ------------------------------------------------------------------------------------- hosted


def test_hosted_assertion_verifies_with_its_published_documents(issuer: Ob2Issuer) -> None:
    assertion = issuer.assertion()
    report = verify(assertion, issuer.documents(assertion), recipient=RECIPIENT)
    assert report.verdict == "verified", report.to_json()
    assert report.format == "ob2-hosted" and report.to_json()["id"] == assertion["id"]
    assert [c.name for c in report.checks] == ["syntax", "proof", "issuer", "recipient", "validity", "status"]
    assert all(c.outcome == "pass" for c in report.checks)


def test_hosted_assertion_without_its_host_is_indeterminate_never_verified(issuer: Ob2Issuer) -> None:
    assertion = issuer.assertion()
    docs = issuer.documents()  # everything but the assertion itself
    report = verify(assertion, docs)
    assert report.verdict == "indeterminate"
    assert outcomes(report)["proof"] == ("indeterminate", "hosted-unavailable")
    assert outcomes(report)["status"] == ("indeterminate", "hosted-unavailable")
    bare = verify(assertion, NoDocuments("offline"))
    assert bare.verdict == "indeterminate" and "offline" in bare.check("proof").reason  # type: ignore[union-attr]


def test_hosted_assertion_answering_410_gone_is_revoked(issuer: Ob2Issuer) -> None:
    assertion = issuer.assertion()
    report = verify(assertion, Gone(assertion["id"], issuer.documents()))
    assert report.verdict == "failed"
    assert outcomes(report)["status"] == ("fail", "revoked")
    url_only = verify(Presented("url", assertion["id"]), Gone(assertion["id"], issuer.documents()))
    assert url_only.verdict == "failed" and outcomes(url_only)["status"] == ("fail", "revoked")


def test_hosted_assertion_served_as_revoked_fails(issuer: Ob2Issuer) -> None:
    assertion = issuer.assertion()
    stub = {
        "@context": assertion["@context"],
        "id": assertion["id"],
        "revoked": True,
        "revocationReason": "cheated",
    }
    report = verify(assertion, issuer.documents(stub))
    assert report.verdict == "failed" and outcomes(report)["status"] == ("fail", "revoked")
    assert "cheated" in report.check("status").reason  # type: ignore[union-attr]


def test_presented_copy_must_state_what_the_host_states(issuer: Ob2Issuer) -> None:
    published = issuer.assertion()
    forged = issuer.assertion(recipient="mallory@example.com")
    report = verify(forged, issuer.documents(published), recipient="mallory@example.com")
    assert report.verdict == "failed"
    assert outcomes(report)["proof"] == ("fail", "hosted-mismatch")
    # the published copy is what the other checks read: it was not awarded to mallory
    assert outcomes(report)["recipient"] == ("fail", "wrong-recipient")


def test_other_differences_are_reported_and_the_published_copy_is_used(issuer: Ob2Issuer) -> None:
    published = issuer.assertion(evidence="https://badges.example/work")
    presented = issuer.assertion()
    report = verify(presented, issuer.documents(published))
    assert report.verdict == "verified"
    assert "evidence" in report.check("proof").reason  # type: ignore[union-attr]
    assert report.credential == published


def test_a_url_is_verified_from_what_its_host_serves(issuer: Ob2Issuer) -> None:
    published = issuer.assertion()
    report = verify(Presented("url", published["id"]), issuer.documents(published))
    assert report.verdict == "verified" and report.credential == published
    gone = verify(Presented("url", published["id"]), issuer.documents())
    assert gone.verdict == "indeterminate" and outcomes(gone)["proof"][1] == "hosted-unavailable"


def test_published_document_that_names_another_id_fails(issuer: Ob2Issuer) -> None:
    assertion = issuer.assertion()
    other = issuer.assertion(2)
    report = verify(assertion, {**issuer.documents(), assertion["id"]: other})
    assert report.verdict == "failed" and outcomes(report)["proof"] == ("fail", "hosted-mismatch")


def test_published_document_that_is_no_assertion_fails(issuer: Ob2Issuer) -> None:
    assertion = issuer.assertion()
    report = verify(assertion, {**issuer.documents(), assertion["id"]: {"id": assertion["id"], "hello": 1}})
    assert report.verdict == "failed" and outcomes(report)["proof"] == ("fail", "hosted-mismatch")


def test_hosted_id_outside_the_issuers_origin_fails(issuer: Ob2Issuer) -> None:
    assertion = issuer.assertion(id="https://elsewhere.example/a/1.json")
    report = verify(assertion, issuer.documents(assertion))
    assert report.verdict == "failed" and outcomes(report)["issuer"] == ("fail", "hosted-out-of-scope")
    allowed = issuer.issuer(verification={"allowedOrigins": ["elsewhere.example"]})
    docs = {**issuer.documents(assertion), issuer.issuer_id: allowed}
    assert verify(assertion, docs).verdict == "verified"
    narrowed = issuer.issuer(verification={"startsWith": "https://elsewhere.example/b/"})
    report = verify(assertion, {**issuer.documents(assertion), issuer.issuer_id: narrowed})
    assert outcomes(report)["issuer"] == ("fail", "hosted-out-of-scope")


def test_hosted_id_must_be_an_http_url(issuer: Ob2Issuer) -> None:
    assertion = issuer.assertion(id="urn:uuid:00000000-0000-4000-8000-000000000001")
    report = verify(assertion, issuer.documents(assertion))
    assert report.verdict == "failed" and outcomes(report)["syntax"] == ("fail", "malformed")


def test_embedded_badge_class_is_read_but_the_issuer_comes_from_its_id(issuer: Ob2Issuer) -> None:
    embedded = issuer.badge(**{"@context": None})
    assertion = issuer.assertion(badge=embedded)
    docs = {k: v for k, v in issuer.documents(assertion).items() if k != issuer.badge_id}
    assert verify(assertion, docs).verdict == "verified"
    no_issuer = {k: v for k, v in docs.items() if k != issuer.issuer_id}
    report = verify(assertion, no_issuer)
    assert report.verdict == "indeterminate" and outcomes(report)["issuer"] == (
        "indeterminate",
        "issuer-unresolved",
    )


def test_invalid_badge_class_fails_the_issuer_check(issuer: Ob2Issuer) -> None:
    assertion = issuer.assertion()
    docs = {**issuer.documents(assertion), issuer.badge_id: issuer.badge(criteria=None)}
    report = verify(assertion, docs)
    assert report.verdict == "failed" and outcomes(report)["issuer"] == ("fail", "malformed-issuer")
    assert "criteria" in report.check("issuer").reason  # type: ignore[union-attr]


# ------------------------------------------------------------------------------------- signed


def test_signed_assertion_verifies_rs256(issuer: Ob2Issuer) -> None:
    token = issuer.sign(issuer.assertion(signed=True))
    report = verify(token, issuer.documents(), recipient=RECIPIENT)
    assert report.verdict == "verified", report.to_json()
    assert report.format == "ob2-signed"
    assert "RS256" in report.check("proof").reason  # type: ignore[union-attr]


def test_signed_assertion_verifies_es256() -> None:
    ec_issuer = Ob2Issuer("https://ec.example", alg="ES256")
    token = ec_issuer.sign(ec_issuer.assertion(signed=True))
    assert verify(token, ec_issuer.documents()).verdict == "verified"


def test_tampered_signed_assertion_fails(issuer: Ob2Issuer) -> None:
    import base64
    import json

    token = issuer.sign(issuer.assertion(signed=True))
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["recipient"]["identity"] = claims["recipient"]["identity"][:-1] + "0"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    report = verify(f"{header}.{forged}.{signature}", issuer.documents())
    assert report.verdict == "failed" and outcomes(report)["proof"] == ("fail", "bad-proof")
    assert outcomes(report)["validity"][0] == "indeterminate"  # dates of an unverified assertion


def test_signature_by_another_key_fails(issuer: Ob2Issuer) -> None:
    token = issuer.sign(issuer.assertion(signed=True), private=rsa_key(2048, 7))
    report = verify(token, issuer.documents())
    assert report.verdict == "failed" and outcomes(report)["proof"] == ("fail", "bad-proof")


def test_key_not_listed_by_the_issuer_fails(issuer: Ob2Issuer) -> None:
    token = issuer.sign(issuer.assertion(signed=True))
    docs = {**issuer.documents(), issuer.issuer_id: issuer.issuer(publicKey=None)}
    report = verify(token, docs)
    assert report.verdict == "failed" and outcomes(report)["issuer"] == ("fail", "issuer-mismatch")


def test_key_owned_by_someone_else_fails(issuer: Ob2Issuer) -> None:
    token = issuer.sign(issuer.assertion(signed=True))
    docs = {**issuer.documents(), issuer.key_id: issuer.key(owner="https://other.example/issuer.json")}
    report = verify(token, docs)
    assert report.verdict == "failed" and outcomes(report)["issuer"] == ("fail", "issuer-mismatch")


def test_unavailable_key_or_issuer_is_indeterminate(issuer: Ob2Issuer) -> None:
    token = issuer.sign(issuer.assertion(signed=True))
    no_key = {k: v for k, v in issuer.documents().items() if k != issuer.key_id}
    report = verify(token, no_key)
    assert report.verdict == "indeterminate" and outcomes(report)["proof"] == (
        "indeterminate",
        "unresolved-key",
    )
    no_issuer = {k: v for k, v in issuer.documents().items() if k != issuer.issuer_id}
    report = verify(token, no_issuer)
    assert report.verdict == "indeterminate"
    assert outcomes(report)["proof"] == ("indeterminate", "unresolved-key")
    assert outcomes(report)["status"] == ("indeterminate", "status-unreachable")


def test_key_embedded_in_the_issuer_profile_is_used(issuer: Ob2Issuer) -> None:
    token = issuer.sign(issuer.assertion(signed=True))
    embedded = {k: v for k, v in issuer.key().items() if k != "@context"}
    docs = {k: v for k, v in issuer.documents().items() if k != issuer.key_id}
    docs[issuer.issuer_id] = issuer.issuer(publicKey=[embedded])
    assert verify(token, docs).verdict == "verified"


def test_without_creator_the_issuers_keys_are_tried(issuer: Ob2Issuer) -> None:
    token = issuer.sign(issuer.assertion(signed=True, verification={"type": "signed"}))
    other = Ob2Issuer(key=3)
    docs = issuer.documents()
    docs["https://badges.example/old-key.json"] = {
        **other.key(),
        "id": "https://badges.example/old-key.json",
        "owner": issuer.issuer_id,
    }
    docs[issuer.issuer_id] = issuer.issuer(publicKey=["https://badges.example/old-key.json", issuer.key_id])
    report = verify(token, docs)
    assert report.verdict == "verified" and issuer.key_id in report.check("proof").reason  # type: ignore[union-attr]
    docs[issuer.issuer_id] = issuer.issuer(publicKey=["https://badges.example/old-key.json"])
    assert outcomes(verify(token, docs))["proof"] == ("fail", "bad-proof")


def test_revoked_in_the_revocation_list_fails(issuer: Ob2Issuer) -> None:
    assertion = issuer.assertion(5, signed=True)
    token = issuer.sign(assertion)
    listed = Ob2Issuer()
    listed.revoked = ["urn:uuid:other", {"id": assertion["id"], "revocationReason": "awarded in error"}]
    report = verify(token, listed.documents())
    assert report.verdict == "failed" and outcomes(report)["status"] == ("fail", "revoked")
    assert "awarded in error" in report.check("status").reason  # type: ignore[union-attr]


def test_revocation_list_unavailable_is_indeterminate_and_absent_is_skipped(issuer: Ob2Issuer) -> None:
    token = issuer.sign(issuer.assertion(signed=True))
    docs = {k: v for k, v in issuer.documents().items() if k != issuer.list_id}
    report = verify(token, docs)
    assert report.verdict == "indeterminate" and outcomes(report)["status"] == (
        "indeterminate",
        "status-unreachable",
    )
    docs[issuer.issuer_id] = issuer.issuer(revocationList=None)
    report = verify(token, docs)
    assert report.verdict == "verified" and outcomes(report)["status"] == ("skipped", None)


def test_expired_and_future_assertions_fail(issuer: Ob2Issuer) -> None:
    expired = issuer.sign(issuer.assertion(signed=True, expires="2025-01-01T00:00:00+00:00"))
    report = verify(expired, issuer.documents())
    assert report.verdict == "failed" and outcomes(report)["validity"] == ("fail", "expired")
    assert verify(expired, issuer.documents(), now=datetime(2024, 6, 1, tzinfo=UTC)).verdict == "verified"
    future = issuer.sign(issuer.assertion(signed=True, issuedOn="2030-01-01T00:00:00Z"))
    assert outcomes(verify(future, issuer.documents()))["validity"] == ("fail", "not-yet-valid")
    backwards = issuer.sign(issuer.assertion(signed=True, expires="2023-01-01T00:00:00Z"))
    assert outcomes(verify(backwards, issuer.documents()))["validity"] == ("fail", "malformed-date")


def test_recipient_is_checked_only_when_expected(issuer: Ob2Issuer) -> None:
    token = issuer.sign(issuer.assertion(signed=True))
    assert outcomes(verify(token, issuer.documents()))["recipient"] == ("skipped", None)
    assert outcomes(verify(token, issuer.documents(), recipient="ADA@example.com"))["recipient"][0] == "pass"
    wrong = verify(token, issuer.documents(), recipient="eve@example.com")
    assert wrong.verdict == "failed" and outcomes(wrong)["recipient"] == ("fail", "wrong-recipient")


def test_a_signed_assertion_that_says_it_is_revoked_fails(issuer: Ob2Issuer) -> None:
    token = issuer.sign(issuer.assertion(signed=True, revoked=True, revocationReason="withdrawn"))
    report = verify(token, issuer.documents())
    assert report.verdict == "failed" and outcomes(report)["status"] == ("fail", "revoked")
    assert "withdrawn" in report.check("status").reason  # type: ignore[union-attr]


def test_a_presented_copy_saying_revoked_disagrees_with_its_host(issuer: Ob2Issuer) -> None:
    published = issuer.assertion()
    report = verify(issuer.assertion(revoked=True), issuer.documents(published))
    assert report.verdict == "failed" and outcomes(report)["proof"] == ("fail", "hosted-mismatch")


def test_documents_with_ids_that_are_no_iris_or_names_that_are_no_text_fail(issuer: Ob2Issuer) -> None:
    token = issuer.sign(issuer.assertion(signed=True, id="x"))
    assert outcomes(verify(token, issuer.documents())) == {"syntax": ("fail", "malformed")}
    token = issuer.sign(issuer.assertion(signed=True))
    for url, doc in (
        (issuer.badge_id, issuer.badge(name={"id": 5})),
        (issuer.issuer_id, issuer.issuer(url=["https://badges.example"])),
        (issuer.badge_id, issuer.badge(issuer="not an iri")),
    ):
        report = verify(token, {**issuer.documents(), url: doc})
        assert report.verdict == "failed" and outcomes(report)["issuer"] == ("fail", "malformed-issuer"), doc


def test_signed_assertion_without_its_signature_fails(issuer: Ob2Issuer) -> None:
    report = verify(issuer.assertion(signed=True), issuer.documents())
    assert report.verdict == "failed" and outcomes(report)["proof"] == ("fail", "no-proof")


def test_jws_carrying_a_hosted_assertion_is_malformed(issuer: Ob2Issuer) -> None:
    token = issuer.sign(issuer.assertion())
    report = verify(token, issuer.documents())
    assert report.verdict == "failed" and outcomes(report) == {"syntax": ("fail", "malformed")}


@pytest.mark.parametrize("header", [{"alg": "none"}, {"alg": "HS256"}, {"alg": "RS256", "crit": ["x"]}])
def test_refused_jws_headers_are_malformed(issuer: Ob2Issuer, header: dict[str, Any]) -> None:
    token = issuer.sign(issuer.assertion(signed=True), header={"alg": "RS256"})
    import base64
    import json

    forged = base64.urlsafe_b64encode(json.dumps(header).encode()).rstrip(b"=").decode()
    report = verify(forged + token[token.index(".") :], issuer.documents())
    assert outcomes(report) == {"syntax": ("fail", "malformed")}


def test_unsupported_algorithm_is_indeterminate(issuer: Ob2Issuer) -> None:
    token = issuer.sign(issuer.assertion(signed=True), header={"alg": "RS512"})
    report = verify(token, issuer.documents())
    assert report.verdict == "indeterminate" and outcomes(report)["proof"] == (
        "indeterminate",
        "unresolved-key",
    )


# -------------------------------------------------------------------------------- input forms


def test_malformed_assertions_fail_syntax(issuer: Ob2Issuer) -> None:
    for broken in (
        {k: v for k, v in issuer.assertion().items() if k != "recipient"},
        issuer.assertion(issuedOn="2024-01-01T00:00:00"),  # no time zone
        issuer.assertion(type="BadgeClass"),
        issuer.assertion(verification={"type": "blockchain"}),
    ):
        report = verify(broken, issuer.documents())
        assert report.verdict == "failed" and outcomes(report) == {"syntax": ("fail", "malformed")}


def test_unknown_context_is_indeterminate(issuer: Ob2Issuer) -> None:
    assertion = issuer.assertion(**{"@context": [issuer.assertion()["@context"], "https://example.org/ctx"]})
    report = verify(assertion, issuer.documents(assertion))
    assert outcomes(report) == {"syntax": ("indeterminate", "context-unknown")}


def test_baked_text_without_the_ob2_context_is_an_unsupported_version() -> None:
    ob1 = (
        '{"uid": "abc", "recipient": "sha256$00", "verify": {"type": "hosted", "url": "https://x.example/a"}}'
    )
    presented = from_baked(Baked("ob2-json", ob1, "image/png"))
    report = verify_ob2(presented, documents=NoDocuments("offline"), now=NOW)
    assert outcomes(report) == {"syntax": ("indeterminate", "unsupported-version")}


def test_detect_tells_ob2_from_everything_else(issuer: Ob2Issuer) -> None:
    assert detect(issuer.assertion()) is not None
    assert detect(issuer.sign(issuer.assertion(signed=True))).kind == "jws"  # type: ignore[union-attr]
    assert detect({"@context": ["https://www.w3.org/ns/credentials/v2"]}) is None
    assert detect("a.b.c") is None and detect(["not", "a", "credential"]) is None


def test_a_resolver_error_is_asked_once_per_url(issuer: Ob2Issuer) -> None:
    asked: list[str] = []

    def counting(url: str) -> Mapping[str, Any]:
        asked.append(url)
        raise ResolutionError(f"{url} is down")

    token = issuer.sign(issuer.assertion(signed=True))
    verify(token, counting)
    assert len(asked) == len(set(asked))
