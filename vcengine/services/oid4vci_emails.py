"""The wallet flows' emails, sent over the delivery issue's SMTP (``services.smtp``) by durable jobs.

- ``oid4vci_tx_code_email`` (``oid4vci_offers``): an offer's transaction code to the recipient,
  while the offer can still be redeemed; the code travels sealed (``keystore.seal_secret``).
- ``oid4vci_sign_in`` (``oid4vci_authorization``): the learner's one-time sign-in link.

Sign-in, one attempt: if the request can still be signed in to and the address has badges of this issuer
that count, make a fresh link (its hash replaces an earlier one) and send it; otherwise nothing
is sent (``skipped``, with why: no SMTP, used or expired request, no badges — the last one keeps
the sign-in page from mailing arbitrary addresses). A temporary SMTP failure is retried with the
delivery settings' backoff, a permanent one gives up. The link is never stored, only its hash.
"""

from __future__ import annotations

import base64
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from typing import Any
from urllib.parse import urlsplit

from vcengine.services import smtp
from vcengine.services.context import Services
from vcengine.services.jobs import GiveUp, JobKind, RetryLater, exponential_backoff
from vcengine.services.keystore import unseal_secret
from vcengine.services.oid4vci_authorization import (
    SIGN_IN_KIND,
    SIGN_IN_LIFETIME,
    issue_sign_in_link,
    learner_badges,
)
from vcengine.services.oid4vci_offers import MAX_LIFETIME, TX_CODE_EMAIL_KIND
from vcengine.services.ports import JobRecord

__all__ = ["MAX_ATTEMPTS", "job_kinds", "plain_message", "send_message", "send_sign_in_link", "send_tx_code"]

MAX_ATTEMPTS = 5


def plain_message(services: Services, to: str, issuer_name: str, subject: str, body: str) -> EmailMessage:
    """A plain-text email from the issuer's name (shared with the OB 3.0 API's sign-in emails)."""
    configured = services.delivery.sender
    address = parseaddr(configured)[1] if configured else f"no-reply@{urlsplit(services.base_url).hostname}"
    message = EmailMessage()
    message["From"] = formataddr((" ".join(issuer_name.split())[:100], address))
    message["To"] = to
    message["Subject"] = " ".join(subject.split())[:200]
    message["Date"] = format_datetime(services.now())
    message["Message-ID"] = make_msgid(domain=address.rpartition("@")[2] or "vcengine.invalid")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    return message


async def send_message(services: Services, job: JobRecord, message: EmailMessage) -> dict[str, Any]:
    """Send ``message`` for ``job`` over the configured SMTP server; the outcome, for the job."""
    config = services.delivery.smtp
    assert config is not None  # checked by the caller first
    try:
        await smtp.send(config, message)
    except smtp.Bounced as exc:
        raise GiveUp(str(exc), result={"outcome": "bounced"}) from None
    except smtp.SendFailed as exc:
        if job.attempts >= MAX_ATTEMPTS:
            raise GiveUp(
                f"{exc} (gave up after {job.attempts} attempts)", result={"outcome": "failed"}
            ) from None
        raise RetryLater(str(exc)) from None
    return {"outcome": "sent"}


async def _issuer_name(services: Services, org_id: str, issuer_id: str) -> str:
    issuer = await services.store.get_issuer(org_id, issuer_id)
    return str((issuer.profile.get("name") if issuer else None) or "Your issuer")


async def send_tx_code(services: Services, job: JobRecord) -> dict[str, Any]:
    """Handle one ``oid4vci_tx_code_email`` job (see the module docstring)."""
    if services.delivery.smtp is None:
        return {"outcome": "skipped", "reason": "no SMTP server is configured (VCENGINE_SMTP_URL)"}
    offer = await services.store.get_credential_offer(job.org_id, str(job.payload.get("offerId")))
    if offer is None or offer.redeemed_at is not None or offer.expires_at <= services.now():
        return {"outcome": "skipped", "reason": "the offer was redeemed or has expired"}
    credential = await services.store.get_credential(offer.org_id, offer.credential_id)
    to = None if credential is None else credential.recipient.get("email")
    if not to:
        return {"outcome": "skipped", "reason": "the recipient has no email address"}
    sealed = base64.urlsafe_b64decode(str(job.payload["sealedTxCode"]) + "==")
    code = unseal_secret(sealed, services.master_key, purpose=TX_CODE_EMAIL_KIND, aad=offer.id)
    name = await _issuer_name(services, offer.org_id, offer.issuer_id)
    until = offer.expires_at.strftime("%H:%M UTC on %-d %B %Y")
    body = (
        f"{name} is offering your badge to your digital wallet. When your wallet asks for the\n"
        f"transaction code, enter:\n\n    {code}\n\nThe code works with that offer until {until}. "
        "If you are not adding a badge to a wallet, ignore this email.\n"
    )
    return await send_message(
        services,
        job,
        plain_message(services, str(to), name, f"Your code to add your {name} badge to your wallet", body),
    )


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
    name = await _issuer_name(services, record.org_id, record.issuer_id)
    assert record.email is not None  # issue_sign_in_link makes no link without one
    minutes = int(SIGN_IN_LIFETIME.total_seconds() // 60)
    body = (
        f"Your wallet asked {name} for a badge. Sign in here to choose it:\n\n{link}\n\n"
        f"The link works once, for {minutes} minutes. If you did not ask for it, ignore this email.\n"
    )
    subject = f"Your sign-in link to add a {name} badge to your wallet"
    return await send_message(services, job, plain_message(services, record.email, name, subject, body))


def job_kinds(services: Services) -> list[JobKind]:
    backoff = exponential_backoff(timedelta(seconds=services.delivery.retry_seconds), timedelta(minutes=5))

    async def sign_in(job: JobRecord) -> dict[str, Any]:
        return await send_sign_in_link(services, job)

    async def tx_code(job: JobRecord) -> dict[str, Any]:
        return await send_tx_code(services, job)

    config = services.delivery.smtp
    lease = timedelta(seconds=2 * (config.timeout if config else 30.0) + 15)
    # a sign-in link is useless after its request expires: no retries beyond that
    return [
        JobKind(SIGN_IN_KIND, sign_in, max_attempts=MAX_ATTEMPTS + 1, backoff=backoff, lease=lease,
                give_up_after=timedelta(minutes=30)),
        JobKind(TX_CODE_EMAIL_KIND, tx_code, max_attempts=MAX_ATTEMPTS + 1, backoff=backoff, lease=lease,
                give_up_after=MAX_LIFETIME),
    ]  # fmt: skip
