"""suspendCredentials: many credentials suspended at once (scope revoke); each affected status list is
re-signed once for the whole batch."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from vcengine.api.graphql.context import Context
from vcengine.api.graphql.errors import UserError
from vcengine.api.graphql.mutations._status import change
from vcengine.api.graphql.types.credential import Credential


@strawberry.input
class SuspendCredentialsInput:
    ids: list[strawberry.ID]
    reason: str | None = None


@strawberry.type
class SuspendCredentialsPayload:
    credentials: list[Credential]
    user_errors: list[UserError]


async def suspend_credentials(
    info: Info[Context, Any], input: SuspendCredentialsInput
) -> SuspendCredentialsPayload:
    changed, errors = await change(info, list(input.ids), "suspend", input.reason, single=False)
    return SuspendCredentialsPayload(credentials=changed, user_errors=errors)
