"""The learner's resources of the Open Badges API (OB 3.0 §6.2): ``getCredentials``,
``upsertCredential``, ``getProfile`` and ``putProfile``, for the learner (email address) an
access token names.

- ``getCredentials``: the credentials issued to the learner by any organization of this service
  (not revoked), then those the learner brought through ``upsertCredential``, each part in
  (issued, id) order; JSON credentials in ``credential``, VC-JWTs in ``compactJwsString``.
- ``upsertCredential``: a JSON credential or a compact JWS, verified as received with vcengine's
  verifier: a failed check, or a proof that could not be checked, refuses it. Equality is the
  issuer's id and the credential's id (OB 3.0 §1.9 / the API's upsert rule): the same one with a
  ``validFrom`` not older replaces the stored one (200), a new one is created (201), an older one
  changes nothing (304). A credential this service issued to the learner is listed already: 200,
  not stored twice.
- ``getProfile`` / ``putProfile``: the learner's ``Profile`` as last put (404 before).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from vcengine.core.checks import issuer_id
from vcengine.core.dates import parse_date_time
from vcengine.core.verify import looks_like_jws
from vcengine.errors import InputError
from vcengine.services.context import Services
from vcengine.services.issuing import credential_json, credential_url
from vcengine.services.ports import ObCredentialRecord, ObProfileRecord, ObUpsert
from vcengine.services.verifying import verify

__all__ = ["MAX_LIMIT", "CredentialsPage", "get_profile", "list_credentials", "put_profile", "upsert"]

MAX_LIMIT = 100
MAX_PROFILE_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class CredentialsPage:
    """A page of ``getCredentials``: the response body and the total."""

    body: dict[str, list[Any]]
    total: int


def _add(body: dict[str, list[Any]], document: Mapping[str, Any], jwt: bool) -> None:
    if jwt:
        body["compactJwsString"].append(document["jwt"])
    else:
        body["credential"].append(document)


async def list_credentials(
    services: Services, email: str, since: Any, offset: int, limit: int
) -> CredentialsPage:
    """The page at ``offset`` of ``limit`` (at most ``MAX_LIMIT``) credentials issued after ``since``."""
    store = services.store
    issued_total = await store.count_learner_credentials(email, since)
    total = issued_total + await store.count_ob_credentials(email, since)
    body: dict[str, list[Any]] = {"credential": [], "compactJwsString": []}
    taken = 0
    if offset < issued_total:
        for record in await store.list_learner_credentials(email, since, offset, limit):
            if record.proof_format == "vc-jwt":
                _add(body, record.document, True)
            else:
                _add(body, credential_json(record), False)
            taken += 1
    if taken < limit:
        start = max(0, offset - issued_total)
        for brought in await store.list_ob_credentials(email, since, start, limit - taken):
            _add(body, brought.document, set(brought.document) == {"jwt"})
    return CredentialsPage(body, total)


async def upsert(services: Services, email: str, data: str | Mapping[str, Any]) -> tuple[ObUpsert, Any]:
    """Verify and store a credential the learner brings: (what happened, the credential as sent)."""
    report = await verify(services, data)
    if report.verdict == "failed" or report.credential is None:
        failed = [f"{c.name}: {c.reason}" for c in report.checks if c.outcome == "fail"]
        raise InputError("the credential does not verify: " + ("; ".join(failed) or "unreadable"))
    proof = report.check("proof")
    if proof is None or proof.outcome != "pass":
        raise InputError(
            "the credential's proof could not be checked: " + (proof.reason if proof else "none")
        )
    credential = report.credential
    issuer, identifier = issuer_id(credential), credential.get("id")
    if not issuer or not isinstance(identifier, str):
        raise InputError("an upserted credential needs an id and an issuer id (they make its identity)")
    if await _issued_here_to(services, email, identifier):
        return "replaced", data  # listed already, as issued: not stored twice
    valid_from = credential.get("validFrom") or credential.get("issuanceDate")
    if not isinstance(valid_from, str):
        raise InputError("an upserted credential needs validFrom", path="validFrom")
    issued = parse_date_time(valid_from, path="validFrom")
    issued = issued if issued.tzinfo is not None else issued.replace(tzinfo=UTC)
    if isinstance(data, str) and not looks_like_jws(data.strip()):
        raise InputError("a text/plain credential must be a compact JWS (a VC-JWT)")
    if not isinstance(data, str) and set(data) == {"jwt"}:
        raise InputError('a JSON credential is a credential, not a {"jwt"} wrapper')
    document: Mapping[str, Any] = {"jwt": data.strip()} if isinstance(data, str) else data
    record = ObCredentialRecord(
        services.new_id(), email, f"{issuer} {identifier}", document, issued.astimezone(UTC), services.now()
    )
    return await services.store.upsert_ob_credential(record), data


async def _issued_here_to(services: Services, email: str, identifier: str) -> bool:
    """Whether ``identifier`` is a credential this service issued to ``email`` (not revoked)."""
    prefix = credential_url(services, "")
    if not identifier.startswith(prefix):
        return False
    record = await services.store.find_credential(identifier.removeprefix(prefix))
    return (
        record is not None
        and record.status != "revoked"
        and email in (v.strip().lower() for v in record.recipient.values() if isinstance(v, str))
    )


async def get_profile(services: Services, email: str) -> Mapping[str, Any] | None:
    record = await services.store.get_ob_profile(email)
    return None if record is None else record.profile


async def put_profile(services: Services, email: str, profile: Any) -> Mapping[str, Any]:
    """Store the learner's ``Profile`` (OB 3.0 §B.1.17: ``id`` and ``type`` with ``Profile``)."""
    if not isinstance(profile, Mapping):
        raise InputError("a Profile is a JSON object")
    kinds = profile.get("type")
    kinds = [kinds] if isinstance(kinds, str) else kinds
    if not isinstance(profile.get("id"), str) or not isinstance(kinds, list) or "Profile" not in kinds:
        raise InputError('a Profile needs an "id" and a "type" that includes "Profile"')
    await services.store.put_ob_profile(ObProfileRecord(email, profile, services.now()))
    return profile
