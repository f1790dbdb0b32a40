"""Status changes: revoke, suspend, unsuspend — decided and applied in one atomic step.

Bitstring Status List v1.0 (https://www.w3.org/TR/vc-bitstring-status-list/). The stored status
list is the source of truth of its credentials' statuses: an entry's bit, and for a suspension
list whether the entry is revoked for good (``revoked_list``). A change reads the list, decides
every requested transition against *that* version, flips the bits, re-signs the list once and
saves it with a compare-and-set on its version, together with the credentials' new statuses and
the events (``Store.save_status_list``). If another instance saved first, nothing of it is
written and the whole decision is taken again on the fresh list. Hence, under any interleaving of
revoke, suspend and unsuspend from any number of instances:

- revocation is final: no saved version can clear the bit of an entry some earlier version
  revoked (each is decided on the version it replaces);
- a transition happens once: concurrent identical requests find it done and succeed without a
  second event or a CONFLICT;
- once a call returns, the credential's record, the stored list and the published list agree.

Within one instance, concurrent changes of one list are committed together (one read, one
signature, one save for all of them), so they do not compete with each other.

Allowed transitions: revoke from active or suspended (revoking twice is a no-op); suspend and
unsuspend a credential issued with a suspension entry (suspending a suspended credential or
unsuspending an active one is a no-op). A revoked credential stays revoked. Anything else is an
``InvalidTransition``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from vcengine.core.status import StatusList
from vcengine.core.status.read import parse_entry
from vcengine.errors import Conflict, InputError, NotFound, StatusListError, VcengineError
from vcengine.services import webhook_delivery
from vcengine.services.context import Actor, Services
from vcengine.services.events import CredentialEvent
from vcengine.services.ports import (
    CredentialRecord,
    CredentialStatus,
    EventRecord,
    JobRecord,
    StatusListRecord,
    StatusTransition,
)
from vcengine.services.status_publishing import (
    ATTEMPTS,
    allocate,
    backoff,
    published_list,
    sign_list,
    stored_bits,
)

__all__ = [
    "Action",
    "InvalidTransition",
    "StatusChange",
    "allocate",
    "change_status",
    "net_action",
    "published_list",
]

Action = Literal["revoke", "suspend", "unsuspend"]
MAX_BATCH = 10_000

_TARGET: dict[Action, CredentialStatus] = {"revoke": "revoked", "suspend": "suspended", "unsuspend": "active"}
_ACTION: dict[CredentialStatus, Action] = {v: k for k, v in _TARGET.items()}
_EVENT: dict[Action, str] = {"revoke": "revoked", "suspend": "suspended", "unsuspend": "unsuspended"}


class InvalidTransition(InputError):
    """The credential's current status does not allow this change."""


@dataclass(slots=True)
class StatusChange:
    """What a batch did: the credentials now in the target status, and per-id errors."""

    changed: list[CredentialRecord] = field(default_factory=list)
    errors: list[tuple[str, VcengineError]] = field(default_factory=list)


# --- the state of a list's entries --------------------------------------------------------------


class _Entries:
    """The entries of one stored list version, as a change sees and edits them."""

    def __init__(self, record: StatusListRecord) -> None:
        self.purpose, self.list_id = record.purpose, record.id
        self.bits = stored_bits(record)
        self.revoked = (
            StatusList.decode(record.revoked_list)
            if record.revoked_list
            else StatusList(bytes(len(self.bits.bitstring)), self.bits.length)
        )

    def status(self, index: int) -> CredentialStatus:
        if not self.bits.get(index):
            return "active"
        return "revoked" if self.purpose == "revocation" or self.revoked.get(index) else "suspended"

    def move(self, index: int, status: CredentialStatus) -> None:
        self.bits = self.bits.set(index, 0 if status == "active" else 1)
        if status == "revoked" and self.purpose == "suspension":
            self.revoked = self.revoked.set(index)

    def revoked_list(self) -> str:
        return self.revoked.encode() if self.purpose == "suspension" and any(self.revoked.bitstring) else ""


def _decide(
    current: CredentialStatus, action: Action, purpose: str, credential_id: str
) -> CredentialStatus | None:
    """The status ``action`` moves a credential to from ``current`` (None: it is there already)."""
    target = _TARGET[action]
    if current == target or (action == "unsuspend" and current == "active"):
        return None
    if current == "revoked":
        raise InvalidTransition(f"credential {credential_id} is revoked; that is final", path="ids")
    if action != "revoke" and purpose != "suspension":
        raise InvalidTransition(
            f"credential {credential_id} was issued with a {purpose} status: it cannot be {action}ed",
            path="ids",
        )
    return target


def net_action(record: CredentialRecord, actions: Sequence[Action]) -> Action | None:
    """The one action that has the effect of ``actions`` applied in order to ``record`` (None: no
    change), or ``InvalidTransition`` if any step is not allowed: a request that lists several
    changes is decided whole, before anything is written, and applied as one change."""
    entry = _entry(record)
    purpose = entry[0] if entry else "none"
    current: CredentialStatus = record.status
    for action in actions:
        if entry is None:
            raise InvalidTransition(f"credential {record.id} has no status entry to change", path="ids")
        current = _decide(current, action, purpose, record.id) or current
    if current == record.status:
        return None
    return _ACTION[current]


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


# --- committing the changes of one list ----------------------------------------------------------


@dataclass(slots=True)
class _Item:
    record: CredentialRecord
    purpose: str
    index: int


Outcome = CredentialRecord | VcengineError


@dataclass(slots=True)
class _Request:
    """One caller's changes of one list; ``done`` gets an outcome per item."""

    items: list[_Item]
    action: Action
    data: Mapping[str, str]
    done: asyncio.Future[list[Outcome]]


@dataclass(slots=True)
class _Writer:
    """This instance's writer of one list: requests queue up, the lock holder commits them all."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    queue: list[_Request] = field(default_factory=list)


async def _submit(services: Services, url: str, request: _Request) -> list[Outcome]:
    writer: _Writer = services.cache.setdefault(f"list-writer:{url}", _Writer())
    writer.queue.append(request)
    async with writer.lock:
        if not request.done.done():
            batch, writer.queue = writer.queue, []
            # shielded: one caller going away must not abandon the others' changes half-way
            await asyncio.shield(_commit_all(services, url, batch))
    return await request.done


async def _commit_all(services: Services, url: str, batch: list[_Request]) -> None:
    try:
        outcomes = await _commit(services, url, batch)
    except BaseException as exc:
        error = exc if isinstance(exc, Exception) else Conflict(f"status list {url}: interrupted; try again")
        for request in batch:
            if not request.done.done():
                request.done.set_exception(error)
        if not isinstance(exc, Exception):
            raise
        return
    for request, result in zip(batch, outcomes, strict=True):
        request.done.set_result(result)


async def _commit(services: Services, url: str, batch: list[_Request]) -> list[list[Outcome]]:
    """Decide ``batch`` on the stored list and save it with a compare-and-set; again if it moved."""
    for attempt in range(ATTEMPTS):
        record = await services.store.find_status_list_by_url(url)
        if record is None:
            gone = NotFound(f"status list {url} is gone", path="ids")
            return [[gone for _ in request.items] for request in batch]
        entries, version = _Entries(record), record.version + 1
        outcomes, moved = [], []
        for request in batch:
            results, moves = _decide_all(entries, request, version)
            outcomes.append(results)
            moved += [(request, changed) for changed in moves]
        if not moved:
            return outcomes
        final = {changed.id: changed.status for _, changed in moved}  # one batch may move one twice
        transitions = [
            StatusTransition(
                changed.id, changed.org_id, final[changed.id], _event(services, request, changed)
            )
            for request, changed in moved
        ]
        transitions = await _with_deliveries(services, transitions)
        credential = await sign_list(services, record, entries.bits)
        saved = replace(
            record,
            encoded_list=entries.bits.encode(),
            revoked_list=entries.revoked_list(),
            credential=credential,
            updated_at=services.now(),
        )
        try:
            await services.store.save_status_list(
                saved, expected_version=record.version, transitions=transitions
            )
        except Conflict:
            await backoff(services, attempt)
            continue
        services.cache[f"list:{url}"] = (version, credential)
        if any(t.jobs for t in transitions):
            services.wake_jobs()
        for transition in transitions:
            e = transition.event
            services.events.publish(CredentialEvent(e.type, e.org_id, e.at, e.credential_id, e.data))  # type: ignore[arg-type]
        return outcomes
    raise Conflict(f"status list {url} keeps changing; try again")


def _decide_all(
    entries: _Entries, request: _Request, version: int
) -> tuple[list[Outcome], list[CredentialRecord]]:
    """Each item's outcome on ``entries`` (moved in place): the record as it is then, or an error;
    and the records that moved."""
    out: list[Outcome] = []
    moved: list[CredentialRecord] = []
    for item in request.items:
        record = item.record
        try:
            if item.purpose != entries.purpose:
                raise InvalidTransition(f"credential {record.id} does not match its status list", path="ids")
            if (record.status_list_id, record.status_index) != (entries.list_id, item.index):
                # an entry the service did not allocate (a VC API caller may sign any entry)
                raise InvalidTransition(
                    f"credential {record.id}: its status entry was not allocated by this service", path="ids"
                )
            current = entries.status(item.index)
            target = _decide(current, request.action, item.purpose, record.id)
        except StatusListError as exc:
            out.append(InvalidTransition(f"credential {record.id}: {exc.message}", path="ids"))
            continue
        except VcengineError as exc:
            out.append(exc)
            continue
        if target is None:
            out.append(record if current == record.status else replace(record, status=current))
            continue
        entries.move(item.index, target)
        moved.append(replace(record, status=target, status_version=version))
        out.append(moved[-1])
    return out, moved


async def _with_deliveries(services: Services, transitions: list[StatusTransition]) -> list[StatusTransition]:
    """Each transition with the webhook deliveries of its event (a list belongs to one org)."""
    if not transitions:
        return transitions
    jobs = await webhook_delivery.deliveries_for(
        services, transitions[0].org_id, [t.event for t in transitions]
    )
    by_event: dict[str, list[JobRecord]] = {}
    for job in jobs:
        by_event.setdefault(job.payload["eventId"], []).append(job)
    return [replace(t, jobs=tuple(by_event.get(t.event.id, ()))) for t in transitions]


def _event(services: Services, request: _Request, record: CredentialRecord) -> EventRecord:
    return EventRecord(
        services.new_id(), record.org_id, _EVENT[request.action], record.id, services.now(), request.data
    )


# --- the use case --------------------------------------------------------------------------------


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
    outcomes: dict[str, Outcome] = {}
    by_list: dict[str, list[_Item]] = {}
    for credential_id in ids:
        record = await services.store.get_credential(actor.org_id, credential_id)
        entry = None if record is None else _entry(record)
        if record is None:
            outcomes[credential_id] = NotFound(f"no credential {credential_id}", path="ids")
        elif entry is None:
            outcomes[credential_id] = InvalidTransition(
                f"credential {credential_id} has no status entry of this service", path="ids"
            )
        else:
            purpose, url, index = entry
            by_list.setdefault(url, []).append(_Item(record, purpose, index))
    data = {"reason": reason} if reason else {}
    loop = asyncio.get_running_loop()
    for url, items in by_list.items():
        request = _Request(items, action, data, loop.create_future())
        for item, outcome in zip(items, await _submit(services, url, request), strict=True):
            outcomes[item.record.id] = outcome
    result = StatusChange()
    for credential_id in ids:
        outcome = outcomes[credential_id]
        if isinstance(outcome, VcengineError):
            result.errors.append((credential_id, outcome))
        else:
            result.changed.append(outcome)
    return result
