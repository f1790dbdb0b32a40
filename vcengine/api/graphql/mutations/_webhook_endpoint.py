"""The payload shared by the mutations that change a webhook endpoint."""

from __future__ import annotations

import strawberry

from vcengine.api.graphql.errors import UserError
from vcengine.api.graphql.types.webhook import WebhookEndpoint

__all__ = ["WebhookEndpointIdInput", "WebhookEndpointPayload"]


@strawberry.type
class WebhookEndpointPayload:
    endpoint: WebhookEndpoint | None
    user_errors: list[UserError]


@strawberry.input
class WebhookEndpointIdInput:
    id: strawberry.ID
