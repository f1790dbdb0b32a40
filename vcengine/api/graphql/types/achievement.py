# mypy: disable-error-code="untyped-decorator, arg-type"
"""Achievement (badge class)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.types import Info

from vcengine.api.graphql.context import Context, actor_of
from vcengine.api.graphql.types.issuer import Issuer
from vcengine.services.ports import AchievementRecord

__all__ = ["Achievement", "AchievementConnection", "AchievementEdge"]


@strawberry.type(description="An achievement an issuer awards (OB 3.0 Achievement).")
class Achievement(relay.Node):
    record_id: relay.NodeID[str]
    achievement_id: str = strawberry.field(description="The achievement's URL, as in credentials.")
    name: str
    description: str
    achievement_type: str | None
    criteria_narrative: str | None
    criteria_url: str | None
    image_url: str | None
    json: JSON = strawberry.field(description="The OB 3.0 Achievement JSON.")
    created_at: datetime
    issuer_record_id: strawberry.Private[str]

    @classmethod
    def of(cls, record: AchievementRecord) -> Achievement:
        a = record.achievement
        criteria = a.get("criteria") or {}
        image = a.get("image")
        return cls(
            record_id=record.id,
            achievement_id=str(a["id"]),
            name=str(a.get("name", "")),
            description=str(a.get("description", "")),
            achievement_type=a.get("achievementType"),
            criteria_narrative=criteria.get("narrative"),
            criteria_url=criteria.get("id"),
            image_url=image.get("id") if isinstance(image, dict) else image,
            json=dict(a),
            created_at=record.created_at,
            issuer_record_id=record.issuer_id,
        )

    @strawberry.field
    async def issuer(self, info: Info[Context, Any]) -> Issuer | None:
        record = await info.context.issuer(self.issuer_record_id)
        return Issuer.of(record) if record else None

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, Any], node_ids: Iterable[str], required: bool = False
    ) -> list[Achievement | None]:
        actor_of(info, "read")
        records = [await info.context.achievement(i) for i in node_ids]
        return [cls.of(r) if r else None for r in records]


@strawberry.type
class AchievementEdge:
    cursor: str
    node: Achievement


@strawberry.type
class AchievementConnection:
    edges: list[AchievementEdge]
    page_info: relay.PageInfo
