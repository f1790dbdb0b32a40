"""What was handed to the verifier: assertion JSON, a signed assertion (JWS), or a hosted URL.

``detect`` tells an OB 2.0 assertion apart from an OB 3.0 / VC credential by its
``@context``; ``from_baked`` reads what an OB 2.0 baked image carries (OB 2.0 Baking: the
assertion JSON, a signed assertion, or — in older images — the URL of a hosted assertion).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from vcengine.core import jsontext
from vcengine.core.bake.baked import Baked
from vcengine.core.ob2.context import has_ob2_context
from vcengine.core.ob2.signed import unverified_payload

__all__ = ["Presented", "detect", "from_baked"]


@dataclass(frozen=True, slots=True)
class Presented:
    """``kind`` json: ``value`` is the assertion object; jws: the compact JWS; url: a hosted
    assertion's URL. ``baked`` names the image format it came from, if any."""

    kind: Literal["json", "jws", "url"]
    value: Mapping[str, Any] | str
    baked: str | None = None


def detect(data: Any) -> Presented | None:
    """An OB 2.0 assertion (object, JSON text or compact JWS), else None (not OB 2.0).

    JSON text that does not parse raises the ``JsonError`` it would raise anywhere else.
    """
    if isinstance(data, Mapping):
        return Presented("json", data) if has_ob2_context(data) else None
    if not isinstance(data, str):
        return None
    text = data.strip()
    if text.startswith("{"):
        doc = jsontext.loads(text)
        return Presented("json", doc) if has_ob2_context(doc) else None
    payload = unverified_payload(text)
    if payload is not None and has_ob2_context(payload):
        return Presented("jws", text)
    return None


def from_baked(baked: Baked) -> Presented:
    """The OB 2.0 assertion an ``ob2-*`` baked image carries (its JSON must parse)."""
    text = baked.text.strip()
    if baked.format == "ob2-url":
        return Presented("url", text, baked.format)
    if baked.format == "ob2-jwt":
        return Presented("jws", text, baked.format)
    doc: Any = jsontext.loads(text)
    return Presented("json", doc, baked.format)
