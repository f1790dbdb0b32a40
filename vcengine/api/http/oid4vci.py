"""OpenID for Verifiable Credential Issuance 1.0: the issuer's and authorization server's routes.

Each issuer profile is a Credential Issuer with identifier ``{base}/issuers/{id}`` (``base``
is ``VCENGINE_BASE_URL``, which may have a path):

    GET  /.well-known/openid-credential-issuer{base path}/issuers/{id}    Credential Issuer Metadata (§12.2.2)
    GET  /.well-known/oauth-authorization-server{base path}/issuers/{id}  RFC 8414 metadata (§3.1 path rule)
    GET  /issuers/{id}/.well-known/openid-credential-issuer         the same (drafts' "append" form)
    GET  /issuers/{id}/.well-known/oauth-authorization-server       the same
    GET  /issuers/{id}/oid4vci/offers/{handle}                      a credential offer by reference (§4.1.3)
    GET  /issuers/{id}/oid4vci/authorize                            Authorization Endpoint (§5; PKCE S256)
    POST /issuers/{id}/oid4vci/authorize                            the learner's email: a link is sent
    GET  /issuers/{id}/oid4vci/sign-in/{token}                      the emailed link: the learner's badges
    POST /issuers/{id}/oid4vci/sign-in/{token}                      a badge chosen: to the wallet, with a code
    POST /issuers/{id}/oid4vci/token                                Token Endpoint (§6; form-encoded)
    POST /issuers/{id}/oid4vci/nonce                                Nonce Endpoint (§7)
    POST /issuers/{id}/oid4vci/credential                           Credential Endpoint (§8; Bearer)
    POST /issuers/{id}/oid4vci/notification                         Notification Endpoint (§11; Bearer)

Errors are the protocols' JSON ``{"error", "error_description"}``: HTTP 400, except
``invalid_token`` (401 with ``WWW-Authenticate: Bearer error="invalid_token"``, RFC 6750 §3.1)
and ``invalid_client`` (401). The POST endpoints answer any origin (CORS, with a preflight), for
wallets that run in a browser. Token, nonce and credential responses are ``Cache-Control:
no-store``. An unknown issuer or offer is a 404 problem (RFC 9457), like every public route.
The sign-in pages are HTML (``no-store``, no referrer, a strict CSP); an authorization request
whose ``client_id`` or ``redirect_uri`` is unusable is shown as an error page, any later refusal
is redirected to the wallet with its ``error`` (RFC 6749 §4.1.2.1).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from vcengine.api.http._deps import services
from vcengine.api.http._problem import Problem
from vcengine.api.http._templates import render
from vcengine.core import jsontext
from vcengine.core.credential_view import CredentialView
from vcengine.core.oid4vci.authorization import read_client
from vcengine.core.oid4vci.metadata import (
    Display,
    authorization_server_metadata,
    credential_issuer_metadata,
)
from vcengine.errors import InputError, JsonError, NotFound, ProtocolError
from vcengine.services import oid4vci_authorization, oid4vci_issuance, oid4vci_offers, oid4vci_tokens
from vcengine.services.context import Services
from vcengine.services.issuing import credential_json
from vcengine.services.ports import CredentialRecord, IssuerRecord

__all__ = ["routes"]

MAX_BODY = 256 * 1024
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_UNAUTHORIZED = frozenset({"invalid_token", "invalid_client"})


def protocol_error(exc: ProtocolError, **extra: Any) -> Response:
    """The OAuth 2.0 / OID4VCI error response of ``exc`` (with ``extra`` members)."""
    status = 401 if exc.code in _UNAUTHORIZED else 400
    headers = dict(_NO_STORE)
    if exc.code == "invalid_token":
        headers["WWW-Authenticate"] = f'Bearer error="invalid_token", error_description="{exc.message}"'
    body = {"error": exc.code, "error_description": exc.message, **extra}
    return JSONResponse(body, status_code=status, headers=headers)


_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "WWW-Authenticate",
}


def _answering_errors(
    route: Callable[[Request], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    """The protocol's error responses; any origin may call (wallets in browsers: the access token
    is a bearer header, never a cookie, so no credentials travel implicitly)."""

    async def endpoint(request: Request) -> Response:
        try:
            response = await route(request)
        except ProtocolError as exc:
            response = protocol_error(exc)
        response.headers.update(_CORS)
        return response

    return endpoint


async def preflight(request: Request) -> Response:
    """CORS preflight of the wallet endpoints (POST with Authorization, Content-Type, DPoP)."""
    headers = {
        **_CORS,
        "Access-Control-Allow-Methods": "POST",
        "Access-Control-Allow-Headers": "Authorization, Content-Type, DPoP",
        "Access-Control-Max-Age": "600",
    }
    return Response(status_code=204, headers=headers)


async def _issuer(svc: Services, issuer_id: str) -> IssuerRecord:
    issuer = await svc.store.find_issuer(issuer_id)
    if issuer is None:
        raise Problem(404, "not-found", "Not found", f"no credential issuer {issuer_id}")
    return issuer


def _display(issuer: IssuerRecord) -> Display:
    profile = issuer.profile
    image = profile.get("image")
    logo = image.get("id") if isinstance(image, dict) else image
    name = profile.get("name")
    return Display(
        name=name if isinstance(name, str) and name else "Issuer",
        logo_uri=logo if isinstance(logo, str) and logo.startswith("https://") else None,
    )


def _issuer_id_of_path(svc: Services, path: str) -> str:
    """The issuer id in a well-known URI's path suffix: ``{base path}/issuers/{id}``."""
    base_path = urlsplit(svc.base_url).path.rstrip("/")
    prefix = f"{base_path}/issuers/".lstrip("/")
    issuer_id = path[len(prefix) :] if path.startswith(prefix) else ""
    if not issuer_id or "/" in issuer_id:
        raise Problem(404, "not-found", "Not found", "no credential issuer at this path")
    return issuer_id


async def _metadata_of(svc: Services, issuer_id: str, kind: str) -> Response:
    issuer = await _issuer(svc, issuer_id)
    endpoints = oid4vci_offers.endpoints(svc, issuer.id)
    if kind == "openid-credential-issuer":
        body = credential_issuer_metadata(endpoints, _display(issuer), batch_size=oid4vci_issuance.BATCH_SIZE)
    else:
        body = authorization_server_metadata(endpoints)
    return JSONResponse(body, headers={"Cache-Control": "max-age=300"})


def _well_known(kind: str) -> Callable[[Request], Awaitable[Response]]:
    async def inserted(request: Request) -> Response:
        svc = services(request)
        return await _metadata_of(svc, _issuer_id_of_path(svc, request.path_params["path"]), kind)

    return inserted


def _well_known_appended(kind: str) -> Callable[[Request], Awaitable[Response]]:
    async def appended(request: Request) -> Response:
        return await _metadata_of(services(request), request.path_params["issuer_id"], kind)

    return appended


async def _body(request: Request) -> bytes:
    data = await request.body()
    if len(data) > MAX_BODY:
        raise Problem(413, "too-large", "Request body too large", f"limit {MAX_BODY} bytes")
    return data


async def _json(request: Request, code: str) -> Any:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        raise ProtocolError(code, "send the request as application/json")
    try:
        return jsontext.loads(await _body(request), max_bytes=MAX_BODY)
    except JsonError as exc:
        raise ProtocolError(code, f"the body is not JSON: {exc.message}") from None


async def _form(request: Request) -> dict[str, str]:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/x-www-form-urlencoded":
        raise ProtocolError("invalid_request", "send the token request as application/x-www-form-urlencoded")
    try:
        text = (await _body(request)).decode("utf-8")
        fields = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text), max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        raise ProtocolError("invalid_request", "the body is not a form-encoded parameter list") from None
    repeated = sorted(name for name, values in fields.items() if len(values) > 1)
    if repeated:
        raise ProtocolError("invalid_request", f"parameters sent more than once: {', '.join(repeated)[:200]}")
    return {name: values[0] for name, values in fields.items()}


@_answering_errors
async def token(request: Request) -> Response:
    svc = services(request)
    issuer = await _issuer(svc, request.path_params["issuer_id"])
    form = await _form(request)
    if form.get("grant_type") == "authorization_code":
        grant = await oid4vci_authorization.exchange_authorization_code(svc, issuer.id, form)
    else:
        grant = await oid4vci_tokens.exchange_pre_authorized_code(svc, issuer.id, form)
    return JSONResponse(grant.to_json(), headers=_NO_STORE)


_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    # no form-action: browsers apply it to the redirect to the wallet's own redirect_uri
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'"
    ),
}


def _page(issuer: IssuerRecord, step: str, status: int = 200, **context: Any) -> Response:
    name = _display(issuer).name
    html = render("wallet_sign_in.html", issuer_name=name, step=step, **context)
    return HTMLResponse(html, status_code=status, headers=_PAGE_HEADERS)


async def authorize(request: Request) -> Response:
    svc = services(request)
    issuer = await _issuer(svc, request.path_params["issuer_id"])
    params = dict(request.query_params)
    if len(request.query_params.getlist("redirect_uri")) > 1 or len(params) > 20:
        return _page(
            issuer, "error", 400, message="The wallet sent an invalid request (repeated parameters)."
        )
    try:
        client = read_client(params)
    except ProtocolError as exc:
        return _page(issuer, "error", 400, message=f"The wallet sent an invalid request: {exc.message}")
    try:
        _, ticket = oid4vci_authorization.start(svc, issuer, params)
    except ProtocolError as exc:
        target = oid4vci_authorization.error_redirect(
            client.redirect_uri, exc, params.get("state"), oid4vci_offers.credential_issuer_id(svc, issuer.id)
        )
        return RedirectResponse(target, status_code=303, headers=_PAGE_HEADERS)
    return _page(issuer, "email", action=request.url.path, ticket=ticket)


async def _page_form(request: Request) -> dict[str, str]:
    data = await _body(request)
    try:
        fields = parse_qs(data.decode("utf-8", "replace"), max_num_fields=5)
    except ValueError:
        return {}
    return {name: values[0] for name, values in fields.items()}


async def sign_in_request(request: Request) -> Response:
    svc = services(request)
    issuer = await _issuer(svc, request.path_params["issuer_id"])
    form = await _page_form(request)
    try:
        await oid4vci_authorization.request_sign_in(
            svc, issuer, form.get("ticket", ""), form.get("email", "")
        )
    except NotFound as exc:
        return _page(issuer, "error", 404, message=exc.message)
    except InputError:
        return _page(issuer, "error", 400, message="That is not an email address: go back and try again.")
    return _page(issuer, "sent", minutes=int(oid4vci_authorization.SIGN_IN_LIFETIME.total_seconds() // 60))


async def sign_in(request: Request) -> Response:
    svc = services(request)
    issuer = await _issuer(svc, request.path_params["issuer_id"])
    token = request.path_params["token"]
    try:
        if request.method == "POST":
            chosen = (await _page_form(request)).get("credential", "")
            target = await oid4vci_authorization.choose(svc, issuer.id, token, chosen)
            return RedirectResponse(target, status_code=303, headers=_PAGE_HEADERS)
        opened = await oid4vci_authorization.open_sign_in(svc, issuer.id, token)
    except NotFound as exc:
        return _page(issuer, "error", 404, message=exc.message)
    badges = [_badge(record) for record in opened.credentials]
    return _page(issuer, "choose", badges=badges, action=request.url.path)


def _badge(record: CredentialRecord) -> dict[str, str]:
    view = CredentialView(credential_json(record))
    achievement = view.achievement or {}
    name = achievement.get("name") if isinstance(achievement.get("name"), str) else view.name
    return {"id": record.id, "name": name or "Badge", "issued": record.issued_at.strftime("%-d %B %Y")}


@_answering_errors
async def nonce(request: Request) -> Response:
    svc = services(request)
    await _issuer(svc, request.path_params["issuer_id"])
    value, _ = oid4vci_tokens.new_nonce(svc)
    return JSONResponse({"c_nonce": value}, headers=_NO_STORE)


@_answering_errors
async def credential(request: Request) -> Response:
    svc = services(request)
    issuer = await _issuer(svc, request.path_params["issuer_id"])
    authorization = request.headers.get("authorization")
    await oid4vci_tokens.offer_for_token(svc, issuer.id, authorization)  # 401 before reading the body
    body = await _json(request, "invalid_credential_request")
    try:
        response = await oid4vci_issuance.issue_to_wallet(svc, issuer.id, authorization, body)
    except ProtocolError as exc:
        if exc.code not in ("invalid_proof", "invalid_nonce"):
            raise
        # draft 13 wallets take the next nonce from the error (1.0 wallets ignore the member)
        fresh, lifetime = oid4vci_tokens.new_nonce(svc)
        return protocol_error(exc, c_nonce=fresh, c_nonce_expires_in=lifetime)
    return JSONResponse(response, headers=_NO_STORE)


@_answering_errors
async def notification(request: Request) -> Response:
    svc = services(request)
    issuer = await _issuer(svc, request.path_params["issuer_id"])
    authorization = request.headers.get("authorization")
    await oid4vci_tokens.offer_for_token(svc, issuer.id, authorization)
    body = await _json(request, "invalid_notification_request")
    await oid4vci_issuance.notify(svc, issuer.id, authorization, body)
    return Response(status_code=204, headers=_NO_STORE)


async def offer_by_reference(request: Request) -> Response:
    svc = services(request)
    issuer = await _issuer(svc, request.path_params["issuer_id"])
    offer = await oid4vci_offers.offer_by_reference(svc, issuer.id, request.path_params["handle"])
    return JSONResponse(offer, headers=_NO_STORE)


_KINDS = ("openid-credential-issuer", "oauth-authorization-server")
routes = [
    *(
        Route(f"/.well-known/{kind}/{{path:path}}", _well_known(kind), methods=["GET", "HEAD"])
        for kind in _KINDS
    ),
    *(
        Route(
            f"/issuers/{{issuer_id}}/.well-known/{kind}", _well_known_appended(kind), methods=["GET", "HEAD"]
        )
        for kind in _KINDS
    ),
    Route("/issuers/{issuer_id}/oid4vci/offers/{handle}", offer_by_reference, methods=["GET"]),
    Route("/issuers/{issuer_id}/oid4vci/authorize", authorize, methods=["GET"]),
    Route("/issuers/{issuer_id}/oid4vci/authorize", sign_in_request, methods=["POST"]),
    Route("/issuers/{issuer_id}/oid4vci/sign-in/{token}", sign_in, methods=["GET", "POST"]),
    Route("/issuers/{issuer_id}/oid4vci/token", token, methods=["POST"]),
    Route("/issuers/{issuer_id}/oid4vci/nonce", nonce, methods=["POST"]),
    Route("/issuers/{issuer_id}/oid4vci/credential", credential, methods=["POST"]),
    Route("/issuers/{issuer_id}/oid4vci/notification", notification, methods=["POST"]),
    Route("/issuers/{issuer_id}/oid4vci/{endpoint:str}", preflight, methods=["OPTIONS"]),
]
