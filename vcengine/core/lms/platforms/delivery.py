"""``Delivery``: what one webhook request carries, once read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from vcengine.core.lms.event import LearnerEvent

__all__ = ["Delivery"]


@dataclass(frozen=True, slots=True)
class Delivery:
    """Its events, the body as kept (secrets removed), and why there is no event (``ignored``)."""

    events: tuple[LearnerEvent, ...]
    raw: Mapping[str, Any] = field(default_factory=dict)
    ignored: str | None = None
