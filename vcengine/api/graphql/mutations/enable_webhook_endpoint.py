"""enableWebhookEndpoint: deliveries go to the endpoint again (scope admin), with no failures
counted; deliveries that failed while it was disabled can be replayed."""

from __future__ import annotations

from typing import Any

from strawberry.types import Info

from vcengine.api.graphql.context import Context
from vcengine.api.graphql.mutations._common import perform
from vcengine.api.graphql.mutations._webhook_endpoint import WebhookEndpointIdInput, WebhookEndpointPayload
from vcengine.api.graphql.types.webhook import WebhookEndpoint
from vcengine.services import webhook_endpoints


async def enable_webhook_endpoint(
    info: Info[Context, Any], input: WebhookEndpointIdInput
) -> WebhookEndpointPayload:
    changed, errors = await perform(
        info, lambda s, a: webhook_endpoints.set_enabled(s, a, str(input.id), True)
    )
    return WebhookEndpointPayload(
        endpoint=WebhookEndpoint.of(changed) if changed else None, user_errors=errors
    )
