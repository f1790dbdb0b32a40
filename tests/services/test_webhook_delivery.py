"""Webhook deliveries over the real SQLite store and a real receiver: what a delivery job holds,
the address check at delivery time, failures counted against the endpoint until it is disabled,
and every organization kept to its own endpoints and deliveries."""

from __future__ import annotations

import json
import random
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.api.webhook_receiver import Receiver
from tests.services.support import Clock, Tenant, make_services, make_tenant
from vcengine.errors import InputError, NotFound, PermissionDenied, SecretError
from vcengine.services import event_log, issuing, status_changes, webhook_delivery, webhook_endpoints
from vcengine.services.context import Actor, Services
from vcengine.services.issuing import IssueRequest, RecipientInput
from vcengine.services.jobs import GiveUp, JobRunner, RetryLater
from vcengine.services.keystore import unseal_secret
from vcengine.services.ports import EventRecord, JobRecord

pytestmark = pytest.mark.anyio
T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
async def services(tmp_path: Path, clock: Clock) -> AsyncIterator[Services]:
    s = await make_services(tmp_path, clock=clock, allow_loopback_webhooks=True)
    yield s
    await s.close()
    await s.store.close()


@pytest.fixture
async def tenant(services: Services) -> Tenant:
    return await make_tenant(services)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    yield r
    r.stop()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens once the socket is closed


async def issue(services: Services, tenant: Tenant, key: str | None = None) -> str:
    request = IssueRequest(
        tenant.achievement_id, RecipientInput(email="ada@example.com", name="Ada"), idempotency_key=key
    )
    return (await issuing.issue_credential(services, tenant.actor, request)).record.id


async def jobs_of(services: Services, tenant: Tenant, endpoint_id: str) -> list[JobRecord]:
    return list((await services.store.list_webhook_deliveries(tenant.org_id, endpoint_id, None, 100)).items)


async def claim(services: Services) -> JobRecord:
    (job,) = await services.store.claim_jobs(
        [webhook_delivery.KIND], services.now(), T0 + timedelta(days=9), 1
    )
    return job


async def test_the_secret_is_sealed_at_rest_and_bound_to_its_endpoint(
    services: Services, tenant: Tenant
) -> None:
    new = await webhook_endpoints.create_endpoint(
        services, tenant.actor, "https://hooks.example.com/a", ["credential.issued"]
    )
    stored = await services.store.get_webhook_endpoint(tenant.org_id, new.endpoint.id)
    assert stored is not None and new.secret.encode() not in stored.sealed_secret
    assert new.secret[len("whsec_") :].encode() not in stored.sealed_secret
    assert "sealed_secret" not in repr(stored)
    assert webhook_endpoints.endpoint_secret(services, stored) == new.secret
    with pytest.raises(SecretError):
        unseal_secret(stored.sealed_secret, services.master_key, purpose="webhook", aad="another-endpoint")


async def test_an_issued_credential_makes_one_delivery_per_subscribed_endpoint(
    services: Services, tenant: Tenant
) -> None:
    actor = tenant.actor
    issued = await webhook_endpoints.create_endpoint(
        services, actor, "https://a.example/h", ["credential.issued"]
    )
    revoked = await webhook_endpoints.create_endpoint(
        services, actor, "https://b.example/h", ["credential.revoked"]
    )
    off = await webhook_endpoints.create_endpoint(
        services, actor, "https://c.example/h", ["credential.issued"]
    )
    await webhook_endpoints.set_enabled(services, actor, off.endpoint.id, False)
    credential_id = await issue(services, tenant, key="once")
    await issue(services, tenant, key="once")  # the same credential again: no second delivery
    (job,) = await jobs_of(services, tenant, issued.endpoint.id)
    assert await jobs_of(services, tenant, revoked.endpoint.id) == []
    assert await jobs_of(services, tenant, off.endpoint.id) == []
    assert job.queue == f"webhook:{issued.endpoint.id}" and job.payload["type"] == "credential.issued"
    assert f'"credentialId":"{credential_id}"' in job.payload["body"]
    await status_changes.change_status(services, actor, [credential_id], "revoke")
    (revocation,) = await jobs_of(services, tenant, revoked.endpoint.id)
    assert revocation.payload["type"] == "credential.revoked"


async def test_the_resolved_address_is_checked_at_delivery(services: Services, tenant: Tenant) -> None:
    """A name that resolves to loopback (here ``localhost``, stored as if it once resolved elsewhere)
    is refused when the delivery connects, outside dev mode."""
    new = await webhook_endpoints.create_endpoint(
        services, tenant.actor, f"http://localhost:{closed_port()}/h", ["credential.issued"]
    )
    await issue(services, tenant)
    services.allow_loopback_webhooks = False
    job = await claim(services)
    with pytest.raises(RetryLater, match=r"127\.0\.0\.1|::1"):
        await webhook_delivery.deliver(services, job)
    (attempt,) = await services.store.list_webhook_attempts(tenant.org_id, [job.id])
    assert attempt.status_code is None and attempt.endpoint_id == new.endpoint.id
    assert attempt.error is not None and "loopback" in attempt.error


async def test_an_endpoint_failing_for_three_days_is_disabled(
    services: Services, tenant: Tenant, clock: Clock
) -> None:
    new = await webhook_endpoints.create_endpoint(
        services, tenant.actor, f"http://127.0.0.1:{closed_port()}/h", ["credential.issued"]
    )
    await issue(services, tenant)
    await issue(services, tenant)
    first = await claim(services)
    with pytest.raises(RetryLater):
        await webhook_delivery.deliver(services, first)
    endpoint = await services.store.get_webhook_endpoint(tenant.org_id, new.endpoint.id)
    assert endpoint is not None and endpoint.failing_since == T0 and endpoint.disabled_at is None
    clock.now = T0 + timedelta(days=2)
    with pytest.raises(RetryLater):
        await webhook_delivery.deliver(services, replace(first, attempts=2))
    clock.now = T0 + timedelta(days=3, seconds=1)
    with pytest.raises(GiveUp, match="the endpoint is disabled"):
        await webhook_delivery.deliver(services, replace(first, attempts=3))
    endpoint = await services.store.get_webhook_endpoint(tenant.org_id, new.endpoint.id)
    assert endpoint is not None and endpoint.disabled_at == clock.now
    assert endpoint.disabled_reason is not None and "every delivery failed since" in endpoint.disabled_reason
    second = next(j for j in await jobs_of(services, tenant, new.endpoint.id) if j.id != first.id)
    with pytest.raises(GiveUp, match="disabled"):
        await webhook_delivery.deliver(services, second)
    attempts = await services.store.list_webhook_attempts(tenant.org_id, [first.id, second.id])
    assert [a.attempt for a in attempts] == [1, 2, 3]  # a skipped delivery is no attempt
    enabled = await webhook_endpoints.set_enabled(services, tenant.actor, new.endpoint.id, True)
    assert enabled.failing_since is None and enabled.disabled_at is None


async def test_410_gone_disables_the_endpoint_and_a_success_clears_failures(
    services: Services, tenant: Tenant, receiver: Receiver, clock: Clock
) -> None:
    clock.now = datetime.now(UTC)  # the receiver checks the signed timestamp against its clock
    new = await webhook_endpoints.create_endpoint(services, tenant.actor, receiver.url, ["credential.issued"])
    receiver.secret = new.secret
    receiver.answers = [503, 200, 410]
    for _ in range(2):
        await issue(services, tenant)
    first = await claim(services)
    with pytest.raises(RetryLater, match="HTTP 503"):
        await webhook_delivery.deliver(services, first)
    assert (await webhook_delivery.deliver(services, replace(first, attempts=2)))["statusCode"] == 200
    endpoint = await services.store.get_webhook_endpoint(tenant.org_id, new.endpoint.id)
    assert endpoint is not None and endpoint.failing_since is None
    await services.store.finish_job(first.id, 1, services.now(), None)
    second = await claim(services)
    with pytest.raises(GiveUp, match="disabled"):
        await webhook_delivery.deliver(services, second)
    endpoint = await services.store.get_webhook_endpoint(tenant.org_id, new.endpoint.id)
    assert endpoint is not None and endpoint.disabled_reason == "the endpoint answered 410 Gone"
    assert [d.error for d in receiver.received] == [None, None, None]


async def test_every_use_case_is_scoped_to_the_caller_organization(
    services: Services, tenant: Tenant
) -> None:
    other = await make_tenant(services, "Other")
    new = await webhook_endpoints.create_endpoint(
        services, tenant.actor, "https://hooks.example.com/a", ["credential.issued"]
    )
    endpoint_id = new.endpoint.id
    await issue(services, tenant)
    (job,) = await jobs_of(services, tenant, endpoint_id)
    assert await webhook_endpoints.list_endpoints(services, other.actor) == []
    for attempt in (
        webhook_endpoints.get_endpoint(services, other.actor, endpoint_id),
        webhook_endpoints.update_endpoint(services, other.actor, endpoint_id, description="mine"),
        webhook_endpoints.set_enabled(services, other.actor, endpoint_id, False),
        webhook_endpoints.rotate_secret(services, other.actor, endpoint_id),
        webhook_endpoints.delete_endpoint(services, other.actor, endpoint_id),
        webhook_delivery.deliveries(services, other.actor, endpoint_id, None, 10),
        webhook_delivery.replay(services, other.actor, job.id),
    ):
        with pytest.raises(NotFound):
            await attempt
    await issue(services, other)  # the other organization's events go to none of these endpoints
    assert [j.id for j in await jobs_of(services, tenant, endpoint_id)] == [job.id]
    reader = Actor(tenant.org_id, frozenset({"read", "issue", "revoke"}))
    with pytest.raises(PermissionDenied):
        await webhook_endpoints.list_endpoints(services, reader)


async def test_bad_input_is_refused_with_a_clear_error(services: Services, tenant: Tenant) -> None:
    actor = tenant.actor
    with pytest.raises(InputError, match="longer than 2048"):
        await webhook_endpoints.create_endpoint(
            services, actor, "https://a.example/" + "x" * 3000, ["credential.issued"]
        )
    with pytest.raises(InputError, match=r"unknown event type 'credential\.exploded'"):
        await webhook_endpoints.create_endpoint(
            services, actor, "https://a.example/", ["credential.exploded"]
        )
    with pytest.raises(InputError, match="at most 500"):
        await webhook_endpoints.create_endpoint(
            services, actor, "https://a.example/", ["credential.issued"], "d" * 501
        )
    for _ in range(webhook_endpoints.MAX_ENDPOINTS):
        await webhook_endpoints.create_endpoint(services, actor, "https://a.example/", ["credential.issued"])
    with pytest.raises(InputError, match="at most 50 webhook endpoints"):
        await webhook_endpoints.create_endpoint(services, actor, "https://a.example/", ["credential.issued"])


# --- driven by the real job runner, with the clock moved to each retry ----------------------------


async def _run_until_settled(
    services: Services, runner: JobRunner, clock: Clock, org_id: str, delivery_id: str
) -> JobRecord:
    """Run the runner, moving the clock to each retry, until ``delivery_id`` is done or failed."""
    for _ in range(300):
        await runner.run_once()
        job = await services.store.get_job(org_id, delivery_id)
        assert job is not None
        if job.state in ("done", "failed"):
            return job
        clock.now = max(clock.now, job.due_at)
    raise AssertionError("the delivery never settled")


async def test_a_dead_endpoint_is_retried_for_three_days_then_disabled_by_the_runner(
    services: Services, tenant: Tenant, clock: Clock, receiver: Receiver
) -> None:
    created = await webhook_endpoints.create_endpoint(
        services, tenant.actor, f"http://127.0.0.1:{closed_port()}/hook", ["credential.issued"]
    )
    await issue(services, tenant)
    (job,) = await jobs_of(services, tenant, created.endpoint.id)
    runner = JobRunner(services.store, webhook_delivery.job_kinds(services), clock, rng=random.Random(7))
    settled = await _run_until_settled(services, runner, clock, tenant.org_id, job.id)
    endpoint = await services.store.get_webhook_endpoint(tenant.org_id, created.endpoint.id)
    assert endpoint is not None and endpoint.disabled_at is not None, endpoint
    assert settled.state == "failed" and "disabled" in (settled.last_error or "")
    assert clock.now - T0 >= webhook_delivery.DISABLE_AFTER  # it was tried for the whole window
    assert settled.attempts > 10
    # enabling clears the failure streak: a failure a month later is the first of a new streak
    await webhook_endpoints.set_enabled(services, tenant.actor, created.endpoint.id, True)
    await webhook_endpoints.update_endpoint(services, tenant.actor, created.endpoint.id, url=receiver.url)
    receiver.secret = (
        await webhook_endpoints.rotate_secret(services, tenant.actor, created.endpoint.id)
    ).secret
    receiver.answers = [502]
    clock.now += timedelta(days=30)
    await issue(services, tenant)
    newest = (await jobs_of(services, tenant, created.endpoint.id))[-1]
    delivered = await _run_until_settled(services, runner, clock, tenant.org_id, newest.id)
    assert delivered.state == "done" and delivered.attempts == 2  # one blip, then delivered
    endpoint = await services.store.get_webhook_endpoint(tenant.org_id, created.endpoint.id)
    assert endpoint is not None and endpoint.disabled_at is None and endpoint.failing_since is None
    assert [d.status for d in receiver.received] == [502, 200]


async def test_a_replayed_delivery_waits_behind_newer_unfinished_ones(
    services: Services, tenant: Tenant, clock: Clock, receiver: Receiver
) -> None:
    created = await webhook_endpoints.create_endpoint(
        services, tenant.actor, receiver.url, ["credential.issued"]
    )
    receiver.secret = created.secret
    await issue(services, tenant)
    runner = JobRunner(services.store, webhook_delivery.job_kinds(services), clock, rng=random.Random(3))
    await runner.run_once()
    (first,) = await jobs_of(services, tenant, created.endpoint.id)
    assert first.state == "done"
    receiver.answers = [500]
    clock.now += timedelta(minutes=1)
    await issue(services, tenant)
    second = (await jobs_of(services, tenant, created.endpoint.id))[-1]
    await runner.run_once()  # the newer delivery fails once and waits for its retry
    assert (await services.store.get_job(tenant.org_id, second.id)).state == "pending"  # type: ignore[union-attr]
    clock.now += timedelta(seconds=1)
    replayed = await webhook_delivery.replay(services, tenant.actor, first.id)
    assert replayed.created_at == clock.now  # it joins the end of the endpoint's queue
    claimed = await services.store.claim_jobs(
        [webhook_delivery.KIND], clock.now, clock.now + timedelta(minutes=1), 10
    )
    assert claimed == []  # neither runs: the newer one is not due, the replay waits behind it


async def test_bulk_issuance_makes_one_delivery_per_credential_in_order(
    services: Services, tenant: Tenant
) -> None:
    new = await webhook_endpoints.create_endpoint(
        services, tenant.actor, "https://hooks.example.com/bulk", ["credential.issued"]
    )
    requests = [
        IssueRequest(tenant.achievement_id, RecipientInput(email=f"learner{i}@example.com")) for i in range(5)
    ]
    results = await issuing.bulk_issue(services, tenant.actor, requests)
    jobs = await jobs_of(services, tenant, new.endpoint.id)
    issued_ids = {r.issued.record.id for r in results if r.issued is not None}
    assert (
        len(jobs) == 5 and {json.loads(j.payload["body"])["data"]["credentialId"] for j in jobs} == issued_ids
    )
    assert all(j.queue == f"webhook:{new.endpoint.id}" for j in jobs)


async def test_an_event_stored_on_its_own_is_delivered_signed(
    services: Services, tenant: Tenant, receiver: Receiver, clock: Clock
) -> None:
    """A ``claimed`` event, as the claim page stores it, reaches an endpoint as ``credential.claimed``."""
    clock.now = datetime.now(UTC)
    new = await webhook_endpoints.create_endpoint(
        services, tenant.actor, receiver.url, ["credential.claimed"]
    )
    receiver.secret = new.secret
    credential_id = await issue(services, tenant)  # not subscribed: no delivery
    claimed = EventRecord(services.new_id(), tenant.org_id, "claimed", credential_id, services.now(), {})
    await event_log.record(services, claimed)
    result = await webhook_delivery.deliver(services, await claim(services))
    assert result == {"outcome": "delivered", "statusCode": 200}
    (received,) = receiver.received
    assert received.error is None and received.headers["webhook-id"] == claimed.id
    assert received.payload["type"] == "credential.claimed"
    assert received.payload["data"]["credentialId"] == credential_id
