# mypy: disable-error-code="untyped-decorator"
"""WebhookEndpoint, WebhookDelivery, WebhookAttempt: an organization's endpoints (never their
secret), what was sent to them and each attempt; the event types from the one registry."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry import relay

from vcengine.core.webhook_events import EVENT_TYPES
from vcengine.services.ports import JobRecord, WebhookAttemptRecord, WebhookEndpointRecord

__all__ = [
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookDeliveryConnection",
    "WebhookDeliveryEdge",
    "WebhookDeliveryState",
    "WebhookEndpoint",
    "WebhookEventType",
]

_EventTypes: Any = Enum("WebhookEventType", {n.upper().replace(".", "_"): n for n in EVENT_TYPES})  # type: ignore[misc]
WebhookEventType: Any = strawberry.enum(
    _EventTypes,
    description="What an endpoint may subscribe to (the delivered body's type: credential.issued, …).",
)


def event_type(name: str) -> Any:
    return WebhookEventType(name)


@strawberry.type(description="Where the organization's webhooks go. The signing secret is shown once.")
class WebhookEndpoint:
    id: strawberry.ID
    url: str
    description: str
    events: list[WebhookEventType]
    enabled: bool
    disabled_at: datetime | None
    disabled_reason: str | None = strawberry.field(
        description="Why nothing is delivered: an API call, 410 Gone, or three days of failures."
    )
    failing_since: datetime | None = strawberry.field(
        description="When deliveries started to fail (null: the last one succeeded)."
    )
    created_at: datetime
    updated_at: datetime | None
    previous_secret_expires_at: datetime | None = strawberry.field(
        description="Until when deliveries are also signed with the secret the last rotation replaced."
    )

    @classmethod
    def of(cls, r: WebhookEndpointRecord) -> WebhookEndpoint:
        return cls(
            id=strawberry.ID(r.id),
            url=r.url,
            description=r.description,
            events=[event_type(e) for e in r.events],
            enabled=r.disabled_at is None,
            disabled_at=r.disabled_at,
            disabled_reason=r.disabled_reason,
            failing_since=r.failing_since,
            created_at=r.created_at,
            updated_at=r.updated_at,
            previous_secret_expires_at=r.previous_secret_until,
        )


@strawberry.type(description="One attempt to deliver: the HTTP status answered, or why there was none.")
class WebhookAttempt:
    attempt: int
    at: datetime
    status_code: int | None
    duration_ms: int
    error: str | None

    @classmethod
    def of(cls, r: WebhookAttemptRecord) -> WebhookAttempt:
        return cls(
            attempt=r.attempt, at=r.at, status_code=r.status_code, duration_ms=r.duration_ms, error=r.error
        )


@strawberry.enum(description="Where a delivery stands.")
class WebhookDeliveryState(Enum):
    PENDING = "pending"
    SENDING = "running"
    DELIVERED = "done"
    FAILED = "failed"


@strawberry.type(description="One event sent to one endpoint, with every attempt.")
class WebhookDelivery:
    id: strawberry.ID
    event_id: str = strawberry.field(description="Sent as webhook-id: the same on every retry and replay.")
    event_type: WebhookEventType
    state: WebhookDeliveryState
    body: str = strawberry.field(description="The JSON body, exactly as signed and sent.")
    created_at: datetime
    next_attempt_at: datetime | None = strawberry.field(description="When a pending delivery is tried next.")
    finished_at: datetime | None
    last_error: str | None
    attempts: list[WebhookAttempt]

    @classmethod
    def of(cls, job: JobRecord, attempts: list[WebhookAttemptRecord]) -> WebhookDelivery:
        return cls(
            id=strawberry.ID(job.id),
            event_id=job.payload["eventId"],
            event_type=event_type(job.payload["type"]),
            state=WebhookDeliveryState(job.state),
            body=job.payload["body"],
            created_at=job.created_at,
            next_attempt_at=job.due_at if job.state == "pending" else None,
            finished_at=job.finished_at,
            last_error=job.last_error,
            attempts=[WebhookAttempt.of(a) for a in attempts],
        )


@strawberry.type
class WebhookDeliveryEdge:
    cursor: str
    node: WebhookDelivery


@strawberry.type
class WebhookDeliveryConnection:
    edges: list[WebhookDeliveryEdge]
    page_info: relay.PageInfo
