"""The ASGI app serving the schema over HTTP (GET/POST) and WebSocket (graphql-transport-ws)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UnsetType

from vcengine.api.graphql.context import Context, StoreUnavailableDuringAuth, authenticate, make_context
from vcengine.api.graphql.schema import schema
from vcengine.services.context import Services

__all__ = ["GraphQLApp", "graphql_app"]


class GraphQLApp(GraphQL[Context, None]):
    """strawberry's ASGI view with the services, per-request context and key-based auth."""

    def __init__(self, services: Services, *, dev: bool = False, allowed_origins: Sequence[str] = ()) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if dev else None,
            allow_queries_via_get=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            allowed_origins=tuple(allowed_origins),
        )
        self.services = services

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


def graphql_app(services: Services, *, dev: bool = False, allowed_origins: Sequence[str] = ()) -> Any:
    """The GraphQL ASGI app; mount it for HTTP and WebSocket at ``/graphql``. GraphiQL if ``dev``."""
    return GraphQLApp(services, dev=dev, allowed_origins=allowed_origins)
