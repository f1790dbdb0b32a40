"""The in-process event bus: per organization, bounded, unsubscribes when the consumer stops."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from vcengine.services.events import CredentialEvent, EventBus

pytestmark = pytest.mark.anyio
AT = datetime(2026, 1, 1, tzinfo=UTC)


async def test_subscribers_get_their_organizations_events_only() -> None:
    bus = EventBus()
    received: list[CredentialEvent] = []

    async def listen() -> None:
        async for event in bus.subscribe("a"):
            received.append(event)
            if len(received) == 2:
                return

    task = asyncio.create_task(listen())
    while bus.subscriber_count("a") == 0:
        await asyncio.sleep(0)
    bus.publish(CredentialEvent("issued", "b", AT, "x"))
    bus.publish(CredentialEvent("issued", "a", AT, "1"))
    bus.publish(CredentialEvent("revoked", "a", AT, "1"))
    await asyncio.wait_for(task, 1)
    assert [(e.type, e.org_id) for e in received] == [("issued", "a"), ("revoked", "a")]
    assert bus.subscriber_count("a") == 0


async def test_a_slow_subscriber_loses_its_oldest_events() -> None:
    bus = EventBus(queue_size=2)
    stream = bus.subscribe("a")
    first = asyncio.ensure_future(stream.__anext__())
    await asyncio.sleep(0)
    for i in range(5):
        bus.publish(CredentialEvent("issued", "a", AT, str(i)))
    assert (await first).credential_id in {"0", "3"}
    assert bus.dropped >= 2
    await stream.aclose()
