"""A spreadsheet of recipients as issue requests: CSV in, ``IssueRequest`` per row, errors by line.

The file is UTF-8 (a byte-order mark, as Excel writes it, is allowed), comma-, semicolon- or
tab-separated, with a header row. Columns, matched without regard to case, spaces, ``-`` or
``_``:

==================  =======================================================================
``email``           the recipient's email (hashed with a salt in the credential)
``name``            the recipient's name (disclosed in the credential)
``identifier``      the recipient's DID or URL
``achievement``     the achievement's id (GraphQL global id or record id); required
``evidence_url``    optional: one evidence URL
``valid_until``     optional: an ISO 8601 date-time with a time zone, or a date (end of that day, UTC)
``idempotency_key`` optional: retries with the same key return the first credential
==================  =======================================================================

Each row needs an email, an identifier or a name. A row without an ``idempotency_key`` gets one
made from the file's SHA-256 and the row's line number, so sending the same file twice (a retry
after a timeout, say) issues nothing twice. Blank lines are skipped. Unknown columns are an
error (a typo would otherwise drop data silently). Bounded: at most ``MAX_BYTES`` and
``issuing.MAX_BULK`` rows, fields of at most ``MAX_FIELD`` characters.

The standard library's ``csv`` module reads the file; only the column mapping is written here.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime, time

from vcengine.core.dates import parse_date_time_stamp
from vcengine.errors import InputError, VcengineError
from vcengine.services.issuing import MAX_BULK, EvidenceInput, IssueRequest, RecipientInput

__all__ = ["COLUMNS", "MAX_BYTES", "CsvRow", "CsvSheet", "RowError", "read_sheet"]

MAX_BYTES = 8 * 1024 * 1024
MAX_FIELD = 2_000
COLUMNS = ("email", "name", "identifier", "achievement", "evidence_url", "valid_until", "idempotency_key")
_KEYS = {c.replace("_", ""): c for c in COLUMNS}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class RowError:
    """What is wrong with one row (``line`` counts from 1, the header is line 1)."""

    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class CsvRow:
    line: int
    achievement: str
    request: IssueRequest


@dataclass(frozen=True, slots=True)
class CsvSheet:
    """The rows that could be read and the errors of those that could not, in line order."""

    rows: tuple[CsvRow, ...]
    errors: tuple[RowError, ...]
    digest: str

    @property
    def row_count(self) -> int:
        return len(self.rows) + len({e.line for e in self.errors})


def read_sheet(data: bytes) -> CsvSheet:
    """Every row of the CSV ``data`` as an issue request, or its error. The achievement column is
    kept as written (``CsvRow.achievement``); the request carries it as ``achievement_id``.

    InputError when the file as a whole cannot be read (too large, not UTF-8, no header, unknown
    or missing columns, too many rows)."""
    if len(data) > MAX_BYTES:
        raise InputError(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MiB", path="file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"the file is not UTF-8 (byte {exc.start})", path="file") from None
    if not text.strip():
        raise InputError("the file is empty: it needs a header row and one row per recipient", path="file")
    digest = hashlib.sha256(data).hexdigest()
    reader = csv.reader(io.StringIO(text, newline=""), dialect=_dialect(text), strict=True)
    try:
        header = next(reader)
        columns = _columns(header)
        rows: list[CsvRow] = []
        errors: list[RowError] = []
        for fields in reader:
            line = reader.line_num
            if not any(f.strip() for f in fields):
                continue
            if len(rows) + len({e.line for e in errors}) >= MAX_BULK:
                raise InputError(f"at most {MAX_BULK} rows per file", path="file")
            try:
                rows.append(_row(line, columns, fields, digest))
            except _RowProblem as problem:
                errors.append(RowError(line, problem.column, problem.message))
    except csv.Error as exc:
        raise InputError(f"line {reader.line_num}: {exc}", path="file") from None
    return CsvSheet(tuple(rows), tuple(errors), digest)


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    header = text.lstrip().split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(header, delimiters=",;\t")
    except csv.Error:  # one column: any dialect reads it
        return csv.excel


def _columns(header: list[str]) -> list[str]:
    columns = []
    for i, raw in enumerate(header):
        key = re.sub(r"[\s_\-]", "", raw).lower()
        if key not in _KEYS:
            known = ", ".join(COLUMNS)
            raise InputError(f"unknown column {raw!r} (column {i + 1}); the columns are {known}", path="file")
        if _KEYS[key] in columns:
            raise InputError(f"column {raw!r} appears twice", path="file")
        columns.append(_KEYS[key])
    if "achievement" not in columns:
        raise InputError("the header has no achievement column", path="file")
    if not {"email", "name", "identifier"} & set(columns):
        raise InputError("the header needs an email, name or identifier column", path="file")
    return columns


class _RowProblem(Exception):
    def __init__(self, column: str | None, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


def _row(line: int, columns: list[str], fields: list[str], digest: str) -> CsvRow:
    if len(fields) > len(columns):
        raise _RowProblem(None, f"{len(fields)} fields for {len(columns)} columns")
    values: dict[str, str] = {}
    for column, value in zip(columns, fields, strict=False):
        value = value.strip()
        if len(value) > MAX_FIELD:
            raise _RowProblem(column, f"longer than {MAX_FIELD} characters")
        if value:
            values[column] = value
    achievement = values.get("achievement")
    if achievement is None:
        raise _RowProblem("achievement", "is empty")
    if not ({"email", "name", "identifier"} & set(values)):
        raise _RowProblem(None, "give the recipient's email, name or identifier")
    url = values.get("evidence_url")
    request = IssueRequest(
        achievement_id=achievement,
        recipient=RecipientInput(values.get("email"), values.get("identifier"), values.get("name")),
        evidence=(EvidenceInput(url=url),) if url else (),
        valid_until=_valid_until(values.get("valid_until")),
        idempotency_key=values.get("idempotency_key") or f"csv-{digest[:32]}-{line}",
    )
    return CsvRow(line, achievement, request)


def _valid_until(text: str | None) -> datetime | None:
    if text is None:
        return None
    if _DATE.fullmatch(text):  # a spreadsheet date: valid through that day
        try:
            return datetime.combine(datetime.fromisoformat(text).date(), time(23, 59, 59), UTC)
        except ValueError:
            raise _RowProblem("valid_until", f"{text!r} is not a date") from None
    try:
        return parse_date_time_stamp(text)
    except VcengineError:
        raise _RowProblem(
            "valid_until", f"{text!r} is not a date (YYYY-MM-DD) or a date-time with a time zone"
        ) from None
