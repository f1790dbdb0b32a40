"""Keyset cursor connections over the store's ``Page``.

A cursor is ``base64url(JSON [store cursor, skip])``: the position ``skip`` items after the store's
keyset cursor. The last edge of a page that has a next page points at the store's own ``next``
(skip 0), so cursors never grow; any other edge needs one bounded re-read. ``first`` is 1..100.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable
from typing import Any

from strawberry import relay

from vcengine.api.graphql.errors import coded
from vcengine.core import jsontext
from vcengine.errors import InputError, JsonError
from vcengine.services.ports import Page

__all__ = ["MAX_FIRST", "decode_cursor", "encode_cursor", "page"]

MAX_FIRST = 100


def encode_cursor(after: str | None, skip: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([after, skip]).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[str | None, int]:
    if cursor is None:
        return None, 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        after, skip = jsontext.loads(text, max_bytes=1024)
        if (after is None or isinstance(after, str)) and isinstance(skip, int) and 0 <= skip <= MAX_FIRST:
            return after, skip
    except (ValueError, TypeError, UnicodeDecodeError, JsonError):
        pass
    raise coded("after is not a cursor of this connection", "BAD_USER_INPUT")


async def page(
    fetch: Callable[[str | None, int], Awaitable[Page]], first: int, after: str | None
) -> tuple[list[tuple[str, Any]], relay.PageInfo]:
    """``(cursor, item)`` pairs and page info for ``first`` items after ``after``."""
    if not 1 <= first <= MAX_FIRST:
        raise coded(f"first must be between 1 and {MAX_FIRST}", "BAD_USER_INPUT")
    store_after, skip = decode_cursor(after)
    try:
        result = await fetch(store_after, skip + first)
    except InputError:
        raise coded("after is not a cursor of this connection", "BAD_USER_INPUT") from None
    items = list(result.items)[skip:]
    edges = [(encode_cursor(store_after, skip + i + 1), item) for i, item in enumerate(items)]
    if edges and result.next is not None:
        edges[-1] = (encode_cursor(result.next, 0), edges[-1][1])
    info = relay.PageInfo(
        has_next_page=result.next is not None,
        has_previous_page=after is not None,
        start_cursor=edges[0][0] if edges else None,
        end_cursor=edges[-1][0] if edges else None,
    )
    return edges, info
