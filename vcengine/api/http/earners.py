"""``/earners/{slug}``: an earner's opt-in public profile (``services.earner_profiles``): the
badges they chose to show that still count, each linking to its verification page."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from vcengine.api.http._deps import services
from vcengine.api.http._problem import Problem
from vcengine.api.http._templates import render
from vcengine.api.http.credentials import PAGE_CSP
from vcengine.core.credential_view import CredentialView
from vcengine.services.earner_profiles import public_profile
from vcengine.services.issuing import credential_json, credential_url

__all__ = ["routes"]


@dataclass(frozen=True, slots=True)
class Badge:
    name: str
    issuer_name: str
    url: str
    image: str
    issued: str


async def earner(request: Request) -> Response:
    svc = services(request)
    found = await public_profile(svc, request.path_params["slug"])
    if found is None:
        raise Problem(404, "not-found", "No such profile")
    badges = []
    for record in found.badges:
        view = CredentialView(credential_json(record))
        url = credential_url(svc, record.id)
        name = str((view.achievement or {}).get("name") or view.name or "Badge")
        issuer = str((view.issuer or {}).get("name") or view.issuer_id or "Issuer")
        badges.append(Badge(name, issuer, url, f"{url}/badge.png", record.issued_at.strftime("%-d %B %Y")))
    html = render(
        "earner.html",
        name=found.profile.name,
        badges=badges,
        now=svc.now().strftime("%Y-%m-%d %H:%M UTC"),
    )
    headers = {"Cache-Control": "no-cache", "Content-Security-Policy": PAGE_CSP}
    return HTMLResponse(html, headers=headers)


routes = [Route("/earners/{slug}", earner, methods=["GET"])]
