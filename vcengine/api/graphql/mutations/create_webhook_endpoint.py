"""createWebhookEndpoint: where the organization's webhooks go (scope admin); the signing secret
(``whsec_…``, Standard Webhooks) is returned this once, never again."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from vcengine.api.graphql.context import Context
from vcengine.api.graphql.errors import UserError
from vcengine.api.graphql.mutations._common import perform
from vcengine.api.graphql.types.webhook import WebhookEndpoint, WebhookEventType
from vcengine.services import webhook_endpoints


@strawberry.input
class CreateWebhookEndpointInput:
    url: str = strawberry.field(description="https, and not a private, loopback or link-local address.")
    events: list[WebhookEventType]
    description: str | None = None


@strawberry.type
class WebhookEndpointSecretPayload:
    endpoint: WebhookEndpoint | None
    secret: str | None = strawberry.field(
        description="The whsec_ signing secret: shown this once, never again."
    )
    user_errors: list[UserError]


async def create_webhook_endpoint(
    info: Info[Context, Any], input: CreateWebhookEndpointInput
) -> WebhookEndpointSecretPayload:
    events = [e.value for e in input.events]
    new, errors = await perform(
        info, lambda s, a: webhook_endpoints.create_endpoint(s, a, input.url, events, input.description)
    )
    if new is None:
        return WebhookEndpointSecretPayload(endpoint=None, secret=None, user_errors=errors)
    return WebhookEndpointSecretPayload(
        endpoint=WebhookEndpoint.of(new.endpoint), secret=new.secret, user_errors=[]
    )
