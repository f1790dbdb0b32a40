"""revokeCredential: one credential revoked (scope revoke); its status list is re-signed.

``reason`` stays private (the ``revoked`` event); ``publicReason`` is shown on the credential's
public pages with the date. Revoking a revoked credential is an INVALID_TRANSITION user error.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from vcengine.api.graphql.context import Context
from vcengine.api.graphql.errors import UserError
from vcengine.api.graphql.mutations._common import perform
from vcengine.api.graphql.mutations._status import change
from vcengine.api.graphql.types.credential import Credential
from vcengine.api.graphql.types.ids import record_id
from vcengine.errors import VcengineError
from vcengine.services import status_notices
from vcengine.services.context import Actor, Services


@strawberry.input
class RevokeCredentialInput:
    id: strawberry.ID
    reason: str | None = strawberry.field(default=None, description="Kept private (the revoked event).")
    public_reason: str | None = strawberry.field(
        default=None, description="Shown on the credential's public pages, with the date it was revoked."
    )


@strawberry.type
class RevokeCredentialPayload:
    credential: Credential | None
    user_errors: list[UserError]


async def revoke_credential(
    info: Info[Context, Any], input: RevokeCredentialInput
) -> RevokeCredentialPayload:
    try:
        credential_id: str | None = record_id(input.id, "Credential", "")
    except VcengineError:
        credential_id = None  # ``change`` reports it
    public, errors = await perform(info, lambda s, a: _check(s, a, credential_id, input.public_reason))
    if errors:
        return RevokeCredentialPayload(credential=None, user_errors=errors)
    changed, errors = await change(info, [input.id], "revoke", input.reason, single=True)
    if errors or not changed:
        return RevokeCredentialPayload(credential=None, user_errors=errors)
    records = [r for r in [await info.context.services.store.find_credential(changed[0].record_id)] if r]
    _, errors = await perform(info, lambda s, a: status_notices.publish_revocations(s, a, records, public))
    return RevokeCredentialPayload(credential=changed[0], user_errors=errors)


async def _check(
    services: Services, actor: Actor, credential_id: str | None, public_reason: str | None
) -> str | None:
    public = status_notices.check_public_reason(public_reason)
    if credential_id is not None:
        await status_notices.check_revocable(services, actor, credential_id)
    return public
