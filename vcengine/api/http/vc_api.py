"""The W3C VC API (VCALM) issuer, verifier and status endpoints (standards digest §6.2).

- ``POST /credentials/issue`` (Bearer API key with the ``issue`` scope): body
  ``{"credential": {...}, "options": {"cryptosuite"?, "credentialId"?}}``; signs with the issuer
  that ``credential.issuer`` names (an id, or an object with an id) among the caller's
  organization's issuers, using its newest active key; VC 1.1 and VC 2.0 credentials alike.
  201 ``{"verifiableCredential": {...}}``.
- ``POST /credentials/verify`` (public): ``{"verifiableCredential": ..., "options"?}`` ->
  ``{"verified", "problemDetails", "results"}`` where ``results`` is vcengine's full check report.
- ``POST /credentials/status`` (Bearer, ``revoke`` scope): ``{"credentialId", "credentialStatus":
  {"statusPurpose", ...}, "status": bool}`` sets or clears the credential's status bit.

400: not JSON or not the request shape; 401: no or an invalid API key; 403: a key without the
scope, or an issuer of another organization; 422: a credential that cannot be signed (schema or
VC Data Model rules, undefined JSON-LD terms) or a status change that is not allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from vcengine.api.http import _lookup
from vcengine.api.http._deps import services
from vcengine.api.http._problem import Problem, from_error
from vcengine.core import jsontext
from vcengine.core.proofs.data_integrity import add_proof
from vcengine.core.schema import ensure_signable
from vcengine.core.verify import Check, VerificationReport
from vcengine.errors import InputError, JsonError, PermissionDenied
from vcengine.services import organizations, status_changes, verifying
from vcengine.services.context import Actor, Services
from vcengine.services.issuers import signing_key
from vcengine.services.ports import IssuerRecord

__all__ = ["CRYPTOSUITES", "problem_details", "routes"]

CRYPTOSUITES = ("eddsa-rdfc-2022", "eddsa-jcs-2022", "Ed25519Signature2020")
MAX_BODY = 1024 * 1024
_VCDM = "https://www.w3.org/TR/vc-data-model#"
_STATUS = "https://www.w3.org/ns/credentials/status-list#"
_ENVELOPED_JWT = "data:application/vc+jwt,"


# --- request plumbing ---------------------------------------------------------------------------


def _bad_request(detail: str) -> Problem:
    return Problem(400, "bad-request", "Malformed request", detail)


async def _body(request: Request) -> Mapping[str, Any]:
    media = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if media not in ("application/json", "application/ld+json", "application/vc+ld+json", ""):
        raise Problem(415, "unsupported-media-type", "Send application/json", f"got {media}")
    data = await request.body()
    if len(data) > MAX_BODY:
        raise Problem(413, "too-large", "Request body too large", f"limit {MAX_BODY} bytes")
    try:
        body = jsontext.loads(data, max_bytes=MAX_BODY)
    except JsonError as exc:
        raise _bad_request(str(exc)) from None
    if not isinstance(body, Mapping):
        raise _bad_request("the request body must be a JSON object")
    return body


def _options(body: Mapping[str, Any]) -> Mapping[str, Any]:
    options = body.get("options", {})
    if options is None:
        return {}
    if not isinstance(options, Mapping):
        raise _bad_request("options must be a JSON object")
    return options


async def _actor(request: Request, svc: Services, scope: str) -> Actor:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        problem = Problem(401, "unauthorized", "An API key is required", "send Authorization: Bearer <key>")
        problem.headers["WWW-Authenticate"] = 'Bearer realm="vcengine"'
        raise problem
    try:
        actor = await organizations.authenticate(svc, token.strip())
    except PermissionDenied:
        problem = Problem(401, "unauthorized", "Invalid API key")
        problem.headers["WWW-Authenticate"] = 'Bearer realm="vcengine", error="invalid_token"'
        raise problem from None
    actor.require(scope)  # type: ignore[arg-type]
    return actor


# --- issue --------------------------------------------------------------------------------------


def _issuer_id(credential: Mapping[str, Any]) -> str:
    issuer = credential.get("issuer")
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    if not isinstance(issuer, str) or not issuer:
        raise _bad_request("credential.issuer must be an issuer id or an object with an id")
    return issuer


async def _own_issuer(svc: Services, actor: Actor, issuer_id: str) -> IssuerRecord:
    for issuer in await svc.store.list_issuers(actor.org_id):
        if issuer.profile.get("id") == issuer_id or issuer.id == issuer_id:
            return issuer
    raise Problem(403, "forbidden", "Not your issuer", f"{issuer_id} is not an issuer of this organization")


def _unsigned(body: Mapping[str, Any], options: Mapping[str, Any]) -> dict[str, Any]:
    credential = body.get("credential")
    if not isinstance(credential, Mapping):
        raise _bad_request("credential must be a JSON object")
    out = dict(credential)
    credential_id = options.get("credentialId")
    if credential_id is not None:
        if not isinstance(credential_id, str):
            raise _bad_request("options.credentialId must be a string")
        out.setdefault("id", credential_id)
    return out


async def issue(request: Request) -> Response:
    svc = services(request)
    actor = await _actor(request, svc, "issue")
    body = await _body(request)
    options = _options(body)
    credential = _unsigned(body, options)
    suite = options.get("cryptosuite", "eddsa-rdfc-2022")
    if suite not in CRYPTOSUITES:
        raise _bad_request(f"options.cryptosuite must be one of {', '.join(CRYPTOSUITES)}")
    issuer = await _own_issuer(svc, actor, _issuer_id(credential))
    key, pair = await signing_key(svc, issuer)
    now = svc.now()

    def sign() -> dict[str, Any]:
        ensure_signable(credential)
        return add_proof(
            credential, pair, suite=suite, verification_method=key.verification_method, created=now
        )

    signed = await anyio.to_thread.run_sync(sign)
    return JSONResponse({"verifiableCredential": signed}, status_code=201)


# --- verify -------------------------------------------------------------------------------------

_PROBLEM_TYPES = {
    "malformed": _VCDM + "PARSING_ERROR",
    "schema": _VCDM + "MALFORMED_VALUE_ERROR",
    "malformed-date": _VCDM + "MALFORMED_VALUE_ERROR",
    "bad-proof": _VCDM + "CRYPTOGRAPHIC_SECURITY_ERROR",
    "no-proof": _VCDM + "CRYPTOGRAPHIC_SECURITY_ERROR",
    "issuer-mismatch": _VCDM + "CRYPTOGRAPHIC_SECURITY_ERROR",
    "status-unreachable": _STATUS + "STATUS_RETRIEVAL_ERROR",
    "status-list-untrusted": _STATUS + "STATUS_VERIFICATION_ERROR",
    "malformed-status": _STATUS + "STATUS_VERIFICATION_ERROR",
}


def problem_details(report: VerificationReport) -> list[dict[str, Any]]:
    """One RFC 9457 problem detail per check that failed or could not be completed."""

    def detail(check: Check) -> dict[str, Any]:
        code = check.code or check.name
        return {
            "type": _PROBLEM_TYPES.get(code, f"urn:vcengine:check:{code}"),
            "title": f"{check.name}: {check.outcome}",
            "detail": check.reason,
        }

    return [detail(c) for c in report.checks if c.outcome in ("fail", "indeterminate")]


def _verifiable(body: Mapping[str, Any]) -> str | Mapping[str, Any]:
    vc = body.get("verifiableCredential", body.get("credential"))
    if isinstance(vc, Mapping) and vc.get("type") == "EnvelopedVerifiableCredential":
        envelope = vc.get("id")
        if isinstance(envelope, str) and envelope.startswith(_ENVELOPED_JWT):
            return envelope[len(_ENVELOPED_JWT) :]
        raise _bad_request("an EnvelopedVerifiableCredential must carry data:application/vc+jwt,<token>")
    if isinstance(vc, Mapping | str):
        return vc
    raise _bad_request("verifiableCredential must be a JSON object or a compact JWS string")


async def verify(request: Request) -> Response:
    svc = services(request)
    svc.verification.refuse_if_full()  # 503 before reading the body: a flood is refused cheaply
    body = await _body(request)
    options = _options(body)
    try:
        report = await verifying.verify(svc, _verifiable(body))
    except JsonError as exc:
        raise _bad_request(str(exc)) from None
    syntax = report.check("syntax")
    if syntax is not None and syntax.outcome == "fail":
        raise Problem(422, "not-a-credential", "Not a verifiable credential", syntax.reason)
    out: dict[str, Any] = {
        "verified": report.verified,
        "problemDetails": problem_details(report),
        "results": report.to_json(),
    }
    if options.get("returnCredential") and report.credential is not None:
        out["credential"] = dict(report.credential)
    return JSONResponse(out)


# --- status -------------------------------------------------------------------------------------


def _action(purpose: Any, status: Any) -> status_changes.Action:
    if not isinstance(status, bool):
        raise _bad_request("status must be true (set) or false (clear)")
    if purpose == "revocation":
        if not status:
            raise Problem(
                422, "invalid-transition", "Revocation is final", "a revoked credential stays revoked"
            )
        return "revoke"
    if purpose == "suspension":
        return "suspend" if status else "unsuspend"
    raise _bad_request("credentialStatus.statusPurpose must be revocation or suspension")


async def set_status(request: Request) -> Response:
    svc = services(request)
    actor = await _actor(request, svc, "revoke")
    body = await _body(request)
    credential_id, entry = body.get("credentialId"), body.get("credentialStatus")
    if not isinstance(credential_id, str) or not credential_id:
        raise _bad_request("credentialId must be the credential's id")
    if not isinstance(entry, Mapping):
        raise _bad_request("credentialStatus must be a JSON object")
    action = _action(entry.get("statusPurpose"), body.get("status"))
    record = await _lookup.find_credential(svc.store, svc.base_url, credential_id.rsplit("/", 1)[-1])
    if record is None or record.org_id != actor.org_id:
        raise Problem(404, "not-found", "No such credential", f"no credential {credential_id}")
    result = await status_changes.change_status(svc, actor, [record.id], action)
    if result.errors:
        error = result.errors[0][1]
        if isinstance(error, InputError):
            raise Problem(422, "invalid-transition", "Status change not allowed", error.message)
        raise from_error(error)
    changed = result.changed[0]
    return JSONResponse({"credentialId": credential_id, "status": changed.status})


routes = [
    Route("/credentials/issue", issue, methods=["POST"]),
    Route("/credentials/verify", verify, methods=["POST"]),
    Route("/credentials/status", set_status, methods=["POST"]),
]
