"""XML Schema dateTime / dateTimeStamp and JWT NumericDate, strictly and without a clock.

- VCDM 2.0 `validFrom` / `validUntil` are ``xsd:dateTimeStamp`` (timezone required):
  https://www.w3.org/TR/vc-data-model-2.0/#validity-period
- VC 1.1 `issuanceDate` / `expirationDate` are ``xsd:dateTime`` (timezone optional):
  https://www.w3.org/TR/xmlschema11-2/#dateTime
- OB 3.0 emits ``DateTimeZ`` as ``YYYY-MM-DDTHH:MM:SSZ``.
- JWT ``nbf`` / ``exp`` are NumericDate, seconds since the epoch (RFC 7519 §2).

Only years 0001 to 9999 are supported (Python's ``datetime`` range); other years are refused.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta, timezone

from vcengine.errors import InputError, SchemaError

__all__ = [
    "format_date_time",
    "from_numeric_date",
    "is_date_time_stamp",
    "parse_date_time",
    "parse_date_time_stamp",
    "to_numeric_date",
]

# xsd:dateTime lexical space (XML Schema 1.1 Part 2 §3.3.7), restricted to four-digit years.
_DATE_TIME = re.compile(
    r"(?P<year>[0-9]{4})-(?P<month>0[1-9]|1[0-2])-(?P<day>0[1-9]|[12][0-9]|3[01])"
    r"T(?P<hour>[01][0-9]|2[0-4]):(?P<minute>[0-5][0-9]):(?P<second>[0-5][0-9])(?:\.(?P<fraction>[0-9]+))?"
    r"(?P<tz>Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))?",
    re.ASCII,
)
# OB 3.0 DateTimeZ (``YYYY-MM-DDTHH:MM:SSZ``), the form nearly every credential carries: a subset
# of the lexical space above on which ``datetime.fromisoformat`` (in C) gives the same value.
_DATE_TIME_Z = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z", re.ASCII)


def parse_date_time(text: str, *, path: str | None = None) -> datetime:
    """Parse an ``xsd:dateTime``; the result is naive when the text carries no timezone.

    Fractional seconds beyond microseconds are truncated. ``24:00:00`` is the next midnight.
    """
    if isinstance(text, str) and len(text) == 20 and _DATE_TIME_Z.fullmatch(text):
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass  # a day the calendar does not have, or year 0000: the full path says which
    match = _DATE_TIME.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise SchemaError(f"not an XML Schema dateTime: {text!r:.60}", path=path)
    parts = match.groupdict()
    fraction = parts["fraction"] or ""
    end_of_day = parts["hour"] == "24"
    if end_of_day and (parts["minute"], parts["second"], fraction.strip("0")) != ("00", "00", ""):
        raise SchemaError(f"hour 24 is only allowed as 24:00:00: {text!r:.60}", path=path)
    try:
        value = datetime(
            int(parts["year"]),
            int(parts["month"]),
            int(parts["day"]),
            0 if end_of_day else int(parts["hour"]),
            int(parts["minute"]),
            int(parts["second"]),
            int(fraction[:6].ljust(6, "0")),
            tzinfo=_timezone(parts["tz"]),
        )
        return value + timedelta(days=1) if end_of_day else value
    except (ValueError, OverflowError):
        raise SchemaError(f"not a valid calendar date and time: {text!r:.60}", path=path) from None


def parse_date_time_stamp(text: str, *, path: str | None = None) -> datetime:
    """Parse an ``xsd:dateTimeStamp``: a dateTime whose timezone is required; always aware."""
    value = parse_date_time(text, path=path)
    if value.tzinfo is None:
        raise SchemaError(f"dateTimeStamp needs a timezone ('Z' or ±hh:mm): {text!r:.60}", path=path)
    return value


def is_date_time_stamp(text: object) -> bool:
    """True when ``text`` is a string in the ``xsd:dateTimeStamp`` lexical space."""
    if not isinstance(text, str):
        return False
    try:
        parse_date_time_stamp(text)
    except SchemaError:
        return False
    return True


def format_date_time(value: datetime) -> str:
    """Format an aware datetime as OB 3.0 ``DateTimeZ``: ``YYYY-MM-DDTHH:MM:SSZ`` in UTC."""
    utc = _require_aware(value).astimezone(UTC)
    return f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}Z"


def to_numeric_date(value: datetime) -> int:
    """Seconds since the epoch (RFC 7519 NumericDate), fractions dropped toward the past."""
    return math.floor(_require_aware(value).timestamp())


def from_numeric_date(value: int | float) -> datetime:
    """An aware UTC datetime from a NumericDate; booleans, NaN and infinities are refused."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(f"not a NumericDate: {value!r:.40}")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        raise InputError(f"NumericDate out of range: {value!r:.40}") from None


def _timezone(text: str | None) -> timezone | None:
    if text is None:
        return None
    if text == "Z":
        return UTC
    offset = timedelta(hours=int(text[1:3]), minutes=int(text[4:6]))
    return timezone(-offset if text[0] == "-" else offset)


def _require_aware(value: datetime) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise InputError("expected a timezone-aware datetime")
    return value
