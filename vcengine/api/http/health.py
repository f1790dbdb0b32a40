"""``GET /healthz``: the process is up and the store answers."""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from vcengine.api.http._deps import services
from vcengine.errors import StoreError

__all__ = ["routes"]


async def healthz(request: Request) -> Response:
    started = time.perf_counter()
    try:
        await services(request).store.get_organization("healthz")  # a cheap indexed read
    except StoreError:
        return JSONResponse(
            {"status": "unavailable", "store": "unreachable"},
            status_code=503,
            headers={"Cache-Control": "no-store", "Retry-After": "5"},
        )
    took = round((time.perf_counter() - started) * 1000, 2)
    return JSONResponse(
        {"status": "ok", "store": "ok", "storeMs": took}, headers={"Cache-Control": "no-store"}
    )


routes = [Route("/healthz", healthz, methods=["GET", "HEAD"])]
