"""pauseIntegration / resumeIntegration (scope admin): a paused integration keeps receiving and
storing events; resuming processes what it kept."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from vcengine.api.graphql.context import Context
from vcengine.api.graphql.mutations._common import perform
from vcengine.api.graphql.mutations.update_integration import IntegrationPayload
from vcengine.api.graphql.types.ids import record_id
from vcengine.api.graphql.types.integration import Integration
from vcengine.services import integrations, lms_processing


@strawberry.input
class IntegrationIdInput:
    id: strawberry.ID


async def pause_integration(info: Info[Context, Any], input: IntegrationIdInput) -> IntegrationPayload:
    record, errors = await perform(
        info,
        lambda s, a: integrations.update_integration(
            s, a, record_id(input.id, "Integration", "id"), paused=True
        ),
    )
    return IntegrationPayload(
        integration=Integration.of(record, info) if record else None, user_errors=errors
    )


async def resume_integration(info: Info[Context, Any], input: IntegrationIdInput) -> IntegrationPayload:
    record, errors = await perform(
        info, lambda s, a: lms_processing.resume_integration(s, a, record_id(input.id, "Integration", "id"))
    )
    return IntegrationPayload(
        integration=Integration.of(record, info) if record else None, user_errors=errors
    )
