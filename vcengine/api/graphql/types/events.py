# mypy: disable-error-code="untyped-decorator, arg-type"
"""Credential events delivered over subscriptions."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from vcengine.api.graphql.context import Context, actor_of
from vcengine.api.graphql.types.credential import Credential
from vcengine.api.graphql.types.integration import IntegrationEventOutcome
from vcengine.services.events import CredentialEvent as DomainEvent

__all__ = ["CredentialEvent", "CredentialEventType"]


@strawberry.enum
class CredentialEventType(Enum):
    ISSUED = "issued"
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    UNSUSPENDED = "unsuspended"
    BULK_PROGRESS = "bulk_progress"
    INTEGRATION_EVENT = strawberry.enum_value(
        "integration_event", description="An event an LMS integration received was processed."
    )


@strawberry.type(
    description="Something that happened to a credential, a bulk issue's progress, or an LMS event processed."
)
class CredentialEvent:
    type: CredentialEventType
    at: datetime
    credential_id: relay.GlobalID | None
    bulk_id: str | None
    done: int | None
    total: int | None
    integration_event_id: strawberry.ID | None = strawberry.field(
        description="INTEGRATION_EVENT: the received event (see integrationEvents)."
    )
    outcome: IntegrationEventOutcome | None = strawberry.field(
        description="INTEGRATION_EVENT: what it decided."
    )
    reason: str | None
    credential_record_id: strawberry.Private[str | None]

    @classmethod
    def of(cls, event: DomainEvent) -> CredentialEvent:
        data = event.data
        cid = event.credential_id
        return cls(
            type=CredentialEventType(event.type),
            at=event.at,
            credential_id=relay.GlobalID("Credential", cid) if cid else None,
            bulk_id=data.get("bulkId"),
            done=data.get("done"),
            total=data.get("total"),
            integration_event_id=strawberry.ID(data["eventId"]) if "eventId" in data else None,
            outcome=IntegrationEventOutcome(data["outcome"]) if "outcome" in data else None,
            reason=data.get("reason"),
            credential_record_id=cid,
        )

    @strawberry.field
    async def credential(self, info: Info[Context, Any]) -> Credential | None:
        if self.credential_record_id is None:
            return None
        actor = actor_of(info, "read")
        record = await info.context.services.store.get_credential(actor.org_id, self.credential_record_id)
        return Credential.of(record) if record else None
