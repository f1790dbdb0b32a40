# mypy: disable-error-code="untyped-decorator"
"""LMS integrations, their award rules and the events they received (never their secrets)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from vcengine.api.graphql.context import Context, actor_of
from vcengine.api.graphql.types.achievement import Achievement
from vcengine.api.graphql.types.credential import Credential
from vcengine.api.graphql.types.delivery import DeliveryMethod
from vcengine.api.graphql.types.enums import ProofFormat, StatusPurpose
from vcengine.services import integrations
from vcengine.services.ports import AwardRuleRecord, IntegrationEventRecord, IntegrationRecord

__all__ = [
    "AwardRule",
    "AwardTrigger",
    "Integration",
    "IntegrationEvent",
    "IntegrationEventConnection",
    "IntegrationEventEdge",
    "IntegrationEventOutcome",
    "IntegrationPlatform",
]


@strawberry.enum(description="Where an integration's events come from.")
class IntegrationPlatform(Enum):
    MOODLE = "moodle"
    CANVAS = "canvas"
    TALENTLMS = "talentlms"
    TEACHABLE = "teachable"
    THINKIFIC = "thinkific"
    KAJABI = "kajabi"
    ZAPIER = "zapier"
    MAKE = "make"
    GENERIC = strawberry.enum_value("generic", description="Any sender of Standard Webhooks.")


@strawberry.enum(description="What an award rule waits for.")
class AwardTrigger(Enum):
    COURSE_COMPLETED = "course_completed"
    QUIZ_PASSED = "quiz_passed"
    MODULES_COMPLETED = "modules_completed"
    TAG_ADDED = "tag_added"
    ENROLLMENT_PROGRESS = "enrollment_progress"


@strawberry.enum(description="What processing a received event decided.")
class IntegrationEventOutcome(Enum):
    PENDING = "pending"
    ISSUED = "issued"
    DUPLICATE = "duplicate"
    NO_RULE = "no_rule"
    REJECTED = "rejected"
    FAILED = "failed"


@strawberry.type
class IntegrationSetting:
    name: str
    value: str


@strawberry.type(description="An award rule: an event of the integration that earns an achievement.")
class AwardRule:
    id: strawberry.ID
    integration_id: strawberry.ID
    trigger: AwardTrigger
    course_id: str | None = strawberry.field(description="Null: any course.")
    quiz_id: str | None
    min_score: float | None
    min_percentage: float | None
    module_ids: list[str]
    match_all: bool = strawberry.field(description="MODULES_COMPLETED: all of moduleIds (else any).")
    tag: str | None
    percentage: float | None = strawberry.field(description="ENROLLMENT_PROGRESS: at least this much.")
    valid_for_seconds: int | None = strawberry.field(description="Credentials expire this long after issue.")
    status_purpose: StatusPurpose
    proof_format: ProofFormat
    delivery: DeliveryMethod | None = strawberry.field(description="Null: issuing's default.")
    created_at: datetime
    achievement_record_id: strawberry.Private[str]

    @classmethod
    def of(cls, r: AwardRuleRecord) -> AwardRule:
        c, o = r.conditions, r.options
        return cls(
            id=strawberry.ID(r.id),
            integration_id=strawberry.ID(r.integration_id),
            trigger=AwardTrigger(r.trigger),
            course_id=c.get("courseId"),
            quiz_id=c.get("quizId"),
            min_score=c.get("minScore"),
            min_percentage=c.get("minPercentage"),
            module_ids=list(c.get("moduleIds", [])),
            match_all=bool(c.get("matchAll", True)),
            tag=c.get("tag"),
            percentage=c.get("percentage"),
            valid_for_seconds=o.get("validForSeconds"),
            status_purpose=StatusPurpose(o.get("statusPurpose", "revocation")),
            proof_format=ProofFormat(o.get("proofFormat", "eddsa-rdfc-2022")),
            delivery=DeliveryMethod(o["delivery"]) if o.get("delivery") else None,
            created_at=r.created_at,
            achievement_record_id=r.achievement_id,
        )

    @strawberry.field(description="Null if the achievement was deleted.")
    async def achievement(self, info: Info[Context, Any]) -> Achievement | None:
        record = await info.context.achievement(self.achievement_record_id)
        return Achievement.of(record) if record else None


@strawberry.type(description="A connection to an LMS (or Zapier, Make, any Standard Webhooks sender).")
class Integration:
    id: strawberry.ID
    platform: IntegrationPlatform
    name: str
    webhook_url: str = strawberry.field(description="Where the platform posts its events.")
    paused: bool = strawberry.field(description="Events are kept, and processed once resumed.")
    settings: list[IntegrationSetting]
    has_api_token: bool = strawberry.field(description="Whether a platform API token is set (never shown).")
    created_at: datetime
    updated_at: datetime | None

    @classmethod
    def of(cls, record: IntegrationRecord, info: Info[Context, Any]) -> Integration:
        return cls(
            id=strawberry.ID(record.id),
            platform=IntegrationPlatform(record.platform),
            name=record.name,
            webhook_url=integrations.webhook_url(info.context.services, record),
            paused=record.paused,
            settings=[IntegrationSetting(name=k, value=str(v)) for k, v in sorted(record.settings.items())],
            has_api_token=record.sealed_api_token is not None,
            created_at=record.created_at,
            updated_at=record.updated_at,
        )

    @strawberry.field
    async def award_rules(self, info: Info[Context, Any]) -> list[AwardRule]:
        actor = actor_of(info, "admin")
        rules = await info.context.services.store.list_award_rules(actor.org_id, str(self.id))
        return [AwardRule.of(r) for r in rules]


@strawberry.type(description="An event an integration received, and what became of it.")
class IntegrationEvent:
    id: strawberry.ID
    integration_id: strawberry.ID
    source_event_id: str = strawberry.field(description="The platform's id of the event.")
    received_at: datetime
    type: str = strawberry.field(description="course_completed, quiz_passed, module_completed, …")
    learner_email: str | None = strawberry.field(description="Null when the platform sent only its user id.")
    learner_id: str | None = strawberry.field(description="The platform's id of the learner, if sent.")
    course_id: str | None
    outcome: IntegrationEventOutcome
    reason: str | None = strawberry.field(description="Why: for NO_RULE, REJECTED, FAILED and DUPLICATE.")
    processed_at: datetime | None
    credential_ids: strawberry.Private[tuple[str, ...]]

    @classmethod
    def of(cls, r: IntegrationEventRecord) -> IntegrationEvent:
        course = r.event.get("course") or {}
        return cls(
            id=strawberry.ID(r.id),
            integration_id=strawberry.ID(r.integration_id),
            source_event_id=r.source_event_id,
            received_at=r.received_at,
            type=str(r.event.get("event", "")),
            learner_email=(r.event.get("learner") or {}).get("email"),
            learner_id=(r.event.get("learner") or {}).get("id"),
            course_id=course.get("id"),
            outcome=IntegrationEventOutcome(r.outcome),
            reason=r.reason,
            processed_at=r.processed_at,
            credential_ids=r.credential_ids,
        )

    @strawberry.field(description="What it issued (ISSUED), or found issued already (DUPLICATE).")
    async def credentials(self, info: Info[Context, Any]) -> list[Credential]:
        actor = actor_of(info, "read")
        store = info.context.services.store
        found = [await store.get_credential(actor.org_id, i) for i in self.credential_ids]
        return [Credential.of(r) for r in found if r is not None]


@strawberry.type
class IntegrationEventEdge:
    cursor: str
    node: IntegrationEvent


@strawberry.type
class IntegrationEventConnection:
    edges: list[IntegrationEventEdge]
    page_info: relay.PageInfo
