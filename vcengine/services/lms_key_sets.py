"""The JWKS a Canvas integration's signed Live Events are checked against: fetched over HTTPS
from the integration's ``jwksUrl`` setting (``vcengine.fetch``: one deadline, a size limit),
kept in memory for ``TTL`` and fetched again early when a token names a key it lacks (Instructure
rotates its keys monthly). An integration without ``jwksUrl`` has no key set (None)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import anyio.to_thread

from vcengine.errors import ResolutionError
from vcengine.fetch import fetch_json
from vcengine.services.context import Services
from vcengine.services.ports import IntegrationRecord

__all__ = ["TTL_S", "key_set"]

TTL_S = 3600.0
_MIN_REFRESH_S = 10.0  # a flood of unknown kids fetches at most this often
MAX_BYTES = 64 * 1024


async def key_set(
    services: Services, integration: IntegrationRecord, *, refresh: bool = False
) -> Mapping[str, Any] | None:
    url = integration.settings.get("jwksUrl")
    if not url:
        return None
    key = f"lms-jwks:{url}"
    cached = services.cache.get(key)
    age = time.monotonic() - cached[0] if cached else None
    if cached and (age is not None) and (age < TTL_S and not (refresh and age >= _MIN_REFRESH_S)):
        return cached[1]  # type: ignore[no-any-return]
    doc = await anyio.to_thread.run_sync(lambda: fetch_json(str(url), max_bytes=MAX_BYTES))
    if not isinstance(doc, Mapping) or not isinstance(doc.get("keys"), list):
        raise ResolutionError(f"{url} is not a JWKS (no keys list)")
    services.cache[key] = (time.monotonic(), doc)
    return doc
