"""What became of a credential's deliveries: each job, its state and every attempt, for reading.

A delivery's ``state`` is read from its job and the outcome the handler kept: ``queued`` (not
tried yet), ``retrying`` (tried, will try again), ``sending`` (an attempt runs), ``sent``,
``skipped`` (no SMTP, or the credential stopped counting), ``bounced`` or ``failed``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from vcengine.services.context import Actor, Services
from vcengine.services.delivery import REMINDER_KIND, delivery_job_ids
from vcengine.services.ports import DeliveryAttemptRecord, JobRecord

__all__ = ["Delivery", "DeliveryState", "credential_deliveries", "delivery_state"]

DeliveryState = Literal["queued", "retrying", "sending", "sent", "skipped", "bounced", "failed"]


@dataclass(frozen=True, slots=True)
class Delivery:
    id: str
    kind: Literal["credential", "reminder"]
    state: DeliveryState
    queued_at: datetime
    due_at: datetime
    finished_at: datetime | None
    last_error: str | None
    attempts: Sequence[DeliveryAttemptRecord]


def delivery_state(job: JobRecord) -> DeliveryState:
    outcome = (job.result or {}).get("outcome")
    if job.state == "pending":
        return "retrying" if job.attempts else "queued"
    if job.state == "running":
        return "sending"
    if job.state == "done":
        return "skipped" if outcome == "skipped" else "sent"
    return "bounced" if outcome == "bounced" else "failed"


async def credential_deliveries(services: Services, actor: Actor, credential_id: str) -> list[Delivery]:
    """The deliveries of one credential of the actor's organization (needs ``read``), oldest first."""
    actor.require("read")
    attempts = await services.store.list_delivery_attempts(actor.org_id, credential_id)
    out = []
    for job_id in delivery_job_ids(credential_id):
        job = await services.store.get_job(actor.org_id, job_id)
        if job is None:
            continue
        out.append(
            Delivery(
                id=job.id,
                kind="reminder" if job.kind == REMINDER_KIND else "credential",
                state=delivery_state(job),
                queued_at=job.created_at,
                due_at=job.due_at,
                finished_at=job.finished_at,
                last_error=job.last_error,
                attempts=[a for a in attempts if a.delivery_id == job.id],
            )
        )
    return out
