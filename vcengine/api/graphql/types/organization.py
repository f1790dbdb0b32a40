"""Organization (tenant), the viewer and API keys."""

from __future__ import annotations

from datetime import datetime

import strawberry

from vcengine.api.graphql.types.enums import Scope
from vcengine.services.ports import ApiKeyRecord, OrganizationRecord

__all__ = ["ApiKey", "Organization", "Viewer"]


@strawberry.type(description="A tenant: every query and mutation acts within the caller's organization.")
class Organization:
    id: strawberry.ID
    name: str
    created_at: datetime

    @classmethod
    def of(cls, record: OrganizationRecord) -> Organization:
        return cls(id=strawberry.ID(record.id), name=record.name, created_at=record.created_at)


@strawberry.type(description="An API key as stored: its prefix and scopes, never the secret.")
class ApiKey:
    id: strawberry.ID
    name: str
    prefix: str
    scopes: list[Scope]
    created_at: datetime

    @classmethod
    def of(cls, record: ApiKeyRecord) -> ApiKey:
        scopes = [Scope(s) for s in sorted(record.scopes)]
        return cls(
            id=strawberry.ID(record.id),
            name=record.name,
            prefix=record.prefix,
            scopes=scopes,
            created_at=record.created_at,
        )


@strawberry.type(description="Who is calling.")
class Viewer:
    organization: Organization
    scopes: list[Scope]
