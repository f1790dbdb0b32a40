"""A real uvicorn server on 127.0.0.1 (a free port) serving the GraphQL app over the real SQLite
store; tests talk to it over HTTP (httpx2) and WebSocket (websockets, graphql-transport-ws)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx2
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Route, WebSocketRoute

from tests.services.support import Tenant, make_services, make_tenant
from vcengine.api.graphql import graphql_app
from vcengine.services.context import Services

T = TypeVar("T")
OPERATIONS = Path(__file__).resolve().parents[3] / "graphql" / "operations"


class Server:
    """The running server, its services, and helpers to call it."""

    def __init__(self, port: int, services: Services, loop: asyncio.AbstractEventLoop) -> None:
        self.url = f"http://127.0.0.1:{port}/graphql"
        self.ws_url = f"ws://127.0.0.1:{port}/graphql"
        self.services, self.loop = services, loop
        self.http = httpx2.Client(timeout=30)

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the server's event loop (where the services live)."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(60)

    def post(
        self, query: str, variables: dict[str, Any] | None = None, key: str | None = None
    ) -> httpx2.Response:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return self.http.post(self.url, json={"query": query, "variables": variables or {}}, headers=headers)

    def gql(
        self, query: str, variables: dict[str, Any] | None = None, key: str | None = None
    ) -> dict[str, Any]:
        response = self.post(query, variables, key)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def ok(
        self, query: str, variables: dict[str, Any] | None = None, key: str | None = None
    ) -> dict[str, Any]:
        body = self.gql(query, variables, key)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    def tenant(self, name: str = "Org", kind: str = "url") -> Tenant:
        return self.call(make_tenant(self.services, name, kind))  # type: ignore[arg-type]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    port = _free_port()
    ready = threading.Event()
    state: dict[str, Any] = {}

    def run() -> None:
        async def main() -> None:
            services = await make_services(tmp_path_factory.mktemp("graphql"))
            app_ = graphql_app(services, dev=True, max_body_bytes=8 * 1024 * 1024)  # as serve
            app = Starlette(
                routes=[Route("/graphql", app_, methods=["GET", "POST"]), WebSocketRoute("/graphql", app_)]
            )
            config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
            state["server"] = uvicorn.Server(config)
            state["services"], state["loop"] = services, asyncio.get_running_loop()
            serving = asyncio.create_task(state["server"].serve())
            while not state["server"].started:
                await asyncio.sleep(0.01)
            ready.set()
            await serving
            await services.close()
            await services.store.close()

        asyncio.run(main())

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(30), "the server did not start"
    server = Server(port, state["services"], state["loop"])
    yield server
    server.http.close()
    state["server"].should_exit = True
    thread.join(10)


@pytest.fixture
def tenant(server: Server) -> Tenant:
    return server.tenant()


def wait_for(condition: Any, timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)
