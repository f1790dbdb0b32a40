"""Delivery: how an issued credential reached (or did not reach) its learner, attempt by attempt."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from vcengine.api.graphql.context import Context, actor_of
from vcengine.services import deliveries
from vcengine.services.ports import DeliveryAttemptRecord

__all__ = ["Delivery", "DeliveryAttempt", "DeliveryMethod", "credential_claimed_at", "credential_deliveries"]


@strawberry.enum(
    description="How an issued credential reaches its learner. Left out: EMAIL when the recipient has "
    "an email and the server has SMTP (VCENGINE_SMTP_URL), else NONE."
)
class DeliveryMethod(Enum):
    EMAIL = "EMAIL"
    NONE = "NONE"


@strawberry.enum(description="Where a delivery stands.")
class DeliveryState(Enum):
    QUEUED = "queued"
    RETRYING = "retrying"
    SENDING = "sending"
    SENT = "sent"
    SKIPPED = strawberry.enum_value("skipped", description="No SMTP, or the credential stopped counting.")
    BOUNCED = strawberry.enum_value("bounced", description="The mail server refused it for good.")
    FAILED = strawberry.enum_value("failed", description="Given up after the last retry.")


@strawberry.enum(description="What one attempt came to.")
class DeliveryOutcome(Enum):
    SENT = "sent"
    FAILED = "failed"
    BOUNCED = "bounced"
    SKIPPED = "skipped"


@strawberry.enum
class DeliveryKind(Enum):
    CREDENTIAL = strawberry.enum_value("credential", description="The email that hands the badge over.")
    REMINDER = strawberry.enum_value("reminder", description="The reminder before validUntil.")


@strawberry.type
class DeliveryAttempt:
    attempt: int
    at: datetime
    outcome: DeliveryOutcome
    detail: str | None
    message_id: str | None = strawberry.field(description="The email's Message-ID, once sent.")

    @classmethod
    def of(cls, a: DeliveryAttemptRecord) -> DeliveryAttempt:
        return cls(
            attempt=a.attempt,
            at=a.at,
            outcome=DeliveryOutcome(a.outcome),
            detail=a.detail,
            message_id=a.message_id,
        )


@strawberry.type(description="One email about a credential, with every attempt to send it.")
class Delivery:
    delivery_id: str
    channel: str = strawberry.field(description="email")
    kind: DeliveryKind
    state: DeliveryState
    queued_at: datetime
    due_at: datetime
    finished_at: datetime | None
    last_error: str | None
    attempts: list[DeliveryAttempt]

    @classmethod
    def of(cls, d: deliveries.Delivery) -> Delivery:
        return cls(
            delivery_id=d.id,
            channel="email",
            kind=DeliveryKind(d.kind),
            state=DeliveryState(d.state),
            queued_at=d.queued_at,
            due_at=d.due_at,
            finished_at=d.finished_at,
            last_error=d.last_error,
            attempts=[DeliveryAttempt.of(a) for a in d.attempts],
        )


async def credential_deliveries(info: Info[Context, Any], credential_id: str) -> list[Delivery]:
    actor = actor_of(info, "read")
    found = await deliveries.credential_deliveries(info.context.services, actor, credential_id)
    return [Delivery.of(d) for d in found]


async def credential_claimed_at(info: Info[Context, Any], credential_id: str) -> datetime | None:
    actor = actor_of(info, "read")
    return await info.context.services.store.claimed_at(actor.org_id, credential_id)
