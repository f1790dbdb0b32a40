"""The LMS use cases on the real SQLite store: integrations and their sealed secrets, rules'
checks, and processing outcomes (failed, rejected, replayed) with their events."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from standardwebhooks import Webhook

from tests.services.support import Tenant
from vcengine.core.lms.event import validate_event
from vcengine.errors import InputError, NotFound, PermissionDenied, SecretError, SignatureError
from vcengine.services import award_rules, integrations, issuers, lms_inbox, lms_processing, webhook_endpoints
from vcengine.services.context import Actor, Services
from vcengine.services.jobs import JobRunner
from vcengine.services.keystore import seal_secret, unseal_secret

pytestmark = pytest.mark.anyio


async def _receive(
    services: Services, new: integrations.NewSecret, source_id: str, email: str = "a@b.co"
) -> str:
    doc = {"id": source_id, "event": "course_completed", "learner": {"email": email}, "course": {"id": "c"}}
    body = json.dumps(doc)
    now = datetime.now(UTC)
    headers = {
        "webhook-id": "m",
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(new.secret).sign("m", now, body),
    }
    receipt = await lms_inbox.receive(services, new.record.id, headers, {}, body.encode())
    return receipt.event_ids[0]


async def _run(services: Services) -> None:
    runner = JobRunner(services.store, lms_processing.job_kinds(services), services.clock)
    while await runner.run_once():
        pass


async def test_the_secret_is_sealed_and_bound_to_its_integration(services: Services, tenant: Tenant) -> None:
    new = await integrations.create_integration(
        services, tenant.actor, "thinkific", "T", secret="api-key-0123456789"
    )
    stored = await services.store.get_integration(tenant.org_id, new.record.id)
    assert stored is not None and b"api-key" not in stored.sealed_secret
    assert "sealed_secret" not in repr(stored) and "api-key" not in repr(new.record)
    assert integrations.integration_secret(services, stored) == "api-key-0123456789"
    with pytest.raises(SecretError):  # a sealed secret copied into another record does not open
        unseal_secret(
            stored.sealed_secret, services.master_key, purpose="integration", aad="another-integration"
        )
    blob = seal_secret(
        "x", services.master_key, purpose="integration", aad="r1", random_bytes=services.random_bytes
    )
    assert unseal_secret(blob, services.master_key, purpose="integration", aad="r1") == "x"


async def test_inputs_are_checked(services: Services, tenant: Tenant) -> None:
    actor = tenant.actor
    with pytest.raises(InputError, match="one of"):
        await integrations.create_integration(services, actor, "blackboard", "B")
    with pytest.raises(InputError, match="whsec_"):
        await integrations.create_integration(services, actor, "generic", "G", secret="plain")
    with pytest.raises(InputError, match="made by vcengine"):
        await integrations.create_integration(services, actor, "canvas", "C", secret="0123456789abcdef0")
    with pytest.raises(InputError, match="16 to 200"):
        await integrations.create_integration(services, actor, "thinkific", "T", secret="short")
    with pytest.raises(InputError, match="1 to 200"):
        await integrations.create_integration(services, actor, "generic", " ")
    with pytest.raises(PermissionDenied):
        await integrations.create_integration(
            services, Actor(tenant.org_id, frozenset({"issue"})), "generic", "G"
        )
    new = await integrations.create_integration(services, actor, "generic", "G")
    rule = award_rules.AwardRuleInput(new.record.id, tenant.achievement_id, "quiz_passed")
    with pytest.raises(InputError, match="minScore or minPercentage"):
        await award_rules.create_award_rule(services, actor, rule)
    with pytest.raises(InputError, match="needs module_ids"):
        await award_rules.create_award_rule(services, actor, replace(rule, trigger="modules_completed"))
    with pytest.raises(InputError, match="0 to 100"):
        await award_rules.create_award_rule(services, actor, replace(rule, min_percentage=101))
    with pytest.raises(InputError, match="must be one of"):
        await award_rules.create_award_rule(services, actor, replace(rule, min_score=1, proof_format="rsa"))
    with pytest.raises(NotFound):
        await award_rules.create_award_rule(
            services, actor, replace(rule, min_score=1, achievement_id="nope")
        )


async def test_a_refused_issue_is_failed_recorded_and_replayable(services: Services, tenant: Tenant) -> None:
    new = await integrations.create_integration(services, tenant.actor, "generic", "G")
    rule = award_rules.AwardRuleInput(new.record.id, tenant.achievement_id, "course_completed")
    await award_rules.create_award_rule(services, tenant.actor, rule)
    hook = await webhook_endpoints.create_endpoint(
        services, tenant.actor, "https://ops.example.com/hooks", ["integration.event.failed"]
    )
    await services.store.retire_issuer_keys(tenant.org_id, tenant.issuer_id, services.now())
    event_id = await _receive(services, new, "e1")
    await _run(services)
    failed = await services.store.get_integration_event(tenant.org_id, event_id)
    assert failed is not None and failed.outcome == "failed" and "no active key" in str(failed.reason)
    assert await services.store.count_events(tenant.org_id, "integration.event.failed") == 1
    (told,) = (await services.store.list_webhook_deliveries(tenant.org_id, hook.endpoint.id, None, 5)).items
    assert told.payload["type"] == "integration.event.failed" and event_id in told.payload["body"]

    issuer = await issuers.get_issuer(services, tenant.actor, tenant.issuer_id)
    await issuers.generate_key(services, tenant.actor, issuer.id)
    replayed = await lms_processing.replay_event(services, tenant.actor, event_id)
    assert replayed.outcome == "pending"
    with pytest.raises(InputError, match="still waiting"):
        await lms_processing.replay_event(services, tenant.actor, event_id)
    await _run(services)
    issued = await services.store.get_integration_event(tenant.org_id, event_id)
    assert issued is not None and issued.outcome == "issued" and len(issued.credential_ids) == 1
    # replayed again: the same credential, now a duplicate
    await lms_processing.replay_event(services, tenant.actor, event_id)
    await _run(services)
    again = await services.store.get_integration_event(tenant.org_id, event_id)
    assert (
        again is not None and again.outcome == "duplicate" and again.credential_ids == issued.credential_ids
    )


async def test_events_of_a_deleted_integration_are_rejected(services: Services, tenant: Tenant) -> None:
    new = await integrations.create_integration(services, tenant.actor, "generic", "G")
    event_id = await _receive(services, new, "e1")
    await integrations.delete_integration(services, tenant.actor, new.record.id)
    await _run(services)
    entry = await services.store.get_integration_event(tenant.org_id, event_id)
    assert entry is not None and (entry.outcome, entry.reason) == ("rejected", "the integration was deleted")
    with pytest.raises(NotFound):
        await _receive(services, new, "e2")


async def test_a_request_is_checked_before_anything_is_stored(services: Services, tenant: Tenant) -> None:
    new = await integrations.create_integration(services, tenant.actor, "generic", "G")
    rotated = await integrations.rotate_integration_secret(services, tenant.actor, new.record.id)
    with pytest.raises(SignatureError):
        await _receive(services, new, "e1")  # the old secret
    assert (await services.store.list_integration_events(tenant.org_id, None, None, None, 10)).items == []
    assert await _receive(services, rotated, "e1")


async def test_an_unreachable_moodle_is_retried_and_its_token_never_shown(
    services: Services, tenant: Tenant
) -> None:
    token = "moodle-ws-token-0123456789"
    with pytest.raises(InputError, match="siteUrl must be an https://"):
        await integrations.create_integration(
            services, tenant.actor, "moodle", "M", settings={"siteUrl": "http://moodle.example"}
        )
    new = await integrations.create_integration(
        services, tenant.actor, "moodle", "M", settings={"siteUrl": "https://127.0.0.1:9"}, api_token=token
    )
    assert new.record.sealed_api_token is not None and token.encode() not in new.record.sealed_api_token
    with pytest.raises(SecretError):  # bound to its purpose: it does not open as the webhook secret
        unseal_secret(
            new.record.sealed_api_token, services.master_key, purpose="integration", aad=new.record.id
        )
    assert integrations.integration_api_token(services, new.record) == token
    await award_rules.create_award_rule(
        services,
        tenant.actor,
        award_rules.AwardRuleInput(new.record.id, tenant.achievement_id, "course_completed"),
    )
    doc = {
        "eventname": "\\core\\event\\course_completed",
        "courseid": "7",
        "relateduserid": "23",
        "objectid": "1",
        "timecreated": 1764637200,
        "token": new.secret,
    }
    receipt = await lms_inbox.receive(services, new.record.id, {}, {}, json.dumps(doc).encode())
    await JobRunner(services.store, lms_processing.job_kinds(services), services.clock).run_once()
    entry = await services.store.get_integration_event(tenant.org_id, receipt.event_ids[0])
    job = await services.store.get_job(tenant.org_id, lms_inbox.job_id(receipt.event_ids[0]))
    assert entry is not None and entry.outcome == "pending"
    assert job is not None and job.state == "pending" and job.attempts == 1
    assert "could not be looked up" in str(job.last_error) and token not in str(job.last_error)
    assert "webservice/rest/server.php" in str(job.last_error)


async def test_a_second_attempt_keeps_what_the_first_decided(services: Services, tenant: Tenant) -> None:
    new = await integrations.create_integration(services, tenant.actor, "generic", "G")
    rule = award_rules.AwardRuleInput(new.record.id, tenant.achievement_id, "course_completed")
    await award_rules.create_award_rule(services, tenant.actor, rule)
    event_id = await _receive(services, new, "e1")
    job = await services.store.get_job(tenant.org_id, lms_inbox.job_id(event_id))
    assert job is not None
    first = await lms_processing.process(services, job)
    again = await lms_processing.process(services, job)  # as after a lease ran out mid-attempt
    assert first == again and first["outcome"] == "issued"
    entry = await services.store.get_integration_event(tenant.org_id, event_id)
    assert entry is not None and entry.outcome == "issued"


async def test_a_rule_chooses_how_its_credentials_are_delivered(services: Services, tenant: Tenant) -> None:
    from vcengine.services.delivery import delivery_job_ids

    new = await integrations.create_integration(services, tenant.actor, "generic", "G")
    for delivery, course in (("EMAIL", "with-email"), ("NONE", "silent")):
        rule = award_rules.AwardRuleInput(
            new.record.id, tenant.achievement_id, "course_completed", course_id=course, delivery=delivery
        )
        stored = await award_rules.create_award_rule(services, tenant.actor, rule)
        assert stored.options["delivery"] == delivery
    with pytest.raises(InputError, match="EMAIL or NONE"):
        bad = award_rules.AwardRuleInput(
            new.record.id, tenant.achievement_id, "course_completed", delivery="SMS"
        )
        await award_rules.create_award_rule(services, tenant.actor, bad)
    for course, email in (("with-email", "e@b.co"), ("silent", "s@b.co")):
        doc = {
            "id": course,
            "event": "course_completed",
            "learner": {"email": email},
            "course": {"id": course},
        }
        event = validate_event(doc)
        await lms_inbox.accept(services, new.record, [event], {})
    await _run(services)
    events = await services.store.list_integration_events(tenant.org_id, new.record.id, None, None, 10)
    issued = {e.source_event_id: e.credential_ids[0] for e in events.items}
    emailed = await services.store.get_job(tenant.org_id, delivery_job_ids(issued["with-email"])[0])
    silent = await services.store.get_job(tenant.org_id, delivery_job_ids(issued["silent"])[0])
    assert emailed is not None and silent is None
