"""Webhook deliveries: one durable job per (event, subscribed endpoint), sent by any instance.

``deliveries_for`` turns stored events into delivery jobs (``deliveries_of_each`` keeps them apart
per event, for a batch); the use case that records an event passes them to the store in the same
write (``insert_credential(jobs=…)`` or ``insert_credentials``, a status transition's
``jobs``, ``add_event(jobs=…)`` through ``event_log.record``), so a delivery exists exactly when its
event does. Each job is queued on its endpoint
(``webhook_queue``): one delivery at a time per endpoint, in the order the events happened.

A delivery POSTs the JSON body fixed when the job was made, signed per Standard Webhooks with
the endpoint's secret (``webhook-id`` is the event id, the same on every retry and replay, so a
receiver can drop duplicates). A 2xx answer is a success; anything else, or no answer, is
retried with exponential backoff (5 s doubling, at most 10 h apart). Every attempt is recorded
(status, duration, error). The retry window belongs to the endpoint, not to one delivery: the
endpoint's ``failing_since`` marks its first failure since its last success, and retries go on
(at most 10 h apart, so the failure is continuous) until a delivery succeeds or the endpoint has
failed for three days, when it is disabled; a 410 Gone disables it at once. A delivery waiting in
the queue behind a failing one therefore loses none of its own chances. Deliveries to a disabled
or deleted endpoint fail at once (``replayWebhookDelivery`` sends one again after the endpoint is
enabled, which clears ``failing_since``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from vcengine.core.webhook_events import webhook_type_of
from vcengine.core.webhook_signature import signed_headers
from vcengine.errors import InputError, NotFound, SecretError
from vcengine.services.context import Actor, Services
from vcengine.services.jobs import GiveUp, JobKind, RetryLater, exponential_backoff, new_job
from vcengine.services.ports import (
    EventRecord,
    JobRecord,
    Page,
    WebhookAttemptRecord,
    WebhookEndpointRecord,
    webhook_queue,
)
from vcengine.services.webhook_endpoints import get_endpoint, signing_secrets
from vcengine.webhook_http import DeliveryFailed, post

__all__ = [
    "DISABLE_AFTER",
    "KIND",
    "deliver",
    "deliveries",
    "deliveries_for",
    "deliveries_of_each",
    "job_kinds",
    "replay",
]

KIND = "webhook.deliver"
#: how long an endpoint may fail every delivery before it is disabled, and a delivery retried
DISABLE_AFTER = timedelta(days=3)
BACKOFF = exponential_backoff(base=timedelta(seconds=5), cap=timedelta(hours=10))
TIMEOUT_S = 15.0
MAX_ERROR = 300


def _body(services: Services, webhook_type: str, event: EventRecord) -> str:
    data: dict[str, Any] = dict(event.data)
    if event.credential_id is not None:
        data["credentialId"] = event.credential_id
        data["credentialUrl"] = f"{services.base_url}/credentials/{event.credential_id}"
    body = {"type": webhook_type, "timestamp": event.at.isoformat(), "data": data}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


async def deliveries_for(services: Services, org_id: str, events: Sequence[EventRecord]) -> list[JobRecord]:
    """The delivery jobs of ``events`` (all of ``org_id``): one per enabled endpoint subscribed."""
    return [job for jobs in await deliveries_of_each(services, org_id, events) for job in jobs]


async def deliveries_of_each(
    services: Services, org_id: str, events: Sequence[EventRecord]
) -> list[list[JobRecord]]:
    """``deliveries_for`` each of ``events`` apart, in order, reading the endpoints once: so a
    batch of credentials is stored with each one's own deliveries."""
    typed = [(webhook_type_of(e.type), e) for e in events]
    if not any(t for t, _ in typed):
        return [[] for _ in events]
    endpoints = [e for e in await services.store.list_webhook_endpoints(org_id) if e.disabled_at is None]
    now = services.now()
    return [
        [
            _delivery(services, org_id, endpoint, webhook_type, event, now)
            for endpoint in endpoints
            if webhook_type is not None and webhook_type in endpoint.events
        ]
        for webhook_type, event in typed
    ]


def _delivery(
    services: Services,
    org_id: str,
    endpoint: WebhookEndpointRecord,
    webhook_type: str,
    event: EventRecord,
    now: datetime,
) -> JobRecord:
    payload = {
        "endpointId": endpoint.id,
        "eventId": event.id,
        "type": webhook_type,
        "body": _body(services, webhook_type, event),
    }
    job_id = f"whd_{event.id}_{endpoint.id}"
    return new_job(job_id, org_id, KIND, payload, now, queue=webhook_queue(endpoint.id))


async def deliver(services: Services, job: JobRecord) -> Mapping[str, Any]:
    """The handler of a delivery job: one attempt, recorded."""
    payload = job.payload
    endpoint = await services.store.get_webhook_endpoint(job.org_id, payload["endpointId"])
    if endpoint is None:
        raise GiveUp("the endpoint was deleted", result={"outcome": "skipped"})
    if endpoint.disabled_at is not None:
        raise GiveUp("the endpoint is disabled", result={"outcome": "skipped"})
    try:
        secrets = signing_secrets(services, endpoint)
    except SecretError as exc:
        raise GiveUp(exc.message) from None
    body = payload["body"].encode("utf-8")
    headers = signed_headers(secrets, payload["eventId"], int(services.now().timestamp()), body)
    started, status, error = time.monotonic(), None, None
    try:
        status = await post(
            endpoint.url, headers, body, timeout=TIMEOUT_S, allow_loopback=services.allow_loopback_webhooks
        )
    except InputError as exc:  # the host now resolves to an address webhooks never go to
        error = exc.message
    except DeliveryFailed as exc:
        error = str(exc)[:MAX_ERROR]
    duration_ms = round((time.monotonic() - started) * 1000)
    await _record(services, job, endpoint, status, error, duration_ms)
    if status is not None and 200 <= status < 300:
        if endpoint.failing_since is not None:
            await services.store.update_webhook_endpoint(job.org_id, endpoint.id, {"failing_since": None})
        return {"outcome": "delivered", "statusCode": status}
    why = error or f"the endpoint answered HTTP {status}"
    await _failed(services, endpoint, status, why)
    raise RetryLater(why)


async def _record(
    services: Services,
    job: JobRecord,
    endpoint: WebhookEndpointRecord,
    status: int | None,
    error: str | None,
    duration_ms: int,
) -> None:
    attempt = WebhookAttemptRecord(
        id=f"{job.id}:{job.attempts}",
        org_id=job.org_id,
        endpoint_id=endpoint.id,
        delivery_id=job.id,
        attempt=job.attempts,
        at=services.now(),
        duration_ms=duration_ms,
        status_code=status,
        error=error,
    )
    await services.store.add_webhook_attempt(attempt)


async def _failed(services: Services, endpoint: WebhookEndpointRecord, status: int | None, why: str) -> None:
    """Count a failure against the endpoint; disable it after ``DISABLE_AFTER`` of them, or a 410."""
    now = services.now()
    store = services.store
    if status == 410:
        reason = "the endpoint answered 410 Gone"
    elif endpoint.failing_since is not None and now - endpoint.failing_since >= DISABLE_AFTER:
        reason = f"every delivery failed since {endpoint.failing_since.isoformat()} (last: {why})"
    else:
        if endpoint.failing_since is None:
            await store.update_webhook_endpoint(endpoint.org_id, endpoint.id, {"failing_since": now})
        return
    changes = {"disabled_at": now, "disabled_reason": reason[:MAX_ERROR]}
    await store.update_webhook_endpoint(endpoint.org_id, endpoint.id, changes)
    raise GiveUp(f"{why}; the endpoint is disabled")


async def deliveries(
    services: Services, actor: Actor, endpoint_id: str, after: str | None, limit: int
) -> Page:
    """The endpoint's deliveries (jobs), oldest first (needs ``admin``)."""
    await get_endpoint(services, actor, endpoint_id)
    return await services.store.list_webhook_deliveries(actor.org_id, endpoint_id, after, limit)


async def replay(services: Services, actor: Actor, delivery_id: str) -> JobRecord:
    """Send a finished delivery again, soon (needs ``admin``): same body, same ``webhook-id``."""
    actor.require("admin")
    job = await services.store.get_job(actor.org_id, delivery_id)
    if job is None or job.kind != KIND:
        raise NotFound("no such webhook delivery", path="id")
    again = await services.store.requeue_job(actor.org_id, delivery_id, services.now())
    if again is None:
        raise InputError("the delivery is still being sent: replay it once it is finished", path="id")
    services.wake_jobs()
    return again


def job_kinds(services: Services) -> list[JobKind]:
    async def handle(job: JobRecord) -> Mapping[str, Any]:
        return await deliver(services, job)

    return [
        JobKind(
            KIND,
            handle,
            # the endpoint's three days decide (``_failed``); the runner's own limits are only a
            # backstop: 100 attempts at jittered backoff take far longer than three days
            max_attempts=100,
            backoff=BACKOFF,
            lease=timedelta(seconds=60),
            give_up_after=None,
        )
    ]
