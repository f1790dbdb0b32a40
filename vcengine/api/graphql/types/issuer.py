# mypy: disable-error-code="untyped-decorator, arg-type"
"""Issuer (an OB 3.0 Profile) and its public keys."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.types import Info

from vcengine.api.graphql.context import Context, actor_of
from vcengine.api.graphql.types.email_template import IssuerBranding
from vcengine.api.graphql.types.enums import IssuerKind, KeyStatus
from vcengine.services import issuers
from vcengine.services.ports import IssuerKeyRecord, IssuerRecord

__all__ = ["Issuer", "IssuerKey"]


@strawberry.type(description="A signing key's public parts; the secret never leaves the server.")
class IssuerKey:
    id: strawberry.ID
    verification_method: str
    public_key_multibase: str
    status: KeyStatus
    created_at: datetime
    retired_at: datetime | None
    public_key: JSON = strawberry.field(description="The key as a Multikey verification method.")

    @classmethod
    def of(cls, record: IssuerKeyRecord) -> IssuerKey:
        return cls(
            id=strawberry.ID(record.id),
            verification_method=record.verification_method,
            public_key_multibase=record.public_key_multibase,
            status=KeyStatus(record.status),
            created_at=record.created_at,
            retired_at=record.retired_at,
            public_key=dict(issuers.public_key_json(record)),
        )


@strawberry.type(description="An issuer: its OB 3.0 Profile and keys.")
class Issuer(relay.Node):
    record_id: relay.NodeID[str]
    issuer_id: str = strawberry.field(
        description="The issuer's id in credentials: a URL, did:web or did:key."
    )
    name: str | None
    url: str | None
    email: str | None
    description: str | None
    kind: IssuerKind
    profile: JSON
    created_at: datetime

    @classmethod
    def of(cls, record: IssuerRecord) -> Issuer:
        p = record.profile
        return cls(
            record_id=record.id,
            issuer_id=str(p["id"]),
            name=p.get("name"),
            url=p.get("url"),
            email=p.get("email"),
            description=p.get("description"),
            kind=IssuerKind(issuers.issuer_kind(record)),
            profile=dict(p),
            created_at=record.created_at,
        )

    @strawberry.field(description="Active and retired keys, newest first.")
    async def keys(self, info: Info[Context, Any]) -> list[IssuerKey]:
        record = await info.context.issuer(self.record_id)
        if record is None:
            return []
        return [IssuerKey.of(k) for k in await issuers.list_keys(info.context.services, record)]

    @strawberry.field(description="The logo and colours of its credential and claim pages (null: none).")
    async def branding(self, info: Info[Context, Any]) -> IssuerBranding | None:
        record = await info.context.issuer(self.record_id)  # the caller's organization only
        found = None if record is None else await info.context.services.store.find_issuer_branding(record.id)
        return None if found is None else IssuerBranding.of(found)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, Any], node_ids: Iterable[str], required: bool = False
    ) -> list[Issuer | None]:
        actor_of(info, "read")
        records = [await info.context.issuer(i) for i in node_ids]
        return [cls.of(r) if r else None for r in records]
