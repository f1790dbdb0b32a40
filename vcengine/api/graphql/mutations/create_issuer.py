"""createIssuer: a new issuer profile with a fresh signing key (scope admin)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from vcengine.api.graphql.context import Context
from vcengine.api.graphql.errors import UserError
from vcengine.api.graphql.mutations._common import perform
from vcengine.api.graphql.types.enums import IssuerKind
from vcengine.api.graphql.types.issuer import Issuer
from vcengine.services import issuers


@strawberry.input
class CreateIssuerInput:
    name: str
    kind: IssuerKind = IssuerKind.URL
    url: str | None = None
    email: str | None = None
    description: str | None = None
    image_url: str | None = None


@strawberry.type
class CreateIssuerPayload:
    issuer: Issuer | None
    user_errors: list[UserError]


async def create_issuer(info: Info[Context, Any], input: CreateIssuerInput) -> CreateIssuerPayload:
    data = issuers.IssuerInput(
        name=input.name,
        kind=input.kind.value,
        url=input.url,
        email=input.email,
        description=input.description,
        image=input.image_url,
    )
    record, errors = await perform(info, lambda s, a: issuers.create_issuer(s, a, data))
    return CreateIssuerPayload(issuer=Issuer.of(record) if record else None, user_errors=errors)
