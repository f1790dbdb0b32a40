"""Paging of ``getCredentials`` (OB 3.0 §6.2.3 "Paging"): ``X-Total-Count`` and RFC 8288
``Link`` headers with the ``first`` and ``last`` pages always, ``next`` while the page is not the
last and ``prev`` after an offset."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

__all__ = ["paging_headers"]


def _link(url: str, query: Mapping[str, str], offset: int, limit: int, rel: str) -> str:
    params = {**query, "offset": str(offset), "limit": str(limit)}
    return f'<{url}?{urlencode(params)}>; rel="{rel}"'


def paging_headers(url: str, query: Mapping[str, str], offset: int, limit: int, total: int) -> dict[str, str]:
    """The headers of the page at ``offset`` of ``limit`` items out of ``total``; ``url`` is the
    collection's URL and ``query`` the other query parameters to keep (``since``)."""
    last = max(0, (total - 1) // limit * limit)
    links = [_link(url, query, 0, limit, "first")]
    if offset + limit < total:
        links.append(_link(url, query, offset + limit, limit, "next"))
    if offset > 0:
        links.append(_link(url, query, max(0, offset - limit), limit, "prev"))
    links.append(_link(url, query, last, limit, "last"))
    return {"X-Total-Count": str(total), "Link": ", ".join(links)}
