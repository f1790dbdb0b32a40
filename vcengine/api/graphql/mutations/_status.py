"""Shared body of the six status mutations (revoke, suspend, unsuspend; one or many)."""

from __future__ import annotations

from typing import Any

from strawberry.types import Info

from vcengine.api.graphql.context import Context
from vcengine.api.graphql.errors import ErrorCode, UserError, user_errors
from vcengine.api.graphql.mutations._common import perform
from vcengine.api.graphql.types.credential import Credential
from vcengine.api.graphql.types.ids import record_id
from vcengine.errors import VcengineError
from vcengine.services import status_changes
from vcengine.services.status_changes import Action

__all__ = ["change"]


async def change(
    info: Info[Context, Any], ids: list[Any], action: Action, reason: str | None, *, single: bool
) -> tuple[list[Credential], list[UserError]]:
    """Credentials now in the target status, and userErrors (per id: field ``input.ids.<i>``)."""
    if reason is not None and len(reason) > 1000:
        return [], [
            UserError(field=["input", "reason"], message="at most 1,000 characters", code=ErrorCode.INVALID)
        ]
    decoded: dict[str, int] = {}
    errors: list[UserError] = []
    for i, value in enumerate(ids):
        where = ("input", "id") if single else ("input", "ids", str(i))
        try:
            decoded.setdefault(record_id(value, "Credential", ""), i)
        except VcengineError as exc:
            errors.extend(user_errors(exc, where))
    if not decoded and errors:
        return [], errors
    outcome, failures = await perform(
        info, lambda s, a: status_changes.change_status(s, a, list(decoded), action, reason=reason)
    )
    if outcome is None:
        return [], errors + failures
    for credential_id, failure in outcome.errors:
        i = decoded.get(credential_id, 0)
        errors.extend(user_errors(failure, ("input", "id") if single else ("input", "ids", str(i))))
    return [Credential.of(r) for r in outcome.changed], errors
