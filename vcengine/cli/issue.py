"""`vcengine issue --csv FILE`: issue from a spreadsheet through a running vcengine server.

    vcengine issue --csv FILE [--server URL] [--dry-run] [--bulk-id ID] [--json]

The file goes to the server's GraphQL ``bulkIssueCsv`` mutation as a multipart upload (columns
and rules: ``services.bulk_csv``). The API key (scope ``issue``) comes from ``VCENGINE_API_KEY``
(never from the command line, where other users and the shell history would see it); the server
from ``--server`` or ``VCENGINE_SERVER`` (default http://127.0.0.1:8000). While the server
issues, a progress bar on stderr follows the ``BULK_PROGRESS`` events of a ``credentialEvents``
subscription (graphql-transport-ws over the ``websockets`` package); if the subscription cannot
be opened the command still issues, without the bar.

Exit codes: 0 every row issued or replayed (or, with --dry-run, every row valid); 1 some rows are
wrong (each printed as ``line N, column C: …``; nothing was issued); 2 the file or the request was
refused (unreadable file, no key, server unreachable, a key without the scope).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from vcengine.errors import InputError

__all__ = ["register"]

EXIT_DONE, EXIT_BAD_ROWS, EXIT_REFUSED = 0, 1, 2
TIMEOUT = 600.0  # 10,000 rows at a few hundred per second, with room to spare

MUTATION = """mutation($input: BulkIssueCsvInput!) {
  bulkIssueCsv(input: $input) {
    bulkId dryRun rowCount validCount issuedCount replayedCount failedCount
    rows { line column replayed credential { id url } userErrors { field message code } }
    userErrors { field message code }
  }
}"""
SUBSCRIPTION = "subscription { credentialEvents(types: [BULK_PROGRESS]) { bulkId done total } }"


def register(sub: Any) -> None:
    issue = sub.add_parser(
        "issue",
        help="issue credentials from a CSV file through a running server",
        description="Issue one credential per row of a CSV file (columns: email, name, identifier, "
        "achievement, evidence_url, valid_until, idempotency_key) through a running vcengine server. "
        "The API key (scope issue) is read from VCENGINE_API_KEY. A file with any bad row issues "
        "nothing; sending the same file again issues nothing twice.",
        epilog="exit codes: 0 issued (or all rows valid with --dry-run), 1 some rows are wrong "
        "(nothing issued), 2 refused (file, key, server)",
    )
    issue.add_argument("--csv", required=True, metavar="FILE", help="the spreadsheet, as UTF-8 CSV")
    issue.add_argument(
        "--server",
        default=os.environ.get("VCENGINE_SERVER", "http://127.0.0.1:8000"),
        help="the server's base URL (default: $VCENGINE_SERVER or %(default)s)",
    )
    issue.add_argument("--dry-run", action="store_true", help="check every row; issue nothing")
    issue.add_argument("--bulk-id", help="names the progress events (default: a new one)")
    issue.add_argument("--json", action="store_true", help="print the server's whole answer as JSON")
    issue.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    key = os.environ.get("VCENGINE_API_KEY", "").strip()
    if not key:
        print("vcengine: error: set VCENGINE_API_KEY to an API key with the issue scope", file=sys.stderr)
        return EXIT_REFUSED
    try:
        data = Path(args.csv).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {args.csv}: {exc.strerror}") from None
    base = args.server.rstrip("/")
    bulk_id = args.bulk_id or f"cli-{secrets.token_hex(8)}"
    progress = None if args.dry_run else _Progress(_ws_url(base), key, bulk_id)
    if progress is not None:
        progress.start()
        progress.ready.wait(5)
    try:
        answer = _post(base, key, data, Path(args.csv).name, dry_run=args.dry_run, bulk_id=bulk_id)
    finally:
        if progress is not None:
            progress.stop()
    if answer is None:
        return EXIT_REFUSED
    if args.json:
        print(json.dumps(answer, indent=2))
    return _report(answer, quiet=args.json)


def _report(result: dict[str, Any], *, quiet: bool) -> int:
    for error in result["userErrors"]:
        print(f"vcengine: error: {args_path(error)}{error['message']}", file=sys.stderr)
    if result["userErrors"]:
        return EXIT_REFUSED
    bad = [row for row in result["rows"] if row["userErrors"]]
    for row in bad:
        column = f", column {row['column']}" if row["column"] else ""
        for error in row["userErrors"]:
            print(f"line {row['line']}{column}: {error['message']}", file=sys.stderr)
    if not quiet:
        if result["dryRun"]:
            print(f"{result['rowCount']} rows: {result['validCount']} valid, {result['failedCount']} wrong")
        elif bad:
            print(f"{result['rowCount']} rows: {result['failedCount']} wrong; nothing was issued")
        else:
            print(
                f"{result['rowCount']} rows: {result['issuedCount']} issued, "
                f"{result['replayedCount']} issued earlier"
            )
    return EXIT_BAD_ROWS if bad else EXIT_DONE


def args_path(error: dict[str, Any]) -> str:
    field = [part for part in (error.get("field") or []) if part != "input"]
    return f"{'.'.join(field)}: " if field else ""


def _multipart(fields: dict[str, str], name: str, filename: str, content: bytes) -> tuple[bytes, str]:
    """A multipart/form-data body, by hand: the standard library has no encoder for one, and the
    CLI needs no HTTP client package for a single request."""
    boundary = f"vcengine-{secrets.token_hex(16)}"
    parts = []
    for field, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"\r\n\r\n{value}\r\n'.encode()
        )
    quoted = filename.replace('"', "%22").replace("\r", "").replace("\n", "")
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{quoted}"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    )
    parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _post(
    base: str, key: str, data: bytes, filename: str, *, dry_run: bool, bulk_id: str
) -> dict[str, Any] | None:
    operations = {
        "query": MUTATION,
        "variables": {"input": {"file": None, "dryRun": dry_run, "bulkId": bulk_id}},
    }
    body, content_type = _multipart(
        {"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.input.file"]})},
        "0",
        filename,
        data,
    )
    request = urllib.request.Request(
        f"{base}/graphql",
        data=body,
        method="POST",
        headers={
            "Content-Type": content_type,
            "Authorization": f"Bearer {key}",
            "Accept": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            answer = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        detail = exc.read(2000).decode("utf-8", "replace").strip()
        print(f"vcengine: error: the server answered {exc.code}: {detail}", file=sys.stderr)
        return None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        print(f"vcengine: error: cannot reach {base}: {reason}", file=sys.stderr)
        return None
    errors = answer.get("errors")
    if errors:
        for error in errors:
            print(f"vcengine: error: {error.get('message')}", file=sys.stderr)
        return None
    result: dict[str, Any] = answer["data"]["bulkIssueCsv"]
    return result


def _ws_url(base: str) -> str:
    parts = urllib.parse.urlsplit(base)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return urllib.parse.urlunsplit((scheme, parts.netloc, parts.path + "/graphql", "", ""))


class _Progress(threading.Thread):
    """Follows the bulk's progress events and draws a bar on stderr (a line per event when stderr
    is not a terminal, so logs stay readable)."""

    def __init__(self, url: str, key: str, bulk_id: str) -> None:
        super().__init__(daemon=True, name="progress")
        self.url, self.key, self.bulk_id = url, key, bulk_id
        self.ready = threading.Event()
        self.stopping = threading.Event()
        self.drawn = False

    def run(self) -> None:
        try:
            self._follow()
        except Exception:  # no bar is no reason to fail the issuing (a proxy without WebSockets)
            pass
        finally:
            self.ready.set()

    def _follow(self) -> None:
        from websockets.sync.client import connect

        with connect(self.url, subprotocols=["graphql-transport-ws"], open_timeout=5) as ws:  # type: ignore[list-item]
            ws.send(
                json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {self.key}"}})
            )
            if json.loads(ws.recv(timeout=5)).get("type") != "connection_ack":
                return
            ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIPTION}}))
            self.ready.set()
            while not self.stopping.is_set():
                try:
                    message = json.loads(ws.recv(timeout=0.2))
                except TimeoutError:
                    continue
                if message.get("type") != "next":
                    return
                event = message["payload"]["data"]["credentialEvents"]
                if event["bulkId"] == self.bulk_id and event["total"]:
                    self._draw(event["done"], event["total"])

    def _draw(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // total
        bar = f"issuing [{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
        if sys.stderr.isatty():
            print(f"\r{bar}", end="", file=sys.stderr, flush=True)
        else:
            print(bar, file=sys.stderr, flush=True)
        self.drawn = True

    def stop(self) -> None:
        self.stopping.set()
        self.join(2)
        if self.drawn and sys.stderr.isatty():
            print(file=sys.stderr)
