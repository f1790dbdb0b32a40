"""revokeCredential: one credential revoked (scope revoke); its status list is re-signed."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from vcengine.api.graphql.context import Context
from vcengine.api.graphql.errors import UserError
from vcengine.api.graphql.mutations._status import change
from vcengine.api.graphql.types.credential import Credential


@strawberry.input
class RevokeCredentialInput:
    id: strawberry.ID
    reason: str | None = None


@strawberry.type
class RevokeCredentialPayload:
    credential: Credential | None
    user_errors: list[UserError]


async def revoke_credential(
    info: Info[Context, Any], input: RevokeCredentialInput
) -> RevokeCredentialPayload:
    changed, errors = await change(info, [input.id], "revoke", input.reason, single=True)
    return RevokeCredentialPayload(
        credential=None if errors or not changed else changed[0], user_errors=errors
    )
