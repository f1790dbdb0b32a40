"""bulkIssueJson: bulkIssue with its items as one JSON value, the fast path for big batches (scope issue).

Each item is an ``IssueCredentialInput`` object, exactly as in bulkIssue, and is checked against
that input type by graphql-core (``coerce_input_value``): the same rules and messages, item by
item, a bad item failing alone. What this path saves is the GraphQL server's conversion of every
field of every typed input object: strawberry's ``convert_argument`` took 0.66 s for 10,000
items (66 µs an item, the largest cost of a bulk call in the main process), graphql-core's
coercion 0.08 s. The coerced item becomes an ``IssueCredentialInput`` here, by hand; a test checks
this agrees with strawberry's conversion for every field.
"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql.utilities import coerce_input_value, validate_input_value
from strawberry.scalars import JSON
from strawberry.types import Info

from graphql import GraphQLError, GraphQLInputObjectType, Undefined
from vcengine.api.graphql.context import Context
from vcengine.api.graphql.errors import ErrorCode, UserError
from vcengine.api.graphql.mutations._common import perform
from vcengine.api.graphql.mutations.bulk_issue import BulkIssuePayload, issue_requests, nothing_issued
from vcengine.api.graphql.mutations.issue_credential import (
    EvidenceInput,
    IssueCredentialInput,
    RecipientInput,
)
from vcengine.errors import InputError, VcengineError
from vcengine.services import issuing
from vcengine.services.context import Actor, Services

__all__ = ["BulkIssueJsonInput", "bulk_issue_json", "input_of"]

_MAX_MESSAGE = 300  # graphql-core quotes the whole item in some messages


@strawberry.input
class BulkIssueJsonInput:
    items: JSON = strawberry.field(
        description="A JSON array of up to 10,000 IssueCredentialInput objects (as in bulkIssue)."
    )
    bulk_id: str | None = strawberry.field(default=None, description="Names the progress events.")


def input_of(coerced: dict[str, Any]) -> IssueCredentialInput:
    """An item as graphql-core coerced it (every field present, defaults filled in) as the
    ``IssueCredentialInput`` strawberry would have built."""
    recipient = coerced["recipient"]
    return IssueCredentialInput(
        achievement_id=coerced["achievementId"],
        recipient=RecipientInput(
            email=recipient["email"], identifier=recipient["identifier"], name=recipient["name"]
        ),
        evidence=[
            EvidenceInput(
                url=e["url"], narrative=e["narrative"], name=e["name"], description=e["description"]
            )
            for e in coerced["evidence"]
        ],
        valid_until=coerced["validUntil"],
        proof_format=coerced["proofFormat"],
        idempotency_key=coerced["idempotencyKey"],
        status_purpose=coerced["statusPurpose"],
        delivery=coerced["delivery"],
    )


def _request(item: Any, item_type: GraphQLInputObjectType) -> issuing.IssueRequest:
    if not isinstance(item, dict):
        raise InputError(f"must be an IssueCredentialInput object, not {_json_kind(item)}")
    coerced = coerce_input_value(item, item_type)
    if coerced is Undefined:  # refused: graphql-core says why (the first reason is enough)
        errors: list[InputError] = []

        def refuse(error: GraphQLError, path: list[str | int]) -> None:
            if not errors:
                where = ".".join(str(p) for p in path) or None
                errors.append(InputError(error.message[:_MAX_MESSAGE], path=where))

        validate_input_value(item, item_type, refuse)
        raise errors[0] if errors else InputError("not an IssueCredentialInput object")
    return input_of(coerced).to_domain()


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    return {list: "an array", str: "a string", bool: "a boolean"}.get(type(value), "a number")


def _refused(message: str) -> BulkIssuePayload:
    return nothing_issued([UserError(field=["input", "items"], message=message, code=ErrorCode.INVALID)])


async def _require_issue(_: Services, actor: Actor) -> None:
    actor.require("issue")


async def bulk_issue_json(info: Info[Context, Any], input: BulkIssueJsonInput) -> BulkIssuePayload:
    items = input.items
    if not isinstance(items, list) or not 1 <= len(items) <= issuing.MAX_BULK:
        # The key and its scope are judged first, as bulkIssue does: a caller without them learns
        # nothing about the input.
        _, errors = await perform(info, _require_issue)
        if errors:
            return nothing_issued(errors)
        if isinstance(items, list) and items:
            return _refused(f"give 1 to {issuing.MAX_BULK} items, not {len(items)}")
        return _refused("must be a non-empty JSON array of IssueCredentialInput objects")
    item_type = info.schema.schema_converter.from_input_object(IssueCredentialInput)
    requests: list[issuing.IssueRequest | None] = []
    bad: dict[int, VcengineError] = {}
    for i, item in enumerate(items):
        try:
            requests.append(_request(item, item_type))
        except VcengineError as exc:
            requests.append(None)
            bad[i] = exc
    return await issue_requests(info, requests, bad, input.bulk_id)
