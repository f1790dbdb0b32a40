"""``GET /status-lists/{list_id}`` (VCALM's path; ``/status/{list_id}`` too): a signed
BitstringStatusListCredential, cacheable.

Bitstring Status List v1.0 §2.2 and §4 (privacy: a list is fetched by many verifiers, so it is
served identically to all and made cacheable). ``Cache-Control: public, max-age`` runs until the
list credential's ``validUntil`` (capped by its ``ttl`` and by the configured maximum), so caches
refresh no later than the list expires; a strong ``ETag`` lets them revalidate with
``If-None-Match`` and get a 304.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from vcengine.api.http._deps import services, settings
from vcengine.api.http._negotiate import choose
from vcengine.api.http._problem import Problem
from vcengine.api.http._responses import json_bytes, send
from vcengine.core.dates import parse_date_time
from vcengine.errors import InputError
from vcengine.services.status_changes import published_list

__all__ = ["cache_seconds", "routes"]

_OFFERS = ("application/json", "application/ld+json", "application/vc", "application/vc+ld+json")


def cache_seconds(credential: Mapping[str, Any], now: datetime, maximum: int) -> int:
    """How long a cache may keep the list: until ``validUntil``, at most ``ttl`` and ``maximum``."""
    seconds = maximum
    subject = credential.get("credentialSubject")
    ttl = subject.get("ttl") if isinstance(subject, Mapping) else None
    if isinstance(ttl, int) and not isinstance(ttl, bool) and ttl >= 0:
        seconds = min(seconds, ttl // 1000)
    until = credential.get("validUntil")
    if isinstance(until, str):
        try:
            end = parse_date_time(until)
        except InputError:
            return 0
        if end.tzinfo is not None:
            seconds = min(seconds, int((end - now).total_seconds()))
    return max(seconds, 0)


async def _status_list(request: Request, prefix: str) -> Response:
    svc, config = services(request), settings(request)
    list_id = request.path_params["list_id"]
    credential = await published_list(svc, f"{svc.base_url}/{prefix}/{list_id}")
    if credential is None:
        raise Problem(404, "not-found", "No such status list", f"no status list {list_id}")
    media_type = choose(request.headers.get("accept"), _OFFERS)
    if media_type is None:
        raise Problem(406, "not-acceptable", "Not acceptable", f"available: {', '.join(_OFFERS)}")
    seconds = cache_seconds(credential, svc.now(), config.status_list_ttl_seconds)
    return send(
        request,
        json_bytes(credential),
        media_type,
        cache_control=f"public, max-age={seconds}" if seconds else "public, no-cache",
        headers={"Vary": "Accept"},
    )


async def status_list(request: Request) -> Response:
    return await _status_list(request, "status-lists")


async def status_list_short(request: Request) -> Response:
    return await _status_list(request, "status")


routes = [
    Route("/status-lists/{list_id}", status_list, methods=["GET"]),
    Route("/status/{list_id}", status_list_short, methods=["GET"]),
]
