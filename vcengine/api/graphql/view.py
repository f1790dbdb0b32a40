"""The ASGI app serving the schema over HTTP (GET/POST) and WebSocket (graphql-transport-ws).

Request bodies, GET ``variables`` and WebSocket messages are parsed by ``jsontext`` (strict JSON:
no repeated keys, lone surrogates or non-finite numbers; bounded size and depth) instead of
strawberry's plain ``json.loads``: a malformed body is a 400 naming the problem, never a 500.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from cross_web import HTTPException  # what strawberry's views raise and turn into a response
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UnsetType

from vcengine.api.graphql.context import Context, StoreUnavailableDuringAuth, authenticate, make_context
from vcengine.api.graphql.schema import schema
from vcengine.core import jsontext
from vcengine.errors import JsonError
from vcengine.services.context import Services

__all__ = ["GraphQLApp", "graphql_app"]


class GraphQLApp(GraphQL[Context, None]):
    """strawberry's ASGI view with the services, per-request context and key-based auth."""

    def __init__(
        self,
        services: Services,
        *,
        dev: bool = False,
        allowed_origins: Sequence[str] = (),
        max_body_bytes: int = jsontext.MAX_BYTES,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if dev else None,
            allow_queries_via_get=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            allowed_origins=tuple(allowed_origins),
            # bulkIssueCsv takes a file (GraphQL multipart request spec). Browsers cannot forge
            # these: every operation needs the API key in the Authorization header.
            multipart_uploads_enabled=True,
        )
        self.services = services
        self.max_body_bytes = max_body_bytes

    def parse_json(self, data: str | bytes) -> object:
        """The HTTP body, or the ``variables``/``extensions`` of a GET: strict, or a 400."""
        try:
            value = jsontext.loads(data, max_bytes=self.max_body_bytes)
        except JsonError as exc:
            raise HTTPException(400, f"Unable to parse request body as JSON: {exc.message}") from None
        # strawberry hands the POST body over as bytes (query parameters as str) and reads it with
        # ``.get``: a body of ``"text"``, ``42`` or ``null`` would be a 500. (A list is a batch,
        # which strawberry refuses.)
        if isinstance(data, bytes) and not isinstance(value, dict | list):
            raise HTTPException(400, "The request body must be a JSON object.")
        return value

    def decode_json(self, data: str | bytes) -> object:
        """A WebSocket message: strawberry closes the connection (4400) on ``JSONDecodeError``."""
        try:
            return jsontext.loads(data, max_bytes=self.max_body_bytes)
        except JsonError as exc:
            raise json.JSONDecodeError(exc.message, "", 0) from None

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        return await make_context(
            self.services, request, response if isinstance(response, Response) else None
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        params = context.connection_params or {}
        header = params.get("Authorization") or params.get("authorization")
        if header is None and isinstance(context.request, WebSocket):
            header = context.request.headers.get("authorization")
        try:
            context.actor = await authenticate(self.services, header)
        except StoreUnavailableDuringAuth:
            raise ConnectionRejectionError({"message": "the store is unavailable; retry later"}) from None
        if context.actor is None:
            raise ConnectionRejectionError({"message": "a valid API key is required"})
        return await super().on_ws_connect(context)


def graphql_app(
    services: Services,
    *,
    dev: bool = False,
    allowed_origins: Sequence[str] = (),
    max_body_bytes: int = jsontext.MAX_BYTES,
) -> Any:
    """The GraphQL ASGI app; mount it for HTTP and WebSocket at ``/graphql``. GraphiQL if ``dev``."""
    return GraphQLApp(services, dev=dev, allowed_origins=allowed_origins, max_body_bytes=max_body_bytes)
