"""generateIssuerKey: add an active signing key to an issuer (scope admin)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from vcengine.api.graphql.context import Context
from vcengine.api.graphql.errors import UserError
from vcengine.api.graphql.mutations._common import perform
from vcengine.api.graphql.types.enums import KeyMethod
from vcengine.api.graphql.types.ids import record_id
from vcengine.api.graphql.types.issuer import IssuerKey
from vcengine.services import issuers


@strawberry.input
class GenerateIssuerKeyInput:
    issuer_id: strawberry.ID
    method: KeyMethod = KeyMethod.ISSUER


@strawberry.type
class GenerateIssuerKeyPayload:
    key: IssuerKey | None
    user_errors: list[UserError]


async def generate_issuer_key(
    info: Info[Context, Any], input: GenerateIssuerKeyInput
) -> GenerateIssuerKeyPayload:
    async def run(services: Any, actor: Any) -> Any:
        issuer = record_id(input.issuer_id, "Issuer", "issuerId")
        return await issuers.generate_key(services, actor, issuer, input.method.value)

    record, errors = await perform(info, run)
    return GenerateIssuerKeyPayload(key=IssuerKey.of(record) if record else None, user_errors=errors)
