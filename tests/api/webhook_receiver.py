"""A webhook receiver as an integrator runs one: uvicorn on 127.0.0.1 (a free port, in a thread)
that checks every delivery with the ``standardwebhooks`` package (the independent client) and
answers with the next of the statuses it was given (then 200)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from standardwebhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.api.conftest import free_port


@dataclass
class Delivery:
    headers: dict[str, str]
    body: bytes
    status: int
    payload: Any = None
    error: str | None = None


@dataclass
class Receiver:
    secret: str | None = None
    answers: list[int] = field(default_factory=list)
    received: list[Delivery] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hooks/vcengine?source=test"
        app = Starlette(routes=[Route("/hooks/vcengine", self._receive, methods=["POST"])])
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="receiver", daemon=True)

    async def _receive(self, request: Request) -> Response:
        body = await request.body()
        status = self.answers.pop(0) if self.answers else 200
        delivery = Delivery(dict(request.headers), body, status)
        try:
            assert self.secret is not None, "a delivery came before the test knew the secret"
            delivery.payload = Webhook(self.secret).verify(body, dict(request.headers))
        except (WebhookVerificationError, AssertionError) as exc:
            delivery.error = f"{type(exc).__name__}: {exc}"
        self.received.append(delivery)
        return Response(status_code=status)

    def start(self) -> Receiver:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert self.thread.is_alive() and time.monotonic() < deadline, "the receiver did not start"
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def wait(self, count: int, timeout: float = 20, *, also: Callable[[], bool] = lambda: True) -> None:
        deadline = time.monotonic() + timeout
        while len(self.received) < count or not also():
            assert time.monotonic() < deadline, f"{len(self.received)} of {count} deliveries came"
            time.sleep(0.05)
