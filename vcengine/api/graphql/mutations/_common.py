"""Shared plumbing of the mutation modules: run a use case, turn expected failures into userErrors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from strawberry.types import Info

from vcengine.api.graphql.context import Context, actor_of
from vcengine.api.graphql.errors import EXPECTED, UserError, outage, overloaded, user_errors
from vcengine.errors import Overloaded, StoreError
from vcengine.services.context import Actor, Services

__all__ = ["perform"]

T = TypeVar("T")


async def perform(
    info: Info[Context, Any], operation: Callable[[Services, Actor], Awaitable[T]]
) -> tuple[T | None, list[UserError]]:
    """``(result, [])`` or ``(None, userErrors)``; no API key is a top-level UNAUTHENTICATED error,
    an unreachable store a top-level STORE_UNAVAILABLE one, a saturated or stopped verifier a
    top-level VERIFIER_BUSY / VERIFICATION_ABORTED one, answered with HTTP 503 + Retry-After."""
    actor = actor_of(info)
    try:
        return await operation(info.context.services, actor), []
    except EXPECTED as exc:
        return None, user_errors(exc)
    except StoreError as exc:
        raise outage(exc) from None
    except Overloaded as exc:
        response = info.context.response
        if response is not None:
            response.status_code = 503
            response.headers["Retry-After"] = "1"
        raise overloaded(exc) from None
