# mypy: disable-error-code="untyped-decorator, arg-type"
"""The Subscription type: credential events of the caller's organization (graphql-transport-ws),
delivered only while the subscriber's API key is not revoked."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

import strawberry
from strawberry.types import Info

from vcengine.api.graphql.context import Context, actor_of
from vcengine.api.graphql.errors import coded, outage
from vcengine.api.graphql.types.events import CredentialEvent, CredentialEventType
from vcengine.errors import PermissionDenied, StoreError
from vcengine.services import organizations
from vcengine.services.context import Actor

__all__ = ["Subscription"]


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Issued, revoked, suspended, unsuspended, bulk progress and LMS integration events."
    )
    async def credential_events(
        self, info: Info[Context, Any], types: list[CredentialEventType] | None = None
    ) -> AsyncGenerator[CredentialEvent, None]:
        actor = actor_of(info, "read")
        services = info.context.services
        wanted = {t.value for t in types} if types else None
        async for event in services.events.subscribe(actor.org_id):
            if wanted is None or event.type in wanted:
                await _still_authorized(info, actor)
                yield CredentialEvent.of(event)


async def _still_authorized(info: Info[Context, Any], actor: Actor) -> None:
    """The key was checked when the connection opened; it is checked again against the store
    before every delivery, so a revoked key receives nothing more, whichever instance revoked it."""
    try:
        await organizations.ensure_active(info.context.services, actor)
    except PermissionDenied as exc:
        raise coded(f"{exc.message}: the subscription ends", "UNAUTHENTICATED") from None
    except StoreError as exc:
        raise outage(exc) from None
