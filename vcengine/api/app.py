"""The app factory: ``create_app(settings)`` composes the store, the services and the routes.

    /graphql                 GraphQL (GET, POST, WebSocket graphql-transport-ws); GraphiQL in dev
    /credentials/...         credentials, pages, baked images; W3C VC API issue/verify/status
    /status/{id}             status list credentials
    /issuers/{id}[/did.json] issuer profiles, DID documents; /.well-known/did.json
    /issuers/{id}/oid4vci/.. wallets: OpenID for Verifiable Credential Issuance 1.0 (+ /.well-known/...)
    /achievements/{id}[...]  achievements and their badge images
    /healthz                 liveness + store ping

The lifespan opens the store, starts the verification workers, builds the ``Services``, runs the
first-start bootstrap (default organization, did:key issuer, admin API key), starts the status
list refresher (every instance re-signs lists before they expire) and closes everything on
shutdown.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass

import anyio.to_thread
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect
from starlette.routing import Route, WebSocketRoute

from vcengine.api.http import routes as http_routes
from vcengine.api.http._middleware import BodyLimit, BodyTimeout, SecurityHeaders
from vcengine.api.http._problem import Problem, client_gone, problem_handler
from vcengine.api.settings import MASTER_KEY_FILE, Settings, store_for
from vcengine.errors import VcengineError
from vcengine.services.context import Services
from vcengine.services.delivery import DeliverySettings
from vcengine.services.job_kinds import job_kinds
from vcengine.services.jobs import JobRunner
from vcengine.services.keystore import ENV_VAR, MasterKey, load_or_create_master_key
from vcengine.services.organizations import Bootstrap, bootstrap
from vcengine.services.smtp import parse_smtp_url
from vcengine.services.status_publishing import refresh_forever
from vcengine.services.verification_pool import VerificationPool

__all__ = ["MASTER_KEY_FILE", "Started", "create_app", "delivery_settings"]


@dataclass(frozen=True, slots=True)
class Started:
    """What the lifespan did on start, for ``vcengine serve`` to report."""

    bootstrap: Bootstrap
    master_key_message: str


def signing_processes() -> int:
    """Worker processes for bulk signing: every core but one for the event loop, at least 2 on
    a multi-core machine (0 = sign in a thread)."""
    cores = os.cpu_count() or 1
    return 0 if cores < 2 else min(max(cores - 1, 2), 8)


def _master_key(settings: Settings) -> tuple[MasterKey, str]:
    env = {ENV_VAR: str(settings.master_key)} if settings.master_key is not None else {}
    return load_or_create_master_key(env, settings.master_key_file, secrets.token_bytes)


def delivery_settings(settings: Settings) -> DeliverySettings:
    """How this instance delivers credentials (``InputError`` for a malformed SMTP URL)."""
    url, timeout = settings.smtp_url, settings.smtp_timeout
    smtp = None if url is None else parse_smtp_url(str(url), timeout=timeout)
    return DeliverySettings(
        smtp=smtp,
        sender=settings.smtp_from,
        claim_days=settings.claim_days,
        reminder_days=settings.reminder_days,
        retry_seconds=settings.smtp_retry_seconds,
    )


def create_app(settings: Settings, *, on_start: Callable[[Started], None] | None = None) -> Starlette:
    """The ASGI app. ``on_start`` is told what the first start created (the admin key, once)."""
    from vcengine.api.graphql import graphql_app

    graphql = _Deferred()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            async with _started(app) as ready:
                yield ready
        except VcengineError as exc:  # a misconfiguration: `vcengine serve` says it in one line
            app.state.startup_error = exc
            raise

    @asynccontextmanager
    async def _started(app: Starlette) -> AsyncIterator[None]:
        master_key, key_message = _master_key(settings)
        delivery = delivery_settings(settings)
        store = store_for(settings)
        await store.start()
        verification = VerificationPool(
            settings.verify_workers, settings.verify_queue, settings.verify_deadline_seconds
        )
        await anyio.to_thread.run_sync(verification.start)
        services = Services(
            store=store,
            master_key=master_key,
            base_url=settings.base_url,
            signing_processes=signing_processes(),
            verification=verification,
            allow_loopback_webhooks=settings.dev,
            delivery=delivery,
        )
        try:
            key = str(settings.bootstrap_api_key) if settings.bootstrap_api_key else None
            result = await bootstrap(services, api_key=key)
            services.jobs = JobRunner(
                store, job_kinds(services), services.clock, concurrency=settings.job_concurrency
            )
            services.jobs.start()
            app.state.services = services
            graphql.target = graphql_app(services, dev=settings.dev, max_body_bytes=settings.max_body_bytes)
            if on_start is not None:
                on_start(Started(result, key_message))
            refresher = asyncio.create_task(refresh_forever(services, settings.status_refresh_seconds))
            try:
                yield
            finally:
                refresher.cancel()
                with suppress(asyncio.CancelledError):
                    await refresher
        finally:
            if services.jobs is not None:
                await services.jobs.stop()
            await services.close()
            await store.close()

    app = Starlette(
        debug=False,
        routes=[Route("/graphql", graphql), WebSocketRoute("/graphql", graphql), *http_routes()],
        middleware=[
            Middleware(SecurityHeaders, https=settings.base_url.startswith("https://")),
            Middleware(BodyLimit, max_bytes=settings.max_body_bytes),
            Middleware(BodyTimeout, seconds=settings.body_timeout),
        ],
        exception_handlers={
            ClientDisconnect: client_gone,
            Problem: problem_handler,
            VcengineError: problem_handler,
            Exception: problem_handler,
        },
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.startup_error = None
    return app


class _Deferred:
    """The GraphQL ASGI app, which needs the services the lifespan creates."""

    target: object | None = None

    async def __call__(self, scope: object, receive: object, send: object) -> None:
        if self.target is None:
            raise RuntimeError("the GraphQL app is not ready: the lifespan has not run")
        await self.target(scope, receive, send)  # type: ignore[operator]
