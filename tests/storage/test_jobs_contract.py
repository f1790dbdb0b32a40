"""The jobs part of the ``Store`` contract (durable background work), on SQLite and MongoDB."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.storage.stores import second_instance, started
from tests.storage.test_contract import cred, issued, org
from vcengine.errors import InputError
from vcengine.services.ports import JobRecord, Store

pytestmark = pytest.mark.anyio

T0 = datetime(2026, 12, 1, 9, 0, 0, 250000, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def job(i: str, *, kind: str = "email", t: float = 0, due: float | None = None, **kw: Any) -> JobRecord:
    fields: dict[str, Any] = {"org_id": "o1", "payload": {"to": f"{i}@example.org", "n": [1, "ü"]}}
    fields.update(kw)
    return JobRecord(id=i, kind=kind, created_at=at(t), due_at=at(t if due is None else due), **fields)


LEASE = at(60)


async def test_a_job_round_trips_and_its_id_deduplicates(store: Store) -> None:
    assert await store.add_job(job("j1", queue="q"))
    assert not await store.add_job(job("j1", payload={"other": True}))
    assert await store.get_job("o1", "j1") == job("j1", queue="q")
    assert await store.get_job("o2", "j1") is None  # org-scoped


async def test_claims_take_due_jobs_of_the_kinds_asked_oldest_due_first(store: Store) -> None:
    for record in (job("late", due=30), job("b", due=2), job("a", due=1), job("w", kind="webhook")):
        await store.add_job(record)
    claimed = await store.claim_jobs(["email"], at(10), LEASE, 10)
    assert [j.id for j in claimed] == ["a", "b"]
    assert all(j.state == "running" and j.attempts == 1 and j.lease_until == LEASE for j in claimed)
    assert await store.claim_jobs(["email"], at(10), LEASE, 10) == []  # leased
    assert [j.id for j in await store.claim_jobs(["email", "webhook"], at(40), LEASE, 1)] == ["w"]
    assert await store.claim_jobs([], at(40), LEASE, 1) == []


async def test_only_the_current_claim_settles_a_job(store: Store) -> None:
    await store.add_job(job("j"))
    (first,) = await store.claim_jobs(["email"], at(0), at(5), 1)
    (second,) = await store.claim_jobs(["email"], at(6), at(70), 1)  # the first runner's lease ran out
    assert second.attempts == 2
    assert not await store.finish_job("j", first.attempts, at(7), {"late": True})
    assert await store.finish_job("j", second.attempts, at(8), {"outcome": "sent"})
    done = await store.get_job("o1", "j")
    assert done is not None
    assert (done.state, done.result, done.finished_at, done.lease_until) == (
        "done",
        {"outcome": "sent"},
        at(8),
        None,
    )
    assert not await store.retry_job("j", second.attempts, at(9), "too late")
    assert await store.claim_jobs(["email"], at(100), LEASE, 5) == []


async def test_retry_then_fail_keep_the_error(store: Store) -> None:
    await store.add_job(job("j"))
    (claim,) = await store.claim_jobs(["email"], at(0), LEASE, 1)
    assert await store.retry_job("j", claim.attempts, at(30), "SMTP 451 try later")
    assert await store.claim_jobs(["email"], at(29), LEASE, 1) == []  # not due yet
    (again,) = await store.claim_jobs(["email"], at(30), at(90), 1)
    assert (again.attempts, again.last_error) == (2, "SMTP 451 try later")
    assert await store.fail_job("j", again.attempts, at(31), "SMTP 550 no such user", {"bounced": True})
    failed = await store.get_job("o1", "j")
    assert failed is not None
    assert (failed.state, failed.last_error, failed.result) == (
        "failed",
        "SMTP 550 no such user",
        {"bounced": True},
    )
    assert await store.claim_jobs(["email"], at(1000), LEASE, 1) == []


async def test_a_queue_runs_one_job_at_a_time_in_creation_order(store: Store) -> None:
    for i, t in enumerate([3, 1, 2]):
        await store.add_job(job(f"d{i}", kind="webhook", queue="endpoint-1", t=t))
    await store.add_job(job("other", kind="webhook", queue="endpoint-2", t=5))
    order = []
    for step in range(3):
        claimed = await store.claim_jobs(["webhook"], at(10 + step), at(20 + step), 10)
        ids = [j.id for j in claimed if j.queue == "endpoint-1"]
        assert len(ids) == 1
        order.extend(ids)
        if step == 0:
            assert "other" in {j.id for j in claimed}  # another queue is not held up
        assert await store.finish_job(ids[0], 1, at(10 + step), None)
    assert order == ["d1", "d2", "d0"]


async def test_a_retried_head_still_holds_its_queue(store: Store) -> None:
    await store.add_job(job("first", queue="q"))
    await store.add_job(job("second", queue="q", t=1))
    (head,) = await store.claim_jobs(["email"], at(2), LEASE, 5)
    assert await store.retry_job("first", head.attempts, at(100), "503")
    assert await store.claim_jobs(["email"], at(50), LEASE, 5) == []  # "second" waits for "first"


async def test_requeue_replays_a_finished_job_only(store: Store) -> None:
    await store.add_job(job("j"))
    assert await store.requeue_job("o1", "j", at(1)) is None  # still pending
    (claim,) = await store.claim_jobs(["email"], at(0), LEASE, 1)
    await store.fail_job("j", claim.attempts, at(1), "no rule")
    assert await store.requeue_job("o2", "j", at(2)) is None  # another org's
    replayed = await store.requeue_job("o1", "j", at(2))
    assert replayed is not None
    assert (replayed.state, replayed.due_at, replayed.finished_at, replayed.attempts) == (
        "pending",
        at(2),
        None,
        1,
    )
    (again,) = await store.claim_jobs(["email"], at(2), LEASE, 1)
    assert again.attempts == 2


async def test_jobs_are_listed_by_org_kind_and_state_in_pages(store: Store) -> None:
    for i in range(5):
        await store.add_job(job(f"j{i}", t=i))
    await store.add_job(job("x", org_id="o2", due=100))
    await store.add_job(job("w", kind="webhook"))
    for claim in await store.claim_jobs(["email"], at(1.5), LEASE, 2):
        await store.finish_job(claim.id, claim.attempts, at(2), None)
    first = await store.list_jobs("o1", "email", None, None, 3)
    rest = await store.list_jobs("o1", "email", None, first.next, 3)
    assert [j.id for j in [*first.items, *rest.items]] == [f"j{i}" for i in range(5)]
    assert rest.next is None
    assert [j.id for j in (await store.list_jobs("o1", "email", ["done"], None, 10)).items] == ["j0", "j1"]
    pending = await store.list_jobs("o1", "email", ["pending", "failed"], None, 10)
    assert [j.id for j in pending.items] == ["j2", "j3", "j4"]
    with pytest.raises(InputError):
        await store.list_jobs("o1", "email", None, "not-a-cursor", 10)


async def test_jobs_written_with_a_credential_are_one_write(store: Store) -> None:
    await store.create_organization(org())
    mail = job("mail-c1", payload={"credential": "c1"})
    await store.insert_credential(cred("c1", key="k"), issued("e1", "c1"), [mail])
    assert await store.get_job("o1", "mail-c1") == mail
    # the same request again: the stored credential, and still one job
    again = await store.insert_credential(
        cred("c2", key="k"), issued("e2", "c2"), [replace(mail, id="mail-c2")]
    )
    assert again.id == "c1"
    assert await store.get_job("o1", "mail-c2") is None
    assert [j.id for j in await store.claim_jobs(["email"], at(0), LEASE, 5)] == ["mail-c1"]


async def test_concurrent_claimers_on_two_instances_take_each_job_once(store: Store) -> None:
    for i in range(30):
        await store.add_job(job(f"j{i:02}", t=i / 100))
    async with started(second_instance(store)) as other:
        taken: list[str] = []

        async def drain(s: Store) -> None:
            while claimed := await s.claim_jobs(["email"], at(5), LEASE, 3):
                taken.extend(j.id for j in claimed)
                await asyncio.sleep(0)

        await asyncio.gather(drain(store), drain(other), drain(store), drain(other))
    assert sorted(taken) == [f"j{i:02}" for i in range(30)]
