"""The email job handler with a pinned clock and a real SMTP server (aiosmtpd): reminders before
validUntil, bulk items, badges that stopped counting, and a job run again never mailing twice."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.services.support import Clock, Tenant, make_services, make_tenant
from tests.smtp_server import Inbox, smtp_server
from vcengine.services import issuing, status_changes
from vcengine.services.context import Services
from vcengine.services.delivery import DeliverySettings, delivery_job_ids
from vcengine.services.email_delivery import job_kinds
from vcengine.services.jobs import JobRunner
from vcengine.services.smtp import parse_smtp_url

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_server() as box:
        yield box


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def mailer(
    tmp_path: Path, inbox: Inbox, clock: Clock
) -> AsyncIterator[tuple[Services, Tenant, JobRunner]]:
    settings = DeliverySettings(smtp=parse_smtp_url(inbox.url), sender="b@acme.example", reminder_days=7)
    services = await make_services(tmp_path, clock=clock, delivery=settings)
    tenant = await make_tenant(services)
    runner = JobRunner(services.store, job_kinds(services), clock)
    try:
        yield services, tenant, runner
    finally:
        await services.close()
        await services.store.close()


def request(tenant: Tenant, email: str, **kw: object) -> issuing.IssueRequest:
    return issuing.IssueRequest(tenant.achievement_id, issuing.RecipientInput(email=email, name="Ada"), **kw)  # type: ignore[arg-type]


async def test_a_reminder_goes_out_the_set_days_before_valid_until(
    mailer: tuple[Services, Tenant, JobRunner], inbox: Inbox, clock: Clock
) -> None:
    services, tenant, runner = mailer
    until = clock.now + timedelta(days=10)
    issued = await issuing.issue_credential(
        services, tenant.actor, request(tenant, "r@example.com", valid_until=until)
    )
    assert await runner.run_once() == 1  # the email; the reminder is not due
    assert [m["Subject"] for m in inbox.messages] == ["Ada, you earned Python basics"]
    assert inbox.messages[0]["From"] == "Org issuer <b@acme.example>"  # the issuer's name, our address
    clock.now += timedelta(days=2, hours=23)
    assert await runner.run_once() == 0
    clock.now += timedelta(hours=1, seconds=1)
    assert await runner.run_once() == 1
    reminder = inbox.messages[-1]
    assert reminder["Subject"] == f"Reminder: Python basics expires on {until.strftime('%-d %B %Y')}"
    assert reminder["Message-ID"] != inbox.messages[0]["Message-ID"]
    text = reminder.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"Your badge Python basics from Org issuer expires on {until.strftime('%-d %B %Y')}." in text
    assert "has awarded you" not in text
    _, reminder_id = delivery_job_ids(issued.record.id)
    assert (await services.store.get_job(tenant.org_id, reminder_id)).result["outcome"] == "sent"  # type: ignore[union-attr]
    assert await services.store.count_events(tenant.org_id, "delivered") == 2


async def test_no_reminder_for_a_credential_that_expires_too_soon_or_never(
    mailer: tuple[Services, Tenant, JobRunner], clock: Clock
) -> None:
    services, tenant, _ = mailer
    for until in (clock.now + timedelta(days=3), None):
        issued = await issuing.issue_credential(
            services, tenant.actor, request(tenant, "s@example.com", valid_until=until)
        )
        _, reminder_id = delivery_job_ids(issued.record.id)
        assert await services.store.get_job(tenant.org_id, reminder_id) is None


async def test_a_badge_revoked_before_its_email_is_not_mailed(
    mailer: tuple[Services, Tenant, JobRunner], inbox: Inbox
) -> None:
    services, tenant, runner = mailer
    issued = await issuing.issue_credential(services, tenant.actor, request(tenant, "gone@example.com"))
    await status_changes.change_status(services, tenant.actor, [issued.record.id], "revoke")
    assert await runner.run_once() == 1
    assert inbox.messages == []
    (attempt,) = await services.store.list_delivery_attempts(tenant.org_id, issued.record.id)
    assert attempt.outcome == "skipped" and attempt.detail == "the credential is revoked"


async def test_a_job_run_again_after_its_send_does_not_mail_twice(
    mailer: tuple[Services, Tenant, JobRunner], inbox: Inbox, clock: Clock
) -> None:
    services, tenant, runner = mailer
    issued = await issuing.issue_credential(services, tenant.actor, request(tenant, "once@example.com"))
    assert await runner.run_once() == 1
    email_id, _ = delivery_job_ids(issued.record.id)
    # as if the instance died after the send and before it settled the job: it runs again
    assert await services.store.requeue_job(tenant.org_id, email_id, clock.now) is not None
    assert await runner.run_once() == 1
    assert len(inbox.messages) == 1
    job = await services.store.get_job(tenant.org_id, email_id)
    assert job is not None and job.state == "done" and job.attempts == 2
    attempts = await services.store.list_delivery_attempts(tenant.org_id, issued.record.id)
    assert [a.outcome for a in attempts] == ["sent"]


async def test_bulk_items_choose_their_delivery(
    mailer: tuple[Services, Tenant, JobRunner], inbox: Inbox
) -> None:
    services, tenant, runner = mailer
    items = [
        request(tenant, f"bulk{i}@example.com", delivery=d) for i, d in enumerate(["EMAIL", "NONE", None])
    ]
    results = await issuing.bulk_issue(services, tenant.actor, items)
    assert all(r.issued for r in results)
    assert await runner.run_once() == 2
    assert sorted(m["To"].addresses[0].addr_spec for m in inbox.messages) == [
        "bulk0@example.com",
        "bulk2@example.com",
    ]
