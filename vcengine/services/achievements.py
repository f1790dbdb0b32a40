"""Achievements (badge classes): the OB 3.0 Achievement an issuer awards, and its badge image.

https://www.imsglobal.org/spec/ob/v3p0/#achievement. The achievement's id is its URL under
``base_url``; without an image URL a plain badge is drawn (PNG and SVG, kept with the record)
and published at ``{achievement id}/image.png``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import anyio.to_thread

from vcengine.core.bake.badge_image import render_badge_png, render_badge_svg
from vcengine.core.model import (
    Achievement,
    Alignment,
    Criteria,
    Image,
    ResultDescription,
    is_absolute_uri,
)
from vcengine.errors import InputError, NotFound, SchemaError
from vcengine.services.context import Actor, Services
from vcengine.services.issuers import get_issuer
from vcengine.services.names import clean_name
from vcengine.services.ports import AchievementRecord, Page

__all__ = [
    "ACHIEVEMENT_TYPES",
    "RESULT_TYPES",
    "AchievementInput",
    "AlignmentInput",
    "ResultDescriptionInput",
    "create_achievement",
    "get_achievement",
    "list_achievements",
]

ACHIEVEMENT_TYPES = frozenset(
    [
        "Achievement",
        "ApprenticeshipCertificate",
        "Assessment",
        "Assignment",
        "AssociateDegree",
        "Award",
        "Badge",
        "BachelorDegree",
        "Certificate",
        "CertificateOfCompletion",
        "Certification",
        "CommunityService",
        "Competency",
        "Course",
        "CoCurricular",
        "Degree",
        "Diploma",
        "DoctoralDegree",
        "Fieldwork",
        "GeneralEducationDevelopment",
        "JourneymanCertificate",
        "LearningProgram",
        "License",
        "Membership",
        "ProfessionalDoctorate",
        "QualityAssuranceCredential",
        "MasterCertificate",
        "MasterDegree",
        "MicroCredential",
        "ResearchDoctorate",
        "SecondarySchoolDiploma",
    ]
)
RESULT_TYPES = frozenset(
    [
        "GradePointAverage",
        "LetterGrade",
        "Percent",
        "PerformanceLevel",
        "PredictedScore",
        "RawScore",
        "Result",
        "RubricCriterion",
        "RubricCriterionLevel",
        "RubricScore",
        "ScaledScore",
        "Status",
    ]
)
_EXT = re.compile(r"ext:[A-Za-z0-9.\-_|]+")
MAX_TEXT = 10_000
MAX_ITEMS = 50


@dataclass(frozen=True, slots=True)
class AlignmentInput:
    target_name: str
    target_url: str
    target_code: str | None = None
    target_description: str | None = None
    target_framework: str | None = None
    target_type: str | None = None


@dataclass(frozen=True, slots=True)
class ResultDescriptionInput:
    name: str
    result_type: str
    allowed_values: tuple[str, ...] = ()
    required_value: str | None = None
    value_min: str | None = None
    value_max: str | None = None


@dataclass(frozen=True, slots=True)
class AchievementInput:
    issuer_id: str
    name: str
    description: str
    criteria_narrative: str | None = None
    criteria_url: str | None = None
    image_url: str | None = None
    achievement_type: str | None = None
    alignments: Sequence[AlignmentInput] = ()
    result_descriptions: Sequence[ResultDescriptionInput] = ()
    tags: Sequence[str] = field(default_factory=tuple)


def _text(value: str | None, path: str, *, required: bool = False) -> str | None:
    if value is None or (not value.strip() and not required):
        if required:
            raise InputError("must not be empty", path=path)
        return None
    if required and not value.strip():
        raise InputError("must not be empty", path=path)
    if len(value) > MAX_TEXT:
        raise InputError(f"must be at most {MAX_TEXT} characters", path=path)
    return value


def _url(value: str | None, path: str) -> str | None:
    if value is None:
        return None
    if (
        len(value) > 2000
        or not is_absolute_uri(value)
        or not value.startswith(("https://", "http://", "data:"))
    ):
        raise InputError("must be an absolute http(s) or data: URL", path=path)
    return value


def _vocabulary(value: str | None, allowed: frozenset[str], path: str) -> str | None:
    if value is None or value in allowed or _EXT.fullmatch(value):
        return value
    raise InputError(f"{value[:40]!r} is neither an OB 3.0 value nor an ext: extension", path=path)


def _alignments(items: Sequence[AlignmentInput]) -> tuple[Alignment, ...]:
    if len(items) > MAX_ITEMS:
        raise InputError(f"at most {MAX_ITEMS} alignments", path="alignments")
    out = []
    for i, a in enumerate(items):
        path = f"alignments.{i}"
        out.append(
            Alignment(
                target_name=clean_name(a.target_name, f"{path}.targetName"),
                target_url=str(_url(a.target_url, f"{path}.targetUrl")),
                target_code=_text(a.target_code, f"{path}.targetCode"),
                target_description=_text(a.target_description, f"{path}.targetDescription"),
                target_framework=_text(a.target_framework, f"{path}.targetFramework"),
                target_type=_text(a.target_type, f"{path}.targetType"),
            )
        )
    return tuple(out)


def _results(achievement_id: str, items: Sequence[ResultDescriptionInput]) -> tuple[ResultDescription, ...]:
    if len(items) > MAX_ITEMS:
        raise InputError(f"at most {MAX_ITEMS} result descriptions", path="resultDescriptions")
    out = []
    for i, r in enumerate(items):
        path = f"resultDescriptions.{i}"
        out.append(
            ResultDescription(
                id=f"{achievement_id}#result-{i + 1}",
                name=clean_name(r.name, f"{path}.name"),
                result_type=str(_vocabulary(r.result_type, RESULT_TYPES, f"{path}.resultType")),
                allowed_value=tuple(
                    clean_name(v, f"{path}.allowedValues") for v in r.allowed_values[:MAX_ITEMS]
                ),
                required_value=_text(r.required_value, f"{path}.requiredValue"),
                value_min=_text(r.value_min, f"{path}.valueMin"),
                value_max=_text(r.value_max, f"{path}.valueMax"),
            )
        )
    return tuple(out)


async def create_achievement(services: Services, actor: Actor, data: AchievementInput) -> AchievementRecord:
    """A new achievement of one of the caller's issuers (needs ``admin``)."""
    actor.require("admin")
    issuer = await get_issuer(services, actor, data.issuer_id)
    record_id = services.new_id()
    achievement_id = f"{services.base_url}/achievements/{record_id}"
    name = clean_name(data.name)
    narrative = _text(data.criteria_narrative, "criteriaNarrative")
    criteria_url = _url(data.criteria_url, "criteriaUrl")
    if narrative is None and criteria_url is None:
        raise InputError("give a criteria narrative or a criteria URL", path="criteriaNarrative")
    if len(data.tags) > MAX_ITEMS:
        raise InputError(f"at most {MAX_ITEMS} tags", path="tags")
    image_url = _url(data.image_url, "imageUrl")
    try:
        achievement = Achievement(
            id=achievement_id,
            name=name,
            description=str(_text(data.description, "description", required=True)),
            criteria=Criteria(id=criteria_url, narrative=narrative),
            achievement_type=_vocabulary(data.achievement_type, ACHIEVEMENT_TYPES, "achievementType"),
            image=Image(image_url or f"{achievement_id}/image.png", caption=name),
            alignment=_alignments(data.alignments),
            result_description=_results(achievement_id, data.result_descriptions),
            tag=tuple(clean_name(t, "tags") for t in data.tags),
        ).to_json()
    except SchemaError as exc:
        raise InputError(exc.message) from None
    png = svg = None
    if image_url is None:
        issuer_name = str(issuer.profile.get("name") or "")
        png, svg = await anyio.to_thread.run_sync(_render, name, issuer_name)
    record = AchievementRecord(record_id, actor.org_id, issuer.id, achievement, services.now(), png, svg)
    await services.store.create_achievement(record)
    return record


def _render(name: str, issuer_name: str) -> tuple[bytes, bytes]:
    return render_badge_png(name, issuer_name, size=400), render_badge_svg(name, issuer_name)


async def get_achievement(services: Services, actor: Actor, achievement_id: str) -> AchievementRecord:
    actor.require("read")
    record = await services.store.get_achievement(actor.org_id, achievement_id)
    if record is None:
        raise NotFound(f"no achievement {achievement_id}", path="achievementId")
    return record


async def list_achievements(services: Services, actor: Actor, after: str | None, limit: int) -> Page:
    actor.require("read")
    return await services.store.list_achievements(actor.org_id, after, limit)
