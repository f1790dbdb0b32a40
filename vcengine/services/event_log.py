"""Recording what happened: an event is stored with the webhook deliveries it calls for.

Every use case that records an event for the organization's event stream (a delivered email, a
claimed badge, a page view, a wallet import, a failed LMS event) goes through ``record``: it
stores the event and, in the same store write, one delivery job for every enabled webhook
endpoint subscribed to its type (``webhook_delivery.deliveries_for``), so subscribers hear of
exactly the events that were stored. Issuing and status changes write their events with their
own records (``Store.insert_credential``, ``Store.save_status_list``) and pass the deliveries
there.
"""

from __future__ import annotations

from vcengine.services import webhook_delivery
from vcengine.services.context import Services
from vcengine.services.ports import EventRecord

__all__ = ["record"]


async def record(services: Services, event: EventRecord) -> None:
    """Store ``event`` with its webhook deliveries; wake the job runner if there are any."""
    jobs = await webhook_delivery.deliveries_for(services, event.org_id, [event])
    await services.store.add_event(event, jobs)
    if jobs:
        services.wake_jobs()
