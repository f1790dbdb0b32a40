# mypy: disable-error-code="untyped-decorator, arg-type"
"""The Subscription type: credential events of the caller's organization (graphql-transport-ws)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

import strawberry
from strawberry.types import Info

from vcengine.api.graphql.context import Context, actor_of
from vcengine.api.graphql.types.events import CredentialEvent, CredentialEventType

__all__ = ["Subscription"]


@strawberry.type
class Subscription:
    @strawberry.subscription(description="Issued, revoked, suspended, unsuspended and bulk progress events.")
    async def credential_events(
        self, info: Info[Context, Any], types: list[CredentialEventType] | None = None
    ) -> AsyncGenerator[CredentialEvent, None]:
        actor = actor_of(info, "read")
        wanted = {t.value for t in types} if types else None
        async for event in info.context.services.events.subscribe(actor.org_id):
            if wanted is None or event.type in wanted:
                yield CredentialEvent.of(event)
