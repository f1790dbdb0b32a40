"""Processing received LMS events: the durable job that turns an inbox entry into credentials.

For each event, the integration's award rules that it meets (``core.lms.rules``; module rules
first record the module in the learner's progress) each issue their achievement to the learner,
through ``issuing.issue_credential`` with an idempotency key derived from (rule, learner email):
exactly one credential per rule and learner, whichever event, instance or retry gets there first
and however often the event is replayed.

The outcome is recorded on the inbox entry: ``issued`` (with the credentials), ``duplicate``
(every matching rule had issued already), ``no_rule`` (none matches, or module progress is not
complete yet), ``rejected`` (the integration is gone, or the learner cannot be identified: Moodle
names learners by user id, looked up through ``lms_identity``), ``failed`` (issuing was refused:
the issuer has no active key, say) — the last three with the reason, and an
``integration.event.failed`` event; every outcome also goes to the live ``credentialEvents``
subscribers. An attempt after a lease ran out keeps what an earlier attempt decided. A paused
integration's events stay ``pending`` (with that reason) until ``resume_integration`` queues
them again. An outage (the store, an unreachable Moodle) is retried with backoff by the job
runner; the entry stays ``pending``. ``replay_event`` puts a finished entry back (after a rule or
setting was fixed).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from vcengine.core.lms.event import LearnerEvent
from vcengine.core.lms.rules import event_counts_for, is_met
from vcengine.errors import InputError, NotFound, ResolutionError
from vcengine.services import event_log, integrations, lms_identity
from vcengine.services.context import Actor, Services
from vcengine.services.events import CredentialEvent
from vcengine.services.issuing import IssueRequest, RecipientInput, issue_credential
from vcengine.services.jobs import GiveUp, JobKind, RetryLater, new_job
from vcengine.services.lms_inbox import JOB_KIND, PAUSED, job_id
from vcengine.services.ports import (
    AwardRuleRecord,
    EventOutcome,
    EventRecord,
    IntegrationEventRecord,
    IntegrationRecord,
    JobRecord,
)

__all__ = ["idempotency_key", "job_kinds", "process", "replay_event", "resume_integration"]

_PAGE = 100
LEASE = timedelta(seconds=15)
_REQUEUE_TRIES, _REQUEUE_WAIT = 40, 0.05


def idempotency_key(rule_id: str, email: str) -> str:
    """The issuing key of (rule, learner): one credential each, ever."""
    return "lms:" + hashlib.sha256(f"{rule_id}\n{email}".encode()).hexdigest()[:48]


def _request(rule: AwardRuleRecord, learner: RecipientInput, services: Services) -> IssueRequest:
    options = rule.options
    valid_for = options.get("validForSeconds")
    email = str(learner.email)
    return IssueRequest(
        achievement_id=rule.achievement_id,
        recipient=learner,
        valid_until=services.now() + timedelta(seconds=valid_for) if valid_for else None,
        proof_format=options.get("proofFormat", "eddsa-rdfc-2022"),
        idempotency_key=idempotency_key(rule.id, email),
        status_purpose=options.get("statusPurpose", "revocation"),
        delivery=options.get("delivery"),
    )


async def _apply(
    services: Services, rule: AwardRuleRecord, event: LearnerEvent, learner: RecipientInput
) -> tuple[str | None, bool, str | None]:
    """(credential id, whether it is new, why not) for one matching rule."""
    email = str(learner.email)
    if rule.trigger == "modules_completed" and event.module_id is not None:
        done = await services.store.add_learner_progress(rule.org_id, rule.id, email, [event.module_id])
        if not is_met(rule.trigger, rule.conditions, done):
            wanted = rule.conditions.get("moduleIds", [])
            return None, False, f"progress recorded: {len(done & set(wanted))} of {len(wanted)} modules"
    existing = await services.store.get_by_idempotency_key(rule.org_id, idempotency_key(rule.id, email))
    if existing is not None:
        return existing.id, False, None
    issued = await issue_credential(
        services, Actor(rule.org_id, frozenset({"issue"})), _request(rule, learner, services)
    )
    return issued.record.id, issued.created, None


async def _learner(
    services: Services, integration: IntegrationRecord, event: LearnerEvent
) -> RecipientInput | str:
    """Who earned it (email, name), or why that is not known: the event's email, else the
    platform's answer for its user id (``lms_identity``; unreachable: retried later)."""
    if event.email is not None:
        return RecipientInput(email=event.email, name=event.name)
    try:
        found = await lms_identity.find_learner(services, integration, event.learner_id)
    except ResolutionError as exc:
        raise RetryLater(f"the learner could not be looked up: {exc.message}") from None
    except (InputError, NotFound) as exc:
        return f"the learner (user id {event.learner_id}) could not be looked up: {exc.message}"
    if found is None:
        return (
            f"the platform names the learner only by its user id {event.learner_id}, and vcengine needs "
            "an email: send it with the event, or give the integration a siteUrl and an apiToken to "
            "look it up (then replay this event)"
        )
    return RecipientInput(email=found[0].strip().lower(), name=found[1] or event.name)


async def _decide(
    services: Services,
    integration: IntegrationRecord,
    entry: IntegrationEventRecord,
    rules: Sequence[AwardRuleRecord],
) -> tuple[EventOutcome, str | None, list[str]]:
    event = LearnerEvent.of(entry.event)
    matching = [r for r in rules if event_counts_for(r.trigger, r.conditions, event)]
    if not matching:
        course = f" of course {event.course_id}" if event.course_id else ""
        return "no_rule", f"no award rule of the integration matches this {event.kind} event{course}", []
    learner = await _learner(services, integration, event)
    if isinstance(learner, str):
        return "rejected", learner, []
    credentials, created, notes, failures = [], False, [], []
    for rule in matching:
        try:
            credential, new, note = await _apply(services, rule, event, learner)
        except (InputError, NotFound) as exc:
            failures.append(f"rule {rule.id}: {exc}")
            continue
        if credential is not None:
            credentials.append(credential)
            created = created or new
        elif note is not None:
            notes.append(f"rule {rule.id}: {note}")
    if failures:
        return "failed", "; ".join(failures), credentials
    if created:
        return "issued", None, credentials
    if credentials:
        return "duplicate", "the learner holds these credentials already", credentials
    return "no_rule", "; ".join(notes) or None, []


async def process(services: Services, job: JobRecord) -> Mapping[str, Any]:
    """The handler of an ``lms.event`` job (see the module docstring)."""
    store = services.store
    entry = await store.get_integration_event(job.org_id, str(job.payload.get("eventId")))
    if entry is None:
        raise GiveUp("the received event is not in the inbox")
    if entry.outcome != "pending":  # decided by an earlier attempt whose lease ran out: keep it
        return {"outcome": entry.outcome, "credentialIds": list(entry.credential_ids)}
    integration = await store.get_integration(entry.org_id, entry.integration_id)
    if integration is not None and integration.paused:  # kept pending; resuming requeues it
        await store.settle_integration_event(entry.org_id, entry.id, "pending", PAUSED, [], None)
        integration = await store.get_integration(entry.org_id, entry.integration_id)
        if integration is not None and integration.paused:  # (else: resumed meanwhile, go on)
            return {"outcome": "pending", "reason": PAUSED}
    outcome: EventOutcome
    reason: str | None
    credentials: list[str]
    if integration is None:
        outcome, reason, credentials = "rejected", "the integration was deleted", []
    else:
        rules = await store.list_award_rules(entry.org_id, integration.id)
        outcome, reason, credentials = await _decide(services, integration, entry, rules)
    now = services.now()
    await store.settle_integration_event(entry.org_id, entry.id, outcome, reason, credentials, now)
    data = {"integrationId": entry.integration_id, "eventId": entry.id, "outcome": outcome, "reason": reason}
    if outcome in ("failed", "rejected"):
        failed_id = f"{entry.id}-{job.attempts}"
        await event_log.record(
            services, EventRecord(failed_id, entry.org_id, "integration.event.failed", None, now, data)
        )
    first = credentials[0] if credentials else None
    services.events.publish(CredentialEvent("integration_event", entry.org_id, now, first, data))
    return {"outcome": outcome, "credentialIds": credentials}


async def replay_event(services: Services, actor: Actor, inbox_id: str) -> IntegrationEventRecord:
    """Process a finished event again (scope ``admin``); credentials it issued stay the only ones."""
    actor.require("admin")
    store = services.store
    entry = await store.get_integration_event(actor.org_id, inbox_id)
    if entry is None:
        raise NotFound(f"no received event {inbox_id}", path="id")
    if entry.outcome == "pending":
        raise InputError("the event is still waiting to be processed", path="id")
    await store.settle_integration_event(actor.org_id, inbox_id, "pending", None, [], None)
    now = services.now()
    if await store.requeue_job(actor.org_id, job_id(inbox_id), now) is None:
        # not finished: it is pending or running, and will settle the entry; or it was lost: store it
        await store.add_job(new_job(job_id(inbox_id), actor.org_id, JOB_KIND, {"eventId": inbox_id}, now))
    services.wake_jobs()
    return replace(entry, outcome="pending", reason=None, credential_ids=(), processed_at=None)


async def _requeue(services: Services, org_id: str, inbox_id: str, now: datetime) -> None:
    """Queue again the job of an event kept while paused. A job still running may have seen the
    integration paused just before it was resumed: wait for it to finish (briefly) and queue it
    only if it left the event waiting (it may as well have seen it resumed and processed it)."""
    store = services.store
    for _ in range(_REQUEUE_TRIES):
        current = await store.get_job(org_id, job_id(inbox_id))
        if current is None or current.state == "pending":
            return  # it will run and see the integration resumed
        if current.state == "running":
            await asyncio.sleep(_REQUEUE_WAIT)
            continue
        entry = await store.get_integration_event(org_id, inbox_id)
        if entry is not None and entry.outcome == "pending":  # a finished job never runs unless queued
            await store.requeue_job(org_id, job_id(inbox_id), now)
        return


async def resume_integration(services: Services, actor: Actor, integration_id: str) -> IntegrationRecord:
    """Resume a paused integration and queue again the events it kept while paused."""
    record = await integrations.update_integration(services, actor, integration_id, paused=False)
    store, after, now = services.store, None, services.now()
    while True:
        page = await store.list_integration_events(actor.org_id, integration_id, "pending", after, _PAGE)
        for entry in page.items:
            await _requeue(services, actor.org_id, entry.id, now)
        if page.next is None:
            break
        after = page.next
    services.wake_jobs()
    return record


def job_kinds(services: Services) -> list[JobKind]:
    async def handle(job: JobRecord) -> Mapping[str, Any]:
        return await process(services, job)

    # a short lease: a killed instance's events are taken over soon (a slow attempt that outlives it
    # is harmless: issuing is idempotent per rule and learner)
    return [JobKind(JOB_KIND, handle, max_attempts=12, lease=LEASE)]
