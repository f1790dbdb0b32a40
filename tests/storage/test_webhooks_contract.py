"""The webhooks part of the ``Store`` contract: endpoints (secret sealed), attempts, deliveries as
jobs of the endpoint's queue, and delivery jobs written with the change that causes them."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from tests.storage.test_contract import at, cred, issued, status_list, transition
from vcengine.errors import Conflict, InputError
from vcengine.services.ports import (
    EventRecord,
    JobRecord,
    Store,
    WebhookAttemptRecord,
    WebhookEndpointRecord,
    webhook_queue,
)

pytestmark = pytest.mark.anyio


def endpoint(i: str, org_id: str = "o1", *, t: float = 0, **kw: Any) -> WebhookEndpointRecord:
    fields: dict[str, Any] = {
        "url": f"https://hooks.example.org/{i}?ü=1",
        "events": ("credential.issued", "credential.revoked"),
        "sealed_secret": bytes([1, 0, 255]) + i.encode(),
    }
    fields.update(kw)
    return WebhookEndpointRecord(id=i, org_id=org_id, created_at=at(t), **fields)


def delivery(i: str, endpoint_id: str, *, t: float = 0, org_id: str = "o1") -> JobRecord:
    payload = {"endpointId": endpoint_id, "body": '{"type":"credential.issued"}'}
    return JobRecord(i, org_id, "webhook.deliver", payload, at(t), at(t), webhook_queue(endpoint_id))


def attempt(i: str, delivery_id: str, n: int, **kw: Any) -> WebhookAttemptRecord:
    fields: dict[str, Any] = {"org_id": "o1", "endpoint_id": "w1", "duration_ms": 12 * n}
    fields.update(kw)
    return WebhookAttemptRecord(id=i, delivery_id=delivery_id, attempt=n, at=at(n), **fields)


async def test_endpoints_round_trip_in_order_and_are_org_scoped(store: Store) -> None:
    await store.create_webhook_endpoint(endpoint("w2", t=5, description="CRM"))
    await store.create_webhook_endpoint(endpoint("w1", t=5))
    await store.create_webhook_endpoint(endpoint("x", "o2"))
    with pytest.raises(Conflict):
        await store.create_webhook_endpoint(endpoint("w1", t=9))
    assert await store.get_webhook_endpoint("o1", "w2") == endpoint("w2", t=5, description="CRM")
    assert await store.get_webhook_endpoint("o1", "x") is None
    assert [e.id for e in await store.list_webhook_endpoints("o1")] == ["w1", "w2"]
    assert await store.list_webhook_endpoints("o3") == []


async def test_updates_set_only_the_fields_named_within_the_org(store: Store) -> None:
    await store.create_webhook_endpoint(endpoint("w1"))
    changes = {
        "url": "https://new.example.org/hook",
        "events": ("credential.suspended",),
        "sealed_secret": b"\x01new",
        "disabled_at": at(7),
        "disabled_reason": "failing since 3 days",
        "failing_since": at(3),
        "updated_at": at(7),
        "previous_sealed_secret": b"\x01old",
        "previous_secret_until": at(86400),
    }
    updated = await store.update_webhook_endpoint("o1", "w1", changes)
    assert updated == replace(endpoint("w1"), **changes)
    assert await store.get_webhook_endpoint("o1", "w1") == updated
    cleared = await store.update_webhook_endpoint("o1", "w1", {"disabled_at": None, "disabled_reason": None})
    assert cleared is not None and cleared.disabled_at is None and cleared.failing_since == at(3)
    assert await store.update_webhook_endpoint("o2", "w1", {"description": "theirs"}) is None
    assert await store.update_webhook_endpoint("o1", "nope", {"description": "x"}) is None
    with pytest.raises(ValueError, match="org_id"):
        await store.update_webhook_endpoint("o1", "w1", {"org_id": "o2"})


async def test_deleting_an_endpoint_deletes_its_attempts_in_its_org_only(store: Store) -> None:
    await store.create_webhook_endpoint(endpoint("w1"))
    await store.add_webhook_attempt(attempt("a1", "d1", 1))
    assert not await store.delete_webhook_endpoint("o2", "w1")
    assert await store.list_webhook_attempts("o1", ["d1"]) == [attempt("a1", "d1", 1)]
    assert await store.delete_webhook_endpoint("o1", "w1")
    assert not await store.delete_webhook_endpoint("o1", "w1")
    assert await store.get_webhook_endpoint("o1", "w1") is None
    assert await store.list_webhook_attempts("o1", ["d1"]) == []


async def test_attempts_are_listed_per_delivery_in_order_once(store: Store) -> None:
    await store.add_webhook_attempt(attempt("a2", "d1", 2, status_code=200))
    await store.add_webhook_attempt(attempt("a1", "d1", 1, error="connection refused"))
    await store.add_webhook_attempt(attempt("a1", "d1", 1, error="a second write of the same attempt"))
    await store.add_webhook_attempt(attempt("b1", "d2", 1, status_code=500))
    await store.add_webhook_attempt(attempt("c1", "d1", 1, org_id="o2"))
    found = await store.list_webhook_attempts("o1", ["d1", "d2"])
    assert found == [
        attempt("a1", "d1", 1, error="connection refused"),
        attempt("a2", "d1", 2, status_code=200),
        attempt("b1", "d2", 1, status_code=500),
    ]
    assert await store.list_webhook_attempts("o1", []) == []


async def test_deliveries_are_the_jobs_of_the_endpoint_queue_in_pages(store: Store) -> None:
    for i in range(5):
        await store.add_job(delivery(f"d{i}", "w1", t=i))
    await store.add_job(delivery("other", "w2"))
    await store.add_job(delivery("theirs", "w1", org_id="o2"))
    first = await store.list_webhook_deliveries("o1", "w1", None, 3)
    assert [j.id for j in first.items] == ["d0", "d1", "d2"] and first.next is not None
    rest = await store.list_webhook_deliveries("o1", "w1", first.next, 3)
    assert [j.id for j in rest.items] == ["d3", "d4"] and rest.next is None
    assert rest.items[0] == delivery("d3", "w1", t=3)
    with pytest.raises(InputError):
        await store.list_webhook_deliveries("o1", "w1", "not-a-cursor", 3)


async def test_delivery_jobs_are_written_with_the_credential(store: Store) -> None:
    jobs = [delivery("d-issued", "w1"), delivery("d-issued-2", "w2")]
    await store.insert_credential(cred("c1"), issued("e1", "c1"), jobs)
    assert [j.id for j in (await store.list_webhook_deliveries("o1", "w1", None, 10)).items] == ["d-issued"]
    claimed = await store.claim_jobs(["webhook.deliver"], at(1), at(60), 10)
    assert sorted(j.id for j in claimed) == ["d-issued", "d-issued-2"]


async def test_delivery_jobs_are_written_with_the_status_transitions(store: Store) -> None:
    first = status_list("L1")
    await store.open_status_list(first, replacing=None)
    await store.insert_credential(cred("c0"))
    change = replace(transition("c0", "revoked", "e0"), jobs=(delivery("d-revoked", "w1", t=1),))
    await store.save_status_list(
        replace(first, encoded_list="uABC"), expected_version=1, transitions=[change]
    )
    (job,) = (await store.list_webhook_deliveries("o1", "w1", None, 10)).items
    assert job == delivery("d-revoked", "w1", t=1)
    # a failed compare-and-set writes none of them
    failed = replace(transition("c0", "active", "e1"), jobs=(delivery("d-lost", "w1", t=2),))
    with pytest.raises(Conflict):
        await store.save_status_list(first, expected_version=1, transitions=[failed])
    assert await store.get_job("o1", "d-lost") is None


async def test_an_event_is_stored_with_its_jobs(store: Store) -> None:
    """``add_event(event, jobs)``: the event and the deliveries made for it are both there after
    the call; the same event again is a Conflict and leaves one of each."""
    from vcengine.services.ports import EventRecord

    event = EventRecord("ev-1", "o1", "claimed", "c1", at(0), {})
    jobs = [delivery("whd_ev-1_w1", "w1"), delivery("whd_ev-1_w2", "w2")]
    await store.add_event(event, jobs)
    assert await store.count_events("o1", "claimed") == 1
    for job in jobs:
        stored = await store.get_job("o1", job.id)
        assert stored is not None and stored.payload == job.payload and stored.queue == job.queue
    with pytest.raises(Conflict):
        await store.add_event(event, jobs)
    assert await store.count_events("o1", "claimed") == 1
    await store.add_event(EventRecord("ev-2", "o1", "claimed", "c2", at(1), {}))  # no jobs, as before
    assert await store.count_events("o1", "claimed") == 2


async def test_an_event_is_stored_with_its_deliveries_or_neither(store: Store) -> None:
    claimed = EventRecord("e-claimed", "o1", "claimed", "c1", at(3), {"via": "claim page"})
    await store.add_event(claimed, [delivery("d-claimed", "w1", t=3)])
    assert await store.count_events("o1", "claimed") == 1
    (job,) = (await store.list_webhook_deliveries("o1", "w1", None, 10)).items
    assert job == delivery("d-claimed", "w1", t=3)
    with pytest.raises(Conflict):  # the same event again: nothing of it is stored
        await store.add_event(claimed, [delivery("d-again", "w1", t=4)])
    assert await store.get_job("o1", "d-again") is None
    assert await store.count_events("o1", "claimed") == 1
