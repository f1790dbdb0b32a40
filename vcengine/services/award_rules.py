"""Award rules: which achievement an event of an integration earns (scope ``admin``, one
organization's). The trigger and its conditions are matched by ``core.lms.rules``; the options
say how the credential is issued (validity, status purpose, proof format).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, get_args

from vcengine.errors import InputError, NotFound
from vcengine.services.context import Actor, Services
from vcengine.services.integrations import get_integration
from vcengine.services.issuing import PROOF_FORMATS
from vcengine.services.ports import AwardRuleRecord, AwardTrigger

__all__ = [
    "MAX_MODULES",
    "TRIGGERS",
    "AwardRuleInput",
    "create_award_rule",
    "delete_award_rule",
    "list_award_rules",
]

TRIGGERS: tuple[AwardTrigger, ...] = get_args(AwardTrigger)
MAX_MODULES = 200


@dataclass(frozen=True, slots=True)
class AwardRuleInput:
    integration_id: str
    achievement_id: str
    trigger: AwardTrigger
    course_id: str | None = None
    quiz_id: str | None = None
    min_score: float | None = None
    min_percentage: float | None = None
    module_ids: Sequence[str] = ()
    match_all: bool = True
    tag: str | None = None
    percentage: float | None = None
    valid_for_seconds: int | None = None
    status_purpose: str = "revocation"
    proof_format: str = "eddsa-rdfc-2022"
    delivery: str | None = None  # EMAIL | NONE; None: issuing's default (email when SMTP is set)


def _conditions(r: AwardRuleInput) -> dict[str, Any]:
    needs = {
        "course_completed": (),
        "quiz_passed": (),
        "modules_completed": ("module_ids",),
        "tag_added": ("tag",),
        "enrollment_progress": ("percentage",),
    }[r.trigger]
    for name in needs:
        if not getattr(r, name):
            raise InputError(f"a {r.trigger} rule needs {name}", path=_camel(name))
    if r.trigger == "quiz_passed" and r.min_score is None and r.min_percentage is None:
        raise InputError("a quiz_passed rule needs minScore or minPercentage", path="minScore")
    for name in ("min_percentage", "percentage"):
        value = getattr(r, name)
        if value is not None and not 0 <= value <= 100:
            raise InputError("must be 0 to 100", path=_camel(name))
    if r.min_score is not None and r.min_score < 0:
        raise InputError("must be at least 0", path="minScore")
    if len(r.module_ids) > MAX_MODULES or any(not 0 < len(m) <= 200 for m in r.module_ids):
        raise InputError(f"at most {MAX_MODULES} ids of 1 to 200 characters", path="moduleIds")
    for name in ("course_id", "quiz_id", "tag"):
        value = getattr(r, name)
        if value is not None and not 0 < len(value) <= 200:
            raise InputError("must be 1 to 200 characters", path=_camel(name))
    out: dict[str, Any] = {
        "courseId": r.course_id,
        "quizId": r.quiz_id,
        "minScore": r.min_score,
        "minPercentage": r.min_percentage,
        "tag": r.tag,
        "percentage": r.percentage,
    }
    if r.trigger == "modules_completed":
        out.update(moduleIds=sorted(set(r.module_ids)), matchAll=r.match_all)
    return {k: v for k, v in out.items() if v is not None}


def _options(r: AwardRuleInput) -> dict[str, Any]:
    if r.valid_for_seconds is not None and not 60 <= r.valid_for_seconds <= 100 * 365 * 86400:
        raise InputError("must be 60 seconds to 100 years", path="validFor")
    if r.status_purpose not in ("revocation", "suspension"):
        raise InputError("must be revocation or suspension", path="statusPurpose")
    if r.proof_format not in PROOF_FORMATS:
        raise InputError(f"must be one of {', '.join(PROOF_FORMATS)}", path="proofFormat")
    if r.delivery not in (None, "EMAIL", "NONE"):
        raise InputError("must be EMAIL or NONE", path="delivery")
    out: dict[str, Any] = {"statusPurpose": r.status_purpose, "proofFormat": r.proof_format}
    if r.delivery is not None:
        out["delivery"] = r.delivery
    if r.valid_for_seconds is not None:
        out["validForSeconds"] = r.valid_for_seconds
    return out


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


async def create_award_rule(services: Services, actor: Actor, r: AwardRuleInput) -> AwardRuleRecord:
    """A rule of one of the org's integrations, awarding one of the org's achievements."""
    await get_integration(services, actor, r.integration_id)
    if await services.store.get_achievement(actor.org_id, r.achievement_id) is None:
        raise NotFound(f"no achievement {r.achievement_id}", path="achievementId")
    if r.trigger not in TRIGGERS:
        raise InputError(f"must be one of {', '.join(TRIGGERS)}", path="trigger")
    record = AwardRuleRecord(
        id=services.new_id(),
        org_id=actor.org_id,
        integration_id=r.integration_id,
        achievement_id=r.achievement_id,
        trigger=r.trigger,
        created_at=services.now(),
        conditions=_conditions(r),
        options=_options(r),
    )
    await services.store.create_award_rule(record)
    return record


async def list_award_rules(
    services: Services, actor: Actor, integration_id: str | None = None
) -> Sequence[AwardRuleRecord]:
    actor.require("admin")
    return await services.store.list_award_rules(actor.org_id, integration_id)


async def delete_award_rule(services: Services, actor: Actor, rule_id: str) -> None:
    actor.require("admin")
    if not await services.store.delete_award_rule(actor.org_id, rule_id):
        raise NotFound(f"no award rule {rule_id}", path="id")
