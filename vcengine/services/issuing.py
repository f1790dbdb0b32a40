"""Issuing OpenBadgeCredentials: one (``issue_credential``) or many (``bulk_issue``).

A credential gets one status entry in its issuer's status list of ``status_purpose``: revocation
(default) or suspension (OB 3.0 allows one ``credentialStatus``; a suspension entry can be set and
cleared, and revoking such a credential sets it for good). Its id is
``{base_url}/credentials/{uuid}``; its proof is ``eddsa-rdfc-2022`` (default), ``eddsa-jcs-2022``
or ``vc-jwt``. An idempotency key yields exactly one credential per organization, even under
concurrent retries: the store's unique key decides, and the loser of a race returns the winner's
credential (its own status index is left unused, never handed out twice). The ``issued`` event
is stored in the same write as its credential (``Store.insert_credential``): a crash leaves
both or neither. Bulk issuance stores each signed chunk with one batch write
(``Store.insert_credentials``), the same promise for every credential of it.

Signing is CPU work and runs off the event loop: in a thread, or for bulk issuance in worker
processes when ``Services.signing_processes`` > 0.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

import anyio.to_thread

from vcengine.core.keys import KeyPair
from vcengine.core.model import (
    Achievement,
    AchievementSubject,
    Evidence,
    IdentityObject,
    OpenBadgeCredential,
    Profile,
    copy_json,
    is_absolute_uri,
)
from vcengine.core.proofs import vc_jwt
from vcengine.core.proofs.data_integrity import add_proof
from vcengine.core.schema import ensure_signable
from vcengine.core.status import status_list_entry
from vcengine.errors import InputError, NotFound, SchemaError, VcengineError
from vcengine.services import credential_expiry, webhook_delivery
from vcengine.services.context import Actor, Services
from vcengine.services.delivery import DeliveryChoice, delivery_jobs, resolve_delivery
from vcengine.services.events import CredentialEvent
from vcengine.services.issuers import signing_key
from vcengine.services.ports import (
    AchievementRecord,
    CredentialInsert,
    CredentialRecord,
    EventRecord,
    IssuerKeyRecord,
    IssuerRecord,
    JobRecord,
    ProofFormat,
)
from vcengine.services.status_publishing import allocate
from vcengine.services.workers import WorkerPool

__all__ = [
    "PROOF_FORMATS",
    "BulkItemResult",
    "EvidenceInput",
    "IssueRequest",
    "Issued",
    "RecipientInput",
    "bulk_issue",
    "check_requests",
    "credential_json",
    "credential_url",
    "issue_credential",
    "store_issued",
    "store_issued_many",
]

StatusPurpose = Literal["revocation", "suspension"]
PROOF_FORMATS: tuple[ProofFormat, ...] = ("eddsa-rdfc-2022", "eddsa-jcs-2022", "vc-jwt")
MAX_BULK = 10_000
MAX_EVIDENCE = 20
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]{1,63}")
_IDEMPOTENCY = re.compile(r"[\x21-\x7e]{1,200}")


@dataclass(frozen=True, slots=True)
class RecipientInput:
    """Who earned it: an email (hashed with a random salt), a DID/URL, and/or a disclosed name."""

    email: str | None = None
    identifier: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class EvidenceInput:
    url: str | None = None
    narrative: str | None = None
    name: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class IssueRequest:
    achievement_id: str
    recipient: RecipientInput
    evidence: Sequence[EvidenceInput] = ()
    valid_until: datetime | None = None
    proof_format: ProofFormat = "eddsa-rdfc-2022"
    idempotency_key: str | None = None
    status_purpose: StatusPurpose = "revocation"
    delivery: DeliveryChoice | None = None


@dataclass(frozen=True, slots=True)
class Issued:
    """The credential; ``created`` is False when an earlier request with the same key made it."""

    record: CredentialRecord
    created: bool


@dataclass(slots=True)
class BulkItemResult:
    index: int
    issued: Issued | None = None
    error: VcengineError | None = None


@dataclass(slots=True)
class _Plan:
    """Everything needed to sign and store one credential."""

    index: int
    request: IssueRequest
    record_id: str
    unsigned: dict[str, Any]
    issuer: IssuerRecord
    key: IssuerKeyRecord
    pair: KeyPair
    recipient: dict[str, Any]
    status: dict[str, Any] = field(default_factory=dict)


# --- signing (CPU work: never on the event loop) ------------------------------------------


def sign_one(
    unsigned: Mapping[str, Any],
    pair: KeyPair,
    verification_method: str,
    proof_format: ProofFormat,
    now: datetime,
) -> dict[str, Any]:
    """The signed document to store: with an embedded proof, or ``{"jwt", "credential"}``.

    The issuer's pre-flight runs first, on the complete credential (status entry included):
    SchemaError naming the data-model rule when it breaks one."""
    ensure_signable(unsigned)
    if proof_format == "vc-jwt":
        return {"jwt": vc_jwt.sign(unsigned, pair, kid=verification_method), "credential": dict(unsigned)}
    return add_proof(unsigned, pair, suite=proof_format, verification_method=verification_method, created=now)


_worker_keys: dict[str, KeyPair] = {}


Signed = dict[str, Any] | VcengineError  # a signed document, or why this one was not signed


def _sign_or_error(
    unsigned: dict[str, Any], pair: KeyPair, vm: str, proof_format: ProofFormat, now: datetime
) -> Signed:
    try:
        return sign_one(unsigned, pair, vm, proof_format, now)
    except VcengineError as exc:  # one refused credential does not sink its batch
        return exc


def _sign_batch(jobs: list[tuple[dict[str, Any], str, str, ProofFormat]], now: datetime) -> list[Signed]:
    """In a worker process: sign ``(unsigned, secret multibase, vm, format)`` jobs."""
    out = []
    for unsigned, secret, vm, proof_format in jobs:
        pair = _worker_keys.get(secret)
        if pair is None:
            pair = _worker_keys[secret] = KeyPair.from_secret_multibase(secret)
        out.append(_sign_or_error(unsigned, pair, vm, proof_format, now))
    return out


def _pool(services: Services) -> ProcessPoolExecutor:
    pool = services.cache.get("signing_pool")
    if pool is None:
        pool = WorkerPool(services.signing_processes)  # its workers die with the service
        services.cache["signing_pool"] = pool
        services.on_close(pool.shutdown)
    executor: ProcessPoolExecutor = pool.executor
    return executor


async def sign_many(
    services: Services, jobs: Sequence[tuple[dict[str, Any], KeyPair, str, ProofFormat]], now: datetime
) -> list[Signed]:
    """Sign a batch: split over the worker processes, or in one thread without them. A credential
    that cannot be signed (it breaks a data-model rule) gets its error in its place."""
    if services.signing_processes <= 0 or len(jobs) < 64:
        return await anyio.to_thread.run_sync(
            lambda: [_sign_or_error(u, p, vm, f, now) for u, p, vm, f in jobs]
        )
    workers = services.signing_processes
    pairs = {id(p): p for _, p, _, _ in jobs}
    secrets = {key: pair.export_secret_multibase() for key, pair in pairs.items()}  # once per key
    portable = [(u, secrets[id(p)], vm, f) for u, p, vm, f in jobs]
    parts = [portable[i::workers] for i in range(workers)]
    loop = asyncio.get_running_loop()
    done = await asyncio.gather(
        *(loop.run_in_executor(_pool(services), _sign_batch, part, now) for part in parts)
    )
    out: list[Signed] = [{}] * len(jobs)
    for w, part in enumerate(done):
        out[w::workers] = part
    return out


def credential_url(services: Services, record_id: str) -> str:
    return f"{services.base_url}/credentials/{record_id}"


def credential_json(record: CredentialRecord) -> Mapping[str, Any]:
    """The credential as JSON: the signed document, or for VC-JWT the credential the token carries."""
    if record.proof_format == "vc-jwt":
        return record.document["credential"]  # type: ignore[no-any-return]
    return record.document


def _check(request: IssueRequest, now: datetime) -> None:
    r = request.recipient
    if not (r.email or r.identifier or r.name):
        raise InputError("give the recipient's email, identifier or name", path="recipient")
    if r.email is not None and not _EMAIL.fullmatch(r.email):
        raise InputError("is not an email address", path="recipient.email")
    if r.identifier is not None and (len(r.identifier) > 2000 or not is_absolute_uri(r.identifier)):
        raise InputError("must be a DID or an absolute URL", path="recipient.identifier")
    if r.name is not None and not (0 < len(r.name.strip()) <= 200):
        raise InputError("must be 1 to 200 characters", path="recipient.name")
    if request.status_purpose not in ("revocation", "suspension"):
        raise InputError("must be revocation or suspension", path="statusPurpose")
    if request.proof_format not in PROOF_FORMATS:
        raise InputError(f"must be one of {', '.join(PROOF_FORMATS)}", path="proofFormat")
    if request.idempotency_key is not None and not _IDEMPOTENCY.fullmatch(request.idempotency_key):
        raise InputError("must be 1 to 200 printable ASCII characters", path="idempotencyKey")
    if request.valid_until is not None:
        if request.valid_until.tzinfo is None:
            raise InputError("must carry a time zone", path="validUntil")
        if request.valid_until <= now:
            raise InputError("must be in the future", path="validUntil")
    if request.delivery not in (None, "EMAIL", "NONE"):
        raise InputError("must be EMAIL or NONE", path="delivery")
    if request.delivery == "EMAIL" and not r.email:
        raise InputError("EMAIL delivery needs the recipient's email", path="delivery")
    if len(request.evidence) > MAX_EVIDENCE:
        raise InputError(f"at most {MAX_EVIDENCE} evidence items", path="evidence")
    for i, e in enumerate(request.evidence):
        if e.url is not None and (len(e.url) > 2000 or not is_absolute_uri(e.url)):
            raise InputError("must be an absolute URL", path=f"evidence.{i}.url")
        if not (e.url or e.narrative):
            raise InputError("give a URL or a narrative", path=f"evidence.{i}")
        for text in (e.narrative, e.name, e.description):
            if text is not None and len(text) > 10_000:
                raise InputError("must be at most 10,000 characters", path=f"evidence.{i}")


def _subject(services: Services, achievement: Achievement, r: RecipientInput) -> AchievementSubject:
    identifiers = []
    if r.email:
        salt = services.random_bytes(16).hex()
        identifiers.append(IdentityObject.hashed_from(r.email.strip().lower(), salt))
    if r.name:
        identifiers.append(IdentityObject(r.name.strip(), "name", hashed=False))
    return AchievementSubject(achievement=achievement, id=r.identifier, identifier=tuple(identifiers))


def _recipient(r: RecipientInput) -> dict[str, Any]:
    out = {"email": r.email.strip().lower() if r.email else None, "id": r.identifier, "name": r.name}
    return {k: v for k, v in out.items() if v is not None}


def _achievement(doc: Mapping[str, Any]) -> Achievement:
    """The stored Achievement JSON as a builder (the builder re-emits the same JSON)."""
    return _StoredAchievement(doc)  # type: ignore[return-value]


class _StoredAchievement:
    """Stands in for an ``Achievement`` builder: its JSON is already made and validated."""

    __slots__ = ("_doc",)

    def __init__(self, doc: Mapping[str, Any]) -> None:
        self._doc = doc

    def to_json(self) -> dict[str, Any]:
        copied: dict[str, Any] = copy_json(dict(self._doc))
        return copied


def _unsigned(
    services: Services,
    record_id: str,
    request: IssueRequest,
    issuer: IssuerRecord,
    achievement: AchievementRecord,
    now: datetime,
) -> dict[str, Any]:
    profile = issuer.profile
    try:
        credential = OpenBadgeCredential(
            id=credential_url(services, record_id),
            issuer=Profile(id=str(profile["id"]), name=profile.get("name"), url=profile.get("url")),
            valid_from=now,
            valid_until=request.valid_until,
            name=str(achievement.achievement.get("name", "")) or None,
            credential_subject=_subject(services, _achievement(achievement.achievement), request.recipient),
            evidence=tuple(
                Evidence(id=e.url, narrative=e.narrative, name=e.name, description=e.description)
                for e in request.evidence
            ),
        )
        return credential.to_json()
    except SchemaError as exc:
        raise InputError(exc.message) from None


async def _context(
    services: Services, actor: Actor, achievement_id: str
) -> tuple[AchievementRecord, IssuerRecord, IssuerKeyRecord, KeyPair]:
    achievement = await services.store.get_achievement(actor.org_id, achievement_id)
    if achievement is None:
        raise NotFound(f"no achievement {achievement_id}", path="achievementId")
    issuer = await services.store.get_issuer(actor.org_id, achievement.issuer_id)
    if issuer is None:
        raise NotFound(f"the issuer of achievement {achievement_id} is gone", path="achievementId")
    key, pair = await signing_key(services, issuer)
    return achievement, issuer, key, pair


def _record(plan: _Plan, document: Mapping[str, Any], now: datetime, org_id: str) -> CredentialRecord:
    request = plan.request
    return CredentialRecord(
        id=plan.record_id,
        org_id=org_id,
        issuer_id=plan.issuer.id,
        achievement_id=request.achievement_id,
        recipient=plan.recipient,
        document=document,
        proof_format=request.proof_format,
        issued_at=now,
        status="active",
        status_list_id=plan.status.get("list_id"),
        status_index=plan.status.get("index"),
        idempotency_key=request.idempotency_key,
        valid_until=request.valid_until,
    )


def _issued_event(services: Services, record: CredentialRecord, data: Mapping[str, Any]) -> EventRecord:
    if record.achievement_id is not None:
        data = {"achievementId": record.achievement_id, **data}
    return EventRecord(services.new_id(), record.org_id, "issued", record.id, services.now(), data)


async def store_issued(
    services: Services, record: CredentialRecord, data: Mapping[str, Any], jobs: Sequence[JobRecord] = ()
) -> Issued:
    """Store ``record`` with its ``issued`` event and ``jobs`` (its delivery) in one write; tell
    live listeners (and the job runner) if it is a new one."""
    (write,) = await _writes(services, record.org_id, [(record, jobs)], data)
    stored = await services.store.insert_credential(write.credential, write.event, write.jobs)
    return _announce(services, [write], [stored])[0]


async def store_issued_many(
    services: Services,
    org_id: str,
    records: Sequence[tuple[CredentialRecord, Sequence[JobRecord]]],
    data: Mapping[str, Any],
) -> list[Issued]:
    """``store_issued`` of each ``(record, jobs)`` of ``org_id``, in order, as one store write."""
    if not records:
        return []
    writes = await _writes(services, org_id, records, data)
    stored = await services.store.insert_credentials(writes)
    return _announce(services, writes, stored)


async def _writes(
    services: Services,
    org_id: str,
    records: Sequence[tuple[CredentialRecord, Sequence[JobRecord]]],
    data: Mapping[str, Any],
) -> list[CredentialInsert]:
    """Each record with its ``issued`` event and jobs: its delivery, webhooks and expiry."""
    events = [_issued_event(services, record, data) for record, _ in records]
    webhooks = await webhook_delivery.deliveries_of_each(services, org_id, events)
    writes = []
    for (record, jobs), event, hooks in zip(records, events, webhooks, strict=True):
        expiry = credential_expiry.expiry_job(services, record)
        writes.append(CredentialInsert(record, event, [*jobs, *hooks, *([expiry] if expiry else [])]))
    return writes


def _announce(
    services: Services, writes: Sequence[CredentialInsert], stored: Sequence[CredentialRecord]
) -> list[Issued]:
    """Tell live listeners (and the job runner) of the credentials that are new."""
    issued = [Issued(s, s.id == w.credential.id) for w, s in zip(writes, stored, strict=True)]
    new = [w for w, i in zip(writes, issued, strict=True) if i.created]
    if any(w.jobs for w in new):
        services.wake_jobs()
    for event in (w.event for w in new):
        if event is not None:
            services.events.publish(
                CredentialEvent("issued", event.org_id, event.at, event.credential_id, event.data)
            )
    return issued


async def _allocate_for(services: Services, plans: Sequence[_Plan]) -> None:
    """Give every plan its status entry, allocated per (issuer, purpose) in one call."""
    groups: dict[tuple[str, str], list[_Plan]] = {}
    for plan in plans:
        groups.setdefault((plan.issuer.id, plan.request.status_purpose), []).append(plan)
    for (_, purpose), members in groups.items():
        slots = await allocate(services, members[0].issuer, purpose, len(members))  # type: ignore[arg-type]
        for plan, slot in zip(members, slots, strict=True):
            plan.unsigned["credentialStatus"] = status_list_entry(slot.url, slot.index, purpose)
            plan.status = {"list_id": slot.list_id, "index": slot.index}


async def issue_credential(services: Services, actor: Actor, request: IssueRequest) -> Issued:
    """Issue one credential (needs ``issue``); see the module docstring for idempotency."""
    actor.require("issue")
    now = services.now()
    _check(request, now)
    if request.idempotency_key is not None:
        existing = await services.store.get_by_idempotency_key(actor.org_id, request.idempotency_key)
        if existing is not None:
            return Issued(existing, False)
    achievement, issuer, key, pair = await _context(services, actor, request.achievement_id)
    record_id = services.new_id()
    plan = _Plan(
        0,
        request,
        record_id,
        _unsigned(services, record_id, request, issuer, achievement, now),
        issuer,
        key,
        pair,
        _recipient(request.recipient),
    )
    await _allocate_for(services, [plan])
    document = await anyio.to_thread.run_sync(
        sign_one, plan.unsigned, pair, key.verification_method, request.proof_format, now
    )
    record = _record(plan, document, now, actor.org_id)
    return await store_issued(services, record, {}, _delivery(services, request, record, now))


def _delivery(
    services: Services, request: IssueRequest, record: CredentialRecord, now: datetime
) -> list[JobRecord]:
    """The jobs that deliver ``record`` as ``request`` asks (see ``services.delivery``)."""
    choice = resolve_delivery(services.delivery, request.delivery, request.recipient.email)
    return delivery_jobs(services, record, choice, now)


async def bulk_issue(
    services: Services,
    actor: Actor,
    requests: Sequence[IssueRequest],
    *,
    bulk_id: str | None = None,
    chunk: int = 500,
) -> list[BulkItemResult]:
    """Issue many credentials (needs ``issue``): one result per request, in order.

    Invalid items get an error and do not stop the others. Idempotency keys already used (in the
    store or earlier in the same batch) return the existing credential: the store's idempotent
    insert decides, so a replayed item costs a signature and an unused status index but no
    look-up for every fresh one (the common case). Each chunk of ``chunk`` credentials is stored
    with one batch write (``store_issued_many``), then progress is published as a
    ``bulk_progress`` event.
    """
    actor.require("issue")
    if not 1 <= len(requests) <= MAX_BULK:
        raise InputError(f"give 1 to {MAX_BULK} items", path="items")
    bulk_id = bulk_id or services.new_id()
    now = services.now()
    results = [BulkItemResult(i) for i in range(len(requests))]
    plans = await _plan_bulk(services, actor, requests, results, now)
    total, done = len(requests), sum(1 for r in results if r.issued or r.error)
    await _progress(services, actor, bulk_id, done, total)

    async def store(batch: list[_Plan], documents: list[Signed]) -> None:
        """Insert a signed chunk with one store write and report it."""
        nonlocal done
        signed = []
        for plan, document in zip(batch, documents, strict=True):
            if isinstance(document, VcengineError):
                results[plan.index].error = document  # its status index stays unused
            else:
                signed.append((plan, _record(plan, document, now, actor.org_id)))
        records = [(r, _delivery(services, p.request, r, now)) for p, r in signed]
        issued = await store_issued_many(services, actor.org_id, records, {"bulkId": bulk_id})
        for (plan, _), outcome in zip(signed, issued, strict=True):
            results[plan.index].issued = outcome
        done += len(batch)
        await _progress(services, actor, bulk_id, done, total)

    # a pipeline: chunk k+1 is signed while chunk k is being stored
    storing: asyncio.Future[None] | None = None
    try:
        for start in range(0, len(plans), chunk):
            batch = plans[start : start + chunk]
            await _allocate_for(services, batch)
            jobs = [(p.unsigned, p.pair, p.key.verification_method, p.request.proof_format) for p in batch]
            signing = asyncio.ensure_future(sign_many(services, jobs, now))
            try:
                if storing is not None:
                    await storing
            finally:
                documents = await signing
            storing = asyncio.ensure_future(store(batch, documents))
        if storing is not None:
            await storing
    finally:
        if storing is not None and not storing.done():
            storing.cancel()
    _fill_duplicates(requests, results)
    return results


async def _plan_bulk(
    services: Services,
    actor: Actor,
    requests: Sequence[IssueRequest],
    results: list[BulkItemResult],
    now: datetime,
) -> list[_Plan]:
    seen_keys: set[str] = set()
    fresh: list[int] = []
    for i, request in enumerate(requests):
        try:
            _check(request, now)
        except VcengineError as exc:
            results[i].error = exc
            continue
        key = request.idempotency_key
        if key is not None:
            if key in seen_keys:
                continue  # filled in from the first item with this key
            seen_keys.add(key)
        fresh.append(i)
    contexts: dict[str, Any] = {}
    plans = []
    for i in fresh:
        request = requests[i]
        if request.achievement_id not in contexts:
            try:
                contexts[request.achievement_id] = await _context(services, actor, request.achievement_id)
            except VcengineError as exc:
                contexts[request.achievement_id] = exc
        context = contexts[request.achievement_id]
        try:
            if isinstance(context, VcengineError):
                raise context
            achievement, issuer, signer, pair = context
            record_id = services.new_id()
            unsigned = _unsigned(services, record_id, request, issuer, achievement, now)
        except VcengineError as exc:
            results[i].error = exc
            continue
        plans.append(
            _Plan(i, request, record_id, unsigned, issuer, signer, pair, _recipient(request.recipient))
        )
    return plans


def _fill_duplicates(requests: Sequence[IssueRequest], results: list[BulkItemResult]) -> None:
    """Items that repeat an idempotency key of an earlier item get that item's credential."""
    first: dict[str, BulkItemResult] = {}
    for request, result in zip(requests, results, strict=True):
        key = request.idempotency_key
        if key is None or result.error is not None:
            continue
        if key not in first:
            first[key] = result
        elif result.issued is None and (earlier := first[key].issued) is not None:
            result.issued = replace(earlier, created=False)
        elif result.issued is None:
            result.error = first[key].error


async def _progress(services: Services, actor: Actor, bulk_id: str, done: int, total: int) -> None:
    services.events.publish(
        CredentialEvent(
            "bulk_progress",
            actor.org_id,
            services.now(),
            None,
            {"bulkId": bulk_id, "done": done, "total": total},
        )
    )


async def check_requests(
    services: Services, actor: Actor, requests: Sequence[IssueRequest]
) -> list[VcengineError | None]:
    """A dry run of ``bulk_issue`` (needs ``issue``): for each request, the error issuing it would
    meet before signing (its input, its achievement and issuer, the data-model rules of the
    credential it would make), or None. Nothing is allocated, signed or stored."""
    actor.require("issue")
    if not 1 <= len(requests) <= MAX_BULK:
        raise InputError(f"give 1 to {MAX_BULK} items", path="items")
    now = services.now()
    results = [BulkItemResult(i) for i in range(len(requests))]
    plans = await _plan_bulk(services, actor, requests, results, now)

    def rules() -> None:
        for plan in plans:
            try:
                ensure_signable(plan.unsigned)
            except VcengineError as exc:
                results[plan.index].error = exc

    await anyio.to_thread.run_sync(rules)
    return [r.error for r in results]
