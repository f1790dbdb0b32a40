"""Receiving LMS events: authenticate, read, store in the inbox, then answer.

``receive`` is what an integration's webhook URL runs. Nothing is answered with success before
every event of the request is stored (``Store.add_integration_event``) together with the durable
job that processes it (``lms_processing``), in one write; a redelivery of an event (same
integration and source event id) is recognised by its derived id, stored once, and answered as
a duplicate. Where the store cannot write both at once (MongoDB here), a crash between them is
completed by the redelivery, which stores the job it finds missing.

Order of checks: the integration must exist (``NotFound``), the request must prove its sender
(``SignatureError``, over the raw bytes where the platform signs them), the body must be JSON
(``JsonError``) and one the platform sends (``InputError``). A signed Canvas event is checked
against the integration's key set (``lms_key_sets``; ``ResolutionError`` if it cannot be fetched),
fetched again once if the token names a key it lacks.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from vcengine.core.lms import platforms
from vcengine.core.lms.event import LearnerEvent
from vcengine.core.lms.platforms import canvas, canvas_jwt
from vcengine.errors import NotFound, SignatureError
from vcengine.services import lms_key_sets as key_sets
from vcengine.services.context import Services
from vcengine.services.integrations import integration_secret
from vcengine.services.jobs import new_job
from vcengine.services.ports import IntegrationEventRecord, IntegrationRecord

__all__ = ["JOB_KIND", "MAX_BODY_BYTES", "PAUSED", "Receipt", "accept", "event_id", "job_id", "receive"]

JOB_KIND = "lms.event"
PAUSED = "the integration is paused: resume it to process this event"
#: a webhook body larger than this is refused (413) before it is read further
MAX_BODY_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class Receipt:
    """What became of a request: the inbox ids of its events, which of them were new, and why
    there was nothing to store (``ignored``)."""

    event_ids: tuple[str, ...]
    new: tuple[bool, ...]
    ignored: str | None = None

    @property
    def status(self) -> str:
        if self.ignored is not None:
            return "ignored"
        return "accepted" if any(self.new) else "duplicate"


def event_id(integration_id: str, source_event_id: str) -> str:
    """The inbox id of an event: the same for every redelivery of it."""
    digest = hashlib.sha256(f"{integration_id}\n{source_event_id}".encode()).hexdigest()
    return f"lmsev_{digest[:40]}"


def job_id(inbox_id: str) -> str:
    return f"job_{inbox_id}"


def _read(
    services: Services,
    platform: str,
    secret: str,
    headers: Mapping[str, str],
    query: Mapping[str, str],
    body: bytes,
    jwks: Mapping[str, Any] | None,
) -> platforms.Delivery:
    now = services.now()
    return platforms.receive(platform, secret, headers, query, body, now, max_bytes=MAX_BODY_BYTES, jwks=jwks)


async def receive(
    services: Services,
    integration_id: str,
    headers: Mapping[str, str],
    query: Mapping[str, str],
    body: bytes,
) -> Receipt:
    """Store the events of one webhook request (see the module docstring)."""
    integration = await services.store.find_integration(integration_id)
    if integration is None:
        raise NotFound(f"no integration {integration_id}")
    secret = integration_secret(services, integration)
    jwks = None
    if integration.platform == "canvas" and canvas_jwt.looks_signed(body):
        canvas.authenticate_url_token(secret, query)  # before anything is fetched for the request
        jwks = await key_sets.key_set(services, integration)
    try:
        delivery = _read(services, integration.platform, secret, headers, query, body, jwks)
    except canvas_jwt.KeyNotInSet:  # the keys rotated since they were fetched: fetch them again, once
        jwks = await key_sets.key_set(services, integration, refresh=True)
        try:
            delivery = _read(services, integration.platform, secret, headers, query, body, jwks)
        except canvas_jwt.KeyNotInSet as exc:
            raise SignatureError(exc.message) from None
    if not delivery.events:
        return Receipt((), (), delivery.ignored or "the delivery carries no learner event")
    return await accept(services, integration, delivery.events, delivery.raw)


async def accept(
    services: Services,
    integration: IntegrationRecord,
    events: Sequence[LearnerEvent],
    raw: Mapping[str, Any],
) -> Receipt:
    """Store ``events`` of ``integration`` in its inbox, each with the job that processes it, in
    one write each; an event stored already (same source event id) is not stored again. Used by
    the webhook receiver and by pollers (TalentLMS)."""
    ids, new = [], []
    now = services.now()
    for event in events:
        inbox_id = event_id(integration.id, event.source_id)
        record = IntegrationEventRecord(
            id=inbox_id,
            org_id=integration.org_id,
            integration_id=integration.id,
            source_event_id=event.source_id,
            received_at=now,
            event=event.json,
            raw=raw,
            reason=PAUSED if integration.paused else None,
        )
        job = new_job(job_id(inbox_id), integration.org_id, JOB_KIND, {"eventId": inbox_id}, now)
        if integration.paused:  # kept waiting, as processing would leave it: resuming queues it
            job = replace(job, state="done", finished_at=now, result={"outcome": "pending", "reason": PAUSED})
        new.append(await services.store.add_integration_event(record, job))
        ids.append(inbox_id)
    if not integration.paused:
        services.wake_jobs()
    return Receipt(tuple(ids), tuple(new))
