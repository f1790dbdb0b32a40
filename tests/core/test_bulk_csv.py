"""Spreadsheet rows for bulk issuance: columns, line numbers as an editor shows them, limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from vcengine.core.bulk_csv import MAX_BYTES, MAX_ROWS, CsvProblem, CsvRow, parse_bulk_csv
from vcengine.errors import InputError


def test_rows_keep_the_line_they_start_on() -> None:
    data = (
        b"\xef\xbb\xbf Email ,Name,ACHIEVEMENT,Valid Until,evidence_url\r\n"
        b"a@x.org,Ada,ach1,2027-06-30,https://e.example/a\r\n"
        b"\r\n"
        b'b@x.org,"Two\r\nlines",ach1,2027-06-30T10:00:00+02:00,\r\n'
        b"c@x.org,,ach2,,\r\n"
    )
    rows, problems = parse_bulk_csv(data)
    assert problems == []
    assert rows == [
        CsvRow(2, "a@x.org", "ach1", "Ada", "https://e.example/a",
               datetime(2027, 6, 30, 23, 59, 59, tzinfo=UTC)),
        CsvRow(4, "b@x.org", "ach1", "Two\r\nlines", None,
               datetime(2027, 6, 30, 10, tzinfo=timezone(timedelta(hours=2)))),
        CsvRow(6, "c@x.org", "ach2"),
    ]  # fmt: skip


def test_every_problem_of_every_row_is_reported() -> None:
    data = (
        b"email,achievement,valid_until\n,,2027-13-01\nx@y.org,a,2027-06-30T10:00\n"
        b"only-one-field\nok@y.org,a,\n"
    )
    rows, problems = parse_bulk_csv(data)
    assert [r.line for r in rows] == [5]
    assert problems == [
        CsvProblem(2, "email", "is required"),
        CsvProblem(2, "achievement", "is required"),
        CsvProblem(2, "valid_until", "is not a date (2027-06-30) or date-time with a time zone"),
        CsvProblem(3, "valid_until", "needs a time zone (2027-06-30T12:00:00Z)"),
        CsvProblem(4, None, "has 1 fields, the header 3"),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"email,achievement\n\n", "the file has no rows"),
        (b"email,email,achievement\n", "line 1: a column is named twice"),
        (b"email,name\n", "line 1: no 'achievement' column"),
        (b"email,achievement,colour\n", "line 1: unknown column 'colour'"),
        (b"email,achievement\n\xc3\x28,x\n", "the file is not UTF-8 (byte 18)"),
        (b"x" * (MAX_BYTES + 1), "the file must be at most 4 MiB"),
        (b"email,achievement\n" + b"a@b.co,x\n" * (MAX_ROWS + 1), f"at most {MAX_ROWS} rows"),
    ],
)
def test_an_unusable_file_is_one_error(data: bytes, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_bulk_csv(data)
    assert caught.value.path == "csv" and caught.value.message.startswith(message)


def test_an_unterminated_quote_stops_with_its_line() -> None:
    rows, problems = parse_bulk_csv(b'email,achievement\na@b.co,x\n"c@d.co,y\n')
    assert [r.line for r in rows] == [2]
    assert [p.line for p in problems] == [3] and problems[0].column is None
