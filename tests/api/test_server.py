"""The server's bounds on slow and numerous clients (issue 7, finding 7), against a real
``vcengine serve``: a client gets ``--header-timeout`` seconds for its headers and
``--body-timeout`` for its body (else 408 and the connection is closed), headers are at most
16 KiB (else 431), and beyond ``--max-connections`` a request is answered 503.

Times are bounded loosely (a multiple of the timeout): the point is "cut off", not "how fast"."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import Served, serve_env
from vcengine.api.server import MAX_HEADER_BYTES

TIMEOUT = 1.0
KEEP_ALIVE = 3.0


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    server = Served(
        tmp_path_factory.mktemp("strict"),
        serve_env(),
        "--header-timeout",
        str(TIMEOUT),
        "--body-timeout",
        str(TIMEOUT),
        "--keep-alive-timeout",
        str(KEEP_ALIVE),
    )
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def _connect(server: Served) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    return sock


def _read_until_closed(sock: socket.socket, limit: float = 10) -> bytes:
    """Everything the server sends until it closes the connection (or ``limit`` seconds pass)."""
    out = b""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            chunk = sock.recv(4096)
        except TimeoutError:
            break
        except ConnectionResetError:
            return out
        if not chunk:
            return out
        out += chunk
    raise AssertionError(f"the server kept the connection open for {limit} s; got {out!r}")


def _drip(sock: socket.socket, data: bytes, interval: float = 0.2) -> float:
    """Send ``data`` a byte at a time until the server closes; the seconds it took."""
    started = time.monotonic()
    for i in range(len(data)):
        try:
            sock.sendall(data[i : i + 1])
        except (BrokenPipeError, ConnectionResetError):
            break
        time.sleep(interval)
    return time.monotonic() - started


def test_a_slowloris_client_is_cut_off_at_the_header_timeout(strict: Served) -> None:
    with _connect(strict) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        started = time.monotonic()
        # a header byte every 0.2 s, for up to 20 s: every byte is quick, the headers never end
        _drip(sock, b"X-Slow: " + b"a" * 100, interval=0.2)
        answer = _read_until_closed(sock)
        elapsed = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408 "), answer
    assert elapsed < 4 * TIMEOUT + 1, elapsed


def test_a_silent_connection_is_closed(strict: Served) -> None:
    with _connect(strict) as sock:
        started = time.monotonic()
        answer = _read_until_closed(sock)
        assert time.monotonic() - started < 4 * TIMEOUT + 1
    assert answer.startswith(b"HTTP/1.1 408 "), answer


def test_oversized_headers_are_refused_with_431(strict: Served) -> None:
    with _connect(strict) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * (MAX_HEADER_BYTES + 1))
        answer = _read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 431 "), answer


def test_a_slow_body_gets_408_and_the_connection_closed(strict: Served) -> None:
    head = (
        b"POST /credentials/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000\r\n\r\n"
    )
    for send_body in (lambda s: s.sendall(b'{"verifiableCredential": '), lambda s: _drip(s, b"[" * 200)):
        with _connect(strict) as sock:
            sock.sendall(head)
            started = time.monotonic()
            send_body(sock)
            answer = _read_until_closed(sock)
            elapsed = time.monotonic() - started
        assert answer.startswith(b"HTTP/1.1 408 "), answer
        assert b"application/problem+json" in answer and b"urn:vcengine:problem:request-timeout" in answer
        assert elapsed < 4 * TIMEOUT + 1, elapsed


def _read_response(sock: socket.socket) -> bytes:
    """One whole HTTP/1.1 response (headers, then Content-Length bytes of body): a single recv
    may return only part of it, or the body alone after the headers."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        ),
        0,
    )
    while len(body) < length:
        chunk = sock.recv(4096)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def test_an_idle_keep_alive_connection_is_not_a_slow_client(strict: Served) -> None:
    """Between requests, the keep-alive timeout (3 s) applies, not the header timeout (1 s); then
    the idle connection is closed, without an answer."""
    request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    with _connect(strict) as sock:
        for _ in range(2):
            sock.sendall(request)
            assert _read_response(sock).startswith(b"HTTP/1.1 200 ")
            time.sleep(2 * TIMEOUT)
        started = time.monotonic()
        assert _read_until_closed(sock) == b""
        assert time.monotonic() - started < 3 * KEEP_ALIVE


def test_a_client_gone_mid_body_logs_no_traceback(strict: Served) -> None:
    with _connect(strict) as sock:
        sock.sendall(
            b"POST /credentials/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000\r\n\r\n{"
        )
        time.sleep(0.2)
    time.sleep(0.5)
    with _connect(strict) as sock:  # the server is fine
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        assert _read_until_closed(sock).startswith(b"HTTP/1.1 200 ")
    assert "Traceback" not in strict.output, strict.output


def test_beyond_max_connections_requests_get_503(tmp_path: Path) -> None:
    capped = Served(tmp_path, serve_env(), "--max-connections", "3", "--header-timeout", "30")
    try:
        capped.wait_ready()
        time.sleep(0.2)  # wait_ready's own connections are closed
        held = [_connect(capped) for _ in range(3)]
        try:
            for sock in held:
                sock.sendall(b"GET /healthz HTTP/1.1\r\n")  # headers under way: a connection held
            time.sleep(0.2)
            with _connect(capped) as extra:
                extra.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                assert _read_until_closed(extra).startswith(b"HTTP/1.1 503 ")
        finally:
            for sock in held:
                sock.close()
        time.sleep(0.3)
        with _connect(capped) as sock:  # released: served again
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            assert _read_until_closed(sock).startswith(b"HTTP/1.1 200 ")
    finally:
        capped.stop()
