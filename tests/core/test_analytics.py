"""Buckets of days, ISO weeks and months, and the bounds of a range."""

from __future__ import annotations

from datetime import date

import pytest

from vcengine.core.analytics import MAX_DAYS, Bucket, bucket_start, buckets
from vcengine.errors import InputError


def test_bucket_starts() -> None:
    thursday = date(2026, 1, 1)
    assert bucket_start(thursday, "day") == thursday
    assert bucket_start(thursday, "week") == date(2025, 12, 29)  # ISO week 1 of 2026 starts on Monday
    assert bucket_start(date(2026, 2, 28), "month") == date(2026, 2, 1)


def test_days_roll_up_into_every_bucket_of_the_range_in_order() -> None:
    daily = [
        (date(2026, 1, 30), "issued", 2),
        (date(2026, 2, 1), "issued", 1),
        (date(2026, 2, 1), "claimed", 1),
        (date(2026, 2, 2), "claimed", 4),
        (date(2026, 3, 5), "issued", 9),  # outside the range: ignored
        (date(2026, 2, 3), "page_viewed", 0),
    ]
    months = buckets(daily, date(2026, 1, 15), date(2026, 2, 28), "month")
    assert months == [
        Bucket(date(2026, 1, 1), {"issued": 2}),
        Bucket(date(2026, 2, 1), {"claimed": 5, "issued": 1}),
    ]
    weeks = buckets(daily, date(2026, 1, 26), date(2026, 2, 8), "week")
    assert [b.start for b in weeks] == [date(2026, 1, 26), date(2026, 2, 2)]
    assert weeks[0].counts == {"claimed": 1, "issued": 3} and weeks[1].counts == {"claimed": 4}
    days = buckets(daily, date(2026, 1, 30), date(2026, 2, 2), "day")
    assert [b.counts for b in days] == [{"issued": 2}, {}, {"claimed": 1, "issued": 1}, {"claimed": 4}]


def test_a_year_of_days_and_the_month_after_december() -> None:
    assert len(buckets([], date(2025, 1, 1), date(2025, 12, 31), "day")) == 365
    months = buckets([], date(2025, 11, 30), date(2026, 1, 1), "month")
    assert [b.start for b in months] == [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1)]


def test_ranges_are_checked() -> None:
    with pytest.raises(InputError, match="before"):
        buckets([], date(2026, 1, 2), date(2026, 1, 1), "day")
    with pytest.raises(InputError, match=f"at most {MAX_DAYS} days"):
        buckets([], date(2020, 1, 1), date(2026, 1, 1), "month")
