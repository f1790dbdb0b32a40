"""rotateWebhookEndpointSecret: a new signing secret for an endpoint (scope admin), returned this
once; deliveries are signed with it from the next attempt on, and with the old one too for
``oldSecretValidForHours`` (default 24, at most 72; 0: the old one stops at once), so a receiver
can switch without refusing a delivery."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from vcengine.api.graphql.context import Context
from vcengine.api.graphql.mutations._common import perform
from vcengine.api.graphql.mutations.create_webhook_endpoint import WebhookEndpointSecretPayload
from vcengine.api.graphql.types.webhook import WebhookEndpoint
from vcengine.services import webhook_endpoints


@strawberry.input
class RotateWebhookEndpointSecretInput:
    id: strawberry.ID
    old_secret_valid_for_hours: int = strawberry.field(
        default=24, description="How long deliveries are also signed with the old secret (0 to 72)."
    )


async def rotate_webhook_endpoint_secret(
    info: Info[Context, Any], input: RotateWebhookEndpointSecretInput
) -> WebhookEndpointSecretPayload:
    hours = input.old_secret_valid_for_hours
    new, errors = await perform(
        info, lambda s, a: webhook_endpoints.rotate_secret(s, a, str(input.id), hours)
    )
    if new is None:
        return WebhookEndpointSecretPayload(endpoint=None, secret=None, user_errors=errors)
    return WebhookEndpointSecretPayload(
        endpoint=WebhookEndpoint.of(new.endpoint), secret=new.secret, user_errors=[]
    )
