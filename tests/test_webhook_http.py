"""The webhook POST against real sockets on 127.0.0.1: HTTPS with a certificate checked against
the host, one deadline for a silent server, a bounded read of an endless answer, no redirects,
and the address check on what the name resolves to."""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from tests.loopback_https import self_signed
from vcengine.errors import InputError
from vcengine.webhook_http import DeliveryFailed, post

pytestmark = pytest.mark.anyio

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@asynccontextmanager
async def serving(handler: Handler, context: ssl.SSLContext | None = None) -> AsyncIterator[int]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0, ssl=context)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


async def _request(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    length = int(
        next(
            line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
        )
    )
    return head, await reader.readexactly(length)


def answering(status: bytes, seen: list[tuple[bytes, bytes]] | None = None) -> Handler:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await _request(reader)
        if seen is not None:
            seen.append(request)
        writer.write(
            b"HTTP/1.1 " + status + b"\r\nContent-Length: 2\r\nLocation: https://elsewhere.example/\r\n\r\nok"
        )
        await writer.drain()
        writer.close()

    return handle


async def test_https_is_verified_against_the_host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    seen: list[tuple[bytes, bytes]] = []
    async with serving(answering(b"204 No Content", seen), context) as port:
        url = f"https://127.0.0.1:{port}/hook?x=1"
        with pytest.raises(DeliveryFailed, match="TLS failed"):  # not trusted yet
            await post(url, {"webhook-id": "m1"}, b"{}", allow_loopback=True)
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        status = await post(url, {"webhook-id": "m1"}, '{"é":1}'.encode(), allow_loopback=True)
    assert status == 204
    head, body = seen[0]
    assert head.startswith(b"POST /hook?x=1 HTTP/1.1\r\n") and b"\r\nwebhook-id: m1\r\n" in head
    assert b"\r\ncontent-type: application/json\r\n" in head and body == '{"é":1}'.encode()


async def test_a_silent_server_is_given_up_on_at_the_deadline() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _request(reader)
        await reader.read()  # until the client gives up and closes
        writer.close()

    async with serving(silent) as port:
        started = time.monotonic()
        with pytest.raises(DeliveryFailed, match=r"no answer within 0\.3 s"):
            await post(f"http://127.0.0.1:{port}/", {}, b"{}", timeout=0.3, allow_loopback=True)
        assert time.monotonic() - started < 2


async def test_an_endless_answer_is_read_only_so_far() -> None:
    async def endless(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        try:
            while True:
                writer.write(b"4000\r\n" + b"x" * 0x4000 + b"\r\n")
                await writer.drain()
        except (ConnectionError, OSError):
            pass

    async with serving(endless) as port:
        started = time.monotonic()
        assert await post(f"http://127.0.0.1:{port}/", {}, b"{}", timeout=5, allow_loopback=True) == 200
        assert time.monotonic() - started < 2


async def test_redirects_are_answers_not_followed() -> None:
    async with serving(answering(b"302 Found")) as port:
        assert await post(f"http://127.0.0.1:{port}/", {}, b"{}", allow_loopback=True) == 302


async def test_no_answer_and_refused_addresses() -> None:
    async with serving(answering(b"200 OK")) as port:
        pass  # closed: nothing listens there now
    with pytest.raises(DeliveryFailed, match=r"ConnectionRefusedError|Connect call failed"):
        await post(f"http://127.0.0.1:{port}/", {}, b"{}", allow_loopback=True)
    with pytest.raises(InputError, match="public addresses"):
        await post(f"http://localhost:{port}/", {}, b"{}")  # what the name resolves to is checked
    with pytest.raises(DeliveryFailed, match="does not resolve"):
        await post("https://no-such-host.invalid/", {}, b"{}")
