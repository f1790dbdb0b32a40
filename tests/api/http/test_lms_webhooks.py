"""LMS webhooks end to end: a real uvicorn server (``create_app``: GraphQL, the receiver, the job
runner) on 127.0.0.1; requests are signed by the ``standardwebhooks`` package (the reference
Python implementation of https://www.standardwebhooks.com/, an independent client), and results
are read back through GraphQL."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import httpx2 as httpx

from tests.api.conftest import ADMIN_KEY, LiveServer
from tests.api.graphql.wsclient import Subscriber
from tests.api.http.lms_support import (
    AWARD_RULES,
    CREATE_RULE,
    INTEGRATIONS,
    Lms,
    event,
    live,
    post,
    school,
    second_organization,
    signed,
)

__all__ = ["live", "school"]  # the fixtures


def test_a_course_completion_issues_exactly_one_credential(school: Lms) -> None:
    achievement = school.achievement("Python 101 completed")
    created = school.integration()
    integration, secret = created["integration"], created["secret"]
    assert secret.startswith("whsec_") and created["setupUrl"] == integration["webhookUrl"]
    rule = school.rule(integration["id"], achievement, courseId="py-101")
    assert rule["achievement"]["id"] == achievement and rule["courseId"] == "py-101"

    body = json.dumps(event("completion-1")).encode()
    answer = post(integration["webhookUrl"], body, signed(secret, body))
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "accepted" and len(answer.json()["eventIds"]) == 1

    (processed,) = school.settled(integration["id"], 1)
    assert processed["outcome"] == "ISSUED" and processed["sourceEventId"] == "completion-1"
    assert processed["credentials"][0]["recipient"]["email"] == "ada@example.org"
    (credential,) = school.credentials(achievement)
    assert credential["id"] == processed["credentials"][0]["id"]
    assert credential["recipient"] == {"email": "ada@example.org", "name": "Ada Lovelace"}

    # the platform retries (a new delivery attempt, same event): stored once, answered 200
    again = post(integration["webhookUrl"], body, signed(secret, body, msg_id="msg_retry"))
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert again.json()["eventIds"] == answer.json()["eventIds"]
    # another event saying the same learner completed the same course: no second credential
    body2 = json.dumps(event("completion-2")).encode()
    assert post(integration["webhookUrl"], body2, signed(secret, body2, "msg_2")).status_code == 200
    events = school.settled(integration["id"], 2)
    assert [e["outcome"] for e in events] == ["ISSUED", "DUPLICATE"]
    assert events[1]["credentials"][0]["id"] == credential["id"]
    assert len(school.credentials(achievement)) == 1

    listed = school.gql(INTEGRATIONS)["integrations"]
    mine = next(i for i in listed if i["id"] == integration["id"])
    assert mine["awardRules"] == [{"id": rule["id"], "trigger": "COURSE_COMPLETED"}]
    assert "secret" not in json.dumps(listed).lower()
    rules = school.gql(AWARD_RULES, {"id": integration["id"]})["awardRules"]
    assert rules == [{"id": rule["id"], "trigger": "COURSE_COMPLETED", "courseId": "py-101", "quizId": None}]


def test_an_event_no_rule_matches_is_kept_with_its_reason(school: Lms) -> None:
    achievement = school.achievement("Quiz ace")
    created = school.integration()
    integration, secret = created["integration"], created["secret"]
    school.rule(integration["id"], achievement, "QUIZ_PASSED", quizId="q1", minPercentage=80)
    low = event("quiz-low", event="quiz_passed", quiz={"id": "q1", "score": 7, "maxScore": 10})
    high = event(
        "quiz-high",
        email="bob@example.org",
        event="quiz_passed",
        quiz={"id": "q1", "score": 8, "maxScore": 10},
    )
    for n, doc in enumerate((low, high)):
        body = json.dumps(doc).encode()
        assert post(integration["webhookUrl"], body, signed(secret, body, f"m{n}")).status_code == 200
    events = school.settled(integration["id"], 2)
    assert [(e["sourceEventId"], e["outcome"]) for e in events] == [
        ("quiz-low", "NO_RULE"),
        ("quiz-high", "ISSUED"),
    ]
    assert "no award rule" in events[0]["reason"] and events[0]["credentials"] == []
    assert [c["recipient"]["email"] for c in school.credentials(achievement)] == ["bob@example.org"]
    assert [e["sourceEventId"] for e in school.events(integration["id"], "NO_RULE")] == ["quiz-low"]


def test_a_bad_signature_is_refused_with_a_problem_and_nothing_is_stored(school: Lms) -> None:
    created = school.integration()
    url, secret = created["integration"]["webhookUrl"], created["secret"]
    body = json.dumps(event("forged")).encode()
    other_secret = school.integration()["secret"]
    for headers in (signed(other_secret, body), {"content-type": "application/json"}):
        answer = post(url, body, headers)
        assert answer.status_code == 401
        assert answer.headers["content-type"] == "application/problem+json"
        problem = answer.json()
        assert problem["type"] == "urn:vcengine:problem:bad-signature" and problem["detail"]
    tampered = signed(secret, body)
    answer = post(url, body.replace(b"ada@", b"eve@"), tampered)
    assert answer.status_code == 401 and "matches the body" in answer.json()["detail"]
    assert school.events(created["integration"]["id"]) == []


def test_a_stale_timestamp_is_refused_as_a_replay(school: Lms) -> None:
    created = school.integration()
    url, secret = created["integration"]["webhookUrl"], created["secret"]
    body = json.dumps(event("old")).encode()
    for skew in (timedelta(minutes=-6), timedelta(minutes=6)):
        answer = post(url, body, signed(secret, body, at=datetime.now(UTC) + skew))
        assert answer.status_code == 401 and "replay" in answer.json()["detail"]
    assert (
        post(url, body, signed(secret, body, at=datetime.now(UTC) - timedelta(minutes=4))).status_code == 200
    )


def test_unknown_integration_is_404(school: Lms) -> None:
    body = json.dumps(event("x")).encode()
    answer = post(
        f"{school.server.base_url}/hooks/lms/no-such-integration", body, {"content-type": "application/json"}
    )
    assert answer.status_code == 404 and answer.json()["type"] == "urn:vcengine:problem:not-found"


def test_malformed_and_invalid_bodies_are_refused_naming_the_problem(school: Lms) -> None:
    created = school.integration()
    url, secret = created["integration"]["webhookUrl"], created["secret"]
    broken = b'{"id": "x", "event": '
    answer = post(url, broken, signed(secret, broken))
    assert answer.status_code == 400 and answer.json()["type"] == "urn:vcengine:problem:malformed-json"
    assert "line 1" in answer.json()["detail"]
    no_email = json.dumps({**event("y"), "learner": {"name": "Ada"}}).encode()
    answer = post(url, no_email, signed(secret, no_email))
    assert answer.status_code == 422 and answer.json()["type"] == "urn:vcengine:problem:invalid-event"
    assert (
        "'email' is a required property" in answer.json()["detail"] and "$.learner" in answer.json()["detail"]
    )
    no_course = json.dumps({k: v for k, v in event("z").items() if k != "course"}).encode()
    answer = post(url, no_course, signed(secret, no_course))
    assert answer.status_code == 422 and "'course' is a required property" in answer.json()["detail"]
    huge = json.dumps({**event("big"), "padding": "x" * 70_000}).encode()
    answer = post(url, huge, signed(secret, huge))
    assert answer.status_code == 413
    assert school.events(created["integration"]["id"]) == []


def test_the_event_schema_is_served(school: Lms) -> None:
    answer = httpx.get(f"{school.server.base_url}/schemas/lms-event.json")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/schema+json")
    schema = answer.json()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(schema["properties"]["event"]["enum"]) == {
        "course_completed", "quiz_passed", "module_completed", "tag_added", "enrollment_progress"
    }  # fmt: skip


def test_zapier_sends_a_bearer_token(school: Lms) -> None:
    achievement = school.achievement("Zapier badge")
    created = school.integration("ZAPIER")
    url, token = created["integration"]["webhookUrl"], created["secret"]
    school.rule(created["integration"]["id"], achievement)
    body = json.dumps(event("zap-1", email="zoe@example.org")).encode()
    assert post(url, body, {"authorization": "Bearer wrong-token-000000"}).status_code == 401
    answer = post(url, body, {"authorization": f"Bearer {token}", "content-type": "application/json"})
    assert answer.status_code == 200, answer.text
    (processed,) = school.settled(created["integration"]["id"], 1)
    assert processed["outcome"] == "ISSUED"


def test_another_organization_cannot_use_or_see_an_integration(school: Lms, live: LiveServer) -> None:
    other = Lms(live, second_organization(live))
    try:
        _check_isolation(school, other)
    finally:
        other.http.close()


def _check_isolation(school: Lms, other: Lms) -> None:
    mine = school.achievement("Only ours")
    created = school.integration()
    integration, secret = created["integration"], created["secret"]
    # the other org cannot attach a rule to our integration, nor our achievement to its own
    theirs = other.integration()
    for integration_id, achievement in (
        (integration["id"], other.achievement("Theirs")),
        (theirs["integration"]["id"], mine),
    ):
        refused = other.gql(
            CREATE_RULE,
            {
                "i": {
                    "integrationId": integration_id,
                    "achievementId": achievement,
                    "trigger": "COURSE_COMPLETED",
                }
            },
        )
        assert refused["createAwardRule"]["awardRule"] is None
        assert refused["createAwardRule"]["userErrors"][0]["code"] == "NOT_FOUND"
    assert integration["id"] not in [i["id"] for i in other.gql(INTEGRATIONS)["integrations"]]
    # an event sent to the other org's integration, signed with our secret, is refused
    body = json.dumps(event("cross-1")).encode()
    assert post(theirs["integration"]["webhookUrl"], body, signed(secret, body)).status_code == 401
    # signed correctly for their integration (which has no rule issuing our achievement): nothing of ours
    assert post(theirs["integration"]["webhookUrl"], body, signed(theirs["secret"], body)).status_code == 200
    (processed,) = other.settled(theirs["integration"]["id"], 1)
    assert processed["outcome"] == "NO_RULE"
    assert school.credentials(mine) == []
    assert other.events(integration["id"]) == []


def test_events_filter_by_receive_time(school: Lms) -> None:
    created = school.integration()
    integration, secret = created["integration"], created["secret"]
    body = json.dumps(event("timed")).encode()
    before = datetime.now(UTC) - timedelta(seconds=1)
    assert post(integration["webhookUrl"], body, signed(secret, body)).status_code == 200
    query = """query($id: ID, $after: DateTime, $before: DateTime) {
      integrationEvents(integrationId: $id, receivedAfter: $after, receivedBefore: $before) {
        edges { node { sourceEventId } } } }"""

    def sources(**window: str) -> list[str]:
        edges = school.gql(query, {"id": integration["id"], **window})["integrationEvents"]["edges"]
        return [e["node"]["sourceEventId"] for e in edges]

    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert sources(after=before.isoformat(), before=later) == ["timed"]
    assert sources(after=later) == []
    assert sources(before=before.isoformat()) == []
    naive = school.http.post("/graphql", json={"query": query, "variables": {"after": "2026-12-02T01:00:00"}})
    assert naive.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_processed_events_flow_to_the_subscription(school: Lms) -> None:
    achievement = school.achievement("Subscribed")
    created = school.integration()
    integration, secret = created["integration"], created["secret"]
    school.rule(integration["id"], achievement)
    query = """subscription($types: [CredentialEventType!]) { credentialEvents(types: $types) {
      type integrationEventId outcome reason credential { recipient { email } } } }"""
    ws_url = school.server.base_url.replace("http://", "ws://") + "/graphql"
    listener = Subscriber(ws_url, ADMIN_KEY, query, {"types": ["INTEGRATION_EVENT"]}, 2)
    listener.start()
    org = school.gql("{ viewer { organization { id } } }")["viewer"]["organization"]["id"]
    bus = school.server.server.config.app.state.services.events
    deadline = time.monotonic() + 10
    while not bus.subscriber_count(org):
        assert time.monotonic() < deadline, "the subscription did not start"
        time.sleep(0.02)
    for n, source in enumerate(("sub-1", "sub-2")):
        body = json.dumps(event(source, email="sam@example.org")).encode()
        assert post(integration["webhookUrl"], body, signed(secret, body, f"s{n}")).status_code == 200
        school.settled(integration["id"], n + 1)
    first, second = (m["data"]["credentialEvents"] for m in listener.wait())
    assert (first["type"], first["outcome"], second["outcome"]) == (
        "INTEGRATION_EVENT",
        "ISSUED",
        "DUPLICATE",
    )
    assert first["credential"]["recipient"]["email"] == "sam@example.org"
    assert first["integrationEventId"] == school.events(integration["id"])[0]["id"]
