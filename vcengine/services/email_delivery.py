"""Sending a credential's email: the job handler behind ``delivery: EMAIL`` (and reminders).

One attempt: read the credential; if an earlier attempt of this delivery was accepted by the
server, stop (a message is never sent twice by us, even when the job runs again after a crash
between the send and its bookkeeping, except in the instant between the server's acceptance and
the attempt's record); if there is no SMTP, record ``skipped``; if the credential is revoked,
suspended or expired by now, record ``skipped`` (a badge that stopped counting is not promoted);
else make a fresh claim link, render the organization's template, send, and record the outcome.
Every attempt is a ``DeliveryAttemptRecord``; the outcome is an event: ``delivered``,
``bounced`` (refused for good) or ``delivery_failed`` (gave up after the last retry).
The message carries a ``Message-ID`` made from the job id, the same on every attempt.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import formataddr, parseaddr
from typing import Any
from urllib.parse import urlsplit

from vcengine.core.email_message import compose, message_id
from vcengine.core.email_template import render_email
from vcengine.services import event_log, smtp
from vcengine.services.claiming import new_claim_link
from vcengine.services.context import Services
from vcengine.services.delivery import EMAIL_KIND, REMINDER_KIND
from vcengine.services.email_templates import template_for
from vcengine.services.email_values import email_values, text
from vcengine.services.jobs import GiveUp, JobKind, RetryLater, exponential_backoff
from vcengine.services.ports import CredentialRecord, DeliveryAttemptRecord, EventRecord, JobRecord

__all__ = ["MAX_ATTEMPTS", "job_kinds", "send_email"]

MAX_ATTEMPTS = 8


def _sender(services: Services, issuer_name: str) -> str:
    """``VCENGINE_SMTP_FROM`` as it is if it has a display name; else its address (default
    ``no-reply@{host}``) under the issuer's name, so each issuer's learners see who it is from."""
    configured = services.delivery.sender
    if configured and parseaddr(configured)[0]:
        return configured
    address = parseaddr(configured)[1] if configured else f"no-reply@{urlsplit(services.base_url).hostname}"
    return formataddr((" ".join(issuer_name.split())[:100], address))


class _Attempt:
    """Records the outcome of one claim of a delivery job."""

    def __init__(self, services: Services, job: JobRecord, record: CredentialRecord) -> None:
        self.services, self.job, self.record = services, job, record

    async def note(self, outcome: str, detail: str | None, msg_id: str | None = None) -> None:
        s = self.services
        await s.store.add_delivery_attempt(
            DeliveryAttemptRecord(
                s.new_id(), self.record.org_id, self.record.id, self.job.id, self.job.attempts, s.now(),
                outcome, detail, msg_id,  # type: ignore[arg-type]
            )
        )  # fmt: skip

    async def event(self, type: str, data: dict[str, Any]) -> None:
        s = self.services
        data = {"deliveryId": self.job.id, "channel": "email", **data}
        event = EventRecord(s.new_id(), self.record.org_id, type, self.record.id, s.now(), data)
        await event_log.record(s, event)


def _stopped_counting(record: CredentialRecord, now: datetime) -> str | None:
    if record.status != "active":
        return f"the credential is {record.status}"
    if record.valid_until is not None and record.valid_until <= now:
        return "the credential has expired"
    return None


async def send_email(services: Services, job: JobRecord) -> dict[str, Any]:
    """The handler of ``email`` and ``email_reminder`` jobs (see the module docstring)."""
    record = await services.store.get_credential(job.org_id, str(job.payload.get("credentialId")))
    if record is None:
        raise GiveUp("the credential is gone", result={"outcome": "failed"})
    earlier = await services.store.list_delivery_attempts(record.org_id, record.id)
    sent = next((a for a in earlier if a.delivery_id == job.id and a.outcome == "sent"), None)
    if sent is not None:
        return {"outcome": "sent", "messageId": sent.message_id}
    attempt = _Attempt(services, job, record)
    config, to = services.delivery.smtp, record.recipient.get("email")
    if config is None or not to or (stopped := _stopped_counting(record, services.now())):
        reason = (
            "no SMTP server is configured (VCENGINE_SMTP_URL)"
            if config is None
            else "the recipient has no email address"
            if not to
            else stopped
        )
        await attempt.note("skipped", reason)
        return {"outcome": "skipped", "reason": reason}
    link = await new_claim_link(services, record)
    values = email_values(services, record, link.url, link.expires_at)
    values["reminder"] = "yes" if job.kind == REMINDER_KIND else None
    content = render_email(await template_for(services, record.org_id), values)
    sender = _sender(services, values["issuer_name"])
    domain = parseaddr(sender)[1].rpartition("@")[2] or "vcengine.invalid"
    msg_id = message_id(job.id, domain)
    message = compose(
        content,
        sender=sender,
        to=str(to),
        to_name=text(record.recipient.get("name")),
        msg_id=msg_id,
        date=services.now(),
        headers={"Auto-Submitted": "auto-generated"},
    )
    try:
        await smtp.send(config, message)
    except smtp.Bounced as exc:
        await attempt.note("bounced", str(exc))
        await attempt.event("bounced", {"reason": str(exc)})
        raise GiveUp(str(exc), result={"outcome": "bounced"}) from None
    except smtp.SendFailed as exc:
        await attempt.note("failed", str(exc))
        if job.attempts >= MAX_ATTEMPTS:
            await attempt.event("delivery_failed", {"reason": str(exc)})
            reason = f"{exc} (gave up after {job.attempts} attempts)"
            raise GiveUp(reason, result={"outcome": "failed"}) from None
        raise RetryLater(str(exc)) from None
    await attempt.note("sent", None, msg_id)
    await attempt.event("delivered", {"messageId": msg_id, "reminder": job.kind == REMINDER_KIND})
    return {"outcome": "sent", "messageId": msg_id}


def job_kinds(services: Services) -> list[JobKind]:
    """The email job kinds, with the retry policy of ``services.delivery``."""
    backoff = exponential_backoff(timedelta(seconds=services.delivery.retry_seconds), timedelta(hours=1))

    async def handle(job: JobRecord) -> dict[str, Any]:
        return await send_email(services, job)

    # an attempt ends before its lease does (the SMTP session is bounded), or another instance
    # could take the job over while it still sends: a second message
    config = services.delivery.smtp
    lease = timedelta(seconds=2 * (config.timeout if config else 30.0) + 15)
    return [
        JobKind(EMAIL_KIND, handle, max_attempts=MAX_ATTEMPTS + 1, backoff=backoff, lease=lease),
        JobKind(REMINDER_KIND, handle, max_attempts=MAX_ATTEMPTS + 1, backoff=backoff, lease=lease),
    ]
