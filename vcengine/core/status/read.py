"""Reading a credential's status: W3C Bitstring Status List v1.0 §3.2 "Validate Algorithm".

``parse_entry`` reads a ``credentialStatus`` (BitstringStatusListEntry, StatusList2021Entry; a
1EdTechRevocationList is recognised). ``read_status`` reads its entry from an already
dereferenced list credential, minus dereferencing and proof checking, which stay with the caller
(``status_check``): ``StatusResult.unchecked`` says so. Every other problem is an
``indeterminate`` outcome with a reason, never an exception.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from vcengine.core.dates import parse_date_time
from vcengine.core.status.bitstring import (
    MAX_BITSTRING_BYTES,
    MAX_STATUS_SIZE,
    MIN_ENTRIES,
    PURPOSES,
    StatusList,
    StatusMessage,
)
from vcengine.errors import InputError, StatusListError, UnsupportedError

__all__ = ["Outcome", "StatusEntry", "StatusResult", "parse_entry", "read_status"]

Outcome = Literal["active", "revoked", "suspended", "refresh", "message", "indeterminate"]
_SET_OUTCOME: dict[str, Outcome] = {"revocation": "revoked", "suspension": "suspended", "refresh": "refresh"}
_INDEX = re.compile(r"[0-9]{1,30}")

BITSTRING_ENTRY = "BitstringStatusListEntry"
STATUS_LIST_2021_ENTRY = "StatusList2021Entry"
REVOCATION_LIST_1EDTECH = "1EdTechRevocationList"
# entry type -> (list credential type, list subject type)
_LIST_TYPES = {
    BITSTRING_ENTRY: ("BitstringStatusListCredential", "BitstringStatusList"),
    STATUS_LIST_2021_ENTRY: ("StatusList2021Credential", "StatusList2021"),
}


@dataclass(frozen=True, slots=True)
class StatusEntry:
    """A parsed ``credentialStatus``. ``index`` is ``None`` for ``1EdTechRevocationList``."""

    type: str
    list_credential: str
    purpose: str
    index: int | None = None
    id: str | None = None
    status_size: int = 1
    status_messages: tuple[StatusMessage, ...] = ()
    notes: tuple[str, ...] = ()


def parse_entry(entry: Mapping[str, Any], *, path: str = "$.credentialStatus") -> StatusEntry:
    """Read a BitstringStatusListEntry, StatusList2021Entry or 1EdTechRevocationList entry.

    Malformed entries raise ``StatusListError``; other types raise ``UnsupportedError``.
    """
    if not isinstance(entry, Mapping):
        raise StatusListError("credentialStatus must be an object", path=path)
    types = entry.get("type")
    types = [types] if isinstance(types, str) else types if isinstance(types, list) else []
    kind = next((t for t in types if t in (*_LIST_TYPES, REVOCATION_LIST_1EDTECH)), None)
    if kind is None:
        raise UnsupportedError(f"credentialStatus type {entry.get('type')!r:.80} is not supported")
    if kind == REVOCATION_LIST_1EDTECH:
        url = _url(entry.get("id"), f"{path}.id")
        return StatusEntry(kind, url, "revocation", id=url)
    notes: list[str] = []
    purpose = entry.get("statusPurpose")
    if not isinstance(purpose, str) or not purpose:
        raise StatusListError("statusPurpose must be a non-empty string", path=f"{path}.statusPurpose")
    url = _url(entry.get("statusListCredential"), f"{path}.statusListCredential")
    index = _index(entry.get("statusListIndex"), f"{path}.statusListIndex", notes)
    size = entry.get("statusSize", 1)
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_STATUS_SIZE:
        raise StatusListError(
            f"statusSize must be an integer in 1..{MAX_STATUS_SIZE}", path=f"{path}.statusSize"
        )
    raw_messages = entry.get("statusMessage", [])
    if not isinstance(raw_messages, list):
        raise StatusListError("statusMessage must be an array", path=f"{path}.statusMessage")
    messages = tuple(
        StatusMessage.from_json(m, path=f"{path}.statusMessage[{i}]") for i, m in enumerate(raw_messages)
    )
    if size > 1 and not messages:
        notes.append("statusSize > 1 without statusMessage (the spec requires it)")
    entry_id = entry.get("id")
    if entry_id is not None and entry_id == url:
        notes.append("entry id must not be the status list URL")
    entry_id = entry_id if isinstance(entry_id, str) else None
    return StatusEntry(kind, url, purpose, index, entry_id, size, messages, tuple(notes))


def _url(value: object, path: str) -> str:
    if not isinstance(value, str) or not value or len(value) > 2048:
        raise StatusListError("must be a URL string", path=path)
    return value


def _index(value: object, path: str, notes: list[str]) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        notes.append("statusListIndex given as a JSON integer (the spec says a base-10 string)")
        return value
    if isinstance(value, str) and _INDEX.fullmatch(value):
        return int(value)
    raise StatusListError("statusListIndex must be a base-10 string of a non-negative integer", path=path)


@dataclass(frozen=True, slots=True)
class StatusResult:
    """What the status list says about one entry, and what was and was not checked.

    ``outcome`` is ``indeterminate`` when the status could not be established; ``code`` then
    names the spec's error type (§3.3: STATUS_VERIFICATION_ERROR, STATUS_LIST_LENGTH_ERROR,
    RANGE_ERROR; VCDM 2.0 MALFORMED_VALUE_ERROR) where one applies. ``unchecked`` always
    includes the list credential's proof and issuer: the caller verifies those.
    """

    outcome: Outcome
    entry: StatusEntry
    value: int | None = None
    message: str | None = None
    reason: str | None = None
    code: str | None = None
    checked: tuple[str, ...] = ()
    unchecked: tuple[str, ...] = ("list credential proof", "list credential issuer")
    notes: tuple[str, ...] = ()

    @property
    def valid(self) -> bool | None:
        """§3.2 "valid": status 0; ``None`` when indeterminate."""
        return None if self.outcome == "indeterminate" else self.value == 0


def read_status(
    entry: StatusEntry,
    list_credential: Mapping[str, Any],
    *,
    now: datetime | None = None,
    max_bytes: int = MAX_BITSTRING_BYTES,
) -> StatusResult:
    """Read ``entry``'s status from an already dereferenced ``list_credential`` (§3.2).

    Checks: list credential and subject types, purpose, validity period (only when ``now`` is
    given), encodedList, list length (a list below ``MIN_ENTRIES`` is read, with a note),
    index range. Not checked, and listed in ``unchecked``: the list credential's proof and issuer.
    """
    checked: list[str] = []
    notes = list(entry.notes)
    unchecked = ("list credential proof", "list credential issuer") + (
        () if now is not None else ("validity period",)
    )

    def undecided(reason: str, code: str | None = "STATUS_VERIFICATION_ERROR") -> StatusResult:
        return StatusResult(
            "indeterminate",
            entry,
            reason=reason,
            code=code,
            checked=tuple(checked),
            unchecked=unchecked,
            notes=tuple(notes),
        )

    if entry.type not in _LIST_TYPES:
        return undecided(f"{entry.type} is recognised but is not a bitstring list: not checked", None)
    if entry.purpose not in PURPOSES:
        return undecided(f"statusPurpose {entry.purpose!r} is not one the spec defines", None)
    list_type, subject_type = _LIST_TYPES[entry.type]
    if not isinstance(list_credential, Mapping) or list_type not in _as_list(list_credential.get("type")):
        return undecided(f"status list credential type does not include {list_type}")
    subject = list_credential.get("credentialSubject")
    if isinstance(subject, list) and len(subject) == 1:
        subject = subject[0]
    if not isinstance(subject, Mapping) or subject_type not in _as_list(subject.get("type")):
        return undecided(f"status list credentialSubject type is not {subject_type}")
    checked.append("list type")
    if list_credential.get("id") not in (None, entry.list_credential):
        notes.append("status list credential id differs from the statusListCredential URL")
    if entry.purpose not in _as_list(subject.get("statusPurpose")):
        return undecided(f"statusPurpose {entry.purpose!r} is not among the list's purposes")
    checked.append("purpose")
    if now is not None:
        problem = _validity_problem(list_credential, now)
        if problem:
            return undecided(problem)
        checked.append("validity period")
    encoded = subject.get("encodedList")
    if not isinstance(encoded, str):
        return undecided("encodedList is missing or not a string", "MALFORMED_VALUE_ERROR")
    try:
        status_list = StatusList.decode(
            encoded,
            status_size=entry.status_size,
            purpose=entry.purpose,
            status_messages=entry.status_messages,
            max_bytes=max_bytes,
        )
    except StatusListError as error:
        return undecided(f"encodedList: {error.message}", "MALFORMED_VALUE_ERROR")
    if entry.type == BITSTRING_ENTRY and not encoded.startswith("u"):
        notes.append("encodedList lacks the multibase 'u' prefix (StatusList2021 form)")
    checked.append("encodedList")
    if not status_list.meets_minimum:
        notes.append(f"list has {status_list.length} entries, fewer than the {MIN_ENTRIES} minimum")
    checked.append("list length")
    assert entry.index is not None  # every bitstring entry has one (parse_entry)
    if entry.index >= status_list.length:
        reason = f"statusListIndex {entry.index} is outside the list [0, {status_list.length})"
        return undecided(reason, "RANGE_ERROR")
    checked.append("index range")
    value = status_list.get(entry.index)
    message = status_list.message_for(value)
    if entry.purpose == "message":
        outcome: Outcome = "message"
        if message is None and not entry.status_messages:
            message = "set" if value else "unset"
    else:
        outcome = _SET_OUTCOME[entry.purpose] if value else "active"
    return StatusResult(
        outcome, entry, value, message, checked=tuple(checked), unchecked=unchecked, notes=tuple(notes)
    )


def _as_list(value: object) -> list[Any]:
    return [value] if isinstance(value, str) else value if isinstance(value, list) else []


def _validity_problem(credential: Mapping[str, Any], now: datetime) -> str | None:
    """VCDM 2.0 validFrom/validUntil (VC 1.1 issuanceDate/expirationDate); naive times are UTC."""
    if now.tzinfo is None:
        raise StatusListError("now must be a timezone-aware datetime")
    bounds = (("validFrom", False), ("issuanceDate", False), ("validUntil", True), ("expirationDate", True))
    for member, later in bounds:
        if member not in credential:
            continue
        try:
            moment = parse_date_time(credential[member])
        except InputError:
            return f"status list credential {member} is not a dateTime"
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        if later and now > moment:
            return f"status list credential expired ({member} {credential[member]})"
        if not later and now < moment:
            return f"status list credential is not yet valid ({member} {credential[member]})"
    return None
