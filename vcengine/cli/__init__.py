"""The ``vcengine`` command. Its arguments and exit codes are a contract used by scripts:

    vcengine keys generate [--out FILE]
    vcengine sign FILE --key KEYFILE [--suite S] [--created DT] [--verification-method URL]
    vcengine sign --jsonl --key KEYFILE [--suite S]            (stdin -> stdout, one per line)
    vcengine verify FILE|- [--json] [--online] [--resolve URL=FILE]... [--now DT]
    vcengine verify --jsonl                                   (stdin -> one JSON report per line)
    vcengine demo                                             (key, sample credential, report)
    vcengine admin org|keys ...                               (organizations and API keys, on the store)

Exit codes of verify: 0 verified, 1 a check failed, 2 unreadable or malformed input,
3 indeterminate (a check could not be completed). The CLI is a boundary: it reads files, the
clock and randomness, and hands them to the pure core.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from vcengine.cli import admin, bake, demo, keys, serve, sign, status, verify
from vcengine.cli._io import EXIT_MALFORMED
from vcengine.errors import VcengineError

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vcengine", description="Open Badges 3.0 verifiable credentials")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in (demo, keys, sign, verify, bake, status, serve, admin):
        command.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except VcengineError as exc:
        print(f"vcengine: error: {exc}", file=sys.stderr)
        return EXIT_MALFORMED
    except KeyboardInterrupt:
        return 130
