"""createCredentialOffer: offer a credential to the learner's wallet (OID4VCI 1.0, VC API exchange,
Learner Credential Wallet request link); scope issue."""

from __future__ import annotations

from datetime import timedelta
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from vcengine.api.graphql.context import Context
from vcengine.api.graphql.errors import UserError
from vcengine.api.graphql.mutations._common import perform
from vcengine.api.graphql.types.credential_offer import CredentialOffer
from vcengine.api.graphql.types.ids import record_id
from vcengine.services import oid4vci_offers


@strawberry.enum(description="How the learner gets the transaction code: never in the offer's own channel.")
class TxCodeDelivery(Enum):
    SHOW = "show"
    EMAIL = "email"


@strawberry.input
class CreateCredentialOfferInput:
    credential_id: strawberry.ID
    tx_code: bool = strawberry.field(
        default=False, description="Protect the offer with a 6-digit transaction code (returned once)."
    )
    tx_code_delivery: TxCodeDelivery = strawberry.field(
        default=TxCodeDelivery.SHOW,
        description="SHOW: returned here once, for staff to give the learner. EMAIL: sent to the "
        "recipient's email address and not returned (implies txCode; needs SMTP).",
    )
    expires_in_seconds: int | None = strawberry.field(
        default=None, description="How long the offer can be redeemed: 60 s to 7 days (default 15 minutes)."
    )


@strawberry.type
class CreateCredentialOfferPayload:
    offer: CredentialOffer | None
    user_errors: list[UserError]


async def create_credential_offer(
    info: Info[Context, Any], input: CreateCredentialOfferInput
) -> CreateCredentialOfferPayload:
    lifetime = None if input.expires_in_seconds is None else timedelta(seconds=input.expires_in_seconds)

    async def operation(services: Any, actor: Any) -> oid4vci_offers.CreatedOffer:
        credential_id = record_id(input.credential_id, "Credential", "credentialId")
        return await oid4vci_offers.create_credential_offer(
            services,
            actor,
            credential_id,
            tx_code=input.tx_code,
            lifetime=lifetime,
            email_tx_code=input.tx_code_delivery is TxCodeDelivery.EMAIL,
        )

    created, errors = await perform(info, operation)
    offer = None if created is None else CredentialOffer.of(created, info.context.services)
    return CreateCredentialOfferPayload(offer=offer, user_errors=errors)
