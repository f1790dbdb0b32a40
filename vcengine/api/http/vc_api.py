"""The W3C VC API (VCALM) issuer, verifier and status endpoints (standards digest §6.2).

- ``POST /credentials/issue`` (Bearer API key with the ``issue`` scope): body
  ``{"credential": {...}, "options": {"cryptosuite"?, "credentialId"?, "credentialStatus"?}}``;
  signs with the issuer that ``credential.issuer`` names (an id, or an object with an id) among
  the caller's organization's issuers, using its newest active key; VC 1.1 and VC 2.0 credentials
  alike. ``options.credentialStatus`` (an object or an array of
  ``{"type": "BitstringStatusListEntry", "statusPurpose", "statusSize"?, "statusMessage"?}``)
  adds Bitstring Status List entries allocated from the issuer's lists (``vc_api_issuing``).
  Every credential is stored. 201 ``{"verifiableCredential": {...}}`` with ``Location``: the
  credential's page.
- ``POST /credentials/verify`` and ``/presentations/verify``: see ``vc_verifier``.
- ``POST /credentials/status`` (Bearer, ``revoke`` scope), VC API "Update Status":
  ``{"credentialId", "credentialStatus": [{"type": "BitstringStatusListEntry", "statusPurpose",
  "status": bool}]}`` sets or clears the credential's revocation or suspension status, in order;
  the earlier ``{"credentialId", "credentialStatus": {"statusPurpose"}, "status": bool}`` too.

400: not JSON, not the request shape, an unknown or malformed option or member, an unsupported
``statusPurpose``; 401: no or an invalid API key; 403: a key without the scope, or an issuer of
another organization; 404: no such credential in the organization; 409: a credential with status
whose ``id`` was issued already; 422: a credential that cannot be signed (schema or VC Data
Model rules, undefined JSON-LD terms, a VC 1.1 credential without the status context) or a status
change that is not allowed. A broken data-model rule is named in the problem details (``rule``,
``spec``, ``path``, ``violations``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from vcengine.api.http._deps import services
from vcengine.api.http._problem import Problem, from_error
from vcengine.api.http._vc_api_options import StatusUpdate, bad_request, issue_options, status_updates
from vcengine.core import jsontext
from vcengine.errors import Conflict, InputError, JsonError, PermissionDenied, SchemaError
from vcengine.services import organizations, status_changes, vc_api_issuing
from vcengine.services.context import Actor, Services
from vcengine.services.vc_api_issuing import SUITES, VcApiIssue

__all__ = ["CRYPTOSUITES", "routes"]

CRYPTOSUITES = SUITES
MAX_BODY = 1024 * 1024


# --- request plumbing ---------------------------------------------------------------------------


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
        raise bad_request(str(exc)) from None
    if not isinstance(body, Mapping):
        raise bad_request("the request body must be a JSON object")
    return body


def _options(body: Mapping[str, Any]) -> Mapping[str, Any]:
    options = body.get("options", {})
    if options is None:
        return {}
    if not isinstance(options, Mapping):
        raise bad_request("options must be a JSON object")
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


def _unsigned(body: Mapping[str, Any], credential_id: str | None) -> dict[str, Any]:
    credential = body.get("credential")
    if not isinstance(credential, Mapping):
        raise bad_request("credential must be a JSON object", "credential")
    out = dict(credential)
    if credential_id is not None:
        out.setdefault("id", credential_id)
    return out


async def issue(request: Request) -> Response:
    svc = services(request)
    actor = await _actor(request, svc, "issue")
    body = await _body(request)
    options = issue_options(_options(body))
    credential = _unsigned(body, options.credential_id)
    wanted = VcApiIssue(credential, options.suite, options.statuses, options.status_array)
    try:
        record = await vc_api_issuing.issue(svc, actor, wanted)
    except InputError as exc:
        if exc.path is not None and exc.path.startswith("options"):
            raise bad_request(exc.message, exc.path) from None
        if exc.path == "credential.issuer" and not isinstance(exc, SchemaError):
            raise bad_request(exc.message, exc.path) from None
        raise
    except PermissionDenied as exc:
        raise Problem(403, "forbidden", "Not your issuer", exc.message) from None
    except Conflict as exc:
        raise Problem(409, "conflict", "A credential with this id exists", exc.message) from None
    page = f"{svc.base_url}/credentials/{record.id}"
    return JSONResponse(
        {"verifiableCredential": record.document}, status_code=201, headers={"Location": page}
    )


# --- status -------------------------------------------------------------------------------------


def _action(update: StatusUpdate) -> status_changes.Action:
    if update.purpose == "revocation":
        if not update.status:
            raise Problem(
                422, "invalid-transition", "Revocation is final", "a revoked credential stays revoked"
            )
        return "revoke"
    return "suspend" if update.status else "unsuspend"


async def set_status(request: Request) -> Response:
    svc = services(request)
    actor = await _actor(request, svc, "revoke")
    body = await _body(request)
    credential_id, updates = status_updates(body)
    actions = [_action(update) for update in updates]
    record_id = vc_api_issuing.record_id_for(svc, actor.org_id, credential_id)
    record = await svc.store.get_credential(actor.org_id, record_id)
    if record is None:
        raise Problem(404, "not-found", "No such credential", f"no credential {credential_id}")
    try:  # the request is decided whole before anything is written, then applied as one change
        action = status_changes.net_action(record, actions)
    except InputError as refused:
        raise Problem(422, "invalid-transition", "Status change not allowed", refused.message) from None
    changed = record
    if action is not None:
        result = await status_changes.change_status(svc, actor, [record.id], action)
        if result.errors:
            failure = result.errors[0][1]
            if isinstance(failure, InputError):
                raise Problem(422, "invalid-transition", "Status change not allowed", failure.message)
            raise from_error(failure)
        changed = result.changed[0]
    return JSONResponse({"credentialId": credential_id, "status": changed.status})


routes = [
    Route("/credentials/issue", issue, methods=["POST"]),
    Route("/credentials/status", set_status, methods=["POST"]),
]
