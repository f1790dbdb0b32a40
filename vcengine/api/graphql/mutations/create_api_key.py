"""createApiKey: a new API key of the caller's organization (scope admin); the key is shown once."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from vcengine.api.graphql.context import Context
from vcengine.api.graphql.errors import UserError
from vcengine.api.graphql.mutations._common import perform
from vcengine.api.graphql.types.api_key import ApiKey
from vcengine.api.graphql.types.enums import Scope
from vcengine.services import organizations


@strawberry.input
class CreateApiKeyInput:
    name: str
    scopes: list[Scope]


@strawberry.type
class CreateApiKeyPayload:
    api_key: ApiKey | None
    key: str | None = strawberry.field(description="The secret key: shown this once, never again.")
    user_errors: list[UserError]


async def create_api_key(info: Info[Context, Any], input: CreateApiKeyInput) -> CreateApiKeyPayload:
    scopes = [s.value for s in input.scopes]
    new, errors = await perform(info, lambda s, a: organizations.create_api_key(s, a, input.name, scopes))
    if new is None:
        return CreateApiKeyPayload(api_key=None, key=None, user_errors=errors)
    return CreateApiKeyPayload(api_key=ApiKey.of(new.record), key=new.plaintext, user_errors=[])
