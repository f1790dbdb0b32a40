# mypy: disable-error-code="untyped-decorator"
"""ApiKey: what the store holds of a key — its prefix and scopes, never the secret or its hash."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from vcengine.api.graphql.context import Context
from vcengine.api.graphql.types.enums import Scope
from vcengine.services.ports import ApiKeyRecord

__all__ = ["ApiKey", "ApiKeyConnection", "ApiKeyEdge"]


@strawberry.type(description="An API key as stored: its prefix and scopes, never the secret.")
class ApiKey:
    id: strawberry.ID
    name: str
    prefix: str = strawberry.field(description="The key reads vce_<prefix>_<secret>.")
    scopes: list[Scope]
    created_at: datetime
    last_used_at: datetime | None = strawberry.field(
        description="When the key last authenticated, to the minute (null: never)."
    )
    revoked_at: datetime | None = strawberry.field(description="Null while the key works.")
    created_by_id: strawberry.Private[str | None]

    @classmethod
    def of(cls, record: ApiKeyRecord) -> ApiKey:
        return cls(
            id=strawberry.ID(record.id),
            name=record.name,
            prefix=record.prefix,
            scopes=[Scope(s) for s in sorted(record.scopes)],
            created_at=record.created_at,
            last_used_at=record.last_used_at,
            revoked_at=record.revoked_at,
            created_by_id=record.created_by,
        )

    @strawberry.field(
        description="The key that created this one; null if an operator did (vcengine admin, first start)."
    )
    async def created_by(self, info: Info[Context, Any]) -> ApiKey | None:
        if self.created_by_id is None:
            return None
        record = await info.context.api_key(self.created_by_id)
        return ApiKey.of(record) if record else None


@strawberry.type
class ApiKeyEdge:
    cursor: str
    node: ApiKey


@strawberry.type
class ApiKeyConnection:
    edges: list[ApiKeyEdge]
    page_info: relay.PageInfo
