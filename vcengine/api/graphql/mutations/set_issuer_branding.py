"""setIssuerBranding: an issuer's logo and colours on its credential and claim pages (scope admin)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from vcengine.api.graphql.context import Context
from vcengine.api.graphql.errors import UserError
from vcengine.api.graphql.mutations._common import perform
from vcengine.api.graphql.types.email_template import IssuerBranding
from vcengine.api.graphql.types.ids import record_id
from vcengine.services import branding
from vcengine.services.context import Actor, Services
from vcengine.services.ports import IssuerBrandingRecord


@strawberry.input(description="Null or empty fields clear them.")
class SetIssuerBrandingInput:
    issuer_id: strawberry.ID
    logo_url: str | None = strawberry.field(default=None, description="An https URL of the logo.")
    primary_color: str | None = strawberry.field(default=None, description="#rrggbb: links and buttons.")
    accent_color: str | None = strawberry.field(default=None, description="#rrggbb: the header's accent.")


@strawberry.type
class SetIssuerBrandingPayload:
    branding: IssuerBranding | None
    user_errors: list[UserError]


async def set_issuer_branding(
    info: Info[Context, Any], input: SetIssuerBrandingInput
) -> SetIssuerBrandingPayload:
    async def apply(services: Services, actor: Actor) -> IssuerBrandingRecord:
        issuer_id = record_id(input.issuer_id, "Issuer", "issuerId")
        return await branding.set_issuer_branding(
            services,
            actor,
            issuer_id,
            logo_url=input.logo_url,
            primary_color=input.primary_color,
            accent_color=input.accent_color,
        )

    record, errors = await perform(info, apply)
    return SetIssuerBrandingPayload(
        branding=None if record is None else IssuerBranding.of(record), user_errors=errors
    )
