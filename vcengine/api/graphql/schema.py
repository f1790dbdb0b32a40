"""The GraphQL schema: queries, one module per mutation, subscriptions, and the request limits.

Limits (passed as factories, never instances): depth 10, 30 aliases, 4,000 tokens per document,
and the cost of verification (``cost``: at most 10 ``verifyCredential`` per request, weighed by
their input).
Errors raised by resolvers are masked unless they carry an explicit ``extensions.code``.
Each distinct document is parsed once (``ParserCache``) and validated once against the fixed
rules (``validation_cache``); the cost rule runs on every request.
"""

from __future__ import annotations

import strawberry
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
)
from strawberry.types import ExecutionContext

from graphql import GraphQLError
from vcengine.api.graphql.cost import VerificationCost
from vcengine.api.graphql.errors import log_errors, should_mask
from vcengine.api.graphql.mutations import Mutation
from vcengine.api.graphql.queries import Query
from vcengine.api.graphql.subscriptions import Subscription
from vcengine.api.graphql.types.achievement import Achievement
from vcengine.api.graphql.types.credential import Credential
from vcengine.api.graphql.types.issuer import Issuer
from vcengine.api.graphql.validation_cache import CachedValidation

__all__ = ["MAX_ALIASES", "MAX_DEPTH", "MAX_TOKENS", "schema"]

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 4000


class _Schema(strawberry.Schema):
    """Logs client errors as one short line, bugs with their traceback (``errors.log_errors``)."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        log_errors(errors)


schema = _Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    types=[Issuer, Achievement, Credential],
    extensions=[
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        VerificationCost,
        lambda: ParserCache(maxsize=256),
        CachedValidation,
        lambda: MaskErrors(should_mask_error=should_mask),
    ],
)
