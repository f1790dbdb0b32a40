"""deleteIntegration (scope admin): its webhook URL stops answering, its rules go; the events it
received stay listed."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from vcengine.api.graphql.context import Context
from vcengine.api.graphql.errors import UserError
from vcengine.api.graphql.mutations._common import perform
from vcengine.api.graphql.mutations.pause_integration import IntegrationIdInput
from vcengine.api.graphql.types.ids import record_id
from vcengine.services import integrations


@strawberry.type
class DeletePayload:
    deleted_id: strawberry.ID | None
    user_errors: list[UserError]


async def delete_integration(info: Info[Context, Any], input: IntegrationIdInput) -> DeletePayload:
    _, errors = await perform(
        info, lambda s, a: integrations.delete_integration(s, a, record_id(input.id, "Integration", "id"))
    )
    return DeletePayload(deleted_id=None if errors else input.id, user_errors=errors)
