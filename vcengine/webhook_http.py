"""POST one webhook delivery: resolve the host, check every address, connect, one deadline.

The address check (``core.webhook_urls.check_address``) runs on what the host resolves to *now*
and the connection goes to one of those checked addresses — not to the name again — so a name
that resolved to a public address when the endpoint was created cannot be pointed at the
service's own network later (DNS rebinding). If any address of the name is refused, the
delivery is refused. TLS verifies the certificate against the host name (SNI), as usual.

HTTP/1.1 with ``h11``; no proxies, no redirects (a 3xx is an answer like any other: not a
success), and at most ``MAX_ANSWER_BYTES`` of the answer are read. ``timeout`` bounds the whole
exchange: resolving, connecting, the TLS handshake, sending and reading the answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import urllib.parse
from collections.abc import Mapping

import h11

from vcengine.core.webhook_urls import check_address
from vcengine.errors import VcengineError

__all__ = ["MAX_ANSWER_BYTES", "DeliveryFailed", "post"]

MAX_ANSWER_BYTES = 64 * 1024
USER_AGENT = "vcengine-webhooks/1"


class DeliveryFailed(VcengineError):
    """No HTTP answer: the name did not resolve, the connection failed or timed out, TLS failed."""


async def post(
    url: str, headers: Mapping[str, str], body: bytes, *, timeout: float = 15.0, allow_loopback: bool = False
) -> int:
    """POST ``body`` to ``url``; the HTTP status of the answer. ``InputError`` when an address of
    the host is not one webhooks go to; ``DeliveryFailed`` when there is no answer."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    try:
        async with asyncio.timeout(timeout):
            address = await _resolve(host, port, allow_loopback)
            return await _exchange(parts, host, address, port, https, headers, body)
    except TimeoutError:
        raise DeliveryFailed(f"no answer within {timeout:g} s") from None
    except ssl.SSLError as exc:
        raise DeliveryFailed(f"TLS failed: {exc.reason or exc}") from None
    except (OSError, h11.ProtocolError) as exc:
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from None


async def _resolve(host: str, port: int, allow_loopback: bool) -> str:
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise DeliveryFailed(f"{host} does not resolve: {exc.strerror}") from None
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise DeliveryFailed(f"{host} does not resolve")
    for address in addresses:
        check_address(address, allow_loopback=allow_loopback)
    return addresses[0]


async def _exchange(
    parts: urllib.parse.SplitResult,
    host: str,
    address: str,
    port: int,
    https: bool,
    headers: Mapping[str, str],
    body: bytes,
) -> int:
    context = ssl.create_default_context() if https else None
    reader, writer = await asyncio.open_connection(
        address, port, ssl=context, server_hostname=host if https else None
    )
    try:
        conn = h11.Connection(our_role=h11.CLIENT)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        authority = parts.netloc.rpartition("@")[2]
        fields = [
            ("host", authority),
            ("user-agent", USER_AGENT),
            ("content-type", "application/json"),
            ("content-length", str(len(body))),
            ("connection", "close"),
            *headers.items(),
        ]
        request = h11.Request(method="POST", target=target, headers=fields)
        writer.write(conn.send(request) + conn.send(h11.Data(data=body)) + conn.send(h11.EndOfMessage()))
        await writer.drain()
        return await _answer(conn, reader)
    finally:
        writer.close()
        with contextlib.suppress(OSError, ssl.SSLError):
            await writer.wait_closed()


async def _answer(conn: h11.Connection, reader: asyncio.StreamReader) -> int:
    """The status of the final answer, as soon as its head is read: a receiver that answers and
    then keeps the connection open has answered (its body is not read)."""
    status, read = 0, 0
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            chunk = await reader.read(16 * 1024)
            read += len(chunk)
            conn.receive_data(chunk)
            if not chunk and status:
                return status
            continue
        if isinstance(event, h11.Response):
            return int(event.status_code)
        elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed) or read > MAX_ANSWER_BYTES:
            if not status:
                raise DeliveryFailed("the connection closed without an answer")
            return status
