"""VC API exchanges of credential offers, for VC-API wallets and the Learner Credential Wallet.

    POST /issuers/{id}/exchanges/{handle}   {} -> verifiablePresentationRequest (DIDAuthentication)
                                            {"verifiablePresentation": VP} or the bare VP -> the
                                            credential, bound to the holder, in a presentation

See ``services.vc_api_exchanges``. Errors are problem details: 404 for an exchange that does not
exist, was completed or expired; 400 for a body that is not the exchange's JSON or a
presentation that does not verify (the failed checks are named); 403 when the credential can no
longer be delivered (revoked, expired) or the offer was taken meanwhile. Any origin may post
(web wallets; the exchange URL itself is the only secret, no cookies are involved).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from vcengine.api.http._deps import services
from vcengine.api.http._problem import Problem
from vcengine.core import jsontext
from vcengine.errors import InputError, ProtocolError
from vcengine.services import vc_api_exchanges

__all__ = ["routes"]

MAX_BODY = 256 * 1024


async def exchange(request: Request) -> Response:
    svc = services(request)
    issuer = await svc.store.find_issuer(request.path_params["issuer_id"])
    if issuer is None:
        raise Problem(404, "not-found", "Not found", "no such exchange")
    media = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if media not in ("application/json", "application/ld+json", ""):
        raise Problem(415, "unsupported-media-type", "Send application/json", f"got {media}")
    data = await request.body()
    if len(data) > MAX_BODY:
        raise Problem(413, "too-large", "Request body too large", f"limit {MAX_BODY} bytes")
    try:
        body = jsontext.loads(data or b"{}", max_bytes=MAX_BODY)
        answer = await vc_api_exchanges.exchange(svc, issuer.id, request.path_params["handle"], body)
    except ProtocolError as exc:
        raise Problem(403, "not-deliverable", "The credential cannot be delivered", exc.message) from None
    except InputError as exc:
        raise Problem(400, "bad-request", "Malformed request", exc.message) from None
    return JSONResponse(answer, headers={"Cache-Control": "no-store", "Access-Control-Allow-Origin": "*"})


async def preflight(request: Request) -> Response:
    """CORS preflight: web wallets post JSON to the exchange from their own origin."""
    headers = {
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Methods": "POST",
        "Access-Control-Allow-Headers": "Content-Type",
        "Access-Control-Max-Age": "600",
    }
    return Response(status_code=204, headers=headers)


routes = [
    Route("/issuers/{issuer_id}/exchanges/{handle}", exchange, methods=["POST"]),
    Route("/issuers/{issuer_id}/exchanges/{handle}", preflight, methods=["OPTIONS"]),
]
