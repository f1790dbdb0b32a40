"""The six status mutations, from one table: revoke, suspend and unsuspend, one credential or many
(scope revoke). Each affected status list is re-signed once per call, for the whole batch.

``revokeCredential(input: {id, reason, publicReason})`` → ``{credential, userErrors}``;
``revokeCredentials(input: {ids, reason, publicReason})`` → ``{credentials, userErrors}``; the
same for suspend and unsuspend (no ``publicReason``). ``reason`` (at most 1,000 characters) stays
private, kept with the change's event; ``publicReason`` is shown on the credential's public pages
with the date it was revoked (``services.status_notices``). Revoking a revoked credential one at a
time is an INVALID_TRANSITION user error; batches stay idempotent. Per-id failures are userErrors
on ``input.id`` / ``input.ids.<i>``; the other ids still change.

The input and payload types are made from the table (their GraphQL names and fields are those
the schema has always had), so a seventh change is a row, not a module.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import strawberry
from strawberry.types import Info

from vcengine.api.graphql.context import Context
from vcengine.api.graphql.errors import ErrorCode, UserError, user_errors
from vcengine.api.graphql.mutations._common import perform
from vcengine.api.graphql.types.credential import Credential
from vcengine.api.graphql.types.ids import record_id
from vcengine.errors import VcengineError
from vcengine.services import status_changes, status_notices
from vcengine.services.context import Actor, Services
from vcengine.services.status_changes import Action

__all__ = ["STATUS_MUTATIONS", "change"]

MAX_REASON = 1000


@dataclass(frozen=True, slots=True)
class _Row:
    field: str  # the mutation's Python name (strawberry camel-cases it)
    type_name: str  # the prefix of its input and payload type names
    action: Action
    many: bool

    @property
    def public(self) -> bool:
        """Whether the change can carry a reason published on the credential's pages."""
        return self.action == "revoke"


_TABLE = (
    _Row("revoke_credential", "RevokeCredential", "revoke", False),
    _Row("revoke_credentials", "RevokeCredentials", "revoke", True),
    _Row("suspend_credential", "SuspendCredential", "suspend", False),
    _Row("suspend_credentials", "SuspendCredentials", "suspend", True),
    _Row("unsuspend_credential", "UnsuspendCredential", "unsuspend", False),
    _Row("unsuspend_credentials", "UnsuspendCredentials", "unsuspend", True),
)


async def change(
    info: Info[Context, Any], ids: list[Any], action: Action, reason: str | None, *, single: bool
) -> tuple[list[Credential], list[UserError]]:
    """Credentials now in the target status, and userErrors (per id: field ``input.ids.<i>``)."""
    if reason is not None and len(reason) > MAX_REASON:
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


def _types(row: _Row) -> tuple[type, type]:
    """The row's input and payload types, as strawberry types named after the row."""
    target = "credentials" if row.many else "credential"
    annotations: dict[str, Any] = {"ids": list[strawberry.ID]} if row.many else {"id": strawberry.ID}
    annotations["reason"] = str | None
    namespace: dict[str, Any] = {
        "reason": strawberry.field(default=None, description="Kept private (the change's event).")
    }
    if row.public:
        annotations["public_reason"] = str | None
        namespace["public_reason"] = strawberry.field(
            default=None, description="Shown on the credential's public pages, with the date it was revoked."
        )
    input_type = type(f"{row.type_name}Input", (), {"__annotations__": annotations, **namespace})
    payload_fields = {
        target: list[Credential] if row.many else Credential | None,
        "user_errors": list[UserError],
    }
    payload_type = type(f"{row.type_name}Payload", (), {"__annotations__": payload_fields})
    return strawberry.input(input_type), strawberry.type(payload_type)


async def _check_public(
    services: Services, actor: Actor, row: _Row, ids: list[Any], public_reason: str | None
) -> str | None:
    """The reason to publish; for one credential, INVALID_TRANSITION if it is revoked already."""
    public = status_notices.check_public_reason(public_reason)
    if not row.many:
        try:
            credential_id = record_id(ids[0], "Credential", "")
        except VcengineError:
            return public  # ``change`` reports the id
        await status_notices.check_revocable(services, actor, credential_id)
    return public


def _resolver(row: _Row) -> Callable[..., Awaitable[Any]]:
    input_type, payload_type = _types(row)

    def payload(changed: list[Credential], errors: list[UserError]) -> Any:
        if row.many:
            return payload_type(credentials=changed, user_errors=errors)
        return payload_type(credential=None if errors or not changed else changed[0], user_errors=errors)

    async def resolve(info: Info[Context, Any], input: Any) -> Any:
        ids = list(input.ids) if row.many else [input.id]
        public: str | None = None
        if row.public:
            reason = input.public_reason
            public, errors = await perform(info, lambda s, a: _check_public(s, a, row, ids, reason))
            if errors:
                return payload([], errors)
        changed, errors = await change(info, ids, row.action, input.reason, single=not row.many)
        if row.public and changed:
            store = info.context.services.store
            records = [r for c in changed if (r := await store.find_credential(c.record_id)) is not None]
            _, failed = await perform(
                info, lambda s, a: status_notices.publish_revocations(s, a, records, public)
            )
            errors = errors + failed
        return payload(changed, errors)

    resolve.__name__ = row.field
    resolve.__annotations__ = {"info": Info[Context, Any], "input": input_type, "return": payload_type}
    return resolve


#: Mutation field name (Python) -> its strawberry mutation, for ``Mutation``.
STATUS_MUTATIONS: dict[str, Any] = {row.field: strawberry.mutation(resolver=_resolver(row)) for row in _TABLE}
