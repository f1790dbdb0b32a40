"""`vcengine keys generate`: a Multikey JSON key file (mode 0600) and its did:key."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from vcengine.errors import InputError


def _write_new(path: str, text: str) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise InputError(f"{path} exists; keys generate never overwrites a key") from None
    except OSError as exc:
        raise InputError(f"cannot create {path}: {exc.strerror}") from None
    with os.fdopen(fd, "w") as fh:
        fh.write(text)


def cmd_keys_generate(args: argparse.Namespace) -> int:
    """With ``--out FILE``: the key goes to FILE and its did:key to stdout. Otherwise the key JSON
    is stdout's only content (``> key.json`` or a pipe) and the did:key goes to stderr; a terminal
    gets the secret only when asked with ``--out -``."""
    from vcengine.core.keys import KeyPair

    to_stdout = args.out in (None, "-")
    if args.out is None and sys.stdout.isatty():
        raise InputError(
            "refusing to print a secret key to the terminal: use --out FILE (or --out - to print it anyway)"
        )
    key = KeyPair.from_seed(os.urandom(32))
    doc = json.dumps(key.export_multikey(), indent=2) + "\n"
    if to_stdout:
        sys.stdout.write(doc)
        print(key.public.did_key, file=sys.stderr)
        return 0
    _write_new(args.out, doc)
    print(f"wrote {args.out} (mode 0600; keep it secret)", file=sys.stderr)
    print(key.public.did_key)
    return 0


def register(sub: Any) -> None:
    keys = sub.add_parser("keys", help="manage Ed25519 keys").add_subparsers(
        dest="keys_command", required=True, metavar="COMMAND"
    )
    gen = keys.add_parser(
        "generate",
        help="write a Multikey JSON key file and print its did:key",
        description="Generate an Ed25519 key: a Multikey JSON document holding the secret key.",
    )
    gen.add_argument(
        "--out",
        metavar="FILE",
        help="file to create (mode 0600; its did:key goes to stdout). Without --out the key JSON goes "
        "to stdout and the did:key to stderr; a terminal needs --out - to be shown the secret key",
    )
    gen.set_defaults(func=cmd_keys_generate)
