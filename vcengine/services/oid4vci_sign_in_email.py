"""The learner's one-time sign-in link by email (the ``oid4vci_sign_in`` job of
``oid4vci_authorization``), sent over the delivery issue's SMTP (``services.smtp``).

One attempt: if the request can still be signed in to and the address has badges of this issuer
that count, make a fresh link (its hash replaces an earlier one) and send it; otherwise nothing
is sent (``skipped``, with why: no SMTP, used or expired request, no badges — the last one keeps
the sign-in page from mailing arbitrary addresses). A temporary SMTP failure is retried with the
delivery settings' backoff, a permanent one gives up. The link is never stored, only its hash.
"""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from typing import Any
from urllib.parse import urlsplit

from vcengine.services import smtp
from vcengine.services.context import Services
from vcengine.services.jobs import GiveUp, JobKind, RetryLater, exponential_backoff
from vcengine.services.oid4vci_authorization import (
    SIGN_IN_KIND,
    SIGN_IN_LIFETIME,
    issue_sign_in_link,
    learner_badges,
)
from vcengine.services.ports import JobRecord

__all__ = ["MAX_ATTEMPTS", "job_kinds", "send_sign_in_link"]

MAX_ATTEMPTS = 5


def _message(services: Services, to: str, issuer_name: str, link: str) -> EmailMessage:
    configured = services.delivery.sender
    address = parseaddr(configured)[1] if configured else f"no-reply@{urlsplit(services.base_url).hostname}"
    minutes = int(SIGN_IN_LIFETIME.total_seconds() // 60)
    message = EmailMessage()
    message["From"] = formataddr((" ".join(issuer_name.split())[:100], address))
    message["To"] = to
    message["Subject"] = f"Your sign-in link to add a {issuer_name} badge to your wallet"[:200]
    message["Date"] = format_datetime(services.now())
    message["Message-ID"] = make_msgid(domain=address.rpartition("@")[2] or "vcengine.invalid")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(
        f"Your wallet asked {issuer_name} for a badge. Sign in here to choose it:\n\n{link}\n\n"
        f"The link works once, for {minutes} minutes. If you did not ask for it, ignore this email.\n"
    )
    return message


async def send_sign_in_link(services: Services, job: JobRecord) -> dict[str, Any]:
    """Handle one ``oid4vci_sign_in`` job (see the module docstring)."""
    config = services.delivery.smtp
    if config is None:
        return {"outcome": "skipped", "reason": "no SMTP server is configured (VCENGINE_SMTP_URL)"}
    request = await services.store.find_authorization_request("id", str(job.payload.get("requestId")))
    if request is None or not await learner_badges(services, request):
        return {"outcome": "skipped", "reason": "no badges of this issuer for that address"}
    made = await issue_sign_in_link(services, request.id)
    if made is None:
        return {"outcome": "skipped", "reason": "the request was used or has expired"}
    record, link = made
    issuer = await services.store.get_issuer(record.org_id, record.issuer_id)
    name = str((issuer.profile.get("name") if issuer else None) or "Your issuer")
    assert record.email is not None  # issue_sign_in_link makes no link without one
    try:
        await smtp.send(config, _message(services, record.email, name, link))
    except smtp.Bounced as exc:
        raise GiveUp(str(exc), result={"outcome": "bounced"}) from None
    except smtp.SendFailed as exc:
        if job.attempts >= MAX_ATTEMPTS:
            raise GiveUp(
                f"{exc} (gave up after {job.attempts} attempts)", result={"outcome": "failed"}
            ) from None
        raise RetryLater(str(exc)) from None
    return {"outcome": "sent"}


def job_kinds(services: Services) -> list[JobKind]:
    backoff = exponential_backoff(timedelta(seconds=services.delivery.retry_seconds), timedelta(minutes=5))

    async def handle(job: JobRecord) -> dict[str, Any]:
        return await send_sign_in_link(services, job)

    config = services.delivery.smtp
    lease = timedelta(seconds=2 * (config.timeout if config else 30.0) + 15)
    # a sign-in link is useless after its request expires: no retries beyond that
    return [JobKind(SIGN_IN_KIND, handle, max_attempts=MAX_ATTEMPTS + 1, backoff=backoff, lease=lease,
                    give_up_after=timedelta(minutes=30))]  # fmt: skip
