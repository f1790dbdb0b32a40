"""``vcengine issue --csv FILE``: issue from a spreadsheet through a running server.

    VCENGINE_API_KEY=vce_... vcengine issue --csv learners.csv [--server URL] [--dry-run]
                                            [--delivery EMAIL|NONE] [--chunk N]

The rows are sent in chunks of ``--chunk`` (default 500) as GraphQL multipart uploads of
``bulkIssueCsv``; a progress bar on stderr counts them. Every problem is printed with its line
in FILE (``line 7: email: is not an email address``). ``--dry-run`` checks every row and issues
nothing. The API key comes from ``VCENGINE_API_KEY`` (not an argument: the process list shows
those). Exit codes: 0 every row issued (or would be), 1 some rows have problems, 2 the file
cannot be used, 3 the server could not be reached or refused the key.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any

__all__ = ["register"]

EXIT_OK, EXIT_ROWS, EXIT_FILE, EXIT_SERVER = 0, 1, 2, 3
MUTATION = """mutation($input: BulkIssueCsvInput!) { bulkIssueCsv(input: $input) {
  issuedCount rows { line replayed credential { id } userErrors { field message } }
  userErrors { field message } } }"""


@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    cells: list[str]


def register(sub: Any) -> None:
    issue = sub.add_parser(
        "issue", help="issue credentials from a CSV file through a running server (VCENGINE_API_KEY)"
    )
    issue.add_argument(
        "--csv", required=True, metavar="FILE", help="email,name,achievement,... (header first)"
    )
    issue.add_argument("--server", default=os.environ.get("VCENGINE_SERVER", "http://127.0.0.1:8000"))
    issue.add_argument("--dry-run", action="store_true", help="check every row, issue nothing")
    issue.add_argument("--delivery", choices=["EMAIL", "NONE"], help="for every row (default: the server's)")
    issue.add_argument("--chunk", type=int, default=500, help="rows per request (default 500)")
    issue.set_defaults(func=cmd_issue)


def _rows(path: str) -> tuple[list[str], list[_Row]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f, strict=True)
        header = next(reader, None)
        if header is None:
            raise ValueError("the file is empty")
        rows: list[_Row] = []
        while True:
            line = reader.line_num + 1
            cells = next(reader, None)
            if cells is None:
                return header, rows
            if any(c.strip() for c in cells):
                rows.append(_Row(line, cells))


def _chunk_csv(header: list[str], rows: list[_Row]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(r.cells for r in rows)
    return out.getvalue().encode("utf-8")


def _post(server: str, key: str, data: bytes, variables: dict[str, Any]) -> dict[str, Any]:
    boundary = uuid.uuid4().hex
    operations = json.dumps({"query": MUTATION, "variables": {"input": {"file": None, **variables}}})
    parts = [
        ("operations", None, operations.encode()),
        ("map", None, b'{"0": ["variables.input.file"]}'),
        ("0", "rows.csv", data),
    ]
    body = b""
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        kind = "Content-Type: text/csv\r\n" if filename else ""
        body += (
            f"--{boundary}\r\nContent-Disposition: {disposition}\r\n{kind}\r\n".encode() + content + b"\r\n"
        )
    body += f"--{boundary}--\r\n".encode()
    request = urllib.request.Request(
        f"{server.rstrip('/')}/graphql",
        data=body,
        headers={
            "Authorization": f"Bearer {key}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=600) as response:
        answer: dict[str, Any] = json.load(response)
    if answer.get("errors"):
        raise PermissionError(answer["errors"][0].get("message", "the server refused the request"))
    result: dict[str, Any] = answer["data"]["bulkIssueCsv"]
    return result


def _progress(done: int, total: int) -> None:
    if not sys.stderr.isatty():
        print(f"{done}/{total} rows", file=sys.stderr, flush=True)
        return
    width = 30
    filled = width * done // max(total, 1)
    end = "\n" if done >= total else ""
    print(
        f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} rows",
        end=end,
        file=sys.stderr,
        flush=True,
    )


def _problem(line: int, error: dict[str, Any]) -> str:
    field = error.get("field") or []
    where = f"{field[-1]}: " if field and field[-1] not in ("input", "csv") else ""
    return f"line {line}: {where}{error['message']}"


def cmd_issue(args: argparse.Namespace) -> int:
    key = os.environ.get("VCENGINE_API_KEY", "")
    if not key:
        print("vcengine issue: set VCENGINE_API_KEY to an API key with the issue scope", file=sys.stderr)
        return EXIT_FILE
    if not args.server.startswith(("http://", "https://")):
        print("vcengine issue: --server must be an http(s) URL", file=sys.stderr)
        return EXIT_FILE
    if args.chunk < 1:
        print("vcengine issue: --chunk must be at least 1", file=sys.stderr)
        return EXIT_FILE
    try:
        header, rows = _rows(args.csv)
    except (OSError, UnicodeDecodeError, csv.Error, ValueError) as exc:
        print(f"vcengine issue: {args.csv}: {exc}", file=sys.stderr)
        return EXIT_FILE
    if not rows:
        print(f"vcengine issue: {args.csv}: the file has no rows", file=sys.stderr)
        return EXIT_FILE
    variables: dict[str, Any] = {"dryRun": args.dry_run}
    if args.delivery:
        variables["delivery"] = args.delivery
    issued = replayed = failed = 0
    _progress(0, len(rows))
    for start in range(0, len(rows), args.chunk):
        chunk = rows[start : start + args.chunk]
        try:
            result = _post(args.server, key, _chunk_csv(header, chunk), variables)
        except (OSError, PermissionError, ValueError, KeyError) as exc:
            print(f"\nvcengine issue: {args.server}: {exc}", file=sys.stderr)
            return EXIT_SERVER
        if result["userErrors"]:
            for error in result["userErrors"]:
                print(f"vcengine issue: {args.csv}: {error['message']}", file=sys.stderr)
            return EXIT_FILE
        for row, outcome in zip(chunk, result["rows"], strict=True):
            for error in outcome["userErrors"]:
                print(_problem(row.line, error))
            failed += bool(outcome["userErrors"])
            replayed += bool(outcome["replayed"])
        issued += result["issuedCount"]
        _progress(start + len(chunk), len(rows))
    if args.dry_run:
        print(f"dry run: {len(rows)} rows checked, {failed} with problems, nothing issued")
    else:
        print(f"issued {issued}, replayed {replayed}, failed {failed} of {len(rows)} rows")
    return EXIT_ROWS if failed else EXIT_OK
