"""An achievement (badge class) at its URL, and its badge image.

``GET /achievements/{id}`` serves the OB 3.0 Achievement JSON (its ``id`` is this URL);
``/achievements/{id}/image.png`` and ``image.svg`` the plain badge drawn for it when the issuer
gave no image of its own (the ``image.id`` the achievement names).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from vcengine.api.http import _lookup
from vcengine.api.http._deps import services
from vcengine.api.http._problem import Problem
from vcengine.api.http._responses import json_bytes, send
from vcengine.api.http.credentials import IMAGE_CSP
from vcengine.core.contexts import OB_CONTEXT, VC_V2_CONTEXT
from vcengine.services.ports import AchievementRecord

__all__ = ["routes"]

_CACHE = "public, max-age=3600"


async def _record(request: Request) -> AchievementRecord:
    achievement_id = request.path_params["achievement_id"]
    record = await _lookup.find_achievement(services(request).store, achievement_id)
    if record is None:
        raise Problem(404, "not-found", "No such achievement", f"no achievement {achievement_id}")
    return record


async def achievement(request: Request) -> Response:
    record = await _record(request)
    body = json_bytes({"@context": [VC_V2_CONTEXT, OB_CONTEXT], **record.achievement})
    return send(request, body, "application/ld+json", cache_control=_CACHE)


async def image_png(request: Request) -> Response:
    record = await _record(request)
    if record.image_png is None:
        raise Problem(404, "not-found", "No image here", "this achievement's image is hosted elsewhere")
    return send(request, record.image_png, "image/png", cache_control=_CACHE)


async def image_svg(request: Request) -> Response:
    record = await _record(request)
    if record.image_svg is None:
        raise Problem(404, "not-found", "No image here", "this achievement's image is hosted elsewhere")
    headers = {"Content-Security-Policy": IMAGE_CSP}
    return send(request, record.image_svg, "image/svg+xml", cache_control=_CACHE, headers=headers)


routes = [
    Route("/achievements/{achievement_id}/image.png", image_png, methods=["GET"]),
    Route("/achievements/{achievement_id}/image.svg", image_svg, methods=["GET"]),
    Route("/achievements/{achievement_id}", achievement, methods=["GET"]),
]
