"""Status lists of the service: entries for new credentials, and the signed lists it publishes.

Bitstring Status List v1.0 (https://www.w3.org/TR/vc-bitstring-status-list/). Each list is
published at ``{base_url}/status-lists/{id}`` as a BitstringStatusListCredential signed by its
issuer's newest active key, valid for ``LIST_TTL`` and re-signed when less than
``RESIGN_BEFORE`` of that remains.

Coherent across instances: what an instance keeps in memory is the signed list *of one stored
version*. Every read first asks the store for the list's current version (one indexed read of
one integer) and re-reads the list when it moved, so a change made through any instance is
served, verified and shown by every instance at once — never a day later.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import anyio.to_thread

from vcengine.core.dates import parse_date_time
from vcengine.core.status import StatusList
from vcengine.core.status.publish import publish
from vcengine.errors import Conflict, NotFound
from vcengine.services.allocation import Allocation, Purpose, StatusAllocator
from vcengine.services.context import Services
from vcengine.services.issuers import signing_key
from vcengine.services.ports import IssuerRecord, StatusListRecord

__all__ = [
    "ATTEMPTS",
    "CLOCK_SKEW",
    "LIST_TTL",
    "RESIGN_BEFORE",
    "allocate",
    "backoff",
    "published_list",
    "refresh_forever",
    "refresh_lists",
    "sign_list",
    "stored_bits",
]

_log = logging.getLogger("vcengine.status")

LIST_TTL = timedelta(days=1)
RESIGN_BEFORE = timedelta(hours=1)
#: ``validFrom`` is this much before the moment of signing, so that a verifier whose clock is a
#: little behind, or which fixed its "now" before fetching the list (``vcengine verify --online``),
#: does not find a list re-signed a moment ago "not yet valid".
CLOCK_SKEW = timedelta(minutes=1)
ATTEMPTS = 40  # compare-and-set rounds before giving up (each lost round means another instance won)


async def allocate(
    services: Services, issuer: IssuerRecord, purpose: Purpose, count: int, *, status_size: int = 1
) -> list[Allocation]:
    """``count`` fresh entries of the issuer's status lists of ``purpose`` with entries of
    ``status_size`` bits (``StatusAllocator``, one per ``Services``: it keeps only what never
    changes, and the store's cursors decide)."""
    allocator = services.cache.get("status-allocator")
    if allocator is None:
        lists = f"{services.base_url}/status-lists/"
        allocator = StatusAllocator(services.store, services.random_bytes, lambda i: lists + i, services.now)
        services.cache["status-allocator"] = allocator
    return await allocator.allocate_many(issuer.org_id, issuer.id, purpose, count, status_size=status_size)


async def backoff(services: Services, attempt: int) -> None:
    """Wait before compare-and-set round ``attempt + 1``: exponential, capped at 0.25 s, jittered
    (so instances that collided do not collide again in step)."""
    jitter = 0.5 + services.random_bytes(1)[0] / 510
    await asyncio.sleep(min(0.25, 0.002 * 2**attempt) * jitter)


def stored_bits(record: StatusListRecord) -> StatusList:
    """The bitstring of a stored list, read with its entry size."""
    return StatusList.decode(record.encoded_list, purpose=record.purpose, status_size=record.status_size)


def _fresh(credential: Mapping[str, Any] | None, now: datetime) -> bool:
    """Whether a signed list credential can be served as is (more than an hour of validity left)."""
    if not credential or not isinstance(credential.get("validUntil"), str):
        return False
    return parse_date_time(credential["validUntil"]) - now > RESIGN_BEFORE


async def sign_list(services: Services, record: StatusListRecord, bits: StatusList) -> dict[str, Any]:
    """The list credential for ``bits``, signed now by the issuer's newest active key."""
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
            now=services.now() - CLOCK_SKEW,
            ttl=LIST_TTL + CLOCK_SKEW,
        )
    )


async def published_list(services: Services, url: str) -> Mapping[str, Any] | None:
    """The signed status list credential published at ``url`` (None: not one of ours).

    Served from memory while the store's version of the list is the one in memory and it is
    fresh; otherwise read (and, if it never was or soon expires, re-signed and saved with a
    compare-and-set). Public: status lists are not org-scoped.
    """
    key, now = f"list:{url}", services.now()
    version = await services.store.status_list_version(url)
    if version is None:
        services.cache.pop(key, None)
        return None
    cached: tuple[int, Mapping[str, Any]] | None = services.cache.get(key)
    if cached is not None and cached[0] == version and _fresh(cached[1], now):
        return cached[1]
    for attempt in range(ATTEMPTS):
        record = await services.store.find_status_list_by_url(url)
        if record is None:
            return None
        if record.credential is not None and _fresh(record.credential, now):
            services.cache[key] = (record.version, record.credential)
            return record.credential
        credential = await sign_list(services, record, stored_bits(record))
        try:
            await services.store.save_status_list(
                replace(record, credential=credential, updated_at=now), expected_version=record.version
            )
        except Conflict:
            await backoff(services, attempt)
            continue
        services.cache[key] = (record.version + 1, credential)
        return credential
    raise Conflict(f"status list {url} keeps changing; try again")


async def refresh_lists(services: Services) -> int:
    """Re-sign every status list whose signed credential has less than ``RESIGN_BEFORE`` left
    (or was never signed), so that lists nobody fetched lately do not expire in verifiers' caches
    or make fresh credentials indeterminate. Returns how many lists were re-signed.

    Safe on every instance at once: each list goes through ``published_list``, whose save is a
    compare-and-set on the list's version, so two instances refreshing (or an instance refreshing
    while another revokes) never overwrite each other — the loser re-reads and finds the list
    fresh, or re-signs the newer bits."""
    resigned = 0
    for url in await services.store.status_list_urls():
        record = await services.store.find_status_list_by_url(url)
        if record is None or _fresh(record.credential, services.now()):
            continue
        await published_list(services, url)
        resigned += 1
    return resigned


async def refresh_forever(services: Services, interval: float) -> None:
    """``refresh_lists`` now and every ``interval`` seconds, until cancelled (the app's lifespan
    runs one per instance). A failed pass (the store unreachable) is logged and retried at the
    next one: the lists still have most of an hour of validity left."""
    while True:
        try:
            resigned = await refresh_lists(services)
            if resigned:
                _log.info("re-signed %d status list(s) before they expire", resigned)
        except Exception:  # keep refreshing: one bad pass must not stop the lists' renewal
            _log.exception("status list refresh failed; retrying in %g s", interval)
        await asyncio.sleep(interval)
