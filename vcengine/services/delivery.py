"""Delivery of an issued credential to its learner: the choice made at issue, and its jobs.

``delivery`` on an issue request is ``EMAIL`` or ``NONE``; left out, it is ``EMAIL`` when the
recipient has an email address and this instance has SMTP, else ``NONE``. ``EMAIL`` for a
recipient without an email address is an ``InputError``. The email is a durable job
(``services.jobs``) stored in the same write as the credential, with an id made from the
credential's (``email:{credential id}``), so it exists once per credential; the job is run by
``services.email_delivery`` on any instance. An ``EMAIL`` delivery on an instance without SMTP
is still stored: it is recorded as ``skipped`` when it runs, never silently dropped.

An expiry reminder (``reminder:{credential id}``) is due ``reminder_days`` before the
credential's ``validUntil``, when that is still ahead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from vcengine.errors import InputError
from vcengine.services.jobs import new_job
from vcengine.services.ports import CredentialRecord, JobRecord
from vcengine.services.smtp import SmtpSettings

if TYPE_CHECKING:
    from vcengine.services.context import Services

__all__ = [
    "EMAIL_KIND",
    "REMINDER_KIND",
    "DeliveryChoice",
    "DeliverySettings",
    "delivery_job_ids",
    "delivery_jobs",
    "resolve_delivery",
]

EMAIL_KIND = "email"
REMINDER_KIND = "email_reminder"
DeliveryChoice = Literal["EMAIL", "NONE"]


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    """How this instance delivers: SMTP (None: it cannot), the From, claim links and reminders.

    ``retry_seconds`` is the first backoff after a failed send (doubling, at most an hour)."""

    smtp: SmtpSettings | None = None
    sender: str | None = None
    claim_days: int = 30
    reminder_days: int | None = None
    retry_seconds: float = 30.0


def resolve_delivery(
    settings: DeliverySettings, choice: DeliveryChoice | None, email: str | None
) -> DeliveryChoice:
    """What ``choice`` means for a recipient with ``email`` (see the module docstring)."""
    if choice is None:
        return "EMAIL" if email and settings.smtp is not None else "NONE"
    if choice not in ("EMAIL", "NONE"):
        raise InputError("must be EMAIL or NONE", path="delivery")
    if choice == "EMAIL" and not email:
        raise InputError("EMAIL delivery needs the recipient's email", path="delivery")
    return choice


def delivery_job_ids(credential_id: str) -> tuple[str, str]:
    """The ids of a credential's email and reminder jobs."""
    return f"email:{credential_id}", f"reminder:{credential_id}"


def delivery_jobs(
    services: Services, record: CredentialRecord, choice: DeliveryChoice, now: datetime
) -> list[JobRecord]:
    """The jobs to store with ``record``: none for ``NONE``; the email, and its reminder when due."""
    if choice == "NONE":
        return []
    email_id, reminder_id = delivery_job_ids(record.id)
    payload = {"credentialId": record.id}
    jobs = [new_job(email_id, record.org_id, EMAIL_KIND, payload, now)]
    days = services.delivery.reminder_days
    if days and record.valid_until is not None:
        due = record.valid_until - timedelta(days=days)
        if due > now:
            jobs.append(new_job(reminder_id, record.org_id, REMINDER_KIND, payload, now, due_at=due))
    return jobs
