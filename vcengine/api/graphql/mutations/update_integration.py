"""updateIntegration: rename an integration or replace its settings (scope admin)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from vcengine.api.graphql.context import Context
from vcengine.api.graphql.errors import UserError
from vcengine.api.graphql.mutations._common import perform
from vcengine.api.graphql.mutations.create_integration import IntegrationSettingInput
from vcengine.api.graphql.types.ids import record_id
from vcengine.api.graphql.types.integration import Integration
from vcengine.services import integrations


@strawberry.input(description="Fields left null stay as they are.")
class UpdateIntegrationInput:
    id: strawberry.ID
    name: str | None = None
    settings: list[IntegrationSettingInput] | None = strawberry.field(
        default=None, description="Replaces every setting."
    )
    api_token: str | None = strawberry.field(
        default=None, description='Replaces the platform API token ("" removes it); never shown.'
    )


@strawberry.type
class IntegrationPayload:
    integration: Integration | None
    user_errors: list[UserError]


async def update_integration(info: Info[Context, Any], input: UpdateIntegrationInput) -> IntegrationPayload:
    settings = None if input.settings is None else {s.name: s.value for s in input.settings}
    record, errors = await perform(
        info,
        lambda s, a: integrations.update_integration(
            s,
            a,
            record_id(input.id, "Integration", "id"),
            name=input.name,
            settings=settings,
            api_token=input.api_token,
        ),
    )
    return IntegrationPayload(
        integration=Integration.of(record, info) if record else None, user_errors=errors
    )
