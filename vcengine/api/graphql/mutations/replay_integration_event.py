"""replayIntegrationEvent (scope admin): process a received event again, after a rule or setting
was fixed; a credential it issued before stays the only one."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from vcengine.api.graphql.context import Context
from vcengine.api.graphql.errors import UserError
from vcengine.api.graphql.mutations._common import perform
from vcengine.api.graphql.types.integration import IntegrationEvent
from vcengine.services import lms_processing


@strawberry.input
class ReplayIntegrationEventInput:
    id: strawberry.ID


@strawberry.type
class ReplayIntegrationEventPayload:
    event: IntegrationEvent | None = strawberry.field(description="The event, PENDING again.")
    user_errors: list[UserError]


async def replay_integration_event(
    info: Info[Context, Any], input: ReplayIntegrationEventInput
) -> ReplayIntegrationEventPayload:
    record, errors = await perform(info, lambda s, a: lms_processing.replay_event(s, a, str(input.id)))
    return ReplayIntegrationEventPayload(
        event=IntegrationEvent.of(record) if record else None, user_errors=errors
    )
