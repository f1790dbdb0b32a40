"""The LMS part of the ``Store`` contract (integrations, award rules, the inbox of received events,
learner progress), on SQLite and MongoDB."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.storage.stores import second_instance, started
from vcengine.errors import Conflict, InputError
from vcengine.services.ports import (
    AwardRuleRecord,
    IntegrationEventRecord,
    IntegrationRecord,
    JobRecord,
    Store,
)

pytestmark = pytest.mark.anyio

T0 = datetime(2026, 12, 2, 1, 0, 0, 125000, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def integration(i: str, org_id: str = "o1", *, t: float = 0, **kw: Any) -> IntegrationRecord:
    fields: dict[str, Any] = {"platform": "generic", "name": f"LMS {i} ü", "sealed_secret": b"\x01\x00sealed"}
    fields.update(kw)
    return IntegrationRecord(id=i, org_id=org_id, created_at=at(t), **fields)


def rule(i: str, integration_id: str = "i1", org_id: str = "o1", *, t: float = 0) -> AwardRuleRecord:
    return AwardRuleRecord(
        id=i,
        org_id=org_id,
        integration_id=integration_id,
        achievement_id="a1",
        trigger="quiz_passed",
        created_at=at(t),
        conditions={"quizId": "q-7", "minPercentage": 80.5},
        options={"validForSeconds": 86400},
    )


def received(
    i: str, integration_id: str = "i1", org_id: str = "o1", *, t: float = 0
) -> IntegrationEventRecord:
    return IntegrationEventRecord(
        id=i,
        org_id=org_id,
        integration_id=integration_id,
        source_event_id=f"src-{i}",
        received_at=at(t),
        event={"event": "course_completed", "learner": {"email": "ada@example.org"}, "n": [1, 2.5]},
        raw={"id": f"src-{i}", "ü": True},
    )


async def test_integrations_round_trip_org_scoped(store: Store) -> None:
    record = integration("i1", settings={"siteUrl": "https://moodle.example"}, platform="moodle")
    await store.create_integration(record)
    await store.create_integration(integration("i0", t=-1))
    await store.create_integration(integration("x", "o2"))
    assert await store.get_integration("o1", "i1") == record
    assert await store.get_integration("o2", "i1") is None
    assert await store.find_integration("i1") == record
    assert [r.id for r in await store.list_integrations("o1")] == ["i0", "i1"]
    with pytest.raises(Conflict):
        await store.create_integration(integration("i1"))


async def test_saving_replaces_only_within_the_org(store: Store) -> None:
    await store.create_integration(integration("i1"))
    changed = replace(
        integration("i1"),
        name="renamed",
        paused=True,
        sealed_secret=b"new",
        updated_at=at(5),
        sealed_api_token=b"\x00t",
    )
    assert await store.save_integration(changed)
    assert await store.get_integration("o1", "i1") == changed
    assert not await store.save_integration(replace(changed, org_id="o2"))
    assert not await store.save_integration(replace(changed, id="nope"))
    assert await store.get_integration("o1", "i1") == changed


async def test_deleting_an_integration_deletes_its_rules_not_its_events(store: Store) -> None:
    await store.create_integration(integration("i1"))
    await store.create_integration(integration("i2"))
    await store.create_award_rule(rule("r1"))
    await store.create_award_rule(rule("r2", "i2"))
    await store.add_integration_event(received("e1"))
    assert not await store.delete_integration("o2", "i1")
    assert await store.delete_integration("o1", "i1")
    assert not await store.delete_integration("o1", "i1")
    assert await store.get_integration("o1", "i1") is None
    assert [r.id for r in await store.list_award_rules("o1", None)] == ["r2"]
    assert await store.get_integration_event("o1", "e1") == received("e1")


async def test_award_rules_round_trip_by_integration(store: Store) -> None:
    for record in (rule("r2", t=2), rule("r1", t=1), rule("r3", "i2"), rule("x", org_id="o2")):
        await store.create_award_rule(record)
    assert await store.list_award_rules("o1", "i1") == [rule("r1", t=1), rule("r2", t=2)]
    assert [r.id for r in await store.list_award_rules("o1", None)] == ["r3", "r1", "r2"]
    assert not await store.delete_award_rule("o2", "r1")
    assert await store.delete_award_rule("o1", "r1")
    assert [r.id for r in await store.list_award_rules("o1", "i1")] == ["r2"]
    with pytest.raises(Conflict):
        await store.create_award_rule(rule("r2"))


async def test_a_received_event_is_stored_once(store: Store) -> None:
    assert await store.add_integration_event(received("e1"))
    assert not await store.add_integration_event(replace(received("e1"), event={"other": True}))
    assert await store.get_integration_event("o1", "e1") == received("e1")
    assert await store.get_integration_event("o2", "e1") is None


async def test_an_event_is_stored_with_its_job_and_a_redelivery_completes_a_missing_job(store: Store) -> None:
    job = JobRecord("job-e1", "o1", "lms.event", {"eventId": "e1"}, at(0), at(0))
    assert await store.add_integration_event(received("e1"), job)
    assert await store.get_job("o1", "job-e1") == job
    assert not await store.add_integration_event(received("e1"), replace(job, payload={"other": 1}))
    assert await store.get_job("o1", "job-e1") == job  # left as it is
    assert await store.add_integration_event(received("e2"))  # (a crash cut short: no job) ...
    job2 = replace(job, id="job-e2", payload={"eventId": "e2"})
    assert not await store.add_integration_event(received("e2"), job2)  # ... the redelivery adds it
    assert await store.get_job("o1", "job-e2") == job2


async def test_settling_records_the_outcome_and_pending_undoes_it(store: Store) -> None:
    await store.add_integration_event(received("e1"))
    assert await store.settle_integration_event("o1", "e1", "issued", None, ["c1", "c2"], at(3))
    done = await store.get_integration_event("o1", "e1")
    assert done is not None
    assert (done.outcome, done.credential_ids, done.processed_at) == ("issued", ("c1", "c2"), at(3))
    assert not await store.settle_integration_event("o2", "e1", "failed", "x", [], at(4))
    assert await store.settle_integration_event("o1", "e1", "pending", None, [], None)
    assert await store.get_integration_event("o1", "e1") == received("e1")


async def test_events_page_by_time_filtered_by_integration_and_outcome(store: Store) -> None:
    for i in range(7):
        await store.add_integration_event(received(f"e{i}", "i1" if i % 2 else "i2", t=i))
    await store.add_integration_event(received("other-org", org_id="o2", t=3))
    await store.settle_integration_event("o1", "e3", "no_rule", "no rule matches", [], at(9))
    first = await store.list_integration_events("o1", None, None, None, 4)
    assert [e.id for e in first.items] == ["e0", "e1", "e2", "e3"]
    rest = await store.list_integration_events("o1", None, None, first.next, 4)
    assert [e.id for e in rest.items] == ["e4", "e5", "e6"] and rest.next is None
    by_integration = await store.list_integration_events("o1", "i1", None, None, 10)
    assert [e.id for e in by_integration.items] == ["e1", "e3", "e5"]
    assert [e.id for e in (await store.list_integration_events("o1", "i1", "no_rule", None, 10)).items] == [
        "e3"
    ]
    assert (await store.list_integration_events("o1", None, "issued", None, 10)).items == []
    window = await store.list_integration_events(
        "o1", None, None, None, 10, received_after=at(2), received_before=at(5)
    )
    assert [e.id for e in window.items] == ["e2", "e3", "e4"]
    since = await store.list_integration_events("o1", "i1", None, None, 1, received_after=at(3))
    assert [e.id for e in since.items] == ["e3"]
    rest = await store.list_integration_events("o1", "i1", None, since.next, 5, received_after=at(3))
    assert [e.id for e in rest.items] == ["e5"]
    with pytest.raises(InputError):
        await store.list_integration_events("o1", None, None, "not-a-cursor", 10)


async def test_learner_progress_accumulates_per_rule_and_learner(store: Store) -> None:
    assert await store.add_learner_progress("o1", "r1", "ada@example.org", ["m1"]) == {"m1"}
    assert await store.add_learner_progress("o1", "r1", "ada@example.org", ["m2", "m1"]) == {"m1", "m2"}
    assert await store.add_learner_progress("o1", "r1", "bob@example.org", ["m3"]) == {"m3"}
    assert await store.add_learner_progress("o1", "r2", "ada@example.org", ["m9"]) == {"m9"}
    assert await store.add_learner_progress("o2", "r1", "ada@example.org", []) == frozenset()


async def test_concurrent_progress_from_two_instances_loses_nothing(store: Store) -> None:
    async with started(second_instance(store)) as other:
        await asyncio.gather(
            *(
                (store if n % 2 else other).add_learner_progress("o1", "r1", "ada@example.org", [f"m{n}"])
                for n in range(12)
            )
        )
        assert await other.add_learner_progress("o1", "r1", "ada@example.org", []) == {
            f"m{n}" for n in range(12)
        }
