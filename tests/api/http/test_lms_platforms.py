"""Each platform's documented payloads (``lms_payloads``, sources cited there) replayed against a
real server at the integration's webhook URL, with the platform's own authentication; plus
module progress, and managing integrations (update, pause/resume, rotate, delete, replay)."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.api.http import lms_payloads as samples
from tests.api.http.lms_support import Lms, event, live, post, school, signed
from tests.api.http.moodle_fake import FakeMoodle
from tests.loopback_https import LoopbackHttps

__all__ = ["live", "school"]  # the fixtures

JSON = {"content-type": "application/json"}
REPLAY = """mutation($i: ReplayIntegrationEventInput!) { replayIntegrationEvent(input: $i) {
  event { id outcome } userErrors { field message code } } }"""
UPDATE = """mutation($i: UpdateIntegrationInput!) { updateIntegration(input: $i) {
  integration { id name settings { name value } updatedAt } userErrors { field message code } } }"""
PAUSE = """mutation($i: IntegrationIdInput!) { pauseIntegration(input: $i) {
  integration { id paused } userErrors { field message code } } }"""
RESUME = """mutation($i: IntegrationIdInput!) { resumeIntegration(input: $i) {
  integration { id paused } userErrors { field message code } } }"""
ROTATE = """mutation($i: RotateIntegrationSecretInput!) { rotateIntegrationSecret(input: $i) {
  integration { id } secret setupUrl userErrors { field message code } } }"""
DELETE = """mutation($i: IntegrationIdInput!) { deleteIntegration(input: $i) {
  deletedId userErrors { field message code } } }"""
DELETE_RULE = """mutation($i: AwardRuleIdInput!) { deleteAwardRule(input: $i) {
  deletedId userErrors { field message code } } }"""


def hex_hmac(key: str, body: bytes) -> str:
    return hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


def dumps(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc).encode()


def test_thinkific_completion_and_progress(school: Lms) -> None:
    completed, progressed = school.achievement("Thinkific course"), school.achievement("A quarter done")
    api_key = "thinkific-api-key-0123456789abcdef"
    created = school.integration("THINKIFIC", secret=api_key)
    integration, url = created["integration"], created["integration"]["webhookUrl"]
    assert created["secret"] == api_key
    school.rule(integration["id"], completed, courseId="25")
    school.rule(integration["id"], progressed, "ENROLLMENT_PROGRESS", percentage=20)

    body = dumps(samples.THINKIFIC_ENROLLMENT_COMPLETED)
    headers = {
        "X-Thinkific-Hmac-Sha256": hex_hmac(api_key, body),
        "X-Thinkific-Topic": "enrollment.completed",
    }
    assert post(url, body, {**JSON, **headers}).json()["status"] == "accepted"
    assert post(url, body, {**JSON, **headers}).json()["status"] == "duplicate"  # Thinkific retries
    wrong = post(url, body, {**JSON, "X-Thinkific-Hmac-Sha256": hex_hmac("another-key-000000", body)})
    assert wrong.status_code == 401 and "X-Thinkific-Hmac-Sha256" in wrong.json()["detail"]

    order = dumps(samples.THINKIFIC_ORDER_CREATED)
    ignored = post(url, order, {**JSON, "X-Thinkific-Hmac-Sha256": hex_hmac(api_key, order)})
    assert ignored.status_code == 200
    assert ignored.json() == {
        "status": "ignored",
        "eventIds": [],
        "reason": "order.created is not a learning event",
    }

    progress = dumps(samples.THINKIFIC_ENROLLMENT_PROGRESS)
    assert (
        post(url, progress, {**JSON, "X-Thinkific-Hmac-Sha256": hex_hmac(api_key, progress)}).status_code
        == 200
    )
    events = school.settled(integration["id"], 2)
    by_source = {e["sourceEventId"]: e for e in events}
    done = by_source["20190131192005552012814"]
    # a completed course is also 100 % progress: both rules issue, once each
    assert done["outcome"] == "ISSUED" and done["type"] == "course_completed" and done["courseId"] == "25"
    assert len(done["credentials"]) == 2
    quarter = by_source["20190131192004041953291"]
    assert quarter["outcome"] == "ISSUED" and quarter["type"] == "enrollment_progress"
    assert [c["recipient"] for c in school.credentials(completed)] == [
        {"email": "john@doe.example", "name": "John Doe"}
    ]
    assert sorted(c["recipient"]["email"] for c in school.credentials(progressed)) == [
        "jane@doe.example",
        "john@doe.example",
    ]


def test_moodle_token_in_body_and_learners_without_email(school: Lms) -> None:
    achievement = school.achievement("Moodle course 7")
    created = school.integration("MOODLE")
    integration, url, token = created["integration"], created["integration"]["webhookUrl"], created["secret"]
    school.rule(integration["id"], achievement, courseId="7")

    sample = {**samples.MOODLE_COURSE_COMPLETED, "token": token}
    assert post(url, dumps({**sample, "token": "not-the-token-000000"}), JSON).status_code == 401
    assert post(url, dumps({k: v for k, v in sample.items() if k != "token"}), JSON).status_code == 401
    assert post(url, dumps(sample), JSON).json()["status"] == "accepted"
    # as a tool_trigger workflow sends it: every value a string, with the learner's email looked up
    looked_up = {k: str(v) for k, v in sample.items() if k != "other"}
    looked_up |= {"email": "linus@school.example", "fullname": "Linus T", "timecreated": "1764637260"}
    assert post(url, dumps(looked_up), JSON).json()["status"] == "accepted"
    viewed = {**sample, "eventname": "\\core\\event\\course_viewed"}
    assert post(url, dumps(viewed), JSON).json()["status"] == "ignored"

    rejected, issued = school.settled(integration["id"], 2)
    assert rejected["outcome"] == "REJECTED" and "user id 23" in rejected["reason"]
    assert issued["outcome"] == "ISSUED" and issued["learnerEmail"] == "linus@school.example"
    assert [c["recipient"]["email"] for c in school.credentials(achievement)] == ["linus@school.example"]


def test_canvas_live_event_with_the_url_token(school: Lms) -> None:
    achievement = school.achievement("Compilers")
    created = school.integration("CANVAS")
    integration, setup_url = created["integration"], created["setupUrl"]
    assert setup_url == f"{integration['webhookUrl']}?token={created['secret']}"
    school.rule(integration["id"], achievement)
    body = dumps(samples.CANVAS_COURSE_COMPLETED)
    assert post(integration["webhookUrl"], body, JSON).status_code == 401
    assert post(f"{integration['webhookUrl']}?token=guess-guess-guess", body, JSON).status_code == 401
    jwt_form = b"eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJtZXRhZGF0YSI6e319.c2ln"
    refused = post(setup_url, jwt_form, {"content-type": "application/jwt"})
    assert refused.status_code == 422 and "jwksUrl" in refused.json()["detail"]
    assert post(setup_url, body, JSON).json()["status"] == "accepted"
    assert post(setup_url, body, JSON).json()["status"] == "duplicate"
    (processed,) = school.settled(integration["id"], 1)
    assert processed["outcome"] == "ISSUED" and processed["learnerEmail"] == "grace@school.example"

    progress = copy.deepcopy(samples.CANVAS_COURSE_COMPLETED)
    progress["metadata"]["event_name"] = "course_progress"
    progress["body"]["progress"]["requirement_completed_count"] = "3"
    quarter_rule = school.rule(
        integration["id"], school.achievement("Most of it"), "ENROLLMENT_PROGRESS", percentage=75
    )
    assert quarter_rule["trigger"] == "ENROLLMENT_PROGRESS"
    assert post(setup_url, dumps(progress), JSON).status_code == 200
    events = school.settled(integration["id"], 2)
    assert events[1]["type"] == "enrollment_progress" and events[1]["outcome"] == "ISSUED"


def test_teachable_signature(school: Lms) -> None:
    achievement = school.achievement("Watercolour")
    secret = "teachable-webhook-secret-42"
    created = school.integration("TEACHABLE", secret=secret)
    integration = created["integration"]
    school.rule(integration["id"], achievement, courseId="1337")
    body = dumps(samples.TEACHABLE_ENROLLMENT_COMPLETED)
    assert (
        post(
            integration["webhookUrl"], body, {**JSON, "teachable-signature": hex_hmac("x" * 20, body)}
        ).status_code
        == 401
    )
    answer = post(integration["webhookUrl"], body, {**JSON, "teachable-signature": hex_hmac(secret, body)})
    assert answer.json()["status"] == "accepted"
    (processed,) = school.settled(integration["id"], 1)
    assert processed["outcome"] == "ISSUED"
    assert school.credentials(achievement)[0]["recipient"] == {
        "email": "mira@school.example",
        "name": "Mira Lee",
    }


def test_kajabi_tag_added(school: Lms) -> None:
    achievement = school.achievement("Mindset course")
    created = school.integration("KAJABI")
    integration = created["integration"]
    school.rule(integration["id"], achievement, "TAG_ADDED", tag="completed-course-mindset")
    other_tag = {**samples.KAJABI_TAG_ADDED, "id": "evt_other", "tag": {"id": 1, "name": "newsletter"}}
    for doc in (samples.KAJABI_TAG_ADDED, other_tag):
        assert post(created["setupUrl"], dumps(doc), JSON).json()["status"] == "accepted"
    events = school.settled(integration["id"], 2)
    assert [e["outcome"] for e in events] == ["ISSUED", "NO_RULE"]
    assert school.credentials(achievement)[0]["recipient"]["email"] == "noor@school.example"


def test_modules_accumulate_per_learner_until_all_are_done(school: Lms) -> None:
    achievement = school.achievement("All three modules")
    created = school.integration()
    integration, secret, url = created["integration"], created["secret"], created["integration"]["webhookUrl"]
    school.rule(
        integration["id"], achievement, "MODULES_COMPLETED", moduleIds=["m1", "m2", "m3"], matchAll=True
    )
    sent = [("ada", "m1"), ("bob", "m1"), ("ada", "m2"), ("ada", "m2"), ("ada", "m3"), ("bob", "m3")]
    for n, (who, module) in enumerate(sent):
        doc = event(f"mod-{n}", email=f"{who}@example.org", event="module_completed", module={"id": module})
        body = dumps(doc)
        assert post(url, body, signed(secret, body, f"m{n}")).status_code == 200
        school.settled(integration["id"], n + 1)  # in order: progress is per learner, across events
    events = school.events(integration["id"])
    assert [e["outcome"] for e in events] == ["NO_RULE", "NO_RULE", "NO_RULE", "NO_RULE", "ISSUED", "NO_RULE"]
    assert "progress recorded: 2 of 3 modules" in events[2]["reason"]
    assert [c["recipient"]["email"] for c in school.credentials(achievement)] == ["ada@example.org"]


def test_managing_an_integration(school: Lms) -> None:
    achievement = school.achievement("Managed")
    created = school.integration()
    integration, secret, url = created["integration"], created["secret"], created["integration"]["webhookUrl"]
    gid = integration["id"]

    updated = school.gql(
        UPDATE, {"i": {"id": gid, "name": "Renamed", "settings": [{"name": "site", "value": "x"}]}}
    )
    assert updated["updateIntegration"]["integration"]["name"] == "Renamed"
    assert updated["updateIntegration"]["integration"]["settings"] == [{"name": "site", "value": "x"}]

    # no rule yet: the event is kept as NO_RULE; once a rule exists, a replay issues
    body = dumps(event("replayed"))
    assert post(url, body, signed(secret, body)).status_code == 200
    (kept,) = school.settled(gid, 1)
    assert kept["outcome"] == "NO_RULE"
    rule = school.rule(gid, achievement)
    replayed = school.gql(REPLAY, {"i": {"id": kept["id"]}})["replayIntegrationEvent"]
    assert replayed["userErrors"] == [] and replayed["event"]["outcome"] == "PENDING"
    (again,) = school.settled(gid, 1)
    assert again["outcome"] == "ISSUED"
    missing = school.gql(REPLAY, {"i": {"id": "lmsev_nope"}})["replayIntegrationEvent"]
    assert missing["event"] is None and missing["userErrors"][0]["code"] == "NOT_FOUND"

    # paused: events are stored and wait; resumed: processed
    assert school.gql(PAUSE, {"i": {"id": gid}})["pauseIntegration"]["integration"]["paused"] is True
    body = dumps(event("while-paused", email="pat@example.org"))
    assert post(url, body, signed(secret, body, "p1")).status_code == 200
    school.settled(gid, 1)
    waiting = [e for e in school.events(gid) if e["sourceEventId"] == "while-paused"]
    assert waiting[0]["outcome"] == "PENDING"
    assert school.gql(RESUME, {"i": {"id": gid}})["resumeIntegration"]["integration"]["paused"] is False
    assert [e["outcome"] for e in school.settled(gid, 2)] == ["ISSUED", "ISSUED"]

    # a rotated secret: the old one stops working at once
    rotated = school.gql(ROTATE, {"i": {"id": gid}})["rotateIntegrationSecret"]
    assert rotated["userErrors"] == [] and rotated["secret"] != secret
    body = dumps(event("after-rotation", email="rui@example.org"))
    assert post(url, body, signed(secret, body)).status_code == 401
    assert post(url, body, signed(rotated["secret"], body)).status_code == 200

    assert school.gql(DELETE_RULE, {"i": {"id": rule["id"]}})["deleteAwardRule"]["deletedId"] == rule["id"]
    assert school.gql(DELETE, {"i": {"id": gid}})["deleteIntegration"] == {"deletedId": gid, "userErrors": []}
    assert post(url, body, signed(rotated["secret"], body)).status_code == 404
    assert len(school.events(gid)) == 3  # what it received stays listed
    gone = school.gql(DELETE, {"i": {"id": gid}})["deleteIntegration"]
    assert gone["deletedId"] is None and gone["userErrors"][0]["code"] == "NOT_FOUND"


def test_moodle_learners_are_looked_up_through_web_services(
    school: Lms, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = "0123456789abcdef0123456789abcdef"  # a Moodle web-service token (32 hex digits)
    user = {
        "id": 23,
        "username": "ada",
        "firstname": "Ada",
        "lastname": "Lovelace",
        "fullname": "Ada Lovelace",
        "email": "ada.lovelace@moodle.example",
        "auth": "manual",
        "suspended": False,
        "confirmed": True,
    }
    with FakeMoodle(tmp_path, token, {"23": user}) as moodle:
        monkeypatch.setenv("SSL_CERT_FILE", str(moodle.cert))
        achievement = school.achievement("Moodle, looked up")
        site = [{"name": "siteUrl", "value": moodle.base}]
        created = school.integration("MOODLE", settings=site, apiToken=token)
        integration, url = created["integration"], created["integration"]["webhookUrl"]
        school.rule(integration["id"], achievement, courseId="7")
        sample = {**samples.MOODLE_COURSE_COMPLETED, "token": created["secret"]}
        unknown = {**sample, "relateduserid": "99", "objectid": "42"}
        for doc in (sample, unknown):
            assert post(url, dumps(doc), JSON).json()["status"] == "accepted"
        found, missing = school.settled(integration["id"], 2)
        assert found["outcome"] == "ISSUED" and found["learnerEmail"] is None  # as sent: by user id
        assert school.credentials(achievement)[0]["recipient"] == {
            "email": "ada.lovelace@moodle.example",
            "name": "Ada Lovelace",
        }
        assert missing["outcome"] == "REJECTED" and "knows no user 99" in missing["reason"]
        # the two events may be looked up in either order (jobs run concurrently)
        assert sorted(moodle.calls, key=lambda call: call["values[0]"]) == [
            {
                "wstoken": token,
                "wsfunction": "core_user_get_users_by_field",
                "moodlewsrestformat": "json",
                "field": "id",
                "values[0]": user_id,
            }
            for user_id in ("23", "99")
        ]
        # a wrong token: Moodle answers HTTP 200 with an exception, kept as the reason (never the token)
        changed = school.gql(UPDATE, {"i": {"id": integration["id"], "apiToken": "not-the-token-0000"}})
        assert changed["updateIntegration"]["userErrors"] == []
        later = {**sample, "timecreated": 1764640000}
        assert post(url, dumps(later), JSON).json()["status"] == "accepted"
        events = school.settled(integration["id"], 3)
        assert events[2]["outcome"] == "REJECTED" and "invalidtoken" in events[2]["reason"]
        assert all(token not in str(e["reason"]) and "not-the-token" not in str(e["reason"]) for e in events)
        # fixed: the replay issues (the learner holds it already: the same credential)
        school.gql(UPDATE, {"i": {"id": integration["id"], "apiToken": token}})
        school.gql(REPLAY, {"i": {"id": events[2]["id"]}})
        assert school.settled(integration["id"], 3)[2]["outcome"] == "DUPLICATE"
        listed = school.gql("{ integrations { id hasApiToken } }")["integrations"]
        assert {"id": integration["id"], "hasApiToken": True} in listed


def _rs256(claims: dict[str, Any], key: rsa.RSAPrivateKey, kid: str) -> bytes:
    """A compact JWS signed RS256 (RFC 7515 §7.1, RFC 7518 §3.3), made with ``cryptography`` alone."""

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = b64(json.dumps({"alg": "RS256", "kid": kid, "typ": "JWT"}).encode())
    payload = b64(json.dumps(claims).encode())
    signature = key.sign(f"{header}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{header}.{payload}.{b64(signature)}".encode()


def _jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, str]:
    numbers = key.public_key().public_numbers()

    def b64int(value: int) -> str:
        return (
            base64.urlsafe_b64encode(value.to_bytes((value.bit_length() + 7) // 8, "big"))
            .rstrip(b"=")
            .decode()
        )

    return {
        "kty": "RSA",
        "kid": kid,
        "alg": "RS256",
        "use": "sig",
        "n": b64int(numbers.n),
        "e": b64int(numbers.e),
    }


def test_canvas_signed_live_events_checked_against_the_key_set(
    school: Lms, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    current, rotated, stranger = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(3)
    )
    with LoopbackHttps(tmp_path) as keys:
        monkeypatch.setenv("SSL_CERT_FILE", str(keys.cert))
        keys.routes["/jwks.json"] = (200, json.dumps({"keys": [_jwk(current, "2026-12")]}).encode(), {})
        achievement = school.achievement("Compilers, signed")
        created = school.integration(
            "CANVAS", settings=[{"name": "jwksUrl", "value": f"{keys.base}/jwks.json"}]
        )
        integration, setup_url = created["integration"], created["setupUrl"]
        school.rule(integration["id"], achievement)
        claims = copy.deepcopy(samples.CANVAS_COURSE_COMPLETED)
        jwt_headers = {"content-type": "application/jwt"}

        signed = _rs256(claims, current, "2026-12")
        assert post(integration["webhookUrl"], signed, jwt_headers).status_code == 401  # the URL token too
        assert post(setup_url, signed, jwt_headers).json()["status"] == "accepted"
        forged = _rs256(
            {**claims, "body": {**claims["body"], "user": {"id": "1", "email": "eve@x.example"}}},
            stranger,
            "2026-12",
        )
        answer = post(setup_url, forged, jwt_headers)
        assert answer.status_code == 401 and "signature does not match" in answer.json()["detail"]
        # Instructure rotated its keys: the unknown kid makes the receiver fetch the set again
        keys.routes["/jwks.json"] = (
            200,
            json.dumps({"keys": [_jwk(current, "2026-12"), _jwk(rotated, "2027-01")]}).encode(),
            {},
        )
        time.sleep(10.1)  # at most one early refetch per 10 s
        claims["metadata"]["event_time"] = "2026-12-02T02:00:00.000Z"
        claims["body"]["user"] = {
            "id": "21070000000000124",
            "name": "Alan Kay",
            "email": "alan@school.example",
        }
        assert post(setup_url, _rs256(claims, rotated, "2027-01"), jwt_headers).json()["status"] == "accepted"
        unknown = post(setup_url, _rs256(claims, stranger, "no-such-kid"), jwt_headers)
        assert unknown.status_code == 401 and "no key" in unknown.json()["detail"]
        assert keys.requests.count("/jwks.json") == 2
        events = school.settled(integration["id"], 2)
        assert [e["outcome"] for e in events] == ["ISSUED", "ISSUED"]
        assert sorted(c["recipient"]["email"] for c in school.credentials(achievement)) == [
            "alan@school.example",
            "grace@school.example",
        ]


def test_thinkific_lessons_accumulate_into_a_modules_rule(school: Lms) -> None:
    achievement = school.achievement("Thinkific chapter one")
    api_key = "thinkific-api-key-lessons-0001"
    created = school.integration("THINKIFIC", secret=api_key)
    integration, url = created["integration"], created["integration"]["webhookUrl"]
    rule = school.rule(
        integration["id"], achievement, "MODULES_COMPLETED", moduleIds=["101", "102"], courseId="25"
    )
    assert rule["courseId"] == "25"
    for n, lesson in enumerate((101, 102)):
        body = dumps(samples.thinkific_lesson_completed(f"lesson-evt-{n}", lesson, "lin@school.example"))
        headers = {**JSON, "X-Thinkific-Hmac-Sha256": hex_hmac(api_key, body)}
        assert post(url, body, headers).json()["status"] == "accepted"
        school.settled(integration["id"], n + 1)
    first, second = school.events(integration["id"])
    assert (first["type"], first["outcome"], second["outcome"]) == ("module_completed", "NO_RULE", "ISSUED")
    assert "1 of 2 modules" in first["reason"]
    assert [c["recipient"]["name"] for c in school.credentials(achievement)] == ["Lin Wu"]
