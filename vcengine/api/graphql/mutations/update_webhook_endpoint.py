"""updateWebhookEndpoint: change an endpoint's URL, event types or description (scope admin);
what is not given stays as it is."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from vcengine.api.graphql.context import Context
from vcengine.api.graphql.mutations._common import perform
from vcengine.api.graphql.mutations._webhook_endpoint import WebhookEndpointPayload
from vcengine.api.graphql.types.webhook import WebhookEndpoint, WebhookEventType
from vcengine.services import webhook_endpoints


@strawberry.input
class UpdateWebhookEndpointInput:
    id: strawberry.ID
    url: str | None = None
    events: list[WebhookEventType] | None = None
    description: str | None = None


async def update_webhook_endpoint(
    info: Info[Context, Any], input: UpdateWebhookEndpointInput
) -> WebhookEndpointPayload:
    events = None if input.events is None else [e.value for e in input.events]
    changed, errors = await perform(
        info,
        lambda s, a: webhook_endpoints.update_endpoint(
            s, a, str(input.id), url=input.url, events=events, description=input.description
        ),
    )
    return WebhookEndpointPayload(
        endpoint=WebhookEndpoint.of(changed) if changed else None, user_errors=errors
    )
