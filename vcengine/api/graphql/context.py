"""Per-request context: the services, the caller (from ``Authorization: Bearer <api key>``),
and DataLoaders that batch and cache look-ups within one request, always inside the caller's
organization.

WebSocket clients pass the key in the ``connection_init`` payload (``{"Authorization": "Bearer
…"}``); a missing or bad key refuses the connection (close code 4403).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from vcengine.api.graphql.errors import coded, outage
from vcengine.errors import PermissionDenied, StoreError
from vcengine.services import organizations
from vcengine.services.context import Actor, Services
from vcengine.services.ports import AchievementRecord, ApiKeyRecord, IssuerRecord, Scope

__all__ = ["Context", "actor_of", "authenticate", "make_context"]


@dataclass(eq=False)
class Context:
    services: Services
    request: Request | WebSocket | None = None
    response: Response | None = None
    actor: Actor | None = None
    #: The store failed while authenticating: reported when a resolver asks for the caller, as a
    #: top-level STORE_UNAVAILABLE error (raising while building the context would be a bare 500).
    store_error: StoreError | None = None
    connection_params: dict[str, Any] | None = None
    loaders: dict[str, DataLoader[Any, Any]] = field(default_factory=dict)

    def loader(self, name: str) -> DataLoader[str, Any]:
        if name not in self.loaders:
            self.loaders[name] = DataLoader(load_fn=_LOADERS[name](self))
        return self.loaders[name]

    async def achievement(self, record_id: str) -> AchievementRecord | None:
        return await self.loader("achievement").load(record_id)  # type: ignore[no-any-return]

    async def issuer(self, record_id: str) -> IssuerRecord | None:
        return await self.loader("issuer").load(record_id)  # type: ignore[no-any-return]

    async def api_key(self, record_id: str) -> ApiKeyRecord | None:
        return await self.loader("api_key").load(record_id)  # type: ignore[no-any-return]


def _achievements(context: Context) -> Any:
    async def load(ids: Sequence[str]) -> list[AchievementRecord | None]:
        org = actor_of(context).org_id
        return [await context.services.store.get_achievement(org, i) for i in ids]

    return load


def _issuers(context: Context) -> Any:
    async def load(ids: Sequence[str]) -> list[IssuerRecord | None]:
        org = actor_of(context).org_id
        return [await context.services.store.get_issuer(org, i) for i in ids]

    return load


def _api_keys(context: Context) -> Any:
    async def load(ids: Sequence[str]) -> list[ApiKeyRecord | None]:
        org = actor_of(context).org_id
        return [await context.services.store.get_api_key(org, i) for i in ids]

    return load


_LOADERS = {"achievement": _achievements, "issuer": _issuers, "api_key": _api_keys}


def bearer(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    scheme, _, token = value.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def authenticate(services: Services, header: object) -> Actor | None:
    token = bearer(header)
    if token is None:
        return None
    try:
        return await organizations.authenticate(services, token)
    except PermissionDenied:
        return None
    except StoreError as exc:
        raise StoreUnavailableDuringAuth(exc) from None


class StoreUnavailableDuringAuth(Exception):
    """Internal: the store failed while looking up the API key."""

    def __init__(self, cause: StoreError) -> None:
        super().__init__(cause.message)
        self.cause = cause


async def make_context(
    services: Services, request: Request | WebSocket, response: Response | None
) -> Context:
    context = Context(services, request, response)
    if isinstance(request, Request):
        try:
            context.actor = await authenticate(services, request.headers.get("authorization"))
        except StoreUnavailableDuringAuth as exc:
            context.store_error = exc.cause
    return context


def actor_of(context: Context | Info[Context, Any], scope: Scope | None = None) -> Actor:
    """The caller; a top-level UNAUTHENTICATED/FORBIDDEN error for queries without a usable key."""
    ctx: Context = context.context if isinstance(context, Info) else context
    if ctx.store_error is not None:
        raise outage(ctx.store_error)
    if ctx.actor is None:
        raise coded("a valid API key is required: Authorization: Bearer vce_…", "UNAUTHENTICATED")
    if scope is not None and not ctx.actor.can(scope):
        raise coded(f"this API key lacks the {scope!r} scope", "FORBIDDEN")
    return ctx.actor
