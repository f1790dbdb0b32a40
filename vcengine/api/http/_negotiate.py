"""Content negotiation: pick the best of a route's media types for an ``Accept`` header.

RFC 9110 §12.5.1: each offer gets the quality of the most specific media range that matches it
(``type/subtype`` over ``type/*`` over ``*/*``); the highest quality wins and ties go to the
route's own order of preference. No ``Accept`` header accepts anything.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["choose"]

_MAX_RANGES = 32


def _ranges(accept: str) -> list[tuple[str, str, float]]:
    out: list[tuple[str, str, float]] = []
    for item in accept.split(",")[:_MAX_RANGES]:
        media, *params = (part.strip() for part in item.split(";"))
        kind, sep, sub = media.lower().partition("/")
        if not sep or not kind or not sub:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        out.append((kind, sub, q))
    return out


def _quality(offer: str, ranges: list[tuple[str, str, float]]) -> float:
    kind, _, sub = offer.partition("/")
    best, specificity = 0.0, -1
    for r_kind, r_sub, q in ranges:
        if (r_kind, r_sub) == (kind, sub):
            score = 2
        elif r_kind == kind and r_sub == "*":
            score = 1
        elif (r_kind, r_sub) == ("*", "*"):
            score = 0
        else:
            continue
        if score > specificity:
            best, specificity = q, score
    return best


def choose(accept: str | None, offers: Sequence[str]) -> str | None:
    """The offer to serve, or None when the client accepts none of them (406)."""
    if not accept or not accept.strip():
        return offers[0]
    ranges = _ranges(accept)
    if not ranges:
        return offers[0]
    scored = [(_quality(offer, ranges), -i, offer) for i, offer in enumerate(offers)]
    q, _, offer = max(scored)
    return offer if q > 0 else None
