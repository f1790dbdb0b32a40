"""deleteAwardRule (scope admin): the rule stops awarding; what it issued stays issued."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from vcengine.api.graphql.context import Context
from vcengine.api.graphql.mutations._common import perform
from vcengine.api.graphql.mutations.delete_integration import DeletePayload
from vcengine.services import award_rules


@strawberry.input
class AwardRuleIdInput:
    id: strawberry.ID


async def delete_award_rule(info: Info[Context, Any], input: AwardRuleIdInput) -> DeletePayload:
    _, errors = await perform(info, lambda s, a: award_rules.delete_award_rule(s, a, str(input.id)))
    return DeletePayload(deleted_id=None if errors else input.id, user_errors=errors)
