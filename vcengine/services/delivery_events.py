"""The events of delivery and claiming (``delivered``, ``bounced``, ``delivery_failed``,
``claimed``), each stored once with the webhook deliveries it calls for.

An event's id is made from what it is about (the delivery job, the credential), so recording it
again — a job run again after a crash, a second claim link accepted — stores nothing new. Its
webhook deliveries (``credential.delivered``, ``credential.claimed``) are stored first, with ids
made from the event's; a crash in between is repaired by recording the event again.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from vcengine.errors import Conflict
from vcengine.services import webhook_delivery
from vcengine.services.context import Services
from vcengine.services.ports import EventRecord

__all__ = ["record_once"]


async def record_once(
    services: Services, event_id: str, org_id: str, type: str, credential_id: str, data: Mapping[str, Any]
) -> EventRecord:
    """Store the event ``event_id`` and its webhook deliveries unless they are stored already."""
    event = EventRecord(event_id, org_id, type, credential_id, services.now(), dict(data))
    jobs = await webhook_delivery.deliveries_for(services, org_id, [event])
    added = [await services.store.add_job(job) for job in jobs]
    with contextlib.suppress(Conflict):  # recorded before (the deliveries too: ids are the event's)
        await services.store.add_event(event)
    if any(added):
        services.wake_jobs()
    return event
