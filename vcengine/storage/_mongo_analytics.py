"""Analytics in MongoDB: counted from the ``events`` collection when asked (an index on
(org_id, at) bounds the read to the range). MongoDB here has no multi-document transactions,
so rollups kept beside the events could drift from them after a crash; counting the events
themselves is exact, at the cost of reading every event of the range (the SQLite store keeps
exact rollups: ``_sqlite_analytics``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from pymongo import ASCENDING, IndexModel

from vcengine.core.analytics import FUNNEL
from vcengine.services.ports import AnalyticsFilter, DailyCount

Doc = dict[str, Any]

INDEXES = [IndexModel([("org_id", ASCENDING), ("at", ASCENDING)], name="by_time")]


def _day(value: date) -> str:
    return value.strftime("%Y%m%d")


def range_query(org_id: str, f: AnalyticsFilter, **more: Any) -> Doc:
    """The events of the filter's days (``at`` is fixed-width UTC text: its prefix is the day)."""
    return {
        "org_id": org_id,
        "at": {"$gte": _day(f.first_day), "$lt": _day(f.last_day + timedelta(days=1))},
        **more,
    }


def credential_query(org_id: str, f: AnalyticsFilter) -> Doc | None:
    """The credentials the filter keeps; None: every event counts."""
    if f.issuer_id is None and f.achievement_id is None:
        return None
    query: Doc = {"org_id": org_id}
    if f.issuer_id is not None:
        query["issuer_id"] = f.issuer_id
    if f.achievement_id is not None:
        query["achievement_id"] = f.achievement_id
    return query


def daily(docs: Iterable[Doc], allowed: set[str] | None) -> list[DailyCount]:
    counts: Counter[tuple[str, str]] = Counter()
    for doc in docs:
        if allowed is None or doc.get("credential_id") in allowed:
            counts[doc["at"][:8], doc["type"]] += 1
    return [
        DailyCount(date(int(d[:4]), int(d[4:6]), int(d[6:8])), t, n) for (d, t), n in sorted(counts.items())
    ]


STAGE_TYPES = sorted({t for types in FUNNEL.values() for t in types})


def stages_reached(docs: Iterable[Doc], cohort: set[str]) -> dict[str, int]:
    """How many credentials of ``cohort`` reached each stage, by the stage events in ``docs``."""
    reached: dict[str, set[str]] = {stage: set() for stage in FUNNEL}
    for doc in docs:
        credential = doc.get("credential_id")
        if credential in cohort:
            for stage, types in FUNNEL.items():
                if doc["type"] in types:
                    reached[stage].add(credential)
    return {stage: len(ids) for stage, ids in reached.items()}
