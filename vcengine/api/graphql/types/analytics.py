# mypy: disable-error-code="untyped-decorator"
"""Analytics: counts per interval and event type, totals, and the funnel of a cohort."""

from __future__ import annotations

from datetime import date
from enum import Enum

import strawberry

from vcengine.core.analytics import Bucket
from vcengine.services.analytics import Analytics as AnalyticsResult
from vcengine.services.ports import FunnelCounts

__all__ = ["Analytics", "AnalyticsBucket", "AnalyticsInterval", "EventCount", "Funnel"]


@strawberry.enum(description="How long a bucket is: a UTC day, an ISO week (from Monday), a calendar month.")
class AnalyticsInterval(Enum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@strawberry.type(description="How many events of one type.")
class EventCount:
    type: str = strawberry.field(description="issued, revoked, delivered, claimed, page_viewed, …")
    count: int


def _counts(counts: dict[str, int]) -> list[EventCount]:
    return [EventCount(type=t, count=n) for t, n in counts.items()]


@strawberry.type(description="The events of one interval (types without events are left out).")
class AnalyticsBucket:
    start: date = strawberry.field(description="The first day of the interval (clipped to the range).")
    counts: list[EventCount]

    @classmethod
    def of(cls, bucket: Bucket) -> AnalyticsBucket:
        return cls(start=bucket.start, counts=_counts(dict(bucket.counts)))


def _rate(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)


@strawberry.type(
    description="Of the credentials issued in the range: how many were issued, and how many of them were "
    "since delivered (email accepted), claimed by the earner, and shared (LinkedIn)."
)
class Funnel:
    issued: int
    delivered: int
    claimed: int
    shared: int
    delivered_rate: float | None = strawberry.field(description="delivered / issued (null: none issued).")
    claimed_rate: float | None = strawberry.field(description="claimed / issued (null: none issued).")
    shared_rate: float | None = strawberry.field(description="shared / issued (null: none issued).")

    @classmethod
    def of(cls, f: FunnelCounts) -> Funnel:
        return cls(
            issued=f.issued,
            delivered=f.delivered,
            claimed=f.claimed,
            shared=f.shared,
            delivered_rate=_rate(f.delivered, f.issued),
            claimed_rate=_rate(f.claimed, f.issued),
            shared_rate=_rate(f.shared, f.issued),
        )


@strawberry.type(description="An organization's events in a range of UTC days, by interval and type.")
class Analytics:
    interval: AnalyticsInterval
    from_: date = strawberry.field(name="from")
    to: date
    buckets: list[AnalyticsBucket]
    totals: list[EventCount]
    funnel: Funnel

    @classmethod
    def of(cls, result: AnalyticsResult) -> Analytics:
        return cls(
            interval=AnalyticsInterval(result.interval),
            from_=result.filter.first_day,
            to=result.filter.last_day,
            buckets=[AnalyticsBucket.of(b) for b in result.buckets],
            totals=_counts(dict(result.totals)),
            funnel=Funnel.of(result.funnel),
        )
