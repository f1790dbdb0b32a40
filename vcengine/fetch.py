"""HTTPS fetching for ``--online``: HTTPS only, a timeout, and a size limit. Outside the core.

Never used for JSON-LD contexts (those are bundled, closed world). Used only when the user
asks for ``--online`` to resolve did:web / https verification methods or status lists.
"""

from __future__ import annotations

import ssl
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from vcengine.core import jsontext
from vcengine.errors import InputError, ResolutionError

__all__ = ["did_web_url", "fetch_json"]

TIMEOUT_S = 5.0
MAX_BYTES = 1024 * 1024


def did_web_url(did: str) -> str:
    """did:web method §3.2 Read: did:web:example.com:user -> https://example.com/user/did.json."""
    parts = did[len("did:web:") :].split(":")
    host = urllib.parse.unquote(parts[0])
    path = "/".join(parts[1:])
    return f"https://{host}/{path}/did.json" if path else f"https://{host}/.well-known/did.json"


def fetch_json(url: str, *, timeout: float = TIMEOUT_S, max_bytes: int = MAX_BYTES) -> Any:
    """GET ``url`` over HTTPS (did:web is mapped to its HTTPS URL) and parse JSON, bounded."""
    target = did_web_url(url.split("#")[0]) if url.startswith("did:web:") else url.split("#")[0]
    if urllib.parse.urlsplit(target).scheme != "https":
        raise ResolutionError(f"refusing to fetch {target!r}: only https URLs are fetched")
    request = urllib.request.Request(target, headers={"Accept": "application/json, application/ld+json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=ssl.create_default_context()) as resp:
            data = resp.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        exc.close()  # the error carries the open response
        raise ResolutionError(f"could not fetch {target}: HTTP {exc.code}") from None
    except (OSError, ValueError) as exc:
        raise ResolutionError(f"could not fetch {target}: {exc}") from None
    if len(data) > max_bytes:
        raise ResolutionError(f"{target} is larger than {max_bytes} bytes")
    try:
        return jsontext.loads(data)
    except InputError as exc:
        raise ResolutionError(f"{target} did not return JSON: {exc.message}") from None
