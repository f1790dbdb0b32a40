"""``GET /``: a small landing page for whoever opens the service in a browser.

It names the service and links what a new user looks for: GraphiQL (in ``--dev`` only; off
in production, where ``/graphql`` answers API clients only), the health check, and the
documents that define the API (the committed GraphQL schema is ``GET /graphql`` introspection;
the W3C VC API and Open Badges 3.0 specifications).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from vcengine.api.http._templates import render

__all__ = ["routes"]


async def home(request: Request) -> Response:
    settings = request.app.state.settings
    html = render("home.html", dev=bool(settings.dev), base_url=settings.base_url)
    return HTMLResponse(html, headers={"Cache-Control": "no-cache"})


routes = [Route("/", home, methods=["GET", "HEAD"])]
