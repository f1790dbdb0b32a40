"""rotateIntegrationSecret (scope admin): a new secret, shown once; the old one stops working."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from vcengine.api.graphql.context import Context
from vcengine.api.graphql.mutations._common import perform
from vcengine.api.graphql.mutations.create_integration import IntegrationSecretPayload
from vcengine.api.graphql.types.ids import record_id
from vcengine.services import integrations


@strawberry.input
class RotateIntegrationSecretInput:
    id: strawberry.ID
    secret: str | None = strawberry.field(
        default=None, description="Where the platform dictates it (see createIntegration); null: a new one."
    )


async def rotate_integration_secret(
    info: Info[Context, Any], input: RotateIntegrationSecretInput
) -> IntegrationSecretPayload:
    new, errors = await perform(
        info,
        lambda s, a: integrations.rotate_integration_secret(
            s, a, record_id(input.id, "Integration", "id"), input.secret
        ),
    )
    return IntegrationSecretPayload.of(info, new, errors)
