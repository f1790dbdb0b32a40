"""Reading a spreadsheet of recipients: columns, dialects, dates, keys, limits, and no input that
escapes as anything but an InputError."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vcengine.errors import InputError
from vcengine.services import bulk_csv
from vcengine.services.issuing import MAX_BULK


def test_columns_are_matched_loosely_and_an_excel_bom_is_allowed() -> None:
    data = "\ufeffE-Mail;Full Name;ACHIEVEMENT;evidence_url\nada@example.com;Ada;a1;https://e.example/1\n"
    sheet = bulk_csv.read_sheet(data.replace("Full Name", "Name").encode())
    (row,) = sheet.rows
    assert row.line == 2 and row.achievement == "a1"
    assert row.request.recipient.email == "ada@example.com" and row.request.recipient.name == "Ada"
    assert row.request.evidence[0].url == "https://e.example/1"
    assert sheet.errors == ()


def test_tabs_quotes_and_line_numbers() -> None:
    data = b'email\tname\tachievement\n"a@example.com"\t"Lovelace, Ada"\ta1\n\n\nb@example.com\tB\ta1\n'
    sheet = bulk_csv.read_sheet(data)
    assert [(r.line, r.request.recipient.name) for r in sheet.rows] == [(2, "Lovelace, Ada"), (5, "B")]
    assert sheet.row_count == 2


def test_dates_and_date_times() -> None:
    data = b"name,achievement,valid_until\nA,a1,2031-02-28\nB,a1,2031-02-28T10:00:00+02:00\nC,a1,2031-02-30\n"
    sheet = bulk_csv.read_sheet(data)
    assert sheet.rows[0].request.valid_until == datetime(2031, 2, 28, 23, 59, 59, tzinfo=UTC)
    assert sheet.rows[1].request.valid_until == datetime(2031, 2, 28, 8, 0, tzinfo=UTC)
    (error,) = sheet.errors
    assert (error.line, error.column) == (4, "valid_until") and "not a date" in error.message
    assert str(error).startswith("line 4, column valid_until:")


def test_keys_come_from_the_file_and_line_unless_given() -> None:
    data = b"name,achievement,idempotency_key\nA,a1,\nB,a1,my-key-7\n"
    sheet = bulk_csv.read_sheet(data)
    assert sheet.rows[0].request.idempotency_key == f"csv-{sheet.digest[:32]}-2"
    assert sheet.rows[1].request.idempotency_key == "my-key-7"
    assert bulk_csv.read_sheet(data).rows[0].request.idempotency_key == sheet.rows[0].request.idempotency_key
    changed = bulk_csv.read_sheet(data + b"C,a1,\n")
    assert changed.rows[0].request.idempotency_key != sheet.rows[0].request.idempotency_key


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"  \n", "empty"),
        (b"name,achievement,colour\n", "unknown column 'colour'"),
        (b"valid_until,achievement\n", "email, name or identifier column"),
        (b'name,achievement\n"unterminated,a1\n', "line"),
    ],
)
def test_files_refused_whole(data: bytes, words: str) -> None:
    with pytest.raises(InputError, match=words):
        bulk_csv.read_sheet(data)


def test_limits() -> None:
    with pytest.raises(InputError, match="larger than"):
        bulk_csv.read_sheet(b"name,achievement\n" + b"x" * bulk_csv.MAX_BYTES)
    rows = b"".join(b"n%d,a1\n" % i for i in range(MAX_BULK + 1))
    with pytest.raises(InputError, match=f"at most {MAX_BULK} rows"):
        bulk_csv.read_sheet(b"name,achievement\n" + rows)
    long_name = b"name,achievement\n" + b"n" * (bulk_csv.MAX_FIELD + 1) + b",a1\n"
    (error,) = bulk_csv.read_sheet(long_name).errors
    assert error.column == "name" and "longer than" in error.message


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400) | st.text(alphabet=',;\t"\n\r ae@.x1-:T', max_size=200).map(str.encode))
def test_any_bytes_give_a_sheet_or_an_input_error(data: bytes) -> None:
    try:
        sheet = bulk_csv.read_sheet(b"email,name,achievement,valid_until\n" + data)
    except InputError:
        return
    for row in sheet.rows:
        assert row.achievement and row.request.idempotency_key
    assert all(e.line >= 2 for e in sheet.errors)
