"""`vcengine keys generate`: a Multikey JSON key file (mode 0600) and its did:key."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from vcengine.errors import InputError


def cmd_keys_generate(args: argparse.Namespace) -> int:
    from vcengine.core.keys import KeyPair

    key = KeyPair.from_seed(os.urandom(32))
    doc = json.dumps(key.export_multikey(), indent=2) + "\n"
    if args.out:
        try:
            fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise InputError(f"{args.out} exists; keys generate never overwrites a key") from None
        with os.fdopen(fd, "w") as fh:
            fh.write(doc)
        print(f"wrote {args.out} (mode 0600; keep it secret)", file=sys.stderr)
    else:
        sys.stdout.write(doc)
    print(key.public.did_key)
    return 0


def register(sub: Any) -> None:
    keys = sub.add_parser("keys", help="manage Ed25519 keys").add_subparsers(
        dest="keys_command", required=True
    )
    gen = keys.add_parser("generate", help="write a Multikey JSON key file and print its did:key")
    gen.add_argument("--out", help="file to create (mode 0600); default: stdout")
    gen.set_defaults(func=cmd_keys_generate)
