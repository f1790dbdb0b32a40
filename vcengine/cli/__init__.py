"""The ``vcengine`` command. Its arguments and exit codes are a contract used by scripts:

    vcengine keys generate [--out FILE|-]                     (no --out: key JSON to stdout, not a tty)
    vcengine sign FILE --key KEYFILE [--suite S] [--created DT] [--verification-method URL]
    vcengine sign --jsonl --key KEYFILE [--suite S]            (stdin -> stdout, one per line)
    vcengine verify FILE|- [--json] [--online [--allow-http-loopback]] [--resolve URL=FILE]... [--now DT]
    vcengine verify --jsonl                                   (stdin -> one JSON report per line)
    vcengine status new|set|clear|refresh|show FILE ...      (a status list kept in a file)
    vcengine demo                                             (key, sample credential, report)
    vcengine admin org|keys ...                               (organizations and API keys, on the store)
    vcengine issue --csv FILE [--server URL] [--dry-run]       (a spreadsheet, through a running server)

Exit codes of verify: 0 verified, 1 a check failed, 2 unreadable or malformed input,
3 indeterminate (a check could not be completed). The CLI is a boundary: it reads files, the
clock and randomness, and hands them to the pure core.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from vcengine import __version__
from vcengine.cli import admin, bake, demo, issue, keys, serve, sign, status, verify
from vcengine.cli._io import EXIT_MALFORMED
from vcengine.errors import VcengineError

__all__ = ["build_parser", "main"]

#: What a process killed by SIGPIPE reports (128 + 13); ``vcengine verify --jsonl | head`` ends so.
EXIT_BROKEN_PIPE = 141


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vcengine", description="Open Badges 3.0 verifiable credentials")
    parser.add_argument("--version", action="version", version=f"vcengine {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for command in (demo, keys, sign, verify, bake, status, issue, serve, admin):
        command.register(sub)
    return parser


def _quiet_stdout() -> None:
    """The reader of stdout went away (``| head``): point stdout at /dev/null so the interpreter's
    final flush does not print a BrokenPipeError traceback either."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (captured in tests)
        pass
    finally:
        os.close(devnull)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:  # `vcengine` alone
        parser.print_help()
        return 0
    try:
        code: int = args.func(args)
        sys.stdout.flush()
        return code
    except VcengineError as exc:
        print(f"vcengine: error: {exc}", file=sys.stderr)
        return EXIT_MALFORMED
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        return 130
