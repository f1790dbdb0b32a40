"""createAwardRule: which achievement an integration's event earns (scope admin)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from vcengine.api.graphql.context import Context
from vcengine.api.graphql.errors import UserError
from vcengine.api.graphql.mutations._common import perform
from vcengine.api.graphql.types.delivery import DeliveryMethod
from vcengine.api.graphql.types.enums import ProofFormat, StatusPurpose
from vcengine.api.graphql.types.ids import record_id
from vcengine.api.graphql.types.integration import AwardRule, AwardTrigger
from vcengine.services import award_rules


@strawberry.input(description="The conditions a trigger needs; the others must be left out.")
class CreateAwardRuleInput:
    integration_id: strawberry.ID
    achievement_id: strawberry.ID
    trigger: AwardTrigger
    course_id: str | None = strawberry.field(default=None, description="Null: any course.")
    quiz_id: str | None = strawberry.field(default=None, description="QUIZ_PASSED; null: any quiz.")
    min_score: float | None = strawberry.field(default=None, description="QUIZ_PASSED: at least this score.")
    min_percentage: float | None = strawberry.field(
        default=None, description="QUIZ_PASSED: at least this percentage of the maximum score."
    )
    module_ids: list[str] = strawberry.field(default_factory=list, description="MODULES_COMPLETED.")
    match_all: bool = strawberry.field(default=True, description="MODULES_COMPLETED: all (else any).")
    tag: str | None = strawberry.field(default=None, description="TAG_ADDED: the tag's name.")
    percentage: float | None = strawberry.field(default=None, description="ENROLLMENT_PROGRESS: at least.")
    valid_for_seconds: int | None = strawberry.field(default=None, description="Null: no expiry.")
    status_purpose: StatusPurpose = StatusPurpose.REVOCATION
    proof_format: ProofFormat = ProofFormat.EDDSA_RDFC_2022
    delivery: DeliveryMethod | None = strawberry.field(
        default=None, description="EMAIL or NONE; null: email when the learner has one and SMTP is set."
    )


@strawberry.type
class CreateAwardRulePayload:
    award_rule: AwardRule | None
    user_errors: list[UserError]


def _domain(i: CreateAwardRuleInput) -> award_rules.AwardRuleInput:
    return award_rules.AwardRuleInput(
        integration_id=record_id(i.integration_id, "Integration", "integrationId"),
        achievement_id=record_id(i.achievement_id, "Achievement", "achievementId"),
        trigger=i.trigger.value,
        course_id=i.course_id,
        quiz_id=i.quiz_id,
        min_score=i.min_score,
        min_percentage=i.min_percentage,
        module_ids=tuple(i.module_ids),
        match_all=i.match_all,
        tag=i.tag,
        percentage=i.percentage,
        valid_for_seconds=i.valid_for_seconds,
        status_purpose=i.status_purpose.value,
        proof_format=i.proof_format.value,
        delivery=None if i.delivery is None else i.delivery.value,
    )


async def create_award_rule(info: Info[Context, Any], input: CreateAwardRuleInput) -> CreateAwardRulePayload:
    rule, errors = await perform(info, lambda s, a: award_rules.create_award_rule(s, a, _domain(input)))
    return CreateAwardRulePayload(award_rule=AwardRule.of(rule) if rule else None, user_errors=errors)
