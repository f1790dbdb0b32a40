"""Status changes: revoke, suspend, unsuspend — and publishing the signed status lists.

Bitstring Status List v1.0 (https://www.w3.org/TR/vc-bitstring-status-list/). A batch of changes
flips the bits of every affected list and re-signs each list once (``publish``), saved with an
optimistic version check: when another instance changed the list first (``Conflict``) the
batch is re-applied to the fresh list. Only then is the credentials' recorded status updated, so
a verifier never sees "active" bits for a credential recorded as revoked for longer than a retry.

Allowed transitions: revoke from active or suspended (revoking twice is a no-op: the bit of the
credential's one entry is set for good, whatever its purpose); suspend and unsuspend a credential
issued with a suspension entry. A revoked credential stays revoked. Anything else is an
``InvalidTransition``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Literal

import anyio.to_thread

from vcengine.core.dates import parse_date_time
from vcengine.core.status import StatusList
from vcengine.core.status_publish import publish
from vcengine.core.status_read import parse_entry
from vcengine.errors import Conflict, InputError, NotFound, StatusListError, VcengineError
from vcengine.services.allocation import Allocation, Purpose, StatusAllocator
from vcengine.services.context import Actor, Services
from vcengine.services.events import CredentialEvent
from vcengine.services.issuers import signing_key
from vcengine.services.ports import (
    CredentialRecord,
    CredentialStatus,
    EventRecord,
    IssuerRecord,
    StatusListRecord,
)

__all__ = [
    "Action",
    "InvalidTransition",
    "StatusChange",
    "allocate",
    "change_status",
    "published_list",
]

Action = Literal["revoke", "suspend", "unsuspend"]
MAX_BATCH = 10_000
LIST_TTL = timedelta(days=1)
RESIGN_BEFORE = timedelta(hours=1)
RETRIES = 8

_TARGET: dict[Action, CredentialStatus] = {"revoke": "revoked", "suspend": "suspended", "unsuspend": "active"}
_EVENT: dict[Action, str] = {"revoke": "revoked", "suspend": "suspended", "unsuspend": "unsuspended"}


class InvalidTransition(InputError):
    """The credential's current status does not allow this change."""


@dataclass(slots=True)
class StatusChange:
    """What a batch did: the credentials now in the target status, and per-id errors."""

    changed: list[CredentialRecord] = field(default_factory=list)
    errors: list[tuple[str, VcengineError]] = field(default_factory=list)


# --- allocation ---------------------------------------------------------------------------------


async def allocate(
    services: Services, issuer: IssuerRecord, purpose: Purpose, count: int
) -> list[Allocation]:
    """``count`` fresh entries of the issuer's status lists of ``purpose`` (``StatusAllocator``,
    one per ``Services``); lists are published at ``{base_url}/status-lists/{id}``."""
    allocator = services.cache.get("status-allocator")
    if allocator is None:
        lists = f"{services.base_url}/status-lists/"
        allocator = StatusAllocator(services.store, services.random_bytes, lambda i: lists + i, services.now)
        services.cache["status-allocator"] = allocator
    return await allocator.allocate_many(issuer.org_id, issuer.id, purpose, count)


# --- publishing -------------------------------------------------------------------------------


def _expires(credential: Mapping[str, Any] | None) -> datetime | None:
    if not credential or not isinstance(credential.get("validUntil"), str):
        return None
    return parse_date_time(credential["validUntil"])


async def _sign_list(services: Services, record: StatusListRecord, bits: StatusList) -> dict[str, Any]:
    issuer = await services.store.find_issuer(record.issuer_id)
    if issuer is None:
        raise NotFound(f"the issuer of status list {record.url} is gone")
    key, pair = await signing_key(services, issuer)
    return await anyio.to_thread.run_sync(
        lambda: publish(
            bits,
            url=record.url,
            issuer=str(issuer.profile["id"]),
            key=pair,
            verification_method=key.verification_method,
            now=services.now(),
            ttl=LIST_TTL,
        )
    )


def _bits(record: StatusListRecord) -> StatusList:
    return StatusList.decode(record.encoded_list, purpose=record.purpose)


async def published_list(services: Services, url: str) -> Mapping[str, Any] | None:
    """The signed status list credential published at ``url`` (None: not one of ours).

    Signed on first request and again when less than an hour of its validity remains; served from
    memory in between. Public: status lists are not org-scoped.
    """
    cached = services.cache.get(f"list:{url}")
    now = services.now()
    if cached is not None and (expires := _expires(cached)) is not None and expires - now > RESIGN_BEFORE:
        return cached  # type: ignore[no-any-return]
    for _ in range(RETRIES):
        record = await services.store.find_status_list_by_url(url)
        if record is None:
            return None
        expires = _expires(record.credential)
        if record.credential is not None and expires is not None and expires - now > RESIGN_BEFORE:
            services.cache[f"list:{url}"] = record.credential
            return record.credential
        credential = await _sign_list(services, record, _bits(record))
        try:
            await services.store.save_status_list(
                replace(record, credential=credential, updated_at=now), expected_version=record.version
            )
        except Conflict:
            continue
        services.cache[f"list:{url}"] = credential
        return credential
    raise Conflict(f"status list {url} keeps changing; try again")


async def _apply(services: Services, url: str, changes: Mapping[int, int]) -> None:
    """Flip ``changes`` in the list at ``url`` and re-sign it once; retried on Conflict."""
    for _ in range(RETRIES):
        record = await services.store.find_status_list_by_url(url)
        if record is None:
            raise NotFound(f"status list {url} is gone")
        bits = _bits(record).with_changes(changes)
        credential = await _sign_list(services, record, bits)
        updated = replace(
            record, encoded_list=bits.encode(), credential=credential, updated_at=services.now()
        )
        try:
            await services.store.save_status_list(updated, expected_version=record.version)
        except Conflict:
            continue
        services.cache[f"list:{url}"] = credential
        return
    raise Conflict(f"status list {url} keeps changing; try again")


# --- changes ------------------------------------------------------------------------------------


def _entry(record: CredentialRecord) -> tuple[str, str, int] | None:
    """``(purpose, list url, index)`` of the credential's status entry."""
    from vcengine.services.issuing import credential_json

    status = credential_json(record).get("credentialStatus")
    for raw in status if isinstance(status, list) else [status]:
        if isinstance(raw, Mapping) and raw.get("statusPurpose") in ("revocation", "suspension"):
            try:
                entry = parse_entry(raw)
            except VcengineError:
                return None
            if entry.index is None:
                return None
            return entry.purpose, entry.list_credential, entry.index
    return None


def _transition(record: CredentialRecord, action: Action) -> tuple[str, int] | None:
    """The (list url, index) to change, None when already there; InvalidTransition if refused."""
    target = _TARGET[action]
    if record.status == target or (action == "unsuspend" and record.status == "active"):
        return None
    if record.status == "revoked":
        raise InvalidTransition(f"credential {record.id} is revoked; that is final", path="ids")
    entry = _entry(record)
    if entry is None:
        raise InvalidTransition(f"credential {record.id} has no status entry of this service", path="ids")
    purpose, url, index = entry
    if action != "revoke" and purpose != "suspension":
        raise InvalidTransition(
            f"credential {record.id} was issued with a {purpose} status: it cannot be {action}ed", path="ids"
        )
    return url, index


async def change_status(
    services: Services,
    actor: Actor,
    credential_ids: Sequence[str],
    action: Action,
    *,
    reason: str | None = None,
) -> StatusChange:
    """Revoke, suspend or unsuspend credentials of the caller's organization (needs ``revoke``)."""
    actor.require("revoke")
    if action not in _TARGET:
        raise InputError("action must be revoke, suspend or unsuspend", path="action")
    ids = list(dict.fromkeys(credential_ids))
    if not 1 <= len(ids) <= MAX_BATCH:
        raise InputError(f"give 1 to {MAX_BATCH} credential ids", path="ids")
    target, value = _TARGET[action], 0 if action == "unsuspend" else 1
    result = StatusChange()
    to_change: list[CredentialRecord] = []
    changes: dict[str, dict[int, int]] = {}
    for credential_id in ids:
        record = await services.store.get_credential(actor.org_id, credential_id)
        try:
            if record is None:
                raise NotFound(f"no credential {credential_id}", path="ids")
            position = _transition(record, action)
        except VcengineError as exc:
            result.errors.append((credential_id, exc))
            continue
        if position is None:
            result.changed.append(record)
            continue
        url, index = position
        changes.setdefault(url, {})[index] = value
        to_change.append(record)
    for url, bits in changes.items():
        try:
            await _apply(services, url, bits)
        except StatusListError as exc:
            raise InputError(f"status list {url}: {exc.message}") from None
    if to_change:
        await services.store.set_credential_status(actor.org_id, [r.id for r in to_change], target)
    data = {"reason": reason} if reason else {}
    for record in to_change:
        changed = replace(record, status=target)
        result.changed.append(changed)
        at = services.now()
        event = _EVENT[action]
        await services.store.add_event(
            EventRecord(services.new_id(), actor.org_id, event, record.id, at, data)
        )
        services.events.publish(CredentialEvent(event, actor.org_id, at, record.id, data))  # type: ignore[arg-type]
    return result
