"""Every kind of durable job the service runs, gathered from the features that declare them.

Each feature that stores jobs (LMS events, emails, webhook deliveries) has a function
``job_kinds(services) -> list[JobKind]`` next to its use cases; this is the one list the app's
runner is built from, so every instance can run every kind of job.
"""

from __future__ import annotations

from vcengine.services import (
    credential_expiry,
    email_delivery,
    lms_processing,
    ob_api_emails,
    oid4vci_emails,
    talentlms_polling,
    webhook_delivery,
)
from vcengine.services.context import Services
from vcengine.services.jobs import JobKind

__all__ = ["job_kinds"]


def job_kinds(services: Services) -> list[JobKind]:
    """The job kinds of every feature, for ``services``."""
    return [
        *webhook_delivery.job_kinds(services),
        *lms_processing.job_kinds(services),
        *email_delivery.job_kinds(services),
        *credential_expiry.job_kinds(services),
        *talentlms_polling.job_kinds(services),
        *oid4vci_emails.job_kinds(services),
        *ob_api_emails.job_kinds(services),
    ]
