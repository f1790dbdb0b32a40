"""revokeCredentials: many credentials revoked at once (scope revoke); each affected status list is
re-signed once for the whole batch. ``publicReason`` is shown on each one's public page with the
date; revoking revoked ones changes nothing (batches stay idempotent)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from vcengine.api.graphql.context import Context
from vcengine.api.graphql.errors import UserError
from vcengine.api.graphql.mutations._common import perform
from vcengine.api.graphql.mutations._status import change
from vcengine.api.graphql.types.credential import Credential
from vcengine.services import status_notices


@strawberry.input
class RevokeCredentialsInput:
    ids: list[strawberry.ID]
    reason: str | None = strawberry.field(default=None, description="Kept private (the revoked events).")
    public_reason: str | None = strawberry.field(
        default=None, description="Shown on each credential's public page, with the date it was revoked."
    )


@strawberry.type
class RevokeCredentialsPayload:
    credentials: list[Credential]
    user_errors: list[UserError]


async def revoke_credentials(
    info: Info[Context, Any], input: RevokeCredentialsInput
) -> RevokeCredentialsPayload:
    public, errors = await perform(info, lambda s, a: _public_reason(input.public_reason))
    if errors:
        return RevokeCredentialsPayload(credentials=[], user_errors=errors)
    changed, errors = await change(info, list(input.ids), "revoke", input.reason, single=False)
    store = info.context.services.store
    records = [r for c in changed if (r := await store.find_credential(c.record_id)) is not None]
    _, failed = await perform(info, lambda s, a: status_notices.publish_revocations(s, a, records, public))
    return RevokeCredentialsPayload(credentials=changed, user_errors=errors + failed)


async def _public_reason(text: str | None) -> str | None:
    return status_notices.check_public_reason(text)
