"""previewEmailTemplate: render the organization's badge email, or an edited one, without sending
it (scope read): with one of the organization's credentials, or an example learner. Changes nothing."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from vcengine.api.graphql.context import Context
from vcengine.api.graphql.errors import UserError
from vcengine.api.graphql.mutations._common import perform
from vcengine.api.graphql.types.email_template import EmailPreview
from vcengine.api.graphql.types.ids import record_id
from vcengine.core.email_template import EmailContent
from vcengine.services import email_templates
from vcengine.services.context import Actor, Services


@strawberry.input(description="Parts given replace the stored ones for this preview only.")
class PreviewEmailTemplateInput:
    subject: str | None = None
    html: str | None = None
    text: str | None = None
    credential_id: strawberry.ID | None = strawberry.field(
        default=None, description="Render with this credential's values (else an example learner's)."
    )


@strawberry.type
class PreviewEmailTemplatePayload:
    preview: EmailPreview | None
    user_errors: list[UserError]


async def preview_email_template(
    info: Info[Context, Any], input: PreviewEmailTemplateInput
) -> PreviewEmailTemplatePayload:
    async def render(services: Services, actor: Actor) -> EmailContent:
        credential = (
            None
            if input.credential_id is None
            else record_id(input.credential_id, "Credential", "credentialId")
        )
        return await email_templates.preview_email_template(
            services, actor, subject=input.subject, html=input.html, text=input.text, credential_id=credential
        )

    content, errors = await perform(info, render)
    return PreviewEmailTemplatePayload(
        preview=None if content is None else EmailPreview.of(content), user_errors=errors
    )
