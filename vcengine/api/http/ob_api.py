"""The 1EdTech Open Badges 3.0 API (OB 3.0 §6) and its OAuth 2.0 authorization server.

    GET  /ims/ob/v3p0/discovery          Service Description Document (public)
    POST /ims/ob/v3p0/register           Dynamic Client Registration (RFC 7591; JSON)
    GET  /ims/ob/v3p0/authorize          Authorization Endpoint (code + PKCE S256): asks the email
    POST /ims/ob/v3p0/authorize          the learner's email: a one-time link is sent
    GET  /ims/ob/v3p0/sign-in/{token}    the emailed link: the client and what it asks for
    POST /ims/ob/v3p0/sign-in/{token}    decision=allow|deny: back to the client with code or error
    POST /ims/ob/v3p0/token              Token Endpoint (authorization_code, refresh_token; Basic)
    POST /ims/ob/v3p0/revoke             Token Revocation (RFC 7009; Basic)
    GET  /ims/ob/v3p0/credentials        getCredentials (limit, offset, since; X-Total-Count, Link)
    POST /ims/ob/v3p0/credentials        upsertCredential (JSON or compact JWS as text/plain)
    GET  /ims/ob/v3p0/profile            getProfile
    PUT  /ims/ob/v3p0/profile            putProfile

OAuth endpoints answer the RFCs' ``{"error", "error_description"}`` (400; 401 for
``invalid_client``). The resource endpoints answer ``Imsx_StatusInfo`` payloads: 401 (with
``WWW-Authenticate: Bearer``) without a live token, 403 without the scope, 400 for bad input.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Awaitable, Callable
from datetime import UTC
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from vcengine.api.http._deps import services, settings
from vcengine.api.http._problem import Problem
from vcengine.api.http._templates import render
from vcengine.api.http.oid4vci import _PAGE_HEADERS, _body, _form, _page_form, protocol_error
from vcengine.core import jsontext
from vcengine.core.dates import parse_date_time
from vcengine.core.ob_api import scopes
from vcengine.core.ob_api.discovery import BASE_PATH, Endpoints, service_description
from vcengine.core.ob_api.paging import paging_headers
from vcengine.core.ob_api.status_info import status_info
from vcengine.errors import Aborted, Busy, InputError, JsonError, NotFound, ProtocolError
from vcengine.services import ob_api_authorization, ob_api_clients, ob_api_credentials, ob_api_tokens
from vcengine.services.context import Services
from vcengine.services.ports import ObClientRecord, ObTokenRecord

__all__ = ["routes"]

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_NAMES = {
    scopes.CREDENTIAL_READONLY: "read your badges",
    scopes.CREDENTIAL_UPSERT: "add badges to your badges here, or replace them",
    scopes.PROFILE_READONLY: "read your profile",
    scopes.PROFILE_UPDATE: "change your profile",
}


def endpoints(svc: Services) -> Endpoints:
    api = f"{svc.base_url}{BASE_PATH}"
    return Endpoints(api, f"{api}/register", f"{api}/authorize", f"{api}/token", f"{api}/revoke")


async def discovery(request: Request) -> Response:
    svc, config = services(request), settings(request)
    body = service_description(
        endpoints(svc),
        title="vcengine Open Badges API",
        terms_url=config.ob_api_terms_url or f"{svc.base_url}/",
        privacy_url=config.ob_api_privacy_url or f"{svc.base_url}/",
        image_url=config.ob_api_image_url,
    )
    return JSONResponse(body, headers={"Cache-Control": "public, max-age=300"})


async def _json(request: Request, code: str) -> Any:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        raise ProtocolError(code, "send the request as application/json")
    try:
        return jsontext.loads(await _body(request), max_bytes=64 * 1024)
    except JsonError as exc:
        raise ProtocolError(code, f"the body is not JSON: {exc.message}") from None


def _oauth(route: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        try:
            return await route(request)
        except ProtocolError as exc:
            return protocol_error(exc)

    return endpoint


@_oauth
async def register(request: Request) -> Response:
    body = await _json(request, "invalid_client_metadata")
    registered = await ob_api_clients.register(services(request), body)
    return JSONResponse(registered, status_code=201, headers=_NO_STORE)


@_oauth
async def token(request: Request) -> Response:
    svc = services(request)
    client = await ob_api_clients.authenticate(svc, request.headers.get("authorization"))
    return JSONResponse(await ob_api_tokens.token(svc, client, await _form(request)), headers=_NO_STORE)


@_oauth
async def revoke(request: Request) -> Response:
    svc = services(request)
    client = await ob_api_clients.authenticate(svc, request.headers.get("authorization"))
    await ob_api_tokens.revoke(svc, client, await _form(request))
    return Response(status_code=200, headers=_NO_STORE)


# -- the learner's pages -------------------------------------------------------------------------


def _page(client: ObClientRecord | None, step: str, status: int = 200, **context: Any) -> Response:
    name = str(client.metadata["client_name"]) if client else "An application"
    html = render("ob_api_sign_in.html", client_name=name, step=step, **context)
    return HTMLResponse(html, status_code=status, headers=_PAGE_HEADERS)


async def authorize(request: Request) -> Response:
    svc = services(request)
    params = dict(request.query_params)
    if len(request.query_params.getlist("redirect_uri")) > 1 or len(params) > 20:
        return _page(
            None, "error", 400, message="The application sent an invalid request (repeated parameters)."
        )
    try:
        client, redirect_uri = await ob_api_authorization.client_of(svc, params)
    except ProtocolError as exc:
        return _page(None, "error", 400, message=f"The application sent an invalid request: {exc.message}")
    try:
        started = await ob_api_authorization.start(svc, params)
    except ProtocolError as exc:
        refused = {
            "error": exc.code,
            "error_description": exc.message,
            "iss": ob_api_authorization.issuer_id(svc),
        }
        if params.get("state") is not None:
            refused["state"] = params["state"]
        target = ob_api_authorization.redirect(redirect_uri, refused)
        return RedirectResponse(target, status_code=303, headers=_PAGE_HEADERS)
    return _page(client, "email", action=request.url.path, ticket=started.ticket)


async def sign_in_request(request: Request) -> Response:
    svc = services(request)
    form = await _page_form(request)
    try:
        await ob_api_authorization.request_sign_in(svc, form.get("ticket", ""), form.get("email", ""))
    except NotFound as exc:
        return _page(None, "error", 404, message=exc.message)
    except InputError:
        return _page(None, "error", 400, message="That is not an email address: go back and try again.")
    return _page(None, "sent", minutes=int(ob_api_authorization.SIGN_IN_LIFETIME.total_seconds() // 60))


async def sign_in(request: Request) -> Response:
    svc = services(request)
    link = request.path_params["token"]
    try:
        if request.method == "POST":
            decision = (await _page_form(request)).get("decision")
            act = ob_api_authorization.approve if decision == "allow" else ob_api_authorization.deny
            target = await act(svc, link)
            return RedirectResponse(target, status_code=303, headers=_PAGE_HEADERS)
        opened = await ob_api_authorization.open_sign_in(svc, link)
    except NotFound as exc:
        return _page(None, "error", 404, message=exc.message)
    grant, client = opened.grant, opened.client
    permissions = [_NAMES[s] for s in grant.scope.split() if s in _NAMES]
    return _page(
        client,
        "consent",
        action=request.url.path,
        email=grant.email,
        client_uri=client.metadata["client_uri"],
        # the learner sees where the access goes: a look-alike client name cannot hide its host
        redirect_host=urllib.parse.urlsplit(grant.redirect_uri).netloc,
        permissions=permissions,
    )


# -- the resource endpoints ----------------------------------------------------------------------


class _Refused(Exception):
    def __init__(self, status: int, description: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.headers = status, description, headers or {}


def _resource(route: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    """Errors of a resource endpoint as ``Imsx_StatusInfo`` with their HTTP status."""

    async def endpoint(request: Request) -> Response:
        try:
            return await route(request)
        except _Refused as exc:
            status, description, headers = exc.status, exc.description, exc.headers
        except ProtocolError as exc:
            status, description, headers = 400, exc.message, {}
            if exc.code in ("invalid_token", "insufficient_scope"):
                status = 401 if exc.code == "invalid_token" else 403
                headers = {"WWW-Authenticate": f'Bearer error="{exc.code}"'}
        except (Busy, Aborted) as exc:  # the verification pool is full or past its deadline
            status, description, headers = 503, str(exc), {"Retry-After": "5"}
        except InputError as exc:
            status, description, headers = 400, str(exc), {}
        except Problem as exc:
            status, description, headers = exc.status, exc.detail or exc.title, exc.headers
        return JSONResponse(
            status_info(status, description), status_code=status, headers={**_NO_STORE, **headers}
        )

    return endpoint


async def _token(request: Request, scope: str) -> ObTokenRecord:
    return await ob_api_tokens.bearer(services(request), request.headers.get("authorization"), scope)


def _number(request: Request, name: str, default: int, least: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9 or int(raw) < least:
        raise _Refused(400, f"{name} must be an integer of at least {least}")
    return int(raw)


@_resource
async def get_credentials(request: Request) -> Response:
    learner = await _token(request, scopes.CREDENTIAL_READONLY)
    limit = min(_number(request, "limit", ob_api_credentials.MAX_LIMIT, 1), ob_api_credentials.MAX_LIMIT)
    offset = _number(request, "offset", 0, 0)
    since, kept = None, {}
    if "since" in request.query_params:
        kept["since"] = request.query_params["since"]
        try:
            since = parse_date_time(kept["since"], path="since")
        except InputError:
            raise _Refused(400, "since must be an ISO 8601 date and time") from None
        since = since if since.tzinfo is not None else since.replace(tzinfo=UTC)
    page = await ob_api_credentials.list_credentials(services(request), learner.email, since, offset, limit)
    headers = paging_headers(
        f"{endpoints(services(request)).api}/credentials", kept, offset, limit, page.total
    )
    return JSONResponse(page.body, headers={**_NO_STORE, **headers})


@_resource
async def upsert_credential(request: Request) -> Response:
    learner = await _token(request, scopes.CREDENTIAL_UPSERT)
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await _body(request)
    data: Any
    if media in ("application/json", "application/vc+ld+json", "application/vc"):
        try:
            data = jsontext.loads(body, max_bytes=len(body) + 1)
        except JsonError as exc:
            raise _Refused(400, f"the body is not JSON: {exc.message}") from None
        if not isinstance(data, dict):
            raise _Refused(400, "a credential is a JSON object")
    elif media in ("text/plain", "application/vc+jwt", "application/jwt"):
        try:
            data = body.decode("ascii").strip()
        except UnicodeDecodeError:
            raise _Refused(400, "a compact JWS is ASCII") from None
    else:
        raise _Refused(415, "send the credential as application/json or a compact JWS as text/plain")
    outcome, sent = await ob_api_credentials.upsert(services(request), learner.email, data)
    if outcome == "unchanged":
        return Response(status_code=304, headers=_NO_STORE)
    status = 201 if outcome == "created" else 200
    if isinstance(sent, str):
        return PlainTextResponse(sent, status_code=status, headers=_NO_STORE)
    return JSONResponse(sent, status_code=status, headers=_NO_STORE)


@_resource
async def get_profile(request: Request) -> Response:
    learner = await _token(request, scopes.PROFILE_READONLY)
    profile = await ob_api_credentials.get_profile(services(request), learner.email)
    if profile is None:
        raise _Refused(404, "no profile was put for this learner yet")
    return JSONResponse(profile, headers=_NO_STORE)


@_resource
async def put_profile(request: Request) -> Response:
    learner = await _token(request, scopes.PROFILE_UPDATE)
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        raise _Refused(415, "send the Profile as application/json")
    try:
        body = jsontext.loads(await _body(request), max_bytes=64 * 1024)
    except JsonError as exc:
        raise _Refused(400, f"the body is not JSON: {exc.message}") from None
    return JSONResponse(
        await ob_api_credentials.put_profile(services(request), learner.email, body), headers=_NO_STORE
    )


routes = [
    Route(f"{BASE_PATH}/discovery", discovery, methods=["GET"]),
    Route(f"{BASE_PATH}/register", register, methods=["POST"]),
    Route(f"{BASE_PATH}/authorize", authorize, methods=["GET"]),
    Route(f"{BASE_PATH}/authorize", sign_in_request, methods=["POST"]),
    Route(f"{BASE_PATH}/sign-in/{{token}}", sign_in, methods=["GET", "POST"]),
    Route(f"{BASE_PATH}/token", token, methods=["POST"]),
    Route(f"{BASE_PATH}/revoke", revoke, methods=["POST"]),
    Route(f"{BASE_PATH}/credentials", get_credentials, methods=["GET"]),
    Route(f"{BASE_PATH}/credentials", upsert_credential, methods=["POST"]),
    Route(f"{BASE_PATH}/profile", get_profile, methods=["GET"]),
    Route(f"{BASE_PATH}/profile", put_profile, methods=["PUT"]),
]
