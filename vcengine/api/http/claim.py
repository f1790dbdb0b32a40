"""The claim page: where a learner's emailed link leads (``/claim/{token}``).

``GET`` shows the badge (the look of the verification page) with, while the credential counts,
an "Accept badge" button, downloads of the baked PNG/SVG, "Add to LinkedIn profile" and a share
link to copy; ``POST`` accepts it (``services.claiming``) and redirects back (303). Once
accepted, ``POST .../profile/show`` and ``.../profile/hide`` put it on (or take it off) the
earner's opt-in public profile (``services.earner_profiles``). An unknown
link is a 404 page, an expired one a 410 page that still links to the public credential page.
A revoked, suspended or expired credential shows why it stopped counting, and nothing to
promote it. The token is in the path: the page is ``no-store`` and sends no referrer.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from vcengine.api.http._deps import services
from vcengine.api.http._problem import Problem
from vcengine.api.http._templates import render
from vcengine.core.credential_view import CredentialView
from vcengine.errors import InputError
from vcengine.services.claiming import Claim, accept_claim, open_claim
from vcengine.services.context import Services
from vcengine.services.earner_profiles import profile_of, profile_url, show_on_profile
from vcengine.services.engagement import record_engagement
from vcengine.services.issuing import credential_json, credential_url
from vcengine.services.ports import CredentialRecord, EarnerProfileRecord

__all__ = ["ClaimPage", "routes"]


@dataclass(frozen=True, slots=True)
class ClaimPage:
    achievement_name: str
    achievement_description: str | None
    issuer_name: str
    recipient_name: str | None
    issued: datetime | None
    expires: datetime | None
    status: str
    counts: bool
    claimed_at: datetime | None
    profile_url: str | None
    on_profile: bool
    share_url: str
    png_url: str
    svg_url: str
    linkedin_url: str


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _page(
    svc: Services, record: CredentialRecord, claim: Claim, profile: EarnerProfileRecord | None
) -> ClaimPage:
    view = CredentialView(credential_json(record))
    achievement = view.achievement or {}
    issuer = view.issuer or {}
    share = credential_url(svc, record.id)
    expired = record.valid_until is not None and record.valid_until <= svc.now()
    status = "expired" if expired and record.status == "active" else record.status
    return ClaimPage(
        achievement_name=_text(achievement.get("name")) or view.name or "Badge",
        achievement_description=_text(achievement.get("description")),
        issuer_name=_text(issuer.get("name")) or view.issuer_id or "Issuer",
        recipient_name=_text(record.recipient.get("name")),
        issued=record.issued_at,
        expires=record.valid_until,
        status=status,
        counts=status == "active",
        claimed_at=None if claim.token is None else claim.token.claimed_at,
        profile_url=None if profile is None else profile_url(svc, profile),
        on_profile=profile is not None and record.id in profile.credential_ids,
        share_url=share,
        png_url=f"{share}/badge.png",
        svg_url=f"{share}/badge.svg",
        linkedin_url=f"{share}/linkedin",
    )


def _headers(nonce: str) -> dict[str, str]:
    csp = (
        "default-src 'none'; img-src 'self' https: data:; style-src 'unsafe-inline'; "
        f"script-src 'nonce-{nonce}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )
    return {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "Content-Security-Policy": csp}


def _gone(svc: Services, claim: Claim) -> Response:
    nonce = secrets.token_urlsafe(16)
    status = 410 if claim.state == "expired" else 404
    share = None if claim.credential is None else credential_url(svc, claim.credential.id)
    html = render("claim_gone.html", state=claim.state, share_url=share, now=_now(svc))
    return HTMLResponse(html, status_code=status, headers=_headers(nonce))


def _now(svc: Services) -> str:
    return svc.now().strftime("%Y-%m-%d %H:%M UTC")


async def claim_page(request: Request) -> Response:
    svc = services(request)
    claim = await open_claim(svc, request.path_params["token"])
    if claim.credential is None or claim.state in ("unknown", "expired"):
        return _gone(svc, claim)
    await record_engagement(
        svc, claim.credential, "page_viewed", request.headers.get("user-agent"), {"page": "claim"}
    )
    nonce = secrets.token_urlsafe(16)
    page = _page(svc, claim.credential, claim, await profile_of(svc, claim.credential))
    branding = await svc.store.find_issuer_branding(claim.credential.issuer_id)
    html = render(
        "claim.html",
        p=page,
        nonce=nonce,
        action=request.url.path,
        now=_now(svc),
        branding=branding,
        branding_name=page.issuer_name,
    )
    return HTMLResponse(html, headers=_headers(nonce))


async def claim_accept(request: Request) -> Response:
    svc = services(request)
    claim = await accept_claim(svc, request.path_params["token"])
    if claim.credential is None or claim.state in ("unknown", "expired"):
        return _gone(svc, claim)
    return RedirectResponse(request.url.path, status_code=303, headers={"Referrer-Policy": "no-referrer"})


async def _profile(request: Request, show: bool) -> Response:
    svc = services(request)
    token = request.path_params["token"]
    try:
        await show_on_profile(svc, token, show)
    except InputError as exc:
        claim = await open_claim(svc, token)
        if claim.credential is None or claim.state in ("unknown", "expired"):
            return _gone(svc, claim)
        raise Problem(409, "conflict", "Not possible now", exc.message) from None
    back = request.url.path.rsplit("/profile/", 1)[0]
    return RedirectResponse(back, status_code=303, headers={"Referrer-Policy": "no-referrer"})


async def profile_show(request: Request) -> Response:
    return await _profile(request, True)


async def profile_hide(request: Request) -> Response:
    return await _profile(request, False)


routes = [
    Route("/claim/{token}", claim_page, methods=["GET"]),
    Route("/claim/{token}", claim_accept, methods=["POST"]),
    Route("/claim/{token}/profile/show", profile_show, methods=["POST"]),
    Route("/claim/{token}/profile/hide", profile_hide, methods=["POST"]),
]
