"""TalentLMS integrations: course completions found by polling its REST API, not by webhooks.

A TALENTLMS integration with the settings ``siteUrl`` (the portal, https) and ``pollMinutes``
(1 to 1440, default 15) and an ``apiToken`` (its API key, sealed like issuer keys) is polled
once per period. ``schedule`` stores one poll job per integration and period, with an id made of
both, so however many instances schedule, each period is polled once (``Store.add_job``
refuses a second job with the same id); every instance runs ``schedule_forever``.

A poll reads the courses its award rules name (all courses when a COURSE_COMPLETED rule names
none: ``GET courses``), each course's learners, and for a learner who completed it and is not in
the inbox yet, ``getuserstatusincourse`` (the completion time and score) and ``users/id:`` (the
email). Each completion becomes a ``course_completed`` event stored in the integration's inbox
(``lms_inbox.accept``) under the id ``talentlms:course:{course}:user:{learner}``: the inbox is
the cursor, and processing from there is the same as for any LMS (rules, exactly once).

TalentLMS limits API calls per hour: a 429 (or any failure) ends the poll, which is retried with
backoff within its period, and completions not read yet are found by the next one. At most
``MAX_LOOKUPS`` learners are looked up per poll, so one poll stays bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import anyio.to_thread

from vcengine.core.lms import talentlms
from vcengine.core.lms.event import LearnerEvent, validate_event
from vcengine.errors import InputError, ResolutionError, StoreError
from vcengine.fetch import fetch_json
from vcengine.services import lms_inbox
from vcengine.services.context import Services
from vcengine.services.integrations import integration_api_token
from vcengine.services.jobs import GiveUp, JobKind, RetryLater, exponential_backoff, new_job
from vcengine.services.ports import IntegrationRecord, JobRecord

__all__ = ["KIND", "job_kinds", "poll", "poll_period", "schedule", "schedule_forever"]

log = logging.getLogger(__name__)

KIND = "lms.talentlms.poll"
DEFAULT_PERIOD_MINUTES = 15
MAX_LOOKUPS = 200
TIMEOUT_S = 15.0
MAX_BYTES = 2 * 1024 * 1024
SCHEDULE_EVERY_S = 60.0


def poll_period(integration: IntegrationRecord) -> timedelta:
    """How often ``integration`` is polled (``pollMinutes``; InputError when it is not 1..1440)."""
    text = str(integration.settings.get("pollMinutes", DEFAULT_PERIOD_MINUTES)).strip()
    if not (text.isascii() and text.isdigit() and 1 <= int(text) <= 1440):
        raise InputError("pollMinutes must be a whole number of minutes from 1 to 1440", path="settings")
    return timedelta(minutes=int(text))


def _pollable(integration: IntegrationRecord) -> bool:
    return (
        integration.platform == "talentlms"
        and not integration.paused
        and bool(integration.settings.get("siteUrl"))
        and integration.sealed_api_token is not None
    )


async def schedule(services: Services) -> int:
    """Store the poll job of the current period of every TALENTLMS integration that can be
    polled (none twice); how many were new."""
    now, added = services.now(), 0
    for org in await services.store.list_organizations():
        for integration in await services.store.list_integrations(org.id):
            if not _pollable(integration):
                continue
            try:
                period = poll_period(integration)
            except InputError as exc:
                log.warning("TalentLMS integration %s is not polled: %s", integration.id, exc.message)
                continue
            slot = int(now.timestamp() // period.total_seconds())
            job = new_job(
                f"talentlms-poll:{integration.id}:{slot}",
                org.id,
                KIND,
                {"integrationId": integration.id},
                now,
            )
            added += await services.store.add_job(job)
    if added:
        services.wake_jobs()
    return added


async def schedule_forever(services: Services, every: float = SCHEDULE_EVERY_S) -> None:
    """``schedule`` every ``every`` seconds until cancelled (a store outage skips a round)."""
    while True:
        with contextlib.suppress(StoreError):
            await schedule(services)
        await asyncio.sleep(every)


async def _get(auth: str, url: str) -> Any:
    """GET one API URL (off the event loop: urllib blocks)."""
    return await anyio.to_thread.run_sync(
        lambda: fetch_json(url, timeout=TIMEOUT_S, max_bytes=MAX_BYTES, authorization=auth)
    )


async def _courses(services: Services, integration: IntegrationRecord, site: str, auth: str) -> list[str]:
    rules = await services.store.list_award_rules(integration.org_id, integration.id)
    wanted = [r for r in rules if r.trigger == "course_completed"]
    named = {str(r.conditions["courseId"]) for r in wanted if r.conditions.get("courseId")}
    if any(not r.conditions.get("courseId") for r in wanted):
        named |= set(talentlms.course_ids(await _get(auth, talentlms.courses_url(site))))
    return sorted(named)


async def poll(services: Services, integration: IntegrationRecord) -> Mapping[str, Any]:
    """One poll of ``integration`` (see the module docstring): what it read and stored.
    ``ResolutionError`` when TalentLMS cannot be read (the poll is retried)."""
    token = integration_api_token(services, integration)
    if token is None or not integration.settings.get("siteUrl"):
        raise InputError("a TALENTLMS integration needs the siteUrl setting and an apiToken")
    site = talentlms.check_site(str(integration.settings["siteUrl"]))
    auth = talentlms.authorization(token)
    events: list[LearnerEvent] = []
    lookups = 0
    courses = await _courses(services, integration, site, auth)
    for course_id in courses:
        learners = talentlms.learner_ids(await _get(auth, talentlms.course_url(site, course_id)))
        for user_id in learners:
            source = talentlms.source_id(course_id, user_id)
            inbox_id = lms_inbox.event_id(integration.id, source)
            if await services.store.get_integration_event(integration.org_id, inbox_id) is not None:
                continue  # found by an earlier poll: the inbox is the cursor
            if lookups >= MAX_LOOKUPS:
                break
            lookups += 1
            status = await _get(auth, talentlms.status_url(site, course_id, user_id))
            done = talentlms.completion(course_id, user_id, status)
            if done is None:
                continue
            email, name = talentlms.user_email(await _get(auth, talentlms.user_url(site, user_id)))
            learner = {k: v for k, v in {"email": email, "name": name, "id": user_id}.items() if v}
            doc: dict[str, Any] = {
                "id": source,
                "event": "course_completed",
                "occurredAt": done.completed_at.isoformat().replace("+00:00", "Z"),
                "learner": learner,
                "course": {"id": course_id},
            }
            events.append(validate_event(doc, email_required=False))
    if events:
        await lms_inbox.accept(services, integration, events, {"source": "talentlms poll"})
    return {"outcome": "polled", "courses": len(courses), "lookups": lookups, "events": len(events)}


def job_kinds(services: Services) -> list[JobKind]:
    async def handle(job: JobRecord) -> Mapping[str, Any]:
        integration = await services.store.get_integration(job.org_id, job.payload["integrationId"])
        if integration is None or not _pollable(integration):
            raise GiveUp(
                "the integration is gone, paused or has no site and API token", result={"outcome": "skipped"}
            )
        try:
            return await poll(services, integration)
        except ResolutionError as exc:
            raise RetryLater(f"TalentLMS could not be read: {exc.message}") from None
        except InputError as exc:
            raise GiveUp(f"TalentLMS answered something unexpected: {exc.message}") from None

    return [
        JobKind(
            KIND,
            handle,
            max_attempts=4,
            backoff=exponential_backoff(base=timedelta(seconds=30), cap=timedelta(minutes=5)),
            lease=timedelta(minutes=2),
        )
    ]
