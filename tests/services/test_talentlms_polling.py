"""TalentLMS completions found by polling a real HTTPS server that answers as TalentLMS's API:
one poll per period whatever the instances, learners who completed get their credential once,
the inbox is the cursor, instructors and unfinished learners are left out, a rate limit is
retried, a wrong key is not issued from."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.services.support import Clock, Tenant, make_services, make_tenant
from tests.services.talentlms_fake import FakeTalentLms
from vcengine.services import award_rules, integrations, lms_processing, talentlms_polling
from vcengine.services.context import Services
from vcengine.services.jobs import JobRunner
from vcengine.services.ports import CredentialFilter

pytestmark = pytest.mark.anyio
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
KEY = "talentlms-api-key-0123456789"


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
async def services(tmp_path: Path, clock: Clock) -> AsyncIterator[Services]:
    s = await make_services(tmp_path, clock=clock)
    yield s
    await s.close()
    await s.store.close()


@pytest.fixture
async def tenant(services: Services) -> Tenant:
    return await make_tenant(services)


@pytest.fixture
def lms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTalentLms]:
    with FakeTalentLms(tmp_path, KEY) as fake:
        monkeypatch.setenv("SSL_CERT_FILE", str(fake.cert))
        fake.courses = {
            "7": {
                "name": "Python 101",
                "users": [
                    {
                        "id": "1",
                        "name": "Ada L.",
                        "role": "learner",
                        "completion_percentage": "100",
                        "completed_on": "01/12/2026, 08:30:00",
                    },
                    {
                        "id": "2",
                        "name": "Alan T.",
                        "role": "learner",
                        "completion_percentage": "40",
                        "completed_on": "",
                    },
                    {
                        "id": "3",
                        "name": "Ins Tructor",
                        "role": "instructor",
                        "completion_percentage": "100",
                        "completed_on": "01/12/2026, 08:00:00",
                    },
                    {
                        "id": "4",
                        "name": "Grace H.",
                        "role": "learner",
                        "completion_percentage": "100",
                        "completed_on": "01/12/2026, 08:45:00",
                    },
                ],
            },
            "8": {
                "name": "Not awarded",
                "users": [{"id": "1", "role": "learner", "completion_percentage": "100"}],
            },
        }
        stamp = int(T0.timestamp()) - 1800
        fake.status = {
            ("7", "1"): {
                "completion_status": "Completed",
                "completed_on_timestamp": str(stamp),
                "score": "91",
            },
            ("7", "4"): {"completion_status": "Completed", "completed_on_timestamp": str(stamp + 900)},
        }
        fake.users = {
            "1": {"id": "1", "email": "ada@example.com", "first_name": "Ada", "last_name": "Lovelace"},
            "4": {"id": "4", "email": "grace@example.com", "first_name": "Grace", "last_name": "Hopper"},
        }
        yield fake


async def _integration(services: Services, tenant: Tenant, lms: FakeTalentLms, key: str = KEY) -> str:
    new = await integrations.create_integration(
        services,
        tenant.actor,
        "talentlms",
        "Our TalentLMS",
        settings={"siteUrl": lms.base, "pollMinutes": "15"},
        api_token=key,
    )
    rule = award_rules.AwardRuleInput(new.record.id, tenant.achievement_id, "course_completed", course_id="7")
    await award_rules.create_award_rule(services, tenant.actor, rule)
    return new.record.id


def _runner(services: Services, clock: Clock) -> JobRunner:
    kinds = [*talentlms_polling.job_kinds(services), *lms_processing.job_kinds(services)]
    return JobRunner(services.store, kinds, clock)


async def _drain(runner: JobRunner) -> None:
    while await runner.run_once():
        pass


async def _issued_emails(services: Services, tenant: Tenant) -> list[str]:
    page = await services.store.list_credentials(tenant.org_id, CredentialFilter(), None, 100)
    return sorted(str(c.recipient.get("email")) for c in page.items)


async def test_completions_are_polled_once_per_period_and_issued_once(
    services: Services, tenant: Tenant, clock: Clock, lms: FakeTalentLms
) -> None:
    integration_id = await _integration(services, tenant, lms)
    assert await talentlms_polling.schedule(services) == 1
    assert await talentlms_polling.schedule(services) == 0  # another instance, same period: no second poll
    runner = _runner(services, clock)
    await _drain(runner)
    assert await _issued_emails(services, tenant) == ["ada@example.com", "grace@example.com"]
    events = await services.store.list_integration_events(tenant.org_id, integration_id, None, None, 10)
    assert {e.source_event_id for e in events.items} == {
        "talentlms:course:7:user:1",
        "talentlms:course:7:user:4",
    }
    assert not any("course_id:8" in c or "id:3" in c or ",user_id:2" in c for c in lms.calls)
    # the next period: the inbox is the cursor, nothing is looked up again
    lms.calls.clear()
    clock.now += timedelta(minutes=15)
    assert await talentlms_polling.schedule(services) == 1
    await _drain(runner)
    assert lms.calls == ["/api/v1/courses/id:7"]
    assert await _issued_emails(services, tenant) == ["ada@example.com", "grace@example.com"]
    # a learner who completes later is found by the period after
    lms.courses["7"]["users"][1].update(completion_percentage="100", completed_on="01/12/2026, 09:20:00")
    lms.status[("7", "2")] = {
        "completion_status": "Completed",
        "completed_on_timestamp": str(int(clock.now.timestamp())),
    }
    lms.users["2"] = {"id": "2", "email": "alan@example.com", "first_name": "Alan", "last_name": "Turing"}
    clock.now += timedelta(minutes=15)
    await talentlms_polling.schedule(services)
    await _drain(runner)
    assert await _issued_emails(services, tenant) == [
        "ada@example.com",
        "alan@example.com",
        "grace@example.com",
    ]


async def test_a_rate_limit_is_retried_and_a_wrong_key_issues_nothing(
    services: Services, tenant: Tenant, clock: Clock, lms: FakeTalentLms
) -> None:
    await _integration(services, tenant, lms)
    lms.rate_limited = True
    await talentlms_polling.schedule(services)
    runner = _runner(services, clock)
    await _drain(runner)
    (poll,) = (await services.store.list_jobs(tenant.org_id, talentlms_polling.KIND, None, None, 50)).items
    assert poll.state == "pending" and "HTTP 429" in (poll.last_error or "")
    lms.rate_limited = False
    clock.now = poll.due_at
    await _drain(runner)
    assert await _issued_emails(services, tenant) == ["ada@example.com", "grace@example.com"]

    other = await make_tenant(services, "Other")
    await _integration(services, other, lms, key="a-wrong-key-0123456789")
    clock.now += timedelta(minutes=15)
    await talentlms_polling.schedule(services)
    await _drain(runner)
    assert await _issued_emails(services, other) == []


async def test_settings_are_checked(services: Services, tenant: Tenant, lms: FakeTalentLms) -> None:
    new = await integrations.create_integration(
        services,
        tenant.actor,
        "talentlms",
        "T",
        settings={"siteUrl": lms.base, "pollMinutes": "0"},
        api_token=KEY,
    )
    with pytest.raises(Exception, match="pollMinutes"):
        talentlms_polling.poll_period(new.record)
    assert await talentlms_polling.schedule(services) == 0  # refused settings: not polled, logged
