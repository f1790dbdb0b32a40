"""createAchievement: a badge class of one of the organization's issuers (scope admin)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from vcengine.api.graphql.context import Context
from vcengine.api.graphql.errors import UserError
from vcengine.api.graphql.mutations._common import perform
from vcengine.api.graphql.types.achievement import Achievement
from vcengine.api.graphql.types.ids import record_id
from vcengine.services import achievements as use_case


@strawberry.input
class AlignmentInput:
    target_name: str
    target_url: str
    target_code: str | None = None
    target_description: str | None = None
    target_framework: str | None = None
    target_type: str | None = None


@strawberry.input
class ResultDescriptionInput:
    name: str
    result_type: str = strawberry.field(description="An OB 3.0 ResultType or an ext: extension.")
    allowed_values: list[str] = strawberry.field(default_factory=list)
    required_value: str | None = None
    value_min: str | None = None
    value_max: str | None = None


@strawberry.input
class CreateAchievementInput:
    issuer_id: strawberry.ID
    name: str
    description: str
    criteria_narrative: str | None = None
    criteria_url: str | None = None
    image_url: str | None = strawberry.field(default=None, description="Without one a badge is drawn.")
    achievement_type: str | None = strawberry.field(
        default=None, description="e.g. Badge, Certificate, ext:…"
    )
    alignments: list[AlignmentInput] = strawberry.field(default_factory=list)
    result_descriptions: list[ResultDescriptionInput] = strawberry.field(default_factory=list)
    tags: list[str] = strawberry.field(default_factory=list)


@strawberry.type
class CreateAchievementPayload:
    achievement: Achievement | None
    user_errors: list[UserError]


def _domain(input: CreateAchievementInput) -> use_case.AchievementInput:
    return use_case.AchievementInput(
        issuer_id=record_id(input.issuer_id, "Issuer", "issuerId"),
        name=input.name,
        description=input.description,
        criteria_narrative=input.criteria_narrative,
        criteria_url=input.criteria_url,
        image_url=input.image_url,
        achievement_type=input.achievement_type,
        alignments=[use_case.AlignmentInput(**vars(a)) for a in input.alignments],
        result_descriptions=[
            use_case.ResultDescriptionInput(
                name=r.name,
                result_type=r.result_type,
                allowed_values=tuple(r.allowed_values),
                required_value=r.required_value,
                value_min=r.value_min,
                value_max=r.value_max,
            )
            for r in input.result_descriptions
        ],
        tags=tuple(input.tags),
    )


async def create_achievement(
    info: Info[Context, Any], input: CreateAchievementInput
) -> CreateAchievementPayload:
    record, errors = await perform(info, lambda s, a: use_case.create_achievement(s, a, _domain(input)))
    return CreateAchievementPayload(
        achievement=Achievement.of(record) if record else None, user_errors=errors
    )
