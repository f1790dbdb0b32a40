"""Credentials expire at their validUntil: a job stored with the credential stores one ``expired``
event then (with its webhook deliveries), once however often it runs; revoked ones do not."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.services.support import Clock, Tenant, make_services, make_tenant
from vcengine.services import credential_expiry, issuing, status_changes, webhook_endpoints
from vcengine.services.context import Services
from vcengine.services.issuing import IssueRequest, RecipientInput
from vcengine.services.ports import AnalyticsFilter

pytestmark = pytest.mark.anyio
T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


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


async def issue(services: Services, tenant: Tenant, valid_until: datetime | None) -> str:
    request = IssueRequest(
        tenant.achievement_id, RecipientInput(email="ada@example.com"), valid_until=valid_until
    )
    return (await issuing.issue_credential(services, tenant.actor, request)).record.id


async def test_an_expiring_credential_gets_one_expired_event_at_its_valid_until(
    services: Services, tenant: Tenant, clock: Clock
) -> None:
    hook = await webhook_endpoints.create_endpoint(
        services, tenant.actor, "https://hooks.example.com/x", ["credential.expired"]
    )
    until = T0 + timedelta(hours=1)
    credential_id = await issue(services, tenant, until)
    await issue(services, tenant, None)  # never expires: no job
    kinds = [credential_expiry.KIND]
    assert (
        await services.store.claim_jobs(kinds, T0 + timedelta(minutes=59), T0 + timedelta(hours=2), 10) == []
    )
    clock.now = until + timedelta(seconds=1)
    (job,) = await services.store.claim_jobs(kinds, clock.now, clock.now + timedelta(minutes=2), 10)
    assert job.id == f"expire:{credential_id}" and job.due_at == until
    first = await credential_expiry.expire(services, job)
    again = await credential_expiry.expire(services, replace(job, attempts=2))  # a lost lease: run twice
    assert first["outcome"] == again["outcome"] == "expired" and again["again"]
    assert await services.store.count_events(tenant.org_id, "expired") == 1
    (delivery,) = (
        await services.store.list_webhook_deliveries(tenant.org_id, hook.endpoint.id, None, 10)
    ).items
    assert delivery.payload["type"] == "credential.expired"
    assert f'"validUntil":"{until.isoformat()}"' in delivery.payload["body"]
    day = AnalyticsFilter(date(2026, 12, 1), date(2026, 12, 1))
    counts = {c.type: c.count for c in await services.store.daily_event_counts(tenant.org_id, day)}
    assert counts == {"issued": 2, "expired": 1}


async def test_a_revoked_credential_does_not_expire(services: Services, tenant: Tenant, clock: Clock) -> None:
    until = T0 + timedelta(days=30)
    credential_id = await issue(services, tenant, until)
    await status_changes.change_status(services, tenant.actor, [credential_id], "revoke")
    clock.now = until
    (job,) = await services.store.claim_jobs(
        [credential_expiry.KIND], until, until + timedelta(minutes=2), 10
    )
    assert await credential_expiry.expire(services, job) == {"outcome": "skipped", "reason": "revoked"}
    assert await services.store.count_events(tenant.org_id, "expired") == 0
