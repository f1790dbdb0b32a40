"""What every command shares: reading files and stdin, the clock, exit codes."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from vcengine.core import jsontext
from vcengine.errors import InputError

if TYPE_CHECKING:
    from vcengine.core.keys import KeyPair

EXIT_VERIFIED, EXIT_FAILED, EXIT_MALFORMED, EXIT_INDETERMINATE = 0, 1, 2, 3
EXIT_BY_VERDICT = {"verified": EXIT_VERIFIED, "failed": EXIT_FAILED, "indeterminate": EXIT_INDETERMINATE}
SEVERITY = {EXIT_VERIFIED: 0, EXIT_INDETERMINATE: 1, EXIT_FAILED: 2, EXIT_MALFORMED: 3}


def utc_now() -> datetime:
    return datetime.now(UTC)


def parse_when(text: str) -> datetime:
    from vcengine.core.dates import parse_date_time_stamp

    return parse_date_time_stamp(text)


def read_bytes(path: str) -> bytes:
    try:
        return sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None


def read_json_file(path: str) -> Any:
    return jsontext.loads(read_bytes(path))


def load_key(path: str) -> KeyPair:
    from vcengine.core.keys import KeyPair

    return KeyPair.from_key_document(read_json_file(path))


def lines(stream: IO[str]) -> Iterator[str]:
    for line in stream:
        if line.strip():
            yield line.strip()
