"""Response helpers the public routes share: JSON bodies, strong ETags, conditional GETs."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

__all__ = ["etag_of", "json_bytes", "not_modified", "send"]


def json_bytes(document: Mapping[str, Any] | list[Any]) -> bytes:
    """The JSON text of a stored document, byte-stable (key order as stored)."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def etag_of(body: bytes) -> str:
    """A strong entity tag (RFC 9110 §8.8.3): the SHA-256 of the exact bytes served."""
    digest = hashlib.sha256(body).digest()[:18]
    return '"' + base64.urlsafe_b64encode(digest).decode("ascii") + '"'


def _matches(if_none_match: str, etag: str) -> bool:
    if if_none_match.strip() == "*":
        return True
    # weak comparison for If-None-Match (RFC 9110 §13.1.2)
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return etag in tags


def not_modified(request: Request, etag: str) -> bool:
    header = request.headers.get("if-none-match")
    return header is not None and _matches(header, etag)


def send(
    request: Request,
    body: bytes,
    media_type: str,
    *,
    cache_control: str,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """``body`` with a strong ETag; 304 without a body when the client already has it."""
    etag = etag_of(body)
    all_headers = {"ETag": etag, "Cache-Control": cache_control, **(headers or {})}
    if not_modified(request, etag):
        return Response(status_code=304, headers=all_headers)
    return Response(body, media_type=media_type, headers=all_headers)
