"""Verifying a credential given as JSON, a VC-JWT or a baked PNG/SVG image.

The core verifier (``vcengine.core.verify``) runs on the verification pool
(``services.verification``: worker processes, bounded) with what it needs gathered first, in the
server process: the controller documents of this instance's issuers (so URL and did:web keys,
active or retired, bind to their issuer) and this instance's status lists, signed and cached
(``status_changes.published_list``). Anything else — a key or list of another host — is
resolved offline only (did:key), so such a status is reported *indeterminate*, never passed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import anyio.to_thread

from vcengine.core import jsontext
from vcengine.core.bake import unbake
from vcengine.core.proofs import vc_jwt
from vcengine.core.resolve import OfflineResolver
from vcengine.core.status_check import status_checker
from vcengine.core.verify import (
    VerificationReport,
    issuer_id,
    looks_like_jws,
    ob2_report,
    verify_credential,
)
from vcengine.errors import InputError, ResolutionError
from vcengine.services.context import Services
from vcengine.services.issuers import did_web, issuer_document, list_keys
from vcengine.services.status_changes import published_list
from vcengine.services.verification_pool import Lane

__all__ = ["MAX_INPUT_BYTES", "issuer_documents", "verify", "verify_job"]

MAX_INPUT_BYTES = 4 * 1024 * 1024
DOCUMENT_TTL = timedelta(seconds=60)


def _own_record_id(services: Services, issuer: str) -> str | None:
    for prefix in (f"{services.base_url}/issuers/", did_web(services.base_url, "issuers") + ":"):
        if issuer.startswith(prefix):
            rest = issuer[len(prefix) :]
            return rest if rest and "/" not in rest and ":" not in rest and "#" not in rest else None
    return None


async def issuer_documents(services: Services, issuer: str | None) -> dict[str, Mapping[str, Any]]:
    """``{issuer id: controller document}`` when ``issuer`` is one of this instance's (cached)."""
    record_id = _own_record_id(services, issuer) if issuer else None
    if issuer is None or record_id is None:
        return {}
    now = services.now()
    cached = services.cache.get(f"issuer-doc:{issuer}")
    if cached is not None and cached[1] > now:
        return {issuer: cached[0]}
    record = await services.store.find_issuer(record_id)
    if record is None or record.profile.get("id") != issuer:
        return {}
    document = issuer_document(record, await list_keys(services, record))
    services.cache[f"issuer-doc:{issuer}"] = (document, now + DOCUMENT_TTL)
    return {issuer: document}


async def _lists(services: Services, credential: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    status = credential.get("credentialStatus")
    out: dict[str, Mapping[str, Any]] = {}
    for entry in status if isinstance(status, list) else [status]:
        url = entry.get("statusListCredential") if isinstance(entry, Mapping) else None
        if isinstance(url, str) and url.startswith(services.base_url + "/") and url not in out:
            published = await published_list(services, url)
            if published is not None:
                out[url] = published
    return out


def _parse(data: str | bytes | Mapping[str, Any]) -> tuple[str | Mapping[str, Any] | None, str | None]:
    """The credential to verify (JSON object or compact JWS) and the baked format, if any; no
    credential for an Open Badges 2.0 assertion."""
    if isinstance(data, bytes):
        if len(data) > MAX_INPUT_BYTES:
            raise InputError(f"an image is limited to {MAX_INPUT_BYTES} bytes", path="image")
        baked = unbake(data)
        if baked.format.startswith("ob2"):
            return None, baked.format
        text = baked.text.strip()
        return (text if baked.is_jwt else jsontext.loads(text)), baked.format
    if isinstance(data, str):
        if len(data) > MAX_INPUT_BYTES:
            raise InputError(f"a credential is limited to {MAX_INPUT_BYTES} characters")
        text = data.strip()
        return (text if looks_like_jws(text) else jsontext.loads(text)), None
    if not isinstance(data, Mapping):
        raise InputError("a credential is a JSON object, a compact JWS or a baked image")
    return data, None


def _claims(credential: str | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(credential, Mapping):
        return credential
    try:
        return vc_jwt.decode(credential, allow_external_key=True).credential
    except InputError:
        return {}


# Outcomes of verifying this instance's own status lists, per signed version (the key holds the
# list's proof values), so a list is verified once per process, not once per credential checked
# against it. Each verification worker process keeps its own.
_verified_lists: dict[str, str | None] = {}


def verify_job(
    credential: str | Mapping[str, Any],
    documents: Mapping[str, Mapping[str, Any]],
    lists: Mapping[str, Mapping[str, Any]],
    now: datetime,
) -> VerificationReport:
    """The verification itself, with everything it may look up given: run in a worker process."""

    def fetch_list(url: str) -> Mapping[str, Any]:
        if url not in lists:
            raise ResolutionError(f"status list {url} is not published by this instance")
        return lists[url]

    if len(_verified_lists) > 1024:
        _verified_lists.clear()
    resolver = OfflineResolver(documents)
    return verify_credential(
        credential, resolver=resolver, now=now, status=status_checker(fetch_list, resolver, _verified_lists)
    )


async def verify(
    services: Services, data: str | bytes | Mapping[str, Any], *, lane: Lane = "submitted"
) -> VerificationReport:
    """Verify ``data`` (JSON object or text, compact JWS, or baked image bytes) now.

    Malformed input raises ``InputError``; every other outcome is in the report. Public: no org.
    The work runs on ``services.verification`` in ``lane``: ``stored`` for a credential this
    instance issued (its page), ``submitted`` for anything a client sent. When the pool is
    saturated this raises ``Busy``; past its deadline, ``Aborted``.
    """
    services.verification.refuse_if_full(lane)
    small = not isinstance(data, bytes) and (not isinstance(data, str) or len(data) < 256 * 1024)
    # Parsing a small JSON text costs less than a hop to a worker thread; images and big inputs hop.
    credential, baked_format = _parse(data) if small else await anyio.to_thread.run_sync(_parse, data)
    if credential is None:
        return ob2_report(baked_format or "ob2")
    claims = _claims(credential)
    documents = await issuer_documents(services, issuer_id(claims))
    lists = await _lists(services, claims)
    return await services.verification.run(
        verify_job, credential, documents, lists, services.now(), lane=lane
    )
