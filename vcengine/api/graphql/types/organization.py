"""Organization (tenant) and the viewer."""

from __future__ import annotations

from datetime import datetime

import strawberry

from vcengine.api.graphql.types.enums import Scope
from vcengine.services.ports import OrganizationRecord

__all__ = ["Organization", "Viewer"]


@strawberry.type(description="A tenant: every query and mutation acts within the caller's organization.")
class Organization:
    id: strawberry.ID
    name: str
    created_at: datetime

    @classmethod
    def of(cls, record: OrganizationRecord) -> Organization:
        return cls(id=strawberry.ID(record.id), name=record.name, created_at=record.created_at)


@strawberry.type(description="Who is calling.")
class Viewer:
    organization: Organization
    scopes: list[Scope]
