"""The values an email template sees for one credential (``core.email_template.VARIABLES``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from vcengine.services.context import Services
from vcengine.services.issuing import credential_json, credential_url
from vcengine.services.ports import CredentialRecord

__all__ = ["email_values", "text"]


def _date(value: datetime | None) -> str | None:
    return None if value is None else value.strftime("%-d %B %Y")


def text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def email_values(
    services: Services, record: CredentialRecord, claim_url: str, claim_expires: datetime
) -> dict[str, Any]:
    """The values a template sees for ``record`` (see ``core.email_template.VARIABLES``)."""
    document = credential_json(record)
    subject = document.get("credentialSubject") or {}
    achievement = subject.get("achievement") or {} if isinstance(subject, dict) else {}
    issuer = document.get("issuer") or {}
    issuer_name = text(issuer.get("name") if isinstance(issuer, dict) else None) or "The issuer"
    name = text(achievement.get("name")) or text(document.get("name")) or "a badge"
    page = credential_url(services, record.id)
    return {
        "recipient_name": text(record.recipient.get("name")),
        "achievement_name": name,
        "achievement_description": text(achievement.get("description")),
        "issuer_name": issuer_name,
        "organization_name": issuer_name,
        "claim_url": claim_url,
        "wallet_url": f"{claim_url}#wallet",  # the claim page makes a fresh offer when asked
        "credential_url": page,
        "linkedin_url": f"{page}/linkedin",
        "badge_image_url": f"{page}/badge.png",
        "valid_until": _date(record.valid_until),
        "claim_expires": _date(claim_expires),
        "reminder": None,
    }
