"""Credentials expire: when a credential's ``validUntil`` passes, an ``expired`` event is stored
(counted in analytics, sent to endpoints subscribed to ``credential.expired``).

Issuing a credential with a ``validUntil`` stores, in the same write, a job due at that moment
(``expiry_job``); any instance's job runner runs it then. The event's id is derived from the
credential's, so a job run twice (a lost lease) stores it once. A credential revoked before it
expires gets no ``expired`` event (it stopped being valid earlier, and said so).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from vcengine.errors import Conflict
from vcengine.services import event_log
from vcengine.services.context import Services
from vcengine.services.jobs import GiveUp, JobKind, new_job
from vcengine.services.ports import CredentialRecord, EventRecord, JobRecord

__all__ = ["KIND", "expire", "expiry_job", "job_kinds"]

KIND = "credential.expire"
_NAMESPACE = uuid.UUID("1b0f7e62-3c1e-4d5e-9a57-6f1f0b8b2c11")  # event ids of expirations


def expiry_job(services: Services, record: CredentialRecord) -> JobRecord | None:
    """The job that marks ``record`` expired at its ``valid_until`` (None: it never expires)."""
    if record.valid_until is None:
        return None
    payload = {"credentialId": record.id}
    return new_job(
        f"expire:{record.id}", record.org_id, KIND, payload, services.now(), due_at=record.valid_until
    )


async def expire(services: Services, job: JobRecord) -> Mapping[str, Any]:
    """The handler: store the credential's ``expired`` event, once, with its webhook deliveries."""
    record = await services.store.get_credential(job.org_id, job.payload["credentialId"])
    if record is None or record.valid_until is None:
        raise GiveUp("the credential is gone or has no validUntil", result={"outcome": "skipped"})
    if record.status == "revoked":
        return {"outcome": "skipped", "reason": "revoked"}
    event_id = str(uuid.uuid5(_NAMESPACE, f"{record.org_id}/{record.id}"))
    data = {"validUntil": record.valid_until.isoformat()}
    if record.achievement_id is not None:
        data["achievementId"] = record.achievement_id
    event = EventRecord(event_id, record.org_id, "expired", record.id, record.valid_until, data)
    try:
        await event_log.record(services, event)
    except Conflict:
        return {"outcome": "expired", "eventId": event_id, "again": True}
    return {"outcome": "expired", "eventId": event_id}


def job_kinds(services: Services) -> list[JobKind]:
    async def handle(job: JobRecord) -> Mapping[str, Any]:
        return await expire(services, job)

    return [JobKind(KIND, handle)]
