"""replayWebhookDelivery: send a finished delivery again, now (scope admin): the same body and
webhook-id (receivers drop duplicates by it), signed afresh."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from vcengine.api.graphql.context import Context
from vcengine.api.graphql.errors import UserError
from vcengine.api.graphql.mutations._common import perform
from vcengine.api.graphql.types.webhook import WebhookDelivery
from vcengine.services import webhook_delivery


@strawberry.input
class ReplayWebhookDeliveryInput:
    id: strawberry.ID = strawberry.field(description="The delivery's id (as in webhookDeliveries).")


@strawberry.type
class ReplayWebhookDeliveryPayload:
    delivery: WebhookDelivery | None
    user_errors: list[UserError]


async def replay_webhook_delivery(
    info: Info[Context, Any], input: ReplayWebhookDeliveryInput
) -> ReplayWebhookDeliveryPayload:
    job, errors = await perform(info, lambda s, a: webhook_delivery.replay(s, a, str(input.id)))
    if job is None:
        return ReplayWebhookDeliveryPayload(delivery=None, user_errors=errors)
    attempts = await info.context.services.store.list_webhook_attempts(job.org_id, [job.id])
    return ReplayWebhookDeliveryPayload(delivery=WebhookDelivery.of(job, list(attempts)), user_errors=[])
