from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vcengine.core.dates import (
    format_date_time,
    from_numeric_date,
    is_date_time_stamp,
    parse_date_time,
    parse_date_time_stamp,
    to_numeric_date,
)
from vcengine.errors import InputError, SchemaError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2010-01-01T00:00:00Z", datetime(2010, 1, 1, tzinfo=UTC)),
        ("2010-01-01T19:23:24.5Z", datetime(2010, 1, 1, 19, 23, 24, 500000, tzinfo=UTC)),
        ("2010-01-01T19:23:24.123456789Z", datetime(2010, 1, 1, 19, 23, 24, 123456, tzinfo=UTC)),
        ("2010-01-01T12:00:00+02:00", datetime(2010, 1, 1, 10, 0, tzinfo=UTC)),
        ("2010-01-01T12:00:00-14:00", datetime(2010, 1, 2, 2, 0, tzinfo=UTC)),
        ("2010-12-31T24:00:00Z", datetime(2011, 1, 1, tzinfo=UTC)),
        ("2024-02-29T00:00:00Z", datetime(2024, 2, 29, tzinfo=UTC)),
    ],
)
def test_parse_date_time_stamp(text: str, expected: datetime) -> None:
    assert parse_date_time_stamp(text) == expected
    assert is_date_time_stamp(text)


def test_date_time_without_timezone_is_naive_and_not_a_stamp() -> None:
    assert parse_date_time("2010-01-01T00:00:00") == datetime(2010, 1, 1)
    with pytest.raises(SchemaError, match="timezone") as info:
        parse_date_time_stamp("2010-01-01T00:00:00", path="$.validFrom")
    assert info.value.path == "$.validFrom"
    assert not is_date_time_stamp("2010-01-01T00:00:00")


@pytest.mark.parametrize(
    "text",
    [
        "2010-01-01",
        "2010-01-01 00:00:00Z",
        "2010-1-01T00:00:00Z",
        "2010-01-01T00:00Z",
        "2010-01-01T00:00:60Z",
        "2010-01-01T25:00:00Z",
        "2010-01-01T24:00:01Z",
        "2010-02-30T00:00:00Z",
        "2023-02-29T00:00:00Z",
        "0000-01-01T00:00:00Z",
        "2010-01-01T00:00:00+15:00",
        "2010-01-01T00:00:00+0200",
        "2010-01-01T00:00:00z",
        "2010-01-01T00:00:00.Z",
        "9999-12-31T24:00:00Z",
        "\uff12\uff10\uff11\uff10-01-01T00:00:00Z",
        " 2010-01-01T00:00:00Z",
        "",
    ],
)
def test_rejects_malformed(text: str) -> None:
    with pytest.raises(SchemaError):
        parse_date_time(text)
    assert not is_date_time_stamp(text)


def test_rejects_non_strings() -> None:
    with pytest.raises(SchemaError):
        parse_date_time(20100101)  # type: ignore[arg-type]
    assert not is_date_time_stamp(None)


def test_format_date_time_is_utc_seconds() -> None:
    moment = datetime(2010, 1, 1, 12, 30, 15, 999999, tzinfo=timezone(timedelta(hours=2)))
    assert format_date_time(moment) == "2010-01-01T10:30:15Z"
    with pytest.raises(InputError):
        format_date_time(datetime(2010, 1, 1))


def test_numeric_date() -> None:
    assert to_numeric_date(datetime(1970, 1, 1, 0, 0, 1, 900000, tzinfo=UTC)) == 1
    assert to_numeric_date(parse_date_time_stamp("2010-01-01T00:00:00Z")) == 1262304000
    assert from_numeric_date(1262304000) == datetime(2010, 1, 1, tzinfo=UTC)
    assert from_numeric_date(1.5) == datetime(1970, 1, 1, 0, 0, 1, 500000, tzinfo=UTC)
    with pytest.raises(InputError):
        to_numeric_date(datetime(2010, 1, 1))


@pytest.mark.parametrize("value", [True, float("nan"), float("inf"), 10**20, "1"])
def test_from_numeric_date_rejects(value: object) -> None:
    with pytest.raises(InputError):
        from_numeric_date(value)  # type: ignore[arg-type]


@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)))
def test_format_then_parse_round_trips_to_the_second(moment: datetime) -> None:
    text = format_date_time(moment)
    assert parse_date_time_stamp(text) == moment.replace(microsecond=0)


@given(st.integers(min_value=0, max_value=253402300799))
def test_numeric_date_round_trips(seconds: int) -> None:
    assert to_numeric_date(from_numeric_date(seconds)) == seconds


@given(
    st.from_regex(
        r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\Z", fullmatch=True
    ).map(lambda text: text + "Z")
)
def test_date_time_z_fast_path_agrees_with_the_full_grammar(text: str) -> None:
    """``YYYY-MM-DDTHH:MM:SSZ`` goes through datetime.fromisoformat; the same text with ``+00:00``
    goes through the full xsd:dateTime grammar: both accept the same days, with the same value."""
    full = text[:-1] + "+00:00"
    try:
        expected: datetime | None = parse_date_time(full)
    except SchemaError:
        expected = None
    try:
        fast: datetime | None = parse_date_time(text)
    except SchemaError:
        fast = None
    assert fast == expected
    if fast is not None:
        assert fast.tzinfo is UTC
