"""Analytics over the event stream: buckets of days, weeks or months, and the funnel
issued → delivered → claimed → shared. Pure: the stores count events per UTC day; this module
says what a bucket is and rolls days up into the buckets asked for.

- A day is a UTC calendar day; a week is an ISO 8601 week (Monday to Sunday), named by its
  Monday; a month is a calendar month, named by its first day. The first and last buckets of a
  range hold only the days inside the range.
- The funnel follows a cohort: the credentials issued on the days of the range, and how many of
  them reached each stage since (each credential counted once per stage, however many events).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from vcengine.errors import InputError

__all__ = [
    "FUNNEL",
    "MAX_DAYS",
    "Bucket",
    "Interval",
    "bucket_start",
    "buckets",
    "check_range",
]

Interval = Literal["day", "week", "month"]

#: a range spans at most this many days (a bound on every query's work)
MAX_DAYS = 3 * 366

#: the funnel's stages after ``issued``, each reached by the first event of one of its types
FUNNEL: Mapping[str, tuple[str, ...]] = {
    "delivered": ("delivered",),
    "claimed": ("claimed",),
    "shared": ("linkedin_clicked", "shared"),
}


@dataclass(frozen=True, slots=True)
class Bucket:
    """The events of one interval, by type (types without events are left out)."""

    start: date
    counts: Mapping[str, int]


def check_range(first: date, last: date) -> None:
    """``InputError`` unless ``first`` <= ``last`` and the range spans at most ``MAX_DAYS``."""
    if last < first:
        raise InputError("to is before from", path="filter.to")
    if (last - first).days + 1 > MAX_DAYS:
        raise InputError(f"a range spans at most {MAX_DAYS} days", path="filter.to")


def bucket_start(day: date, interval: Interval) -> date:
    if interval == "week":
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    return day


def _starts(first: date, last: date, interval: Interval) -> list[date]:
    starts, current = [], bucket_start(first, interval)
    while current <= last:
        starts.append(current)
        if interval == "day":
            current += timedelta(days=1)
        elif interval == "week":
            current += timedelta(days=7)
        else:
            current = (current.replace(day=28) + timedelta(days=4)).replace(day=1)
    return starts


def buckets(
    daily: Iterable[tuple[date, str, int]], first: date, last: date, interval: Interval
) -> list[Bucket]:
    """Every bucket from ``first`` to ``last``, in order, with the ``(day, type, count)`` of ``daily``
    that fall in the range added up (days outside it are ignored)."""
    check_range(first, last)
    sums: dict[date, dict[str, int]] = {start: {} for start in _starts(first, last, interval)}
    for day, type_, count in daily:
        if first <= day <= last and count:
            counts = sums[bucket_start(day, interval)]
            counts[type_] = counts.get(type_, 0) + count
    return [Bucket(start, dict(sorted(counts.items()))) for start, counts in sums.items()]
