# mypy: disable-error-code="untyped-decorator, arg-type"
"""The LMS part of the Query type (scope admin): integrations, award rules, received events."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from vcengine.api.graphql.context import Context, actor_of
from vcengine.api.graphql.errors import coded
from vcengine.api.graphql.types.ids import record_id
from vcengine.api.graphql.types.integration import (
    AwardRule,
    Integration,
    IntegrationEvent,
    IntegrationEventConnection,
    IntegrationEventEdge,
    IntegrationEventOutcome,
)
from vcengine.api.graphql.types.pagination import page
from vcengine.errors import NotFound

__all__ = ["IntegrationQueries"]


def _integration_id(value: strawberry.ID | None) -> str | None:
    if value is None:
        return None
    try:
        return record_id(value, "Integration", "integrationId")
    except NotFound as exc:
        raise coded(exc.message, "BAD_USER_INPUT") from None


@strawberry.type
class IntegrationQueries:
    @strawberry.field(description="The organization's LMS integrations, oldest first (scope ADMIN).")
    async def integrations(self, info: Info[Context, Any]) -> list[Integration]:
        actor = actor_of(info, "admin")
        records = await info.context.services.store.list_integrations(actor.org_id)
        return [Integration.of(r, info) for r in records]

    @strawberry.field(description="Award rules, of one integration or all, oldest first (scope ADMIN).")
    async def award_rules(
        self, info: Info[Context, Any], integration_id: strawberry.ID | None = None
    ) -> list[AwardRule]:
        actor = actor_of(info, "admin")
        rules = await info.context.services.store.list_award_rules(
            actor.org_id, _integration_id(integration_id)
        )
        return [AwardRule.of(r) for r in rules]

    @strawberry.field(
        description="Events the integrations received, oldest first, with what became of each (scope ADMIN)."
    )
    async def integration_events(
        self,
        info: Info[Context, Any],
        first: int = 20,
        after: str | None = None,
        integration_id: strawberry.ID | None = None,
        outcome: IntegrationEventOutcome | None = None,
        received_after: Annotated[
            datetime | None, strawberry.argument(description="Received at or after this instant.")
        ] = None,
        received_before: Annotated[
            datetime | None, strawberry.argument(description="Received before this instant.")
        ] = None,
    ) -> IntegrationEventConnection:
        actor = actor_of(info, "admin")
        store = info.context.services.store
        integration = _integration_id(integration_id)
        wanted = outcome.value if outcome else None
        if any(t is not None and t.tzinfo is None for t in (received_after, received_before)):
            raise coded("receivedAfter/receivedBefore need a time zone", "BAD_USER_INPUT")

        async def fetch(a: str | None, n: int) -> Any:
            return await store.list_integration_events(
                actor.org_id,
                integration,
                wanted,
                a,
                n,
                received_after=received_after,
                received_before=received_before,
            )

        edges, page_info = await page(fetch, first, after)
        return IntegrationEventConnection(
            edges=[IntegrationEventEdge(cursor=c, node=IntegrationEvent.of(r)) for c, r in edges],
            page_info=page_info,
        )
