""" "Add to wallet" on the claim page: ``POST /claim/{token}/wallet``.

The learner holding the claim link (``services.claiming``) gets a fresh offer of that credential
(``oid4vci_offers.offer_credential``, 15 minutes, no transaction code: the claim link already is
the out-of-band secret) and a page with its QR code and links: ``openid-credential-offer://`` for
OpenID for Verifiable Credential Issuance wallets, ``dccrequest://`` for the Learner Credential
Wallet, and the VC API exchange URL. One offer, redeemed once, by whichever wallet takes it. A
claim link that is unknown or expired is a 404 / 410 page; a credential that stopped counting
(revoked, suspended, expired) gets no offer (409 page). The page is ``no-store``, no referrer.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from vcengine.api.http._deps import services
from vcengine.api.http._templates import render
from vcengine.errors import InputError
from vcengine.services import oid4vci_offers, vc_api_exchanges
from vcengine.services.claiming import open_claim

__all__ = ["routes"]

_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'"
    ),
}


async def add_to_wallet(request: Request) -> Response:
    svc = services(request)
    claim = await open_claim(svc, request.path_params["token"])
    now = svc.now().strftime("%Y-%m-%d %H:%M UTC")
    if claim.credential is None or claim.state in ("unknown", "expired"):
        status = 410 if claim.state == "expired" else 404
        html = render("claim_gone.html", state=claim.state, share_url=None, now=now)
        return HTMLResponse(html, status_code=status, headers=_HEADERS)
    try:
        created = await oid4vci_offers.offer_credential(svc, claim.credential)
    except InputError as exc:
        html = render("claim_wallet.html", offer=None, reason=exc.message, back=_back(request), now=now)
        return HTMLResponse(html, status_code=409, headers=_HEADERS)
    links = vc_api_exchanges.exchange_links(svc, created)
    html = render(
        "claim_wallet.html",
        offer=created,
        lcw_link=None if links is None else links[1],
        exchange_url=None if links is None else links[0],
        expires=created.record.expires_at.strftime("%H:%M UTC"),
        back=_back(request),
        now=now,
    )
    return HTMLResponse(html, headers=_HEADERS)


def _back(request: Request) -> str:
    return request.url.path.removesuffix("/wallet")


routes = [Route("/claim/{token}/wallet", add_to_wallet, methods=["POST"])]
