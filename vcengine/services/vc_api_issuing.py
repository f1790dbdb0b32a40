"""Issuing a credential received through the W3C VC API: its status entries, proof and record.

VC API "Issue Credential" (https://w3c-ccg.github.io/vc-api/#issue-credential) signs the
credential it is given. With ``statuses`` the service first adds a Bitstring Status List entry
per requested purpose (https://www.w3.org/TR/vc-bitstring-status-list/#bitstringstatuslistentry),
allocated from the issuer's lists exactly as GraphQL issuance allocates them
(``status_publishing.allocate``: unpredictable indexes, never handed out twice, across instances);
the lists are published at their ``statusListCredential`` URL. ``message`` entries carry their
``statusSize`` and ``statusMessage`` (§2.1) and come from lists of that entry size.

Every credential is stored (a ``CredentialRecord`` without an achievement), with its ``issued``
event in the same write, so that it is listed, has its public page
(``{base_url}/credentials/{record id}``) and, with a status entry, can be revoked or suspended.
The status endpoint addresses a credential by its ``id``, so a credential with status entries
must be found from it: its record id is derived from (organization, ``id``) (``record_id_for``),
a second one with the same ``id`` in the organization is a ``Conflict``, and one without an
``id`` gets its public URL as ``id``. A credential without status entries is signed as given
(the same credential may be issued again: interop test suites do so).

One credential holds at most one entry per purpose, and not both a revocation and a suspension
entry: its recorded status is decided by one list (``CredentialRecord.status_list_id``), and a
suspension entry can be revoked for good (``status_changes``). A caller's own
``credentialStatus`` is signed as given but never changed by this service; one that names a
list of this service is refused (only the service allocates its entries).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import anyio.to_thread

from vcengine.core.dates import parse_date_time
from vcengine.core.model import as_list
from vcengine.core.proofs.data_integrity import add_proof
from vcengine.core.schema import ensure_signable
from vcengine.core.status import StatusMessage, status_list_entry
from vcengine.core.vcdm import is_vc11
from vcengine.errors import Conflict, InputError, PermissionDenied, StatusListError, VcengineError
from vcengine.services.context import Actor, Services
from vcengine.services.issuers import signing_key
from vcengine.services.issuing import credential_url, store_issued
from vcengine.services.ports import CredentialRecord, IssuerRecord, ProofFormat, StatusPurpose
from vcengine.services.status_publishing import allocate

__all__ = [
    "PURPOSES",
    "STATUS_CONTEXT",
    "SUITES",
    "StatusRequest",
    "VcApiIssue",
    "check",
    "check_statuses",
    "issue",
    "own_issuer",
    "record_id_for",
]

SUITES: tuple[ProofFormat, ...] = ("eddsa-rdfc-2022", "eddsa-jcs-2022", "Ed25519Signature2020")
PURPOSES: tuple[StatusPurpose, ...] = ("revocation", "suspension", "message")
STATUS_CONTEXT = "https://www.w3.org/ns/credentials/status/v1"  # the status terms for VC 1.1
_RECORD_IDS = uuid.UUID("8d1f1f0e-5a0c-4f59-9a53-3c3f6f0b6d21")  # namespace of derived record ids


@dataclass(frozen=True, slots=True)
class StatusRequest:
    """One ``options.credentialStatus`` item: a BitstringStatusListEntry to allocate."""

    purpose: StatusPurpose
    status_size: int = 1
    status_messages: tuple[StatusMessage, ...] = ()


@dataclass(frozen=True, slots=True)
class VcApiIssue:
    """What to sign: ``credential`` with ``suite``, by the organization's issuer it names, with
    entries for ``statuses`` (``credentialStatus`` an array when ``status_array``, else the one
    entry as an object)."""

    credential: Mapping[str, Any]
    suite: ProofFormat = "eddsa-rdfc-2022"
    statuses: tuple[StatusRequest, ...] = ()
    status_array: bool = False


def record_id_for(services: Services, org_id: str, credential_id: str) -> str:
    """The record id of the org's credential whose ``id`` is ``credential_id``: the id itself for
    one of this service's credential URLs, else derived from (org, id)."""
    ours = f"{services.base_url}/credentials/"
    if credential_id.startswith(ours) and "/" not in credential_id[len(ours) :]:
        return credential_id[len(ours) :]
    return str(uuid.uuid5(_RECORD_IDS, f"{org_id}\n{credential_id}"))


def check_statuses(statuses: Sequence[StatusRequest]) -> None:
    """Refuse a set of entries the service cannot keep consistent (see the module docstring)."""
    purposes = [s.purpose for s in statuses]
    for i, request in enumerate(statuses):
        path = f"options.credentialStatus[{i}]"
        if request.purpose not in PURPOSES:
            raise InputError(f"statusPurpose must be one of {', '.join(PURPOSES)}", path=path)
        if purposes.count(request.purpose) > 1:
            raise InputError(f"one entry per statusPurpose ({request.purpose} is repeated)", path=path)
        if request.purpose != "message" and (request.status_size != 1 or request.status_messages):
            raise InputError("statusSize and statusMessage are for the message purpose", path=path)
        try:  # statusSize 1..8; statusMessage one message for each value, required beyond 1 bit
            status_list_entry("urn:x", 0, request.purpose, status_size=request.status_size,
                              status_messages=request.status_messages)  # fmt: skip
        except StatusListError as exc:
            raise InputError(exc.message, path=path) from None
    if {"revocation", "suspension"} <= set(purposes):
        raise InputError(
            "a credential gets a revocation or a suspension entry, not both: "
            "a suspension entry can also be revoked for good",
            path="options.credentialStatus",
        )


def _with_status(credential: Mapping[str, Any], entries: list[dict[str, Any]], array: bool) -> dict[str, Any]:
    out = dict(credential)
    out["credentialStatus"] = entries if array else entries[0]
    return out


def _preflight(services: Services, request: VcApiIssue) -> None:
    """Everything that can refuse the request, before anything is allocated or stored."""
    credential = request.credential
    check_statuses(request.statuses)
    lists = f"{services.base_url}/status-lists/"
    for entry in as_list(credential.get("credentialStatus")):
        if isinstance(entry, Mapping) and str(entry.get("statusListCredential", "")).startswith(lists):
            raise InputError(
                "the entries of this service's status lists are allocated with options.credentialStatus",
                path="credential.credentialStatus",
            )
    if request.statuses:
        if "credentialStatus" in credential:
            raise InputError(
                "give credentialStatus in the credential or in options.credentialStatus, not both",
                path="credential.credentialStatus",
            )
        if is_vc11(credential) and STATUS_CONTEXT not in as_list(credential.get("@context")):
            raise InputError(
                f"a VC 1.1 credential needs the context {STATUS_CONTEXT} for BitstringStatusListEntry",
                path="credential.@context",
            )
    credential_id = credential.get("id")
    ours = f"{services.base_url}/credentials/"
    if isinstance(credential_id, str) and credential_id.startswith(ours):
        raise InputError(f"ids under {ours} are given by this service: leave id out", path="credential.id")


def _trial(request: VcApiIssue, base_url: str) -> dict[str, Any]:
    """The credential with entries shaped like the ones it will get (for the data-model rules)."""
    if not request.statuses:
        return dict(request.credential)
    entries = [
        status_list_entry(f"{base_url}/status-lists/0", 0, s.purpose, status_size=s.status_size,
                          status_messages=s.status_messages)
        for s in request.statuses
    ]  # fmt: skip
    return _with_status(request.credential, entries, request.status_array)


async def check(services: Services, request: VcApiIssue) -> None:
    """Refuse what cannot be issued (InputError; SchemaError naming a data-model rule): nothing
    is allocated or stored for a refused request."""
    _preflight(services, request)
    await anyio.to_thread.run_sync(ensure_signable, _trial(request, services.base_url))


def _subject_id(credential: Mapping[str, Any]) -> dict[str, Any]:
    subjects = as_list(credential.get("credentialSubject"))
    first = subjects[0] if subjects else None
    return {"id": first["id"]} if isinstance(first, Mapping) and isinstance(first.get("id"), str) else {}


def _valid_until(credential: Mapping[str, Any]) -> datetime | None:
    value = credential.get("validUntil", credential.get("expirationDate"))
    try:
        return parse_date_time(value) if isinstance(value, str) else None
    except VcengineError:
        return None


async def own_issuer(services: Services, actor: Actor, credential: Mapping[str, Any]) -> IssuerRecord:
    """The issuer of the caller's organization that ``credential.issuer`` names (its profile id
    or record id); PermissionDenied for any other."""
    issuer = credential.get("issuer")
    wanted = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if not isinstance(wanted, str) or not wanted:
        raise InputError(
            "credential.issuer must be an issuer id or an object with an id", path="credential.issuer"
        )
    for record in await services.store.list_issuers(actor.org_id):
        if record.profile.get("id") == wanted or record.id == wanted:
            return record
    raise PermissionDenied(f"{wanted} is not an issuer of this organization")


async def issue(services: Services, actor: Actor, request: VcApiIssue) -> CredentialRecord:
    """Check (the data-model rules first, whichever issuer the credential names), find the
    issuer, allocate the status entries, sign and store (needs ``issue``); the stored record."""
    actor.require("issue")
    await check(services, request)
    issuer = await own_issuer(services, actor, request.credential)
    given = request.credential.get("id")
    credential = dict(request.credential)
    if request.statuses and isinstance(given, str):
        record_id = record_id_for(services, actor.org_id, given)
        if await services.store.get_credential(actor.org_id, record_id) is not None:
            raise Conflict(
                f"a credential with id {given} and a status entry was issued already: "
                f"it is {credential_url(services, record_id)}; give each credential with status its own id"
            )
    else:
        record_id = services.new_id()
        if request.statuses:
            credential["id"] = credential_url(services, record_id)
    key, pair = await signing_key(services, issuer)
    primary: tuple[str, int] | None = None
    if request.statuses:
        entries = []
        for status in request.statuses:
            slot = (await allocate(services, issuer, status.purpose, 1, status_size=status.status_size))[0]
            entries.append(
                status_list_entry(slot.url, slot.index, status.purpose, status_size=status.status_size,
                                  status_messages=status.status_messages)
            )  # fmt: skip
            if status.purpose != "message":
                primary = (slot.list_id, slot.index)
        credential = _with_status(credential, entries, request.status_array)
    now = services.now()

    def sign() -> dict[str, Any]:
        ensure_signable(credential)
        return add_proof(credential, pair, suite=request.suite, verification_method=key.verification_method,
                         created=now)  # fmt: skip

    signed = await anyio.to_thread.run_sync(sign)
    record = CredentialRecord(
        id=record_id,
        org_id=actor.org_id,
        issuer_id=issuer.id,
        achievement_id=None,
        recipient=_subject_id(credential),
        document=signed,
        proof_format=request.suite,
        issued_at=now,
        status_list_id=primary[0] if primary else None,
        status_index=primary[1] if primary else None,
        valid_until=_valid_until(credential),
    )
    return (await store_issued(services, record, {"via": "vc-api"})).record
