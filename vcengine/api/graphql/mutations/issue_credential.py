"""issueCredential: sign and store one OpenBadgeCredential (scope issue); idempotent by key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from vcengine.api.graphql.context import Context
from vcengine.api.graphql.errors import UserError
from vcengine.api.graphql.mutations._common import perform
from vcengine.api.graphql.types.credential import Credential
from vcengine.api.graphql.types.delivery import DeliveryMethod
from vcengine.api.graphql.types.enums import ProofFormat, StatusPurpose
from vcengine.api.graphql.types.ids import record_id
from vcengine.services import issuing


@strawberry.input(description="At least one of email, identifier (a DID or URL) and name.")
class RecipientInput:
    email: str | None = strawberry.field(default=None, description="Hashed (salted) in the credential.")
    identifier: str | None = None
    name: str | None = strawberry.field(default=None, description="Disclosed in the credential.")


@strawberry.input
class EvidenceInput:
    url: str | None = None
    narrative: str | None = None
    name: str | None = None
    description: str | None = None


@strawberry.input
class IssueCredentialInput:
    achievement_id: strawberry.ID
    recipient: RecipientInput
    evidence: list[EvidenceInput] = strawberry.field(default_factory=list)
    valid_until: datetime | None = None
    proof_format: ProofFormat = ProofFormat.EDDSA_RDFC_2022
    idempotency_key: str | None = strawberry.field(
        default=None, description="Retries with the same key return the first credential."
    )
    status_purpose: StatusPurpose = strawberry.field(
        default=StatusPurpose.REVOCATION,
        description="SUSPENSION: the credential can be suspended and unsuspended (and revoked for good).",
    )
    delivery: DeliveryMethod | None = strawberry.field(
        default=None, description="EMAIL or NONE; left out: EMAIL when possible (see DeliveryMethod)."
    )

    def to_domain(self) -> issuing.IssueRequest:
        return issuing.IssueRequest(
            achievement_id=record_id(self.achievement_id, "Achievement", "achievementId"),
            recipient=issuing.RecipientInput(
                self.recipient.email, self.recipient.identifier, self.recipient.name
            ),
            evidence=[
                issuing.EvidenceInput(e.url, e.narrative, e.name, e.description) for e in self.evidence
            ],
            valid_until=self.valid_until,
            proof_format=self.proof_format.value,
            idempotency_key=self.idempotency_key,
            status_purpose=self.status_purpose.value,
            delivery=None if self.delivery is None else self.delivery.value,
        )


@strawberry.type
class IssueCredentialPayload:
    credential: Credential | None
    replayed: bool = strawberry.field(
        description="True when an earlier call with this idempotency key issued it."
    )
    user_errors: list[UserError]


async def issue_credential(info: Info[Context, Any], input: IssueCredentialInput) -> IssueCredentialPayload:
    issued, errors = await perform(info, lambda s, a: issuing.issue_credential(s, a, input.to_domain()))
    if issued is None:
        return IssueCredentialPayload(credential=None, replayed=False, user_errors=errors)
    return IssueCredentialPayload(
        credential=Credential.of(issued.record), replayed=not issued.created, user_errors=[]
    )
