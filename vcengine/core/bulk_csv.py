"""Bulk issuance rows from a spreadsheet (CSV, RFC 4180), checked row by row.

The first line names the columns (case and spaces ignored, in any order):

    email, name, achievement, evidence_url, valid_until, idempotency_key

``email`` and ``achievement`` are required on every row, the others optional. ``valid_until``
is an ISO 8601 date-time with a time zone, or a date (``2027-06-30``: the end of that day, UTC).
The file is UTF-8 (a byte-order mark is allowed), at most ``MAX_BYTES`` and ``MAX_ROWS`` rows.
Every row is checked and every problem reported with its line (the line a row starts on, as
an editor shows it: the header is line 1), so one pass finds them all.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from vcengine.errors import InputError

__all__ = ["COLUMNS", "MAX_BYTES", "MAX_ROWS", "CsvProblem", "CsvRow", "parse_bulk_csv"]

COLUMNS = ("email", "name", "achievement", "evidence_url", "valid_until", "idempotency_key")
REQUIRED = ("email", "achievement")
MAX_BYTES = 4 * 1024 * 1024
MAX_ROWS = 10_000
MAX_FIELD = 2000


@dataclass(frozen=True, slots=True)
class CsvRow:
    line: int
    email: str
    achievement: str
    name: str | None = None
    evidence_url: str | None = None
    valid_until: datetime | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True, slots=True)
class CsvProblem:
    line: int
    column: str | None
    message: str


def _header(names: list[str]) -> list[str]:
    columns = [n.strip().lower().replace(" ", "_") for n in names]
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        raise InputError(f"line 1: unknown column {unknown[0]!r} (use {', '.join(COLUMNS)})", path="csv")
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise InputError(f"line 1: no {missing[0]!r} column", path="csv")
    if len(set(columns)) != len(columns):
        raise InputError("line 1: a column is named twice", path="csv")
    return columns


def _valid_until(text: str) -> datetime:
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(23, 59, 59), UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError("is not a date (2027-06-30) or date-time with a time zone") from None
    if moment.tzinfo is None:
        raise ValueError("needs a time zone (2027-06-30T12:00:00Z)")
    return moment


def _row(line: int, values: dict[str, str]) -> CsvRow | list[CsvProblem]:
    problems = [
        CsvProblem(line, c, f"must be at most {MAX_FIELD} characters")
        for c, v in values.items()
        if len(v) > MAX_FIELD
    ]
    problems += [CsvProblem(line, c, "is required") for c in REQUIRED if not values.get(c)]
    until = None
    if values.get("valid_until"):
        try:
            until = _valid_until(values["valid_until"])
        except ValueError as exc:
            problems.append(CsvProblem(line, "valid_until", str(exc)))
    if problems:
        return problems
    return CsvRow(
        line=line,
        email=values["email"],
        achievement=values["achievement"],
        name=values.get("name") or None,
        evidence_url=values.get("evidence_url") or None,
        valid_until=until,
        idempotency_key=values.get("idempotency_key") or None,
    )


def parse_bulk_csv(data: bytes) -> tuple[list[CsvRow], list[CsvProblem]]:
    """The rows that parse, and every problem of the others; ``InputError`` if the file as a
    whole is unusable (too large, not UTF-8, a bad header, no rows)."""
    if len(data) > MAX_BYTES:
        raise InputError(f"the file must be at most {MAX_BYTES // (1024 * 1024)} MiB", path="csv")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"the file is not UTF-8 (byte {exc.start})", path="csv") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        columns = _header(next(reader))
    except StopIteration:
        raise InputError("the file is empty", path="csv") from None
    except csv.Error as exc:
        raise InputError(f"line 1: {exc}", path="csv") from None
    rows: list[CsvRow] = []
    problems: list[CsvProblem] = []
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(CsvProblem(line, None, str(exc)))
            break  # the rest of the file cannot be told apart reliably
        if not any(cell.strip() for cell in cells):
            continue  # blank lines are allowed
        if len(rows) + len(problems) >= MAX_ROWS:
            raise InputError(f"at most {MAX_ROWS} rows", path="csv")
        if len(cells) != len(columns):
            problems.append(CsvProblem(line, None, f"has {len(cells)} fields, the header {len(columns)}"))
            continue
        parsed = _row(line, {c: v.strip() for c, v in zip(columns, cells, strict=True)})
        if isinstance(parsed, CsvRow):
            rows.append(parsed)
        else:
            problems.extend(parsed)
    if not rows and not problems:
        raise InputError("the file has no rows", path="csv")
    return rows, problems
