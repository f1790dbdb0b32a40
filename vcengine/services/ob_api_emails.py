"""The Open Badges API's sign-in email (``ob_api_sign_in`` jobs), sent like the wallets' sign-in
link (``oid4vci_emails``: same message form, SMTP, retries and give-up rules).

One attempt: if the grant can still be signed in to and the address has credentials here (issued
by any organization of this service, or brought through the API) or a profile, make a fresh link
and send it; otherwise nothing is sent (``skipped``, with why) — which keeps the page from
mailing arbitrary addresses. The link is never stored, only its hash.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from vcengine.services.context import Services
from vcengine.services.jobs import JobKind, exponential_backoff
from vcengine.services.ob_api_authorization import SIGN_IN_KIND, SIGN_IN_LIFETIME, issue_sign_in_link
from vcengine.services.oid4vci_emails import MAX_ATTEMPTS, plain_message, send_message
from vcengine.services.ports import JobRecord

__all__ = ["job_kinds", "send_sign_in_link"]


async def _known(services: Services, email: str) -> bool:
    store = services.store
    return bool(
        await store.count_learner_credentials(email, None)
        or await store.count_ob_credentials(email, None)
        or await store.get_ob_profile(email)
    )


async def send_sign_in_link(services: Services, job: JobRecord) -> dict[str, Any]:
    """Handle one ``ob_api_sign_in`` job (see the module docstring)."""
    if services.delivery.smtp is None:
        return {"outcome": "skipped", "reason": "no SMTP server is configured (VCENGINE_SMTP_URL)"}
    grant = await services.store.find_ob_grant("id", str(job.payload.get("grantId")))
    if grant is None or not await _known(services, grant.email):
        return {"outcome": "skipped", "reason": "no credentials here for that address"}
    client = await services.store.get_ob_client(grant.client_id)
    made = None if client is None else await issue_sign_in_link(services, grant.id)
    if client is None or made is None:
        return {"outcome": "skipped", "reason": "the request was used or has expired"}
    link = made[1]
    app = " ".join(str(client.metadata["client_name"]).split())[:100]
    minutes = int(SIGN_IN_LIFETIME.total_seconds() // 60)
    body = (
        f'"{app}" asks to use your badges. Sign in here to see what it asks for and decide:\n\n'
        f"{link}\n\nThe link works once, for {minutes} minutes. "
        "If you did not ask for it, ignore this email.\n"
    )
    sender = services.base_url.split("://", 1)[-1]
    message = plain_message(services, grant.email, sender, "Your sign-in link for the Open Badges API", body)
    return await send_message(services, job, message)


def job_kinds(services: Services) -> list[JobKind]:
    backoff = exponential_backoff(timedelta(seconds=services.delivery.retry_seconds), timedelta(minutes=5))

    async def sign_in(job: JobRecord) -> dict[str, Any]:
        return await send_sign_in_link(services, job)

    config = services.delivery.smtp
    lease = timedelta(seconds=2 * (config.timeout if config else 30.0) + 15)
    return [
        JobKind(SIGN_IN_KIND, sign_in, max_attempts=MAX_ATTEMPTS + 1, backoff=backoff, lease=lease,
                give_up_after=timedelta(minutes=30)),
    ]  # fmt: skip
