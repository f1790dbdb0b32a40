"""ASGI middleware of the whole app: security headers, a request body limit and a body deadline.

Pure ASGI (no ``BaseHTTPMiddleware``), so streaming and WebSockets pass through untouched.
"""

from __future__ import annotations

import json

import anyio
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BodyLimit", "BodyTimeout", "SecurityHeaders"]


class SecurityHeaders:
    """``nosniff``, a referrer policy, no framing, HSTS behind https; public GETs allow any origin
    (wallets and verifiers in browsers fetch credentials, lists and DID documents cross-origin)."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app, self.https = app, https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        public_read = scope["method"] in ("GET", "HEAD") and not scope["path"].startswith("/graphql")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
                headers.setdefault("X-Frame-Options", "DENY")
                if self.https:
                    headers.setdefault("Strict-Transport-Security", "max-age=31536000")
                if public_read:
                    headers.setdefault("Access-Control-Allow-Origin", "*")
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` with 413, by Content-Length or while streaming."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and (not value.isdigit() or int(value) > self.max_bytes):
                await self._refuse(send)
                return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        detail = f"the limit is {self.max_bytes} bytes"
        await _problem(send, 413, "too-large", "Request body too large", detail)


class _TooSlow(Exception):
    pass


class BodyTimeout:
    """Answer 408 and close the connection when a request's body has not arrived in full within
    ``seconds`` of its headers (a client sending a byte now and then would hold a worker forever).

    Only reading the body is timed: once it is in, ``receive()`` waits for the disconnect of a
    streaming response, for as long as that takes. The server bounds the headers (``api.server``).
    """

    def __init__(self, app: ASGIApp, *, seconds: float) -> None:
        self.app, self.seconds = app, seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        deadline = anyio.current_time() + self.seconds
        body_done = False
        started = False

        async def timed_receive() -> Message:
            nonlocal body_done
            if body_done:
                return await receive()
            with anyio.move_on_after(deadline - anyio.current_time()):
                message = await receive()
                body_done = message["type"] != "http.request" or not message.get("more_body", False)
                return message
            raise _TooSlow

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, timed_receive, tracking_send)
        except _TooSlow:
            if not started:
                await _problem(
                    send,
                    408,
                    "request-timeout",
                    "Request body too slow",
                    f"the body must arrive within {self.seconds:g} s of the headers",
                    close=True,
                )


async def _problem(
    send: Send, status: int, kind: str, title: str, detail: str, *, close: bool = False
) -> None:
    body = json.dumps(
        {"type": f"urn:vcengine:problem:{kind}", "title": title, "status": status, "detail": detail}
    ).encode()
    headers = [(b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode())]
    if close:
        headers.append((b"connection", b"close"))  # the rest of the body will not be read
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
