"""CredentialOffer: an OID4VCI 1.0 credential offer of one credential, as staff hand it to a learner."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from vcengine.api.graphql.types.ids import global_id
from vcengine.services.context import Services
from vcengine.services.oid4vci_offers import CreatedOffer
from vcengine.services.vc_api_exchanges import exchange_links

__all__ = ["CredentialOffer"]


@strawberry.type(
    description="One offer of a credential for every wallet: OpenID for Verifiable Credential Issuance 1.0 "
    "(pre-authorized code flow), a VC API exchange and the Learner Credential Wallet's request link; "
    "redeemed once, by whichever wallet takes it first. "
    "Its secrets (the pre-authorized code inside the offer and links, the transaction code) are "
    "returned only here, once."
)
class CredentialOffer:
    id: strawberry.ID
    credential_id: relay.GlobalID
    credential_issuer: str = strawberry.field(
        description="The Credential Issuer Identifier (an issuer's URL)."
    )
    openid4vci_offer_uri: str = strawberry.field(
        description="openid-credential-offer://?credential_offer_uri=…: the link (and QR code) for a wallet."
    )
    openid4vci_offer_by_value_uri: str = strawberry.field(
        description="openid-credential-offer://?credential_offer=…: the offer itself in the link."
    )
    credential_offer_uri: str = strawberry.field(description="The HTTPS URL a wallet fetches the offer from.")
    credential_offer: JSON = strawberry.field(description="The Credential Offer object (§4.1.1).")
    qr_code_svg: str = strawberry.field(description="openid4vciOfferUri as a QR code: an SVG document.")
    tx_code: str | None = strawberry.field(
        description="The transaction code the wallet will ask for, when requested with delivery SHOW: "
        "give it to the learner by another channel than the offer. Shown once; null when emailed."
    )
    tx_code_required: bool = strawberry.field(
        description="Whether the wallet will ask for a transaction code."
    )
    exchange_url: str | None = strawberry.field(
        description="The VC API exchange of this offer (DID Authentication), for VC-API wallets; "
        "null when the offer has a transaction code (these protocols cannot carry it)."
    )
    lcw_deep_link: str | None = strawberry.field(
        description="dccrequest://request?…: the Learner Credential Wallet's request link; "
        "null with a transaction code."
    )
    expires_at: datetime

    @classmethod
    def of(cls, created: CreatedOffer, services: Services) -> CredentialOffer:
        record = created.record
        links = exchange_links(services, created)
        return cls(
            id=strawberry.ID(record.id),
            credential_id=global_id("Credential", record.credential_id),
            credential_issuer=created.offer["credential_issuer"],
            openid4vci_offer_uri=created.link_by_reference,
            openid4vci_offer_by_value_uri=created.link_by_value,
            credential_offer_uri=created.offer_uri,
            credential_offer=created.offer,  # type: ignore[arg-type]
            qr_code_svg=created.qr_code_svg,
            tx_code=created.tx_code,
            tx_code_required=record.tx_code_mac is not None,
            exchange_url=None if links is None else links[0],
            lcw_deep_link=None if links is None else links[1],
            expires_at=record.expires_at,
        )
