"""Issuer profiles and their keys, where verifiers look for them.

- ``GET /issuers/{id}``: the OB 3.0 Profile (standards digest §1.6) — JSON-LD for
  ``application/json`` / ``application/ld+json``, an HTML page with Open Graph tags for people.
  For an issuer whose id is this URL the JSON also lists its keys (``verificationMethod``,
  ``assertionMethod``), so the URL is its controller document.
- ``GET /issuers/{id}/did.json``: the did:web DID document of a ``did:web:<host>:issuers:<id>``
  issuer (did:web §3.2 Read).
- ``GET /.well-known/did.json``: the DID document of ``did:web:<host>``, when an issuer has it.

Every document lists active *and* retired keys, so credentials signed before a rotation still
verify.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from vcengine.api.http import _lookup
from vcengine.api.http._deps import services
from vcengine.api.http._negotiate import choose
from vcengine.api.http._problem import Problem
from vcengine.api.http._responses import json_bytes, send
from vcengine.api.http._templates import render
from vcengine.core.contexts import OB_CONTEXT, VC_V2_CONTEXT
from vcengine.services.context import Services
from vcengine.services.issuers import did_web, issuer_document, issuer_kind
from vcengine.services.ports import IssuerKeyRecord, IssuerRecord

__all__ = ["routes"]

_OFFERS = ("application/ld+json", "application/json", "text/html")
_DID_MEDIA = "application/did+json"
_CACHE = "public, max-age=300"


async def _issuer(svc: Services, issuer_id: str) -> tuple[IssuerRecord, list[IssuerKeyRecord]]:
    issuer = await svc.store.find_issuer(issuer_id)
    if issuer is None:
        raise Problem(404, "not-found", "No such issuer", f"no issuer {issuer_id}")
    return issuer, list(await svc.store.list_issuer_keys(issuer.id))


def profile_json(issuer: IssuerRecord, keys: list[IssuerKeyRecord], page_url: str) -> dict[str, Any]:
    doc: dict[str, Any] = {"@context": [VC_V2_CONTEXT, OB_CONTEXT], **issuer.profile}
    if doc.get("id") == page_url:
        controller = issuer_document(issuer, keys)
        doc["verificationMethod"] = controller["verificationMethod"]
        doc["assertionMethod"] = controller["assertionMethod"]
    return doc


async def issuer_profile(request: Request) -> Response:
    svc = services(request)
    issuer, keys = await _issuer(svc, request.path_params["issuer_id"])
    page_url = f"{svc.base_url}/issuers/{issuer.id}"
    media_type = choose(request.headers.get("accept"), _OFFERS)
    if media_type is None:
        raise Problem(406, "not-acceptable", "Not acceptable", f"available: {', '.join(_OFFERS)}")
    vary = {"Vary": "Accept"}
    if media_type != "text/html":
        body = json_bytes(profile_json(issuer, keys, page_url))
        return send(request, body, media_type, cache_control=_CACHE, headers=vary)
    profile = issuer.profile
    image = profile.get("image")
    html = render(
        "issuer.html",
        name=profile.get("name") or "Issuer",
        description=profile.get("description") or f"Credentials issued by {profile.get('name')}",
        profile_description=profile.get("description"),
        issuer_id=profile.get("id"),
        url=profile.get("url"),
        email=profile.get("email"),
        image=image.get("id") if isinstance(image, dict) else image,
        page_url=page_url,
        did_url=f"{page_url}/did.json" if issuer_kind(issuer) == "did:web" else None,
        key_count=len(keys),
        active_count=sum(k.status == "active" for k in keys),
        now=svc.now().strftime("%Y-%m-%d %H:%M UTC"),
    )
    return HTMLResponse(html, headers={"Cache-Control": "no-cache", **vary})


async def issuer_did(request: Request) -> Response:
    svc = services(request)
    issuer, keys = await _issuer(svc, request.path_params["issuer_id"])
    expected = did_web(svc.base_url, f"issuers/{issuer.id}")
    if issuer.profile.get("id") != expected:
        raise Problem(404, "not-found", "Not a did:web issuer", f"issuer {issuer.id} is not {expected}")
    return send(request, json_bytes(issuer_document(issuer, keys)), _DID_MEDIA, cache_control=_CACHE)


async def well_known_did(request: Request) -> Response:
    svc = services(request)
    did = did_web(svc.base_url, "")
    issuer = await _lookup.find_issuer_by_public_id(svc.store, did)
    if issuer is None:
        raise Problem(404, "not-found", "No host DID", f"no issuer is {did}")
    keys = list(await svc.store.list_issuer_keys(issuer.id))
    return send(request, json_bytes(issuer_document(issuer, keys)), _DID_MEDIA, cache_control=_CACHE)


routes = [
    Route("/.well-known/did.json", well_known_did, methods=["GET", "HEAD"]),
    Route("/issuers/{issuer_id}/did.json", issuer_did, methods=["GET", "HEAD"]),
    Route("/issuers/{issuer_id}", issuer_profile, methods=["GET", "HEAD"]),
]
