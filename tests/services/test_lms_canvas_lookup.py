"""Canvas Live Events that name the learner by user id only: the email is looked up through the
Canvas REST API (a real HTTPS server on loopback answering ``/api/v1/users/:id/profile`` as
Canvas does, Bearer token checked) and the badge is issued to it; a profile without an email, or
an unknown user, is a rejected event with the reason."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.loopback_https import Answer, LoopbackHttps
from tests.services.support import Tenant
from vcengine.services import award_rules, integrations, lms_inbox, lms_processing
from vcengine.services.context import Services
from vcengine.services.jobs import JobRunner
from vcengine.services.ports import CredentialFilter

pytestmark = pytest.mark.anyio
TOKEN = "canvas-access-token-0123456789"


class FakeCanvas(LoopbackHttps):
    """Canvas's "Get user profile" over HTTPS: the Bearer token checked, Canvas's error bodies."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory, self._respond)
        self.profiles: dict[str, dict[str, Any]] = {}
        self.calls: list[tuple[str, str | None]] = []

    def _respond(self, path: str, headers: Mapping[str, str]) -> Answer:
        auth = headers.get("Authorization")
        self.calls.append((path, auth))
        match = re.fullmatch(r"/api/v1/users/([0-9~]+)/profile", path)
        if auth != f"Bearer {TOKEN}":
            status, body = 401, {"errors": [{"message": "Invalid access token."}]}
        elif match is None or match[1] not in self.profiles:
            status, body = 404, {"errors": [{"message": "The specified resource does not exist."}]}
        else:
            status, body = 200, self.profiles[match[1]]
        return status, json.dumps(body).encode(), {"Content-Type": "application/json"}


@pytest.fixture
def canvas(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeCanvas]:
    with FakeCanvas(tmp_path) as fake:
        monkeypatch.setenv("SSL_CERT_FILE", str(fake.cert))
        yield fake


def _live_event(user_id: str, course_id: str = "565") -> bytes:
    """A ``course_completed`` Live Event as Canvas sends it (values stringified), without
    ``user.email``."""
    return json.dumps(
        {
            "metadata": {
                "event_name": "course_completed",
                "event_time": "2026-12-01T10:00:00.000Z",
                "user_id": user_id,
                "context_id": course_id,
                "producer": "canvas",
            },
            "body": {
                "progress": {
                    "requirement_count": "4",
                    "requirement_completed_count": "4",
                    "completed_at": "2026-12-01T10:00:00Z",
                },
                "user": {"id": user_id, "name": "Student " + user_id},
                "course": {"id": course_id, "name": "Intro"},
            },
        }
    ).encode()


async def test_learners_named_by_id_are_looked_up_in_canvas(
    services: Services, tenant: Tenant, canvas: FakeCanvas
) -> None:
    canvas.profiles = {
        "21070000000000042": {"id": 42, "name": "Katherine Johnson", "primary_email": "kj@school.example"},
        "43": {"id": 43, "name": "No Email", "login_id": "nomail"},
    }
    new = await integrations.create_integration(
        services, tenant.actor, "canvas", "Canvas", settings={"siteUrl": canvas.base}, api_token=TOKEN
    )
    rule = award_rules.AwardRuleInput(new.record.id, tenant.achievement_id, "course_completed")
    await award_rules.create_award_rule(services, tenant.actor, rule)
    query = {"token": new.secret}
    for user_id in ("21070000000000042", "43", "44"):
        await lms_inbox.receive(services, new.record.id, {}, query, _live_event(user_id))
    runner = JobRunner(services.store, lms_processing.job_kinds(services), services.clock)
    while await runner.run_once():
        pass
    page = await services.store.list_credentials(tenant.org_id, CredentialFilter(), None, 10)
    assert [c.recipient.get("email") for c in page.items] == ["kj@school.example"]
    events = await services.store.list_integration_events(tenant.org_id, new.record.id, None, None, 10)
    outcomes = {e.event["learner"]["id"]: (e.outcome, e.reason or "") for e in events.items}
    assert outcomes["21070000000000042"][0] == "issued"
    assert outcomes["43"][0] == "rejected" and "no email" in outcomes["43"][1]
    assert outcomes["44"][0] == "rejected" and "HTTP 404" in outcomes["44"][1]
    assert all(auth == f"Bearer {TOKEN}" for _, auth in canvas.calls)
    assert all(TOKEN not in reason for _, reason in outcomes.values())
