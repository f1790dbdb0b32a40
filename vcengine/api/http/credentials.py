"""A credential at its URL (its ``id``): JSON for machines, a verification page for people.

``GET /credentials/{id}`` negotiates (RFC 9110 §12.5.1):

- ``application/ld+json``, ``application/json``, ``application/vc``: the signed credential as
  issued; for a VC-JWT credential the VCDM 2.0 ``EnvelopedVerifiableCredential`` carrying it;
- ``application/vc+jwt``, ``application/jwt``, ``text/plain`` (VC-JWT credentials only): the JWS;
- ``text/html``: the verification page, verified live on every request against this
  instance's own status lists and issuer keys.

``/credentials/{id}.json`` is the JSON download; ``/credentials/{id}/badge.png`` and
``/badge.svg`` are the badge image with the credential baked in (OB 3.0 §Baking).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from vcengine.api.http import _lookup
from vcengine.api.http._deps import services
from vcengine.api.http._negotiate import choose
from vcengine.api.http._problem import Problem
from vcengine.api.http._responses import json_bytes, send
from vcengine.api.http._templates import render
from vcengine.api.http.verification_page import PageLinks, build_page
from vcengine.core.bake import bake
from vcengine.core.bake.badge_image import render_badge_png, render_badge_svg
from vcengine.core.contexts import VC_V2_CONTEXT
from vcengine.services import verifying
from vcengine.services.context import Services
from vcengine.services.engagement import record_engagement
from vcengine.services.issuing import credential_json
from vcengine.services.ports import CredentialRecord

__all__ = ["IMAGE_CSP", "PAGE_CSP", "routes"]

_JSON_TYPES = ("application/ld+json", "application/json", "application/vc", "application/vc+ld+json")
_JWT_TYPES = ("application/vc+jwt", "application/jwt", "text/plain")
_DI_OFFERS = (*_JSON_TYPES, "text/html")
_JWT_OFFERS = (*_JWT_TYPES, *_JSON_TYPES, "text/html")
_IMMUTABLE = "public, max-age=86400"
PAGE_CSP = (
    "default-src 'none'; img-src 'self' https: data:; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
IMAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
_SLUG = re.compile(r"[^a-z0-9]+")


async def _record(request: Request) -> tuple[Services, CredentialRecord]:
    svc = services(request)
    key = request.path_params["credential_id"]
    record = await _lookup.find_credential(svc.store, svc.base_url, key)
    if record is None:
        raise Problem(404, "not-found", "No such credential", f"no credential {key}")
    return svc, record


def _page_url(svc: Services, record: CredentialRecord) -> str:
    return f"{svc.base_url}/credentials/{record.id}"


def _links(svc: Services, record: CredentialRecord) -> PageLinks:
    page = _page_url(svc, record)
    return PageLinks(page=page, png=f"{page}/badge.png", svg=f"{page}/badge.svg", json=f"{page}.json")


def _json_document(record: CredentialRecord) -> dict[str, Any]:
    if record.proof_format != "vc-jwt":
        return dict(record.document)
    return {
        "@context": [VC_V2_CONTEXT],
        "id": f"data:application/vc+jwt,{record.document['jwt']}",
        "type": "EnvelopedVerifiableCredential",
    }


def _baked_text(record: CredentialRecord) -> str:
    if record.proof_format == "vc-jwt":
        return str(record.document["jwt"])
    return json_bytes(record.document).decode("utf-8")


def _slug(record: CredentialRecord) -> str:
    achievement = credential_json(record).get("credentialSubject", {})
    name = achievement.get("achievement", {}).get("name") if isinstance(achievement, dict) else None
    slug = _SLUG.sub("-", str(name or "badge").lower()).strip("-")[:60] or "badge"
    return f"{slug}-{record.id[:8]}"


async def credential(request: Request) -> Response:
    svc, record = await _record(request)
    offers = _JWT_OFFERS if record.proof_format == "vc-jwt" else _DI_OFFERS
    media_type = choose(request.headers.get("accept"), offers)
    if media_type is None:
        raise Problem(406, "not-acceptable", "Not acceptable", f"available: {', '.join(offers)}")
    vary = {"Vary": "Accept"}
    if media_type == "text/html":
        await record_engagement(svc, record, "page_viewed", request.headers.get("user-agent"))
        return await _page(svc, record)
    if media_type in _JWT_TYPES:
        body = str(record.document["jwt"]).encode("ascii")
        return send(request, body, media_type, cache_control=_IMMUTABLE, headers=vary)
    return send(
        request, json_bytes(_json_document(record)), media_type, cache_control=_IMMUTABLE, headers=vary
    )


async def _page(svc: Services, record: CredentialRecord) -> Response:
    document = record.document["jwt"] if record.proof_format == "vc-jwt" else record.document
    report = await verifying.verify(svc, document, lane="stored")
    issuer = await svc.store.find_issuer(record.issuer_id)
    notice = await svc.store.find_status_notice(record.id) if record.status == "revoked" else None
    expired = record.valid_until is not None and record.valid_until <= svc.now()
    page = build_page(
        credential_json(record),
        report,
        links=_links(svc, record),
        issuer_profile=issuer.profile if issuer else None,
        proof_format=record.proof_format,
        issuer_profile_url=f"{svc.base_url}/issuers/{record.issuer_id}",
        promotable=record.status == "active" and not expired,
        revoked_at=None if notice is None else notice.at,
        public_reason=None if notice is None else notice.public_reason,
        linkedin_url=f"{_page_url(svc, record)}/linkedin",
    )
    branding = await svc.store.find_issuer_branding(record.issuer_id)
    html = render(
        "credential.html",
        p=page,
        now=svc.now().strftime("%Y-%m-%d %H:%M UTC"),
        branding=branding,
        branding_name=page.issuer_name,
    )
    headers = {"Cache-Control": "no-cache", "Vary": "Accept", "Content-Security-Policy": PAGE_CSP}
    return HTMLResponse(html, headers=headers)


async def credential_download(request: Request) -> Response:
    _, record = await _record(request)
    headers = {"Content-Disposition": f'inline; filename="{_slug(record)}.json"'}
    body = json_bytes(_json_document(record))
    return send(request, body, "application/ld+json", cache_control=_IMMUTABLE, headers=headers)


@lru_cache(maxsize=64)
def _plain_badge(kind: str, name: str, issuer_name: str) -> bytes:
    if kind == "png":
        return render_badge_png(name, issuer_name, size=400)
    return render_badge_svg(name, issuer_name)


@lru_cache(maxsize=256)
def _baked(image: bytes, text: str) -> bytes:
    return bake(image, text)


async def _badge_image(svc: Services, record: CredentialRecord, kind: str) -> bytes:
    achievement = (
        None
        if record.achievement_id is None
        else await svc.store.get_achievement(record.org_id, record.achievement_id)
    )
    stored = (
        None if achievement is None else (achievement.image_png if kind == "png" else achievement.image_svg)
    )
    if stored is not None:
        return stored
    doc = credential_json(record)
    view_name = (doc.get("credentialSubject") or {}).get("achievement", {}).get("name") or "Badge"
    issuer = doc.get("issuer")
    issuer_name = (issuer.get("name") if isinstance(issuer, dict) else None) or "Issuer"
    return await anyio.to_thread.run_sync(_plain_badge, kind, str(view_name), str(issuer_name))


async def _badge(request: Request, kind: str, media_type: str) -> Response:
    svc, record = await _record(request)
    if "download" in request.query_params:  # a download button, not the page's <img>
        await record_engagement(
            svc, record, "downloaded", request.headers.get("user-agent"), {"format": kind}
        )
    image = await _badge_image(svc, record, kind)
    baked = await anyio.to_thread.run_sync(_baked, image, _baked_text(record))
    headers = {"Content-Disposition": f'inline; filename="{_slug(record)}.{kind}"'}
    if kind == "svg":
        headers["Content-Security-Policy"] = IMAGE_CSP
    return send(request, baked, media_type, cache_control=_IMMUTABLE, headers=headers)


async def badge_png(request: Request) -> Response:
    return await _badge(request, "png", "image/png")


async def badge_svg(request: Request) -> Response:
    return await _badge(request, "svg", "image/svg+xml")


routes = [
    Route("/credentials/{credential_id}.json", credential_download, methods=["GET"]),
    Route("/credentials/{credential_id}/badge.png", badge_png, methods=["GET"]),
    Route("/credentials/{credential_id}/badge.svg", badge_svg, methods=["GET"]),
    Route("/credentials/{credential_id}", credential, methods=["GET"]),
]
