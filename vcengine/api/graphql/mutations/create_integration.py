"""createIntegration: connect an LMS (scope admin); its secret is shown once, never again."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from vcengine.api.graphql.context import Context
from vcengine.api.graphql.errors import UserError
from vcengine.api.graphql.mutations._common import perform
from vcengine.api.graphql.types.integration import Integration, IntegrationPlatform
from vcengine.services import integrations
from vcengine.services.integrations import NewSecret


@strawberry.input
class IntegrationSettingInput:
    name: str
    value: str


@strawberry.input
class CreateIntegrationInput:
    platform: IntegrationPlatform
    name: str
    secret: str | None = strawberry.field(
        default=None,
        description=(
            "Where the platform dictates the secret: Thinkific's API key or client secret, Teachable's "
            "webhook secret, a whsec_ Standard Webhooks secret, a Moodle token. Null: vcengine makes one."
        ),
    )
    settings: list[IntegrationSettingInput] = strawberry.field(
        default_factory=list, description="e.g. siteUrl: the platform's https:// address (Moodle lookups)."
    )
    api_token: str | None = strawberry.field(
        default=None,
        description=(
            "The platform's API credential for learner lookups (a Moodle web-service token): "
            "sealed, never shown."
        ),
    )


@strawberry.type
class IntegrationSecretPayload:
    integration: Integration | None
    secret: str | None = strawberry.field(description="The secret: shown this once, never again.")
    setup_url: str | None = strawberry.field(
        description="What to paste into the platform: the webhookUrl, with the token where it carries one."
    )
    user_errors: list[UserError]

    @classmethod
    def of(
        cls, info: Info[Context, Any], new: NewSecret | None, errors: list[UserError]
    ) -> IntegrationSecretPayload:
        if new is None:
            return cls(integration=None, secret=None, setup_url=None, user_errors=errors)
        url = integrations.setup_url(info.context.services, new.record, new.secret)
        return cls(
            integration=Integration.of(new.record, info), secret=new.secret, setup_url=url, user_errors=[]
        )


async def create_integration(
    info: Info[Context, Any], input: CreateIntegrationInput
) -> IntegrationSecretPayload:
    settings = {s.name: s.value for s in input.settings}
    new, errors = await perform(
        info,
        lambda s, a: integrations.create_integration(
            s,
            a,
            input.platform.value,
            input.name,
            secret=input.secret,
            settings=settings,
            api_token=input.api_token,
        ),
    )
    return IntegrationSecretPayload.of(info, new, errors)
