"""deleteWebhookEndpoint: the endpoint and its attempts are gone (scope admin); deliveries still
queued for it are dropped."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from vcengine.api.graphql.context import Context
from vcengine.api.graphql.errors import UserError
from vcengine.api.graphql.mutations._common import perform
from vcengine.api.graphql.mutations._webhook_endpoint import WebhookEndpointIdInput
from vcengine.services import webhook_endpoints


@strawberry.type
class DeleteWebhookEndpointPayload:
    deleted_id: strawberry.ID | None
    user_errors: list[UserError]


async def delete_webhook_endpoint(
    info: Info[Context, Any], input: WebhookEndpointIdInput
) -> DeleteWebhookEndpointPayload:
    gone, errors = await perform(info, lambda s, a: webhook_endpoints.delete_endpoint(s, a, str(input.id)))
    return DeleteWebhookEndpointPayload(deleted_id=strawberry.ID(gone) if gone else None, user_errors=errors)
