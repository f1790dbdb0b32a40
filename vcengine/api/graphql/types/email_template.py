"""EmailTemplate (what an organization's badge emails are made from), EmailPreview, IssuerBranding."""

from __future__ import annotations

from datetime import datetime

import strawberry

from vcengine.core.email_template import FILTERS, VARIABLES, EmailContent
from vcengine.services.email_templates import StoredTemplate
from vcengine.services.ports import IssuerBrandingRecord

__all__ = ["EmailPreview", "EmailTemplate", "IssuerBranding"]


@strawberry.type(
    description="The organization's badge email: Jinja templates (a safe subset: {{ values }}, "
    "filters, {% if %}). A part the organization has not set is the default."
)
class EmailTemplate:
    subject: str
    html: str
    text: str
    custom_parts: list[str] = strawberry.field(description="Which of subject, html, text are the org's own.")
    updated_at: datetime | None
    variables: list[str] = strawberry.field(description="The values a template can use.")
    filters: list[str] = strawberry.field(description="The filters a template can use.")

    @classmethod
    def of(cls, stored: StoredTemplate) -> EmailTemplate:
        t = stored.template
        return cls(
            subject=t.subject,
            html=t.html,
            text=t.text,
            custom_parts=sorted(stored.custom),
            updated_at=stored.updated_at,
            variables=list(VARIABLES),
            filters=sorted(FILTERS),
        )


@strawberry.type(description="A rendered message: what the learner would receive.")
class EmailPreview:
    subject: str
    html: str
    text: str

    @classmethod
    def of(cls, content: EmailContent) -> EmailPreview:
        return cls(subject=content.subject, html=content.html, text=content.text)


@strawberry.type(description="How an issuer's credential and claim pages look.")
class IssuerBranding:
    logo_url: str | None
    primary_color: str | None
    accent_color: str | None
    updated_at: datetime

    @classmethod
    def of(cls, r: IssuerBrandingRecord) -> IssuerBranding:
        return cls(
            logo_url=r.logo_url,
            primary_color=r.primary_color,
            accent_color=r.accent_color,
            updated_at=r.updated_at,
        )
