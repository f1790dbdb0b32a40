"""revokeApiKey: an API key of the caller's organization stops working at once, on every instance
(scope admin). Revoking a revoked key returns it unchanged; the organization's last working
admin key is refused (LAST_ADMIN_KEY): create another admin key first."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from vcengine.api.graphql.context import Context
from vcengine.api.graphql.errors import UserError
from vcengine.api.graphql.mutations._common import perform
from vcengine.api.graphql.types.api_key import ApiKey
from vcengine.services import organizations


@strawberry.input
class RevokeApiKeyInput:
    id: strawberry.ID = strawberry.field(description="The key's id (as in apiKeys).")


@strawberry.type
class RevokeApiKeyPayload:
    api_key: ApiKey | None
    user_errors: list[UserError]


async def revoke_api_key(info: Info[Context, Any], input: RevokeApiKeyInput) -> RevokeApiKeyPayload:
    key_id = str(input.id)
    record, errors = await perform(info, lambda s, a: organizations.revoke_api_key(s, a, key_id))
    return RevokeApiKeyPayload(api_key=ApiKey.of(record) if record else None, user_errors=errors)
