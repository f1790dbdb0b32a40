"""An organization's email template: read it, change it (``admin``), and preview what it makes.

Each part (subject, HTML, text) is the organization's own or, left out, the default
(``core.email_template.DEFAULT_TEMPLATE``). A template is checked when it is set: an error
names the part and the line. A preview renders a template (the stored one, or one being edited)
with the values of one of the organization's credentials, or of an example learner; its claim
link is a placeholder, never a working token.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from vcengine.core.email_template import (
    DEFAULT_TEMPLATE,
    EmailContent,
    EmailTemplate,
    check_template,
    render_email,
)
from vcengine.errors import NotFound
from vcengine.services.context import Actor, Services
from vcengine.services.email_values import email_values
from vcengine.services.ports import EmailTemplateRecord

__all__ = ["StoredTemplate", "email_template", "preview_email_template", "set_email_template", "template_for"]


@dataclass(frozen=True, slots=True)
class StoredTemplate:
    """The template in force, and which parts are the organization's own."""

    template: EmailTemplate
    custom: frozenset[str]
    updated_at: datetime | None


def _merge(record: EmailTemplateRecord | None) -> EmailTemplate:
    if record is None:
        return DEFAULT_TEMPLATE
    return EmailTemplate(
        subject=record.subject or DEFAULT_TEMPLATE.subject,
        html=record.html or DEFAULT_TEMPLATE.html,
        text=record.text or DEFAULT_TEMPLATE.text,
    )


async def template_for(services: Services, org_id: str) -> EmailTemplate:
    """What the organization's emails are made from."""
    return _merge(await services.store.get_email_template(org_id))


def _stored(record: EmailTemplateRecord | None) -> StoredTemplate:
    custom = (
        frozenset()
        if record is None
        else frozenset(p for p in ("subject", "html", "text") if getattr(record, p) is not None)
    )
    return StoredTemplate(_merge(record), custom, None if record is None else record.updated_at)


async def email_template(services: Services, actor: Actor) -> StoredTemplate:
    actor.require("read")
    return _stored(await services.store.get_email_template(actor.org_id))


async def set_email_template(
    services: Services, actor: Actor, subject: str | None, html: str | None, text: str | None
) -> StoredTemplate:
    """Make the given parts the organization's (None: the default); ``InputError`` for a bad one."""
    actor.require("admin")
    record = EmailTemplateRecord(actor.org_id, subject or None, html or None, text or None, services.now())
    check_template(_merge(record))
    await services.store.put_email_template(record)
    return _stored(record)


async def preview_email_template(
    services: Services,
    actor: Actor,
    *,
    subject: str | None = None,
    html: str | None = None,
    text: str | None = None,
    credential_id: str | None = None,
) -> EmailContent:
    """The message the template (the stored one, with the given parts replacing its own) makes."""
    actor.require("read")
    stored = await template_for(services, actor.org_id)
    template = EmailTemplate(subject or stored.subject, html or stored.html, text or stored.text)
    check_template(template)
    now = services.now()
    if credential_id is None:
        values = _example(services, now)
    else:
        record = await services.store.get_credential(actor.org_id, credential_id)
        if record is None:
            raise NotFound(f"no credential {credential_id}", path="credentialId")
        values = email_values(services, record, f"{services.base_url}/claim/EXAMPLE", now)
    return render_email(template, values)


def _example(services: Services, now: datetime) -> dict[str, str | None]:
    page = f"{services.base_url}/credentials/EXAMPLE"
    return {
        "recipient_name": "Ada Lovelace",
        "achievement_name": "Example Badge",
        "achievement_description": "What the badge says its holder can do.",
        "issuer_name": "Example Issuer",
        "organization_name": "Example Issuer",
        "claim_url": f"{services.base_url}/claim/EXAMPLE",
        "wallet_url": f"{services.base_url}/claim/EXAMPLE#wallet",
        "credential_url": page,
        "linkedin_url": f"{page}/linkedin",
        "badge_image_url": f"{page}/badge.png",
        "valid_until": None,
        "claim_expires": now.strftime("%-d %B %Y"),
        "reminder": None,
    }
