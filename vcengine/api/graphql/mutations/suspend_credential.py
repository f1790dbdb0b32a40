"""suspendCredential: one credential suspended (scope revoke); its status list is re-signed."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from vcengine.api.graphql.context import Context
from vcengine.api.graphql.errors import UserError
from vcengine.api.graphql.mutations._status import change
from vcengine.api.graphql.types.credential import Credential


@strawberry.input
class SuspendCredentialInput:
    id: strawberry.ID
    reason: str | None = None


@strawberry.type
class SuspendCredentialPayload:
    credential: Credential | None
    user_errors: list[UserError]


async def suspend_credential(
    info: Info[Context, Any], input: SuspendCredentialInput
) -> SuspendCredentialPayload:
    changed, errors = await change(info, [input.id], "suspend", input.reason, single=True)
    return SuspendCredentialPayload(
        credential=None if errors or not changed else changed[0], user_errors=errors
    )
