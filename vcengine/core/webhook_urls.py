"""Which webhook endpoint URLs and addresses vcengine will POST to.

An endpoint is ``https`` and must not reach into the service's own network: every address its
host resolves to must be a global unicast address — no loopback, private (RFC 1918, ULA),
link-local (cloud metadata at 169.254.169.254), shared (100.64/10), multicast, reserved or
unspecified one, and no IPv4 address dressed as IPv6 (``::ffff:10.0.0.1``). The URL is checked
when the endpoint is created or changed, and the address at every delivery, against the address
actually connected to (a name may resolve elsewhere later: DNS rebinding).

``allow_loopback`` (``vcengine serve --dev``, for tests and local development) also accepts
``http`` and loopback hosts. Pure: resolving is the caller's job.
"""

from __future__ import annotations

import ipaddress
import urllib.parse

from vcengine.errors import InputError

__all__ = ["MAX_URL_LENGTH", "check_address", "check_endpoint_url"]

MAX_URL_LENGTH = 2048

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _unwrapped(address: IPAddress) -> IPAddress:
    if isinstance(address, ipaddress.IPv6Address):
        for inner in (address.ipv4_mapped, address.sixtofour):
            if inner is not None:
                return inner
        if address.teredo is not None:
            return address.teredo[1]
    return address


def check_address(address: str, *, allow_loopback: bool = False) -> None:
    """``InputError`` unless ``address`` (an IP literal) may receive webhooks."""
    try:
        ip = _unwrapped(ipaddress.ip_address(address.split("%", 1)[0]))
    except ValueError:
        raise InputError(f"{address!r} is not an IP address", path="url") from None
    if allow_loopback and ip.is_loopback:
        return
    if not ip.is_global or ip.is_multicast or ip.is_reserved or ip.is_unspecified:
        raise InputError(
            f"the endpoint resolves to {ip}, a private, loopback, link-local or reserved address: "
            "webhooks are only sent to public addresses",
            path="url",
        )


def check_endpoint_url(url: str, *, allow_loopback: bool = False) -> str:
    """The URL as it will be used, or ``InputError`` saying what is wrong with it."""
    if len(url) > MAX_URL_LENGTH:
        raise InputError(f"the URL is longer than {MAX_URL_LENGTH} characters", path="url")
    try:
        parts = urllib.parse.urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise InputError(f"not a URL: {exc}", path="url") from None
    schemes = ("https", "http") if allow_loopback else ("https",)
    if parts.scheme not in schemes:
        raise InputError(
            "a webhook endpoint URL must be https (http only with vcengine serve --dev)", path="url"
        )
    host = parts.hostname
    if not host:
        raise InputError("the URL has no host", path="url")
    if parts.username is not None or parts.password is not None:
        raise InputError("the URL must not carry a user name or password", path="url")
    if parts.fragment:
        raise InputError("the URL must not have a #fragment", path="url")
    if port == 0:
        raise InputError("port 0 is not a port", path="url")
    if host == "localhost" or host.endswith(".localhost"):
        if not allow_loopback:
            raise InputError("localhost receives webhooks only with vcengine serve --dev", path="url")
    else:
        try:
            ipaddress.ip_address(host)
        except ValueError:
            pass  # a name: its addresses are checked when a delivery connects
        else:
            check_address(host, allow_loopback=allow_loopback)
    return urllib.parse.urlunsplit(parts)
