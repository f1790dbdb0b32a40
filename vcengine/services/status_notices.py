"""What a revoked credential's public pages say: when it was revoked and, if the issuer chose to
publish it, why (``public_reason``; the ``reason`` given to ``revokeCredential`` stays private,
in the ``revoked`` event).

A notice is written right after the status change that it describes (not in the same write: a
crash in between leaves a revoked credential whose page says so without a date). Revoking a
credential that is revoked already, one at a time, is an ``InvalidTransition``; batches stay
idempotent (``services.status_changes``).
"""

from __future__ import annotations

from collections.abc import Sequence

from vcengine.errors import InputError, NotFound
from vcengine.services.context import Actor, Services
from vcengine.services.ports import CredentialRecord, StatusNoticeRecord
from vcengine.services.status_changes import InvalidTransition

__all__ = ["MAX_PUBLIC_REASON", "check_public_reason", "check_revocable", "publish_revocations"]

MAX_PUBLIC_REASON = 500


def check_public_reason(public_reason: str | None) -> str | None:
    """The reason to publish, trimmed (None: none); ``InputError`` if it is too long."""
    if public_reason is None or not public_reason.strip():
        return None
    if len(public_reason) > MAX_PUBLIC_REASON or any(ord(c) < 32 and c not in "\n\t" for c in public_reason):
        raise InputError(
            f"at most {MAX_PUBLIC_REASON} characters, no control characters", path="publicReason"
        )
    return public_reason.strip()


async def check_revocable(services: Services, actor: Actor, credential_id: str) -> None:
    """``InvalidTransition`` if the credential is revoked already (``NotFound`` if it is not the org's)."""
    actor.require("revoke")
    record = await services.store.get_credential(actor.org_id, credential_id)
    if record is None:
        raise NotFound(f"no credential {credential_id}", path="id")
    if record.status == "revoked":
        notice = await services.store.find_status_notice(record.id)
        since = (
            f" since {notice.at.isoformat()}" if notice is not None and notice.org_id == actor.org_id else ""
        )
        raise InvalidTransition(f"credential {credential_id} is revoked already{since}", path="id")


async def publish_revocations(
    services: Services, actor: Actor, records: Sequence[CredentialRecord], public_reason: str | None
) -> None:
    """Record when ``records`` were revoked (now) and the reason to publish; a credential that has
    a notice already keeps it (it was revoked before: a batch may name it again)."""
    now = services.now()
    for record in records:
        if record.org_id != actor.org_id or record.status != "revoked":
            continue
        if await services.store.find_status_notice(record.id) is None:
            await services.store.put_status_notice(
                StatusNoticeRecord(record.id, record.org_id, "revoked", now, public_reason)
            )
