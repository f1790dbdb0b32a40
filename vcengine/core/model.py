"""Open Badges 3.0 data model: builders that emit the JSON, views that read it.

JSON stays the source of truth. Builders are frozen dataclasses whose ``to_json()`` returns
exactly the JSON OB 3.0 expects (https://www.imsglobal.org/spec/ob/v3p0/#data-model); views
are read-only accessors over a credential dict as received, tolerant of the string-or-array
forms that OB 3.0 §Serialization allows (https://www.imsglobal.org/spec/ob/v3p0/#serialization).

Builders never read a clock or draw random numbers: the credential ``id``, ``validFrom`` and
any identity ``salt`` are arguments. Serialization rules applied by every builder:
``type`` is an array, complex values are objects (``Image`` too), ``None`` and empty values
of optional properties are omitted, dates are ``YYYY-MM-DDTHH:MM:SSZ``.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Literal

from vcengine.core.contexts import OB_CONTEXT, OB_EXTENSIONS_CONTEXT, VC_V2_CONTEXT
from vcengine.core.dates import format_date_time
from vcengine.errors import InputError, SchemaError

__all__ = [
    "ACHIEVEMENT_CREDENTIAL_SCHEMA",
    "OB_CONTEXT_PATTERN",
    "OB_TYPES",
    "Achievement",
    "AchievementSubject",
    "Alignment",
    "Criteria",
    "Evidence",
    "IdentityObject",
    "Image",
    "OpenBadgeCredential",
    "Profile",
    "Result",
    "ResultDescription",
    "RubricCriterionLevel",
    "as_list",
    "copy_json",
    "identity_hash",
    "is_absolute_uri",
    "matches_identity",
]

#: ``@context[1]`` of an OB 3.0 credential (official JSON Schema).
OB_CONTEXT_PATTERN = re.compile(
    r"^https:\/\/purl\.imsglobal\.org\/spec\/ob\/v3p0\/context(-3\.\d\.\d)*\.json$"
)
OB_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential"})
ACHIEVEMENT_CREDENTIAL_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)

_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s\x00-\x1f\x7f]+")
_HASH_ALGORITHMS = ("sha256", "md5")


# The same type IRIs, contexts and issuer ids are checked many times per credential and per
# batch; a bounded memo of the (pure) answer turns most of those regex runs into one hash lookup.
_REMEMBERED_URI_LENGTH = 256


def is_absolute_uri(value: object) -> bool:
    """True for an absolute URI (RFC 3986 ``scheme ":" …``) with no whitespace or controls."""
    if type(value) is str and len(value) <= _REMEMBERED_URI_LENGTH:
        return _is_short_absolute_uri(value)
    return isinstance(value, str) and _URI.fullmatch(value) is not None


@lru_cache(maxsize=2048)
def _is_short_absolute_uri(value: str) -> bool:
    return _URI.fullmatch(value) is not None


def as_list(value: Any) -> list[Any]:
    """A value that OB 3.0 allows as one item or an array, as a list (absent → empty)."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


# --- IdentityHash (https://www.imsglobal.org/spec/ob/v3p0/#identityhash) ------------------


def identity_hash(value: str, salt: str = "", alg: str = "sha256") -> str:
    """``<alg>$<hex>`` of UTF-8(value + salt), e.g. ``sha256$b5809d8a…`` for a hashed email.

    ``alg`` is ``sha256`` or ``md5`` (the two IdentityHash algorithms OB 3.0 names).
    """
    if alg not in _HASH_ALGORITHMS:
        raise InputError(f"unsupported identity hash algorithm {alg!r}")
    digest = hashlib.new(alg, (value + salt).encode("utf-8"), usedforsecurity=False).hexdigest()
    return f"{alg}${digest}"


def matches_identity(identifier: Mapping[str, Any], value: str) -> bool:
    """Recipient check (OB 3.0 §Verification, step 5) of a known ``value`` against one IdentityObject.

    Hashed identities are recomputed with the object's salt and compared in constant time;
    hex is compared case-insensitively. Plaintext identities compare exactly.
    """
    stored = identifier.get("identityHash")
    if not isinstance(stored, str):
        return False
    if identifier.get("hashed") is not True:
        return hmac.compare_digest(stored.encode(), value.encode())
    alg, sep, _ = stored.partition("$")
    if not sep or alg.lower() not in _HASH_ALGORITHMS:
        return False
    salt = identifier.get("salt")
    expected = identity_hash(value, salt if isinstance(salt, str) else "", alg.lower())
    return hmac.compare_digest(expected.lower().encode(), stored.lower().encode())


# --- builders ----------------------------------------------------------------------------


def copy_json(value: Any) -> Any:
    """A deep copy of a JSON value (dicts, lists, scalars): ~3x faster than ``copy.deepcopy``,
    which every issued credential pays for its achievement. Anything else is deep-copied."""
    kind = type(value)
    if kind is dict:
        return {key: copy_json(item) for key, item in value.items()}
    if kind is list:
        return [copy_json(item) for item in value]
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value
    return copy.deepcopy(value)


def _json(value: Any) -> Any:
    if hasattr(value, "to_json"):
        return value.to_json()
    if isinstance(value, datetime):
        return format_date_time(value)
    if isinstance(value, tuple | list):
        return [_json(item) for item in value]
    if isinstance(value, Mapping):
        return copy_json(dict(value))
    return value


def _object(required: Mapping[str, Any], **optional: Any) -> dict[str, Any]:
    """Required properties always; optional ones only when not None/empty (OB 3.0 §Serialization)."""
    out = {key: _json(value) for key, value in required.items()}
    for key, value in optional.items():
        if value is None or (isinstance(value, str | tuple | list | Mapping) and len(value) == 0):
            continue
        out[key] = _json(value)
    return out


def _require_uri(value: str | None, name: str, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not is_absolute_uri(value):
        raise SchemaError(f"{name} must be an absolute URI, got {value!r:.60}")


@dataclass(frozen=True, slots=True)
class Image:
    """Image: ``{"id", "type": "Image", "caption"?}``; ``id`` is a URL or a data: URI."""

    id: str
    caption: str | None = None

    def __post_init__(self) -> None:
        _require_uri(self.id, "Image.id")

    def to_json(self) -> dict[str, Any]:
        return _object({"id": self.id, "type": "Image"}, caption=self.caption)


@dataclass(frozen=True, slots=True)
class Criteria:
    """Criteria: a URL of a human-readable page and/or a Markdown ``narrative``."""

    id: str | None = None
    narrative: str | None = None

    def __post_init__(self) -> None:
        _require_uri(self.id, "Criteria.id", optional=True)

    def to_json(self) -> dict[str, Any]:
        return _object({}, id=self.id, narrative=self.narrative)


@dataclass(frozen=True, slots=True)
class Alignment:
    """Alignment to a framework item (https://www.imsglobal.org/spec/ob/v3p0/#alignment)."""

    target_name: str
    target_url: str
    target_code: str | None = None
    target_description: str | None = None
    target_framework: str | None = None
    target_type: str | None = None

    def __post_init__(self) -> None:
        _require_uri(self.target_url, "Alignment.targetUrl")

    def to_json(self) -> dict[str, Any]:
        return _object(
            {"type": ["Alignment"], "targetName": self.target_name, "targetUrl": self.target_url},
            targetCode=self.target_code,
            targetDescription=self.target_description,
            targetFramework=self.target_framework,
            targetType=self.target_type,
        )


@dataclass(frozen=True, slots=True)
class RubricCriterionLevel:
    id: str
    name: str
    description: str | None = None
    level: str | None = None
    points: str | None = None
    alignment: tuple[Alignment, ...] = ()

    def __post_init__(self) -> None:
        _require_uri(self.id, "RubricCriterionLevel.id")

    def to_json(self) -> dict[str, Any]:
        return _object(
            {"id": self.id, "type": ["RubricCriterionLevel"], "name": self.name},
            description=self.description,
            level=self.level,
            points=self.points,
            alignment=self.alignment,
        )


@dataclass(frozen=True, slots=True)
class ResultDescription:
    """ResultDescription: how a Result of this achievement is expressed (``resultType``)."""

    id: str
    name: str
    result_type: str
    allowed_value: tuple[str, ...] = ()
    required_level: str | None = None
    required_value: str | None = None
    value_max: str | None = None
    value_min: str | None = None
    rubric_criterion_level: tuple[RubricCriterionLevel, ...] = ()
    alignment: tuple[Alignment, ...] = ()

    def __post_init__(self) -> None:
        _require_uri(self.id, "ResultDescription.id")

    def to_json(self) -> dict[str, Any]:
        return _object(
            {"id": self.id, "type": ["ResultDescription"], "name": self.name, "resultType": self.result_type},
            alignment=self.alignment,
            allowedValue=self.allowed_value,
            requiredLevel=self.required_level,
            requiredValue=self.required_value,
            rubricCriterionLevel=self.rubric_criterion_level,
            valueMax=self.value_max,
            valueMin=self.value_min,
        )


@dataclass(frozen=True, slots=True)
class Result:
    """Result: ``resultDescription`` is the id of a ResultDescription of the achievement."""

    result_description: str | None = None
    achieved_level: str | None = None
    status: str | None = None
    value: str | None = None
    alignment: tuple[Alignment, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return _object(
            {"type": ["Result"]},
            resultDescription=self.result_description,
            achievedLevel=self.achieved_level,
            status=self.status,
            value=self.value,
            alignment=self.alignment,
        )


@dataclass(frozen=True, slots=True)
class Evidence:
    id: str | None = None
    narrative: str | None = None
    name: str | None = None
    description: str | None = None
    genre: str | None = None
    audience: str | None = None

    def __post_init__(self) -> None:
        _require_uri(self.id, "Evidence.id", optional=True)

    def to_json(self) -> dict[str, Any]:
        return _object(
            {"type": ["Evidence"]},
            id=self.id,
            narrative=self.narrative,
            name=self.name,
            description=self.description,
            genre=self.genre,
            audience=self.audience,
        )


@dataclass(frozen=True, slots=True)
class Profile:
    """Profile of an issuer, creator or source (https://www.imsglobal.org/spec/ob/v3p0/#profile)."""

    id: str
    name: str | None = None
    url: str | None = None
    email: str | None = None
    phone: str | None = None
    description: str | None = None
    image: Image | None = None
    official: str | None = None

    def __post_init__(self) -> None:
        _require_uri(self.id, "Profile.id")
        _require_uri(self.url, "Profile.url", optional=True)

    def to_json(self) -> dict[str, Any]:
        return _object(
            {"id": self.id, "type": ["Profile"]},
            name=self.name,
            url=self.url,
            phone=self.phone,
            description=self.description,
            image=self.image,
            email=self.email,
            official=self.official,
        )


@dataclass(frozen=True, slots=True)
class Achievement:
    """Achievement (https://www.imsglobal.org/spec/ob/v3p0/#achievement).

    ``achievement_type`` is one of the AchievementType values or an ``ext:`` extension.
    """

    id: str
    name: str
    description: str
    criteria: Criteria
    achievement_type: str | None = None
    image: Image | None = None
    creator: Profile | None = None
    alignment: tuple[Alignment, ...] = ()
    result_description: tuple[ResultDescription, ...] = ()
    credits_available: float | None = None
    field_of_study: str | None = None
    human_code: str | None = None
    in_language: str | None = None
    specialization: str | None = None
    tag: tuple[str, ...] = ()
    version: str | None = None

    def __post_init__(self) -> None:
        _require_uri(self.id, "Achievement.id")

    def to_json(self) -> dict[str, Any]:
        return _object(
            {
                "id": self.id,
                "type": ["Achievement"],
                "criteria": self.criteria,
                "description": self.description,
                "name": self.name,
            },
            achievementType=self.achievement_type,
            alignment=self.alignment,
            creator=self.creator,
            creditsAvailable=self.credits_available,
            fieldOfStudy=self.field_of_study,
            humanCode=self.human_code,
            image=self.image,
            inLanguage=self.in_language,
            resultDescription=self.result_description,
            specialization=self.specialization,
            tag=self.tag,
            version=self.version,
        )


@dataclass(frozen=True, slots=True)
class IdentityObject:
    """A recipient identifier (IdentityObject); build hashed ones with :meth:`hashed_from`."""

    identity_hash: str
    identity_type: str = "emailAddress"
    hashed: bool = True
    salt: str | None = None

    @classmethod
    def hashed_from(
        cls,
        value: str,
        salt: str,
        identity_type: str = "emailAddress",
        alg: str = "sha256",
    ) -> IdentityObject:
        """``identityHash = <alg>$hex(<alg>(value + salt))``; the caller supplies the random salt."""
        return cls(identity_hash(value, salt, alg), identity_type, True, salt)

    def to_json(self) -> dict[str, Any]:
        return _object(
            {
                "type": "IdentityObject",
                "identityHash": self.identity_hash,
                "identityType": self.identity_type,
                "hashed": self.hashed,
            },
            salt=self.salt,
        )


@dataclass(frozen=True, slots=True)
class AchievementSubject:
    """The earner: ``id`` and/or at least one ``identifier`` MUST be supplied."""

    achievement: Achievement
    id: str | None = None
    identifier: tuple[IdentityObject, ...] = ()
    result: tuple[Result, ...] = ()
    image: Image | None = None
    narrative: str | None = None
    activity_start_date: datetime | None = None
    activity_end_date: datetime | None = None
    credits_earned: float | None = None
    license_number: str | None = None
    role: str | None = None
    term: str | None = None
    source: Profile | None = None

    def __post_init__(self) -> None:
        _require_uri(self.id, "AchievementSubject.id", optional=True)
        if self.id is None and not self.identifier:
            raise SchemaError("AchievementSubject needs an id or at least one identifier")

    def to_json(self) -> dict[str, Any]:
        return _object(
            {"type": ["AchievementSubject"]},
            id=self.id,
            activityEndDate=self.activity_end_date,
            activityStartDate=self.activity_start_date,
            creditsEarned=self.credits_earned,
            achievement=self.achievement,
            identifier=self.identifier,
            image=self.image,
            licenseNumber=self.license_number,
            narrative=self.narrative,
            result=self.result,
            role=self.role,
            source=self.source,
            term=self.term,
        )


@dataclass(frozen=True, slots=True)
class OpenBadgeCredential:
    """An unsigned OpenBadgeCredential (alias AchievementCredential), VCDM 2.0.

    ``credential_status`` is an entry built elsewhere (e.g. a BitstringStatusListEntry).
    ``with_schema`` adds the OB ``credentialSchema`` reference and the extensions context
    that defines ``1EdTechJsonSchemaValidator2019``.
    """

    id: str
    issuer: Profile
    valid_from: datetime
    credential_subject: AchievementSubject
    valid_until: datetime | None = None
    name: str | None = None
    description: str | None = None
    image: Image | None = None
    awarded_date: datetime | None = None
    evidence: tuple[Evidence, ...] = ()
    credential_status: Mapping[str, Any] | None = None
    with_schema: bool = False
    type_name: Literal["OpenBadgeCredential", "AchievementCredential"] = "OpenBadgeCredential"

    def __post_init__(self) -> None:
        _require_uri(self.id, "credential id")
        for moment in (self.valid_from, self.valid_until, self.awarded_date):
            if moment is not None:
                format_date_time(moment)  # refuses naive datetimes now, not at to_json()
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise SchemaError("validUntil is before validFrom")

    def to_json(self) -> dict[str, Any]:
        contexts = [VC_V2_CONTEXT, OB_CONTEXT] + ([OB_EXTENSIONS_CONTEXT] if self.with_schema else [])
        schema = [{"id": ACHIEVEMENT_CREDENTIAL_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}]
        return _object(
            {"@context": contexts, "id": self.id, "type": ["VerifiableCredential", self.type_name]},
            name=self.name,
            description=self.description,
            image=self.image,
            issuer=self.issuer,
            validFrom=self.valid_from,
            validUntil=self.valid_until,
            awardedDate=self.awarded_date,
            credentialSubject=self.credential_subject,
            evidence=self.evidence,
            credentialSchema=schema if self.with_schema else None,
            credentialStatus=self.credential_status,
        )
