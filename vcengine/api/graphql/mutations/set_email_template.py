"""setEmailTemplate: the organization's badge email (scope admin); a part left out is the default."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from vcengine.api.graphql.context import Context
from vcengine.api.graphql.errors import UserError
from vcengine.api.graphql.mutations._common import perform
from vcengine.api.graphql.types.email_template import EmailTemplate
from vcengine.services import email_templates


@strawberry.input(description="Jinja templates (see EmailTemplate); null or empty: the default part.")
class EmailTemplateInput:
    subject: str | None = None
    html: str | None = None
    text: str | None = None


@strawberry.type
class SetEmailTemplatePayload:
    template: EmailTemplate | None
    user_errors: list[UserError] = strawberry.field(
        description="A template error names the part (field input.subject/html/text) and the line."
    )


async def set_email_template(info: Info[Context, Any], input: EmailTemplateInput) -> SetEmailTemplatePayload:
    stored, errors = await perform(
        info, lambda s, a: email_templates.set_email_template(s, a, input.subject, input.html, input.text)
    )
    return SetEmailTemplatePayload(
        template=None if stored is None else EmailTemplate.of(stored), user_errors=errors
    )
