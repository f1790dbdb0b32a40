"""The request shapes of VC API issuance options and status updates, read strictly.

Unknown members and malformed values are a 400 naming the member, never ignored:

- ``POST /credentials/issue`` ``options``: ``cryptosuite``, ``credentialId`` and
  ``credentialStatus`` — one object or an array of objects
  ``{"type": "BitstringStatusListEntry", "statusPurpose": "revocation" | "suspension" | "message",
  "statusSize"?: 1..8, "statusMessage"?: [{"status": "0x0", "message": "…"}, …]}``
  (Bitstring Status List v1.0 §2.1; ``statusSize`` and ``statusMessage`` for ``message`` only);
- ``POST /credentials/status`` (VC API "Update Status"): ``{"credentialId", "credentialStatus":
  [{"type": "BitstringStatusListEntry", "statusPurpose", "status": true | false}]}``; the earlier
  form ``{"credentialId", "credentialStatus": {"statusPurpose"}, "status": bool}`` is read too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vcengine.api.http._problem import Problem
from vcengine.core.status import StatusMessage
from vcengine.errors import StatusListError
from vcengine.services.ports import ProofFormat
from vcengine.services.vc_api_issuing import PURPOSES, SUITES, StatusRequest

__all__ = ["ENTRY_TYPE", "IssueOptions", "StatusUpdate", "issue_options", "status_updates"]

ENTRY_TYPE = "BitstringStatusListEntry"
MAX_ENTRIES = 3  # one per purpose
_ISSUE_OPTIONS = frozenset({"cryptosuite", "credentialId", "credentialStatus"})
_ENTRY_MEMBERS = frozenset({"type", "statusPurpose", "statusSize", "statusMessage"})
_UPDATE_MEMBERS = frozenset({"credentialId", "credentialStatus", "status"})
_UPDATE_ENTRY_MEMBERS = frozenset({"type", "statusPurpose", "status"})
_CHANGEABLE = ("revocation", "suspension")


def bad_request(detail: str, path: str | None = None) -> Problem:
    extra = {"path": path} if path else {}
    return Problem(400, "bad-request", "Malformed request", detail, **extra)


@dataclass(frozen=True, slots=True)
class IssueOptions:
    suite: ProofFormat = "eddsa-rdfc-2022"
    credential_id: str | None = None
    statuses: tuple[StatusRequest, ...] = ()
    status_array: bool = False


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    """Set (``status`` true) or clear the credential's entry of ``purpose``."""

    purpose: str
    status: bool


def _unknown(members: Mapping[str, Any], known: frozenset[str], where: str) -> None:
    extra = sorted(set(members) - known)
    if extra:
        raise bad_request(
            f"{where}: unknown member {extra[0]!r} (known: {', '.join(sorted(known))})", f"{where}.{extra[0]}"
        )


def _entries(value: Any, where: str) -> tuple[list[Mapping[str, Any]], bool]:
    """The entry objects of ``value`` (an object, or an array of 1..MAX_ENTRIES objects), and
    whether it was an array."""
    if isinstance(value, Mapping):
        return [value], False
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_ENTRIES:
        raise bad_request(f"{where} must be an object or an array of 1 to {MAX_ENTRIES} objects", where)
    for i, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise bad_request(f"{where}[{i}] must be an object", f"{where}[{i}]")
    return list(value), True


def _type(entry: Mapping[str, Any], path: str, *, required: bool) -> None:
    if "type" not in entry and not required:
        return
    if entry.get("type") != ENTRY_TYPE:
        raise bad_request(f"{path}.type must be {ENTRY_TYPE!r}", f"{path}.type")


def _status_request(entry: Mapping[str, Any], path: str) -> StatusRequest:
    _unknown(entry, _ENTRY_MEMBERS, path)
    _type(entry, path, required=True)
    purpose = entry.get("statusPurpose")
    if purpose not in PURPOSES:
        raise bad_request(
            f"{path}.statusPurpose {purpose!r:.60} is not supported: give one of {', '.join(PURPOSES)}",
            f"{path}.statusPurpose",
        )
    size = entry.get("statusSize", 1)
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 8:
        raise bad_request(f"{path}.statusSize must be an integer from 1 to 8", f"{path}.statusSize")
    raw = entry.get("statusMessage", [])
    if not isinstance(raw, list):
        raise bad_request(f"{path}.statusMessage must be an array", f"{path}.statusMessage")
    try:
        messages = tuple(
            StatusMessage.from_json(m, path=f"{path}.statusMessage[{i}]") for i, m in enumerate(raw)
        )
    except StatusListError as exc:
        raise bad_request(exc.message, exc.path) from None
    return StatusRequest(purpose, size, messages)


def issue_options(options: Mapping[str, Any]) -> IssueOptions:
    _unknown(options, _ISSUE_OPTIONS, "options")
    suite = options.get("cryptosuite", "eddsa-rdfc-2022")
    if suite not in SUITES:
        raise bad_request(f"options.cryptosuite must be one of {', '.join(SUITES)}", "options.cryptosuite")
    credential_id = options.get("credentialId")
    if credential_id is not None and (not isinstance(credential_id, str) or not credential_id):
        raise bad_request("options.credentialId must be a non-empty string", "options.credentialId")
    if "credentialStatus" not in options:
        return IssueOptions(suite, credential_id)
    entries, array = _entries(options["credentialStatus"], "options.credentialStatus")
    path = "options.credentialStatus"
    statuses = tuple(
        _status_request(entry, f"{path}[{i}]" if array else path) for i, entry in enumerate(entries)
    )
    return IssueOptions(suite, credential_id, statuses, array)


def status_updates(body: Mapping[str, Any]) -> tuple[str, Sequence[StatusUpdate]]:
    """The credential id and the changes, in order, of an Update Status request."""
    _unknown(body, _UPDATE_MEMBERS, "body")
    credential_id = body.get("credentialId")
    if not isinstance(credential_id, str) or not credential_id:
        raise bad_request("credentialId must be the credential's id", "credentialId")
    if "credentialStatus" not in body:
        raise bad_request("credentialStatus is required", "credentialStatus")
    entries, array = _entries(body["credentialStatus"], "credentialStatus")
    if array and "status" in body:
        raise bad_request("with a credentialStatus array, each entry carries its own status", "status")
    updates = []
    for i, entry in enumerate(entries):
        path = f"credentialStatus[{i}]" if array else "credentialStatus"
        _unknown(entry, _UPDATE_ENTRY_MEMBERS, path)
        _type(entry, path, required=False)
        if not array and "status" in entry and "status" in body:
            raise bad_request("give status once: in the entry or beside it", "status")
        status = entry["status"] if "status" in entry else body.get("status")
        if not isinstance(status, bool):
            raise bad_request(f"{path}.status must be true (set) or false (clear)", f"{path}.status")
        purpose = entry.get("statusPurpose")
        if purpose not in _CHANGEABLE:
            raise bad_request(
                f"{path}.statusPurpose must be revocation or suspension"
                " (changing a message entry is not supported)",
                f"{path}.statusPurpose",
            )
        updates.append(StatusUpdate(purpose, status))
    return credential_id, updates
