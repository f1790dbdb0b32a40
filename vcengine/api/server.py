"""The HTTP server around the app: uvicorn, with bounds on slow and numerous clients.

uvicorn offers a keep-alive timeout (``timeout_keep_alive``) and a cap on connections and
requests in flight (``limit_concurrency``: beyond it, every request is answered 503). It has no
bound on the time or size of a request's headers with its httptools parser: a client that sends
one header byte per second ("slowloris"), or opens a connection and sends nothing, holds it
forever — and, under a connection cap, a few hundred such clients lock everyone else out.
``HttpProtocol`` adds both bounds to uvicorn's httptools protocol:

- from the connection's start (or a keep-alive request's first byte) to the end of its headers,
  at most ``header_timeout`` seconds, else 408 and the connection is closed;
- at most ``MAX_HEADER_BYTES`` of request line and headers, else 431 and the connection is
  closed (h11, uvicorn's other parser, has such a limit: ``h11_max_incomplete_event_size``).

The body is bounded in time by the ``BodyTimeout`` middleware of the app (408 as problem+json),
and in size by ``BodyLimit``. TLS handshakes are bounded by asyncio (60 s).
"""

from __future__ import annotations

import asyncio
import http
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from vcengine.api.settings import Settings

__all__ = ["MAX_HEADER_BYTES", "HttpProtocol", "uvicorn_config"]

MAX_HEADER_BYTES = 16 * 1024


def _refusal(status: int) -> bytes:
    phrase = http.HTTPStatus(status).phrase
    body = phrase.encode()
    return (
        f"HTTP/1.1 {status} {phrase}\r\ncontent-type: text/plain; charset=utf-8\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    ).encode() + body


class HttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline and a size limit on request headers."""

    header_timeout: float = 10.0
    max_header_bytes: int = MAX_HEADER_BYTES

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None
        self._awaiting_headers = False
        self._header_bytes = 0

    def _expect_headers(self) -> None:
        """Start the header clock, unless it runs already (a first byte must not reset it)."""
        self._awaiting_headers = True
        if self._header_timer is None:
            self._header_bytes = 0
            self._header_timer = self.loop.call_later(self.header_timeout, self._refuse, 408)

    def _headers_done(self) -> None:
        self._awaiting_headers = False
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _refuse(self, status: int) -> None:
        """Answer ``status`` unless a response is under way, and close the connection."""
        self._headers_done()
        if self.transport.is_closing():
            return
        if self.cycle is None or self.cycle.response_complete:
            self.transport.write(_refusal(status))
        self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._expect_headers()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._awaiting_headers:  # still no end of headers: everything so far is headers
            self._header_bytes += len(data)
            if self._header_bytes > self.max_header_bytes:
                self._refuse(431)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._expect_headers()

    def on_headers_complete(self) -> None:
        self._headers_done()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._headers_done()
        super().connection_lost(exc)


def uvicorn_config(
    app: Any,
    settings: Settings,
    *,
    host: str,
    port: int,
    ssl_certfile: str | None = None,
    ssl_keyfile: str | None = None,
) -> uvicorn.Config:
    """uvicorn's configuration for ``vcengine serve``: the limits of ``settings``, no server header."""
    protocol = type("VcengineHttpProtocol", (HttpProtocol,), {"header_timeout": settings.header_timeout})
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        ssl_certfile=ssl_certfile,
        ssl_keyfile=ssl_keyfile,
        http=protocol,
        limit_concurrency=settings.max_connections,
        timeout_keep_alive=settings.keep_alive_timeout,  # type: ignore[arg-type]  # a float works
        log_level="info" if settings.dev else "warning",
        access_log=settings.dev,
        lifespan="on",
        server_header=False,
        ws="websockets-sansio",
    )
