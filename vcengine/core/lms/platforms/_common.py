"""What the platform readers share: picking values out of bodies whose fields vary, and an event id
for platforms that send none."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from vcengine.core.lms.event import LearnerEvent, validate_event
from vcengine.errors import InputError

__all__ = ["event_from", "learner", "mapping", "stable_id", "text"]


def mapping(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InputError("must be an object", path=path)
    return value


def text(value: Any) -> str | None:
    """A scalar as text (platforms send ids as numbers or strings); None for null, "" and objects."""
    if isinstance(value, bool) or value is None or isinstance(value, Mapping | list):
        return None
    out = str(value).strip()
    return out or None


def learner(email: Any, name: Any, user_id: Any) -> dict[str, Any]:
    out = {"email": text(email), "name": text(name), "id": text(user_id)}
    return {k: v for k, v in out.items() if v is not None}


def stable_id(*parts: Any) -> str:
    """An event id made of what identifies the event, for platforms that send none."""
    return "h:" + hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:40]


def event_from(doc: dict[str, Any], *, email_required: bool = True) -> LearnerEvent:
    """``doc`` without its empty parts, validated by the event schema."""
    clean = {k: v for k, v in doc.items() if v not in (None, {}, "")}
    return validate_event(clean, email_required=email_required)
