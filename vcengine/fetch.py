"""HTTPS fetching for ``--online``: HTTPS only, one total deadline, a size limit. Outside the core.

Never used for JSON-LD contexts (those are bundled, closed world). Used only when the user
asks for ``--online`` to resolve did:web / https verification methods, status lists, or the
documents an Open Badges 2.0 badge links to (``410 Gone`` is ``DocumentGone``: a revoked hosted
assertion).

- Only ``https`` URLs are fetched, and a redirect is followed only to another ``https`` URL (a
  downgrade to plain HTTP is refused, each hop is checked), at most ``MAX_REDIRECTS`` times.
- ``timeout`` bounds the whole fetch — connect, TLS handshake, every read, every redirect hop —
  not each socket operation: a server that sends one byte every few seconds would otherwise
  hold a fetch for as long as it likes. urllib has no such deadline, so the TLS sockets get one:
  before each operation their timeout is set to the time left (``_DeadlineSocket``).
- The answer is at most ``max_bytes`` and must be strict JSON (``core.jsontext``).

urllib is kept (rather than ``http.client`` by hand) for its redirect rules and proxy support
(``https_proxy`` and ``no_proxy`` from the environment).

One exception to HTTPS only, for a service running on this machine (``vcengine serve`` without
TLS issues ``http://127.0.0.1:8000/...`` ids): with ``allow_http_loopback=True`` (the CLI's
``--allow-http-loopback``) a plain ``http`` URL is fetched when its host is ``localhost`` or a
loopback address literal (127.0.0.0/8, ::1), never through a proxy, with the same deadline and
size limit; a redirect may go to https, or to http on a loopback host. Nothing on the network can
answer such a request, so it is as trustworthy as the machine itself.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from http.client import HTTPMessage
from typing import IO, Any

from vcengine.core import jsontext
from vcengine.errors import DocumentGone, HttpStatusError, InputError, ResolutionError

__all__ = ["MAX_BYTES", "MAX_REDIRECTS", "TIMEOUT_S", "did_web_url", "fetch_json", "is_loopback_http"]

TIMEOUT_S = 5.0
MAX_BYTES = 1024 * 1024
MAX_REDIRECTS = 3


def did_web_url(did: str) -> str:
    """did:web method §3.2 Read: did:web:example.com:user -> https://example.com/user/did.json."""
    parts = did[len("did:web:") :].split(":")
    host = urllib.parse.unquote(parts[0])
    path = "/".join(parts[1:])
    return f"https://{host}/{path}/did.json" if path else f"https://{host}/.well-known/did.json"


class _Deadline:
    """The monotonic time by which the whole fetch must be done."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        """Seconds left; ``TimeoutError`` (an ``OSError``, as a socket timeout is) when none are."""
        left = self.end - time.monotonic()
        if left <= 0:
            raise TimeoutError("the fetch deadline passed")
        return left

    @property
    def passed(self) -> bool:
        return time.monotonic() >= self.end


class _DeadlineSocket(ssl.SSLSocket):
    """An SSL socket whose every handshake, read and write may take only the fetch's time left.

    (CPython's SSL operations loop internally against one deadline of the socket's timeout, so
    setting the timeout before each call bounds the call.)"""

    deadline: _Deadline

    def do_handshake(self, block: bool = False) -> None:
        self.settimeout(self.deadline.remaining())
        super().do_handshake(block)

    def recv(self, buflen: int = 1024, flags: int = 0) -> bytes:
        self.settimeout(self.deadline.remaining())
        return super().recv(buflen, flags)

    def recv_into(self, buffer: Any, nbytes: int | None = None, flags: int = 0) -> int:
        self.settimeout(self.deadline.remaining())
        return super().recv_into(buffer, nbytes, flags)

    def sendall(self, data: Any, flags: int = 0) -> None:
        self.settimeout(self.deadline.remaining())
        super().sendall(data, flags)


def is_loopback_http(url: str) -> bool:
    """``http://localhost…`` or ``http://`` a loopback address literal (127.0.0.0/8, ``[::1]``)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        return False
    host = parts.hostname.rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):  # RFC 6761 §6.3: always loopback
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _DeadlinePlainSocket(socket.socket):
    """A plain TCP socket whose every read and write may take only the fetch's time left."""

    deadline: _Deadline

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        self.settimeout(self.deadline.remaining())
        return super().recv_into(buffer, nbytes, flags)

    def sendall(self, data: Any, flags: int = 0) -> None:
        self.settimeout(self.deadline.remaining())
        super().sendall(data, flags)


class _LoopbackHTTPHandler(urllib.request.HTTPHandler):
    """Plain HTTP to a loopback host only, under the fetch's one deadline."""

    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self.deadline = deadline

    def http_open(self, req: urllib.request.Request) -> Any:
        if not is_loopback_http(req.full_url):
            raise ResolutionError(f"refusing to fetch {req.full_url!r}: plain http only from a loopback host")
        deadline = self.deadline

        class Connection(http.client.HTTPConnection):
            def connect(self) -> None:
                self.timeout = deadline.remaining()
                super().connect()
                plain = self.sock
                bounded = _DeadlinePlainSocket(plain.family, plain.type, plain.proto, fileno=plain.detach())
                bounded.deadline = deadline
                self.sock = bounded

        return self.do_open(Connection, req)


class _DeadlineHTTPSHandler(urllib.request.HTTPSHandler):
    """Connects (each hop) with at most the time left; TLS sockets keep to the deadline."""

    def __init__(self, deadline: _Deadline) -> None:
        context = ssl.create_default_context()
        context.sslsocket_class = type("_FetchSocket", (_DeadlineSocket,), {"deadline": deadline})
        super().__init__(context=context)
        self.deadline = deadline

    def https_open(self, req: urllib.request.Request) -> Any:
        req.timeout = self.deadline.remaining()
        return super().https_open(req)


class _HttpsOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow at most ``MAX_REDIRECTS`` redirects, each to an ``https`` URL."""

    max_redirections = MAX_REDIRECTS
    allow_http_loopback = False

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        allowed = urllib.parse.urlsplit(newurl).scheme == "https" or (
            self.allow_http_loopback and is_loopback_http(newurl)
        )
        if not allowed:
            fp.close()
            raise ResolutionError(
                f"refusing to follow the redirect from {req.full_url} to {newurl}: "
                "only https URLs are fetched"
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener(deadline: _Deadline, allow_http_loopback: bool) -> Callable[..., Any]:
    if not allow_http_loopback:
        return urllib.request.build_opener(_DeadlineHTTPSHandler(deadline), _HttpsOnlyRedirects).open
    redirects = _HttpsOnlyRedirects()
    redirects.allow_http_loopback = True
    proxies = {scheme: url for scheme, url in urllib.request.getproxies().items() if scheme != "http"}
    return urllib.request.build_opener(
        urllib.request.ProxyHandler(proxies),  # a loopback request never goes through a proxy
        _DeadlineHTTPSHandler(deadline),
        _LoopbackHTTPHandler(deadline),
        redirects,
    ).open


def fetch_json(
    url: str,
    *,
    timeout: float = TIMEOUT_S,
    max_bytes: int = MAX_BYTES,
    allow_http_loopback: bool = False,
    authorization: str | None = None,
) -> Any:
    """GET ``url`` over HTTPS (did:web is mapped to its HTTPS URL) and parse JSON, bounded.

    ``allow_http_loopback`` also lets plain ``http`` reach a loopback host (see the module
    docstring). ``410 Gone`` raises ``DocumentGone`` (a ``ResolutionError``): the document was
    withdrawn. ``authorization`` is sent as the ``Authorization`` header of this request only,
    never to where it redirects.
    """
    target = did_web_url(url.split("#")[0]) if url.startswith("did:web:") else url.split("#")[0]
    if urllib.parse.urlsplit(target).scheme != "https" and not (
        allow_http_loopback and is_loopback_http(target)
    ):
        hint = (
            " (plain http only from a loopback host, with --allow-http-loopback)"
            if (urllib.parse.urlsplit(target).scheme == "http")
            else ""
        )
        raise ResolutionError(f"refusing to fetch {target!r}: only https URLs are fetched{hint}")
    deadline = _Deadline(timeout)
    request = urllib.request.Request(target, headers={"Accept": "application/json, application/ld+json"})
    if authorization is not None:
        request.add_unredirected_header("Authorization", authorization)
    try:
        with _opener(deadline, allow_http_loopback)(request) as resp:
            data = resp.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        exc.close()  # the error carries the open response
        if 300 <= exc.code < 400:
            raise ResolutionError(f"could not fetch {target}: more than {MAX_REDIRECTS} redirects") from None
        if exc.code == 410:
            raise DocumentGone(f"{target} answers HTTP 410 Gone") from None
        raise HttpStatusError(f"could not fetch {target}: HTTP {exc.code}", exc.code) from None
    except (OSError, ValueError) as exc:
        if deadline.passed:
            raise ResolutionError(
                f"could not fetch {target}: no complete answer within {deadline.seconds:g} s"
            ) from None
        raise ResolutionError(f"could not fetch {target}: {exc}") from None
    if len(data) > max_bytes:
        raise ResolutionError(f"{target} is larger than {max_bytes} bytes")
    try:
        return jsontext.loads(data)
    except InputError as exc:
        raise ResolutionError(f"{target} did not return JSON: {exc.message}") from None
