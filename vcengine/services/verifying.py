"""Verifying a credential given as JSON, a VC-JWT or a baked PNG/SVG image.

The core verifier (``vcengine.core.verify``) runs on the verification pool
(``services.verification``: worker processes, bounded) with what it needs gathered first, in the
server process: the controller documents of this instance's issuers (so URL and did:web keys,
active or retired, bind to their issuer) and this instance's status lists, signed and cached per
stored version (``status_publishing.published_list``), so a key added or a credential revoked
through any instance counts here at once. Anything else — a key or list of another host — is
resolved offline only (did:key), so such a status is reported *indeterminate*, never passed.

An exact copy of a credential this instance stored (``stored_credentials``) costs what this
instance chose to sign, so it is verified in a thread (``VerificationPool.run_in_thread``:
admitted in its lane all the same) rather than in a worker process; anything else a client sends
keeps the workers' deadline. Of the stored credential, memory keeps only what never changes (its
id, organization and a digest of its document); its status list's version is read from the store
for every verification, as above.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import anyio.to_thread

from vcengine.core import jsontext, ob2
from vcengine.core.bake import unbake
from vcengine.core.checks import issuer_id
from vcengine.core.presentation import ENVELOPED_VC_JWT, PresentationReport, verify_presentation
from vcengine.core.presentation_jwt import presentation_of, verify_presentation_jwt
from vcengine.core.proofs import vc_jwt
from vcengine.core.resolve import OfflineResolver
from vcengine.core.status.check import status_checker
from vcengine.core.verify import VerificationReport, looks_like_jws, verify_credential
from vcengine.errors import InputError, ResolutionError, StoreError
from vcengine.services import stored_credentials
from vcengine.services.context import Services
from vcengine.services.issuers import did_web, issuer_document, list_keys
from vcengine.services.ports import EventRecord
from vcengine.services.status_changes import published_list
from vcengine.services.stored_credentials import StoredCredential
from vcengine.services.verification_pool import Lane

log = logging.getLogger(__name__)

__all__ = [
    "MAX_INPUT_BYTES",
    "VerifyOptions",
    "issuer_documents",
    "presentation_job",
    "verify",
    "verify_job",
    "verify_presentation_now",
]

MAX_INPUT_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class VerifyOptions:
    """What the verifier expects of the proofs (VC API ``options``): their purpose, and the
    ``challenge`` and ``domain`` they must carry when given."""

    expected_purpose: str = "assertionMethod"
    challenge: str | None = None
    domain: str | None = None


DEFAULT_OPTIONS = VerifyOptions()


def _own_record_id(services: Services, issuer: str) -> str | None:
    for prefix in (f"{services.base_url}/issuers/", did_web(services.base_url, "issuers") + ":"):
        if issuer.startswith(prefix):
            rest = issuer[len(prefix) :]
            return rest if rest and "/" not in rest and ":" not in rest and "#" not in rest else None
    return None


async def issuer_documents(
    services: Services, issuer: str | None, methods: Collection[str] = ()
) -> dict[str, Mapping[str, Any]]:
    """``{issuer id: controller document}`` when ``issuer`` is one of this instance's.

    An issuer's document only grows (keys are added; retired keys stay listed for assertions;
    nothing is ever removed), so the one in memory is used when it lists every verification
    method in ``methods`` (those the credential and its status lists name) and read again from
    the store otherwise: a key added through another instance counts at once, and the common case
    costs no read. (Should keys ever be removable, this must become a version check.)"""
    record_id = _own_record_id(services, issuer) if issuer else None
    if issuer is None or record_id is None:
        return {}
    cached: Mapping[str, Any] | None = services.cache.get(f"issuer-doc:{issuer}")
    if cached is not None and methods and set(methods) <= set(cached["assertionMethod"]):
        return {issuer: cached}
    record = await services.store.find_issuer(record_id)
    if record is None or record.profile.get("id") != issuer:
        return {}
    document = issuer_document(record, await list_keys(services, record))
    services.cache[f"issuer-doc:{issuer}"] = document
    return {issuer: document}


def _methods(credential: object, lists: Mapping[str, Mapping[str, Any]]) -> set[str]:
    """The verification methods the proofs of the credential (or the JWT's ``kid``) and of its
    status lists name: what the issuer's document must list."""
    found: set[str] = set()
    documents: list[Mapping[str, Any]] = list(lists.values())
    if isinstance(credential, Mapping):
        documents.append(credential)
    elif isinstance(credential, str):
        try:
            kid = vc_jwt.decode(credential, allow_external_key=True).header.get("kid")
        except InputError:
            kid = None
        found |= {kid} if isinstance(kid, str) else set()
    for document in documents:
        proofs = document.get("proof")
        for proof in proofs if isinstance(proofs, list) else [proofs]:
            if isinstance(proof, Mapping) and isinstance(proof.get("verificationMethod"), str):
                found.add(proof["verificationMethod"])
    return found


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


Parsed = str | Mapping[str, Any] | ob2.Presented


def _parse(data: str | bytes | Mapping[str, Any]) -> tuple[Parsed, str | None]:
    """The credential to verify (JSON object or compact JWS, or an Open Badges 2.0 assertion)
    and the baked format, if any."""
    if isinstance(data, bytes):
        if len(data) > MAX_INPUT_BYTES:
            raise InputError(f"an image is limited to {MAX_INPUT_BYTES} bytes", path="image")
        baked = unbake(data)
        if baked.format.startswith("ob2"):
            return ob2.from_baked(baked), baked.format
        text = baked.text.strip()
        return (text if baked.is_jwt else jsontext.loads(text)), baked.format
    if isinstance(data, str):
        if len(data) > MAX_INPUT_BYTES:
            raise InputError(f"a credential is limited to {MAX_INPUT_BYTES} characters")
        text = data.strip()
        credential: str | Mapping[str, Any] = text if looks_like_jws(text) else jsontext.loads(text)
        return ob2.detect(credential) or credential, None
    if not isinstance(data, Mapping):
        raise InputError("a credential is a JSON object, a compact JWS or a baked image")
    return ob2.detect(data) or data, None


#: OB 2.0 badges are verified from documents their issuers publish (the hosted assertion, the
#: issuer Profile, its keys and revocation list); the service fetches nothing, so it can check
#: an assertion's form and dates, but never call one verified.
_OB2_OFFLINE = (
    "the service does not fetch Open Badges 2.0 documents over the network; verify this badge with "
    "`vcengine verify --online` (or give the documents with --resolve URL=FILE)"
)


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
    options: VerifyOptions = DEFAULT_OPTIONS,
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
        credential,
        resolver=resolver,
        now=now,
        status=status_checker(fetch_list, resolver, _verified_lists),
        expected_purpose=options.expected_purpose,
        challenge=options.challenge,
        domain=options.domain,
    )


def presentation_job(
    presentation: Mapping[str, Any] | str,
    documents: Mapping[str, Mapping[str, Any]],
    lists: Mapping[str, Mapping[str, Any]],
    now: datetime,
    options: VerifyOptions,
) -> PresentationReport:
    """Verify a presentation (JSON or JWT) with everything given: run in a worker process."""

    def fetch_list(url: str) -> Mapping[str, Any]:
        if url not in lists:
            raise ResolutionError(f"status list {url} is not published by this instance")
        return lists[url]

    resolver = OfflineResolver(documents)
    status = status_checker(fetch_list, resolver, _verified_lists)
    if isinstance(presentation, str):
        return verify_presentation_jwt(
            presentation,
            resolver=resolver,
            now=now,
            status=status,
            challenge=options.challenge,
            domain=options.domain,
        )
    return verify_presentation(
        presentation,
        resolver=resolver,
        now=now,
        status=status,
        challenge=options.challenge,
        domain=options.domain,
        expected_purpose=options.expected_purpose,
    )


async def _count_verified(
    services: Services, stored: StoredCredential | None, report: VerificationReport
) -> None:
    """Count a successful verification, through the verifier endpoints, of a credential this
    service issued (its id is its page URL): a ``verified`` event of its organization, written
    after the answer with others (``services.counts``). Counting is best effort: a store that
    fails here does not change the answer."""
    if not report.verified or report.credential is None:
        return
    try:
        stored = stored or await stored_credentials.find(services, report.credential.get("id"))
        if stored is None:
            return
        services.counts.add(
            EventRecord(services.new_id(), stored.org_id, "verified", stored.id, services.now(), {})
        )
    except StoreError as exc:
        log.warning("a verification was not counted: %s", exc.message)


async def verify(
    services: Services,
    data: str | bytes | Mapping[str, Any],
    options: VerifyOptions = DEFAULT_OPTIONS,
    *,
    lane: Lane = "submitted",
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
    credential, _ = _parse(data) if small else await anyio.to_thread.run_sync(_parse, data)
    if isinstance(credential, ob2.Presented):
        if (
            options.challenge is not None
            or options.domain is not None
            or options.expected_purpose != "assertionMethod"
        ):
            raise InputError(
                "challenge, domain and expectedProofPurpose concern proofs of verifiable credentials; "
                "an Open Badges 2.0 assertion has none"
            )
        presented, now = credential, services.now()
        return await anyio.to_thread.run_sync(
            lambda: ob2.verify_ob2(presented, documents=ob2.NoDocuments(_OB2_OFFLINE), now=now)
        )
    claims = _claims(credential)
    stored = await stored_credentials.copy_of(services, credential, claims)
    lists = await _lists(services, claims)
    documents = await issuer_documents(services, issuer_id(claims), _methods(credential, lists))
    job = (credential, documents, lists, services.now(), options)
    if stored is not None:  # what this instance signed: its cost is bounded, no worker process needed
        report = await services.verification.run_in_thread(verify_job, *job, lane=lane)
    else:
        report = await services.verification.run(verify_job, *job, lane=lane)
    if lane == "submitted":
        await _count_verified(services, stored, report)  # counted in analytics
    return report


async def verify_presentation_now(
    services: Services, presentation: Mapping[str, Any] | str, options: VerifyOptions
) -> PresentationReport:
    """Verify a presentation (its proof for ``options.expected_purpose``, challenge and domain)
    and every credential it carries, with this instance's issuer documents and status lists, on
    the verification pool. A string is a presentation JWT (``vp+jwt`` or a VC-JWT 1.1 ``vp``
    claim); a malformed one raises ``InputError``."""
    services.verification.refuse_if_full("submitted")
    unsecured = presentation_of(presentation) if isinstance(presentation, str) else presentation
    carried = unsecured.get("verifiableCredential") if isinstance(unsecured, Mapping) else None
    claims: list[Mapping[str, Any]] = []
    for vc in carried if isinstance(carried, list) else [carried] if carried is not None else []:
        if isinstance(vc, str):
            claims.append(_claims(vc))
            continue
        if not isinstance(vc, Mapping):
            continue
        envelope = vc.get("id")
        if isinstance(envelope, str) and envelope.startswith(ENVELOPED_VC_JWT):
            claims.append(_claims(envelope[len(ENVELOPED_VC_JWT) :]))
        else:
            claims.append(vc)
    documents: dict[str, Mapping[str, Any]] = {}
    lists: dict[str, Mapping[str, Any]] = {}
    for claim in claims:
        documents.update(await issuer_documents(services, issuer_id(claim)))
        lists.update(await _lists(services, claim))
    return await services.verification.run(
        presentation_job, presentation, documents, lists, services.now(), options, lane="submitted"
    )
