# mypy: disable-error-code="untyped-decorator, arg-type"
"""Credential: the issued document (JSON, or its VC-JWT), its status and public URL."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.types import Info

from vcengine.api.graphql.context import Context, actor_of
from vcengine.api.graphql.types.achievement import Achievement
from vcengine.api.graphql.types.delivery import Delivery, credential_claimed_at, credential_deliveries
from vcengine.api.graphql.types.enums import CredentialState, ProofFormat
from vcengine.api.graphql.types.issuer import Issuer
from vcengine.services.issuing import credential_json
from vcengine.services.ports import CredentialRecord

__all__ = ["Credential", "CredentialConnection", "CredentialEdge", "Recipient"]


@strawberry.type(description="Who earned it, as given at issue (the credential itself hashes the email).")
class Recipient:
    email: str | None
    identifier: str | None
    name: str | None


@strawberry.type(description="An issued OpenBadgeCredential.")
class Credential(relay.Node):
    record_id: relay.NodeID[str]
    url: str = strawberry.field(description="The credential's id: its public URL.")
    status: CredentialState
    proof_format: ProofFormat
    issued_at: datetime
    valid_until: datetime | None
    recipient: Recipient
    idempotency_key: str | None
    json: JSON = strawberry.field(description="The credential JSON (signed, unless it is a VC-JWT).")
    jwt: str | None = strawberry.field(description="The compact VC-JWT, for proofFormat VC_JWT.")
    achievement_record_id: strawberry.Private[str | None]
    issuer_record_id: strawberry.Private[str]

    @classmethod
    def of(cls, record: CredentialRecord) -> Credential:
        document = credential_json(record)
        r = record.recipient
        return cls(
            record_id=record.id,
            url=str(document.get("id", "")),
            status=CredentialState(record.status),
            proof_format=ProofFormat(record.proof_format),
            issued_at=record.issued_at,
            valid_until=record.valid_until,
            recipient=Recipient(email=r.get("email"), identifier=r.get("id"), name=r.get("name")),
            idempotency_key=record.idempotency_key,
            json=dict(document),
            jwt=record.document.get("jwt") if record.proof_format == "vc-jwt" else None,
            achievement_record_id=record.achievement_id,
            issuer_record_id=record.issuer_id,
        )

    @strawberry.field
    async def achievement(self, info: Info[Context, Any]) -> Achievement | None:
        """Null for a credential issued through the VC API without an achievement of this service."""
        if self.achievement_record_id is None:
            return None
        record = await info.context.achievement(self.achievement_record_id)
        return Achievement.of(record) if record else None

    @strawberry.field(description="The emails about this credential, oldest first, attempt by attempt.")
    async def deliveries(self, info: Info[Context, Any]) -> list[Delivery]:
        return await credential_deliveries(info, self.record_id)

    @strawberry.field(description="When the learner accepted it through a claim link; null: not yet.")
    async def claimed_at(self, info: Info[Context, Any]) -> datetime | None:
        return await credential_claimed_at(info, self.record_id)

    @strawberry.field
    async def issuer(self, info: Info[Context, Any]) -> Issuer | None:
        record = await info.context.issuer(self.issuer_record_id)
        return Issuer.of(record) if record else None

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, Any], node_ids: Iterable[str], required: bool = False
    ) -> list[Credential | None]:
        actor = actor_of(info, "read")
        store = info.context.services.store
        records = [await store.get_credential(actor.org_id, i) for i in node_ids]
        return [cls.of(r) if r else None for r in records]


@strawberry.type
class CredentialEdge:
    cursor: str
    node: Credential


@strawberry.type
class CredentialConnection:
    edges: list[CredentialEdge]
    page_info: relay.PageInfo
