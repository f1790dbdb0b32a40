"""`vcengine status new|set|clear|show`: a status list kept in a local JSON file.

The file holds the list's URL, purpose, issuer, bits (``encodedList``) and the last signed list
credential; every change re-signs it once (one signature per batch of indexes) and prints it.
Writes go to a temporary file renamed into place, so the file is never half-written.
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from vcengine.cli._io import load_key, read_json_file, utc_now
from vcengine.core.status import PURPOSES, StatusList
from vcengine.errors import InputError

STATE_FORMAT = "vcengine-status-list/1"


def _save(path: str, state: dict[str, Any]) -> None:
    tmp = Path(f"{path}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(state, indent=2) + "\n")
    os.replace(tmp, path)


def _load(path: str) -> tuple[dict[str, Any], StatusList]:
    state = read_json_file(path)
    if not isinstance(state, dict) or state.get("format") != STATE_FORMAT:
        raise InputError(f"{path} is not a vcengine status list file")
    bits = StatusList.decode(
        state["encodedList"], status_size=state.get("statusSize", 1), purpose=state["purpose"]
    )
    return state, bits


def _publish(args: argparse.Namespace, state: dict[str, Any], bits: StatusList) -> dict[str, Any]:
    from vcengine.core.status.publish import publish

    key = load_key(args.key)
    issuer = state.get("issuer") or key.public.did_key
    vm = (
        getattr(args, "verification_method", None)
        or state.get("verificationMethod")
        or (key.public.did_key_verification_method)
    )
    signed = publish(
        bits,
        url=state["url"],
        issuer=issuer,
        key=key,
        verification_method=vm,
        now=utc_now().replace(microsecond=0),
        ttl=timedelta(seconds=state.get("ttlSeconds", 86400)),
    )
    state.update(issuer=issuer, verificationMethod=vm, encodedList=bits.encode(), credential=signed)
    return signed


def cmd_new(args: argparse.Namespace) -> int:
    if Path(args.file).exists():
        raise InputError(f"{args.file} exists; status new never overwrites a list")
    bits = StatusList.create(args.length, purpose=args.purpose)
    state: dict[str, Any] = {
        "format": STATE_FORMAT,
        "url": args.url,
        "purpose": args.purpose,
        "issuer": args.issuer,
        "ttlSeconds": args.ttl,
        "encodedList": bits.encode(),
    }
    signed = _publish(args, state, bits)
    _save(args.file, state)
    print(json.dumps(signed, indent=2))
    return 0


def _change(args: argparse.Namespace, value: int) -> int:
    state, bits = _load(args.file)
    bits = bits.with_changes({index: value for index in args.indexes})
    signed = _publish(args, state, bits)
    _save(args.file, state)
    print(json.dumps(signed, indent=2))
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    return _change(args, args.value)


def cmd_clear(args: argparse.Namespace) -> int:
    return _change(args, 0)


def cmd_show(args: argparse.Namespace) -> int:
    state, bits = _load(args.file)
    if args.indexes:
        for index in args.indexes:
            print(f"{index}: {bits.get(index)}")
        return 0
    print(json.dumps(state.get("credential"), indent=2))
    return 0


def cmd_refresh(args: argparse.Namespace) -> int:
    """Re-sign the list as it is, with a new ``validFrom``/``validUntil``: a list credential past
    its ``validUntil`` makes every credential that points at it indeterminate."""
    state, bits = _load(args.file)
    if args.ttl is not None:
        state["ttlSeconds"] = args.ttl
    signed = _publish(args, state, bits)
    _save(args.file, state)
    print(json.dumps(signed, indent=2))
    return 0


_FILE_HELP = "the status list file (JSON state kept by vcengine status)"
_INDEXES_HELP = "entry indexes (each credential's statusListIndex)"
_KEY_HELP = "the issuer's key file, to re-sign the list"


def register(sub: Any) -> None:
    status = sub.add_parser(
        "status",
        help="manage a Bitstring Status List in a local file",
        description="A Bitstring Status List kept in a local file. Every command that changes it "
        "prints the re-signed list credential to publish at its URL. A list credential expires at "
        "its validUntil (--ttl after signing): run `vcengine status refresh` before then.",
    )
    cmds = status.add_subparsers(dest="status_command", required=True, metavar="COMMAND")
    new = cmds.add_parser("new", help="create a list file and print its signed list credential")
    new.add_argument("file", help="the status list file to create")
    new.add_argument("--key", required=True, help="the issuer's key file")
    new.add_argument("--url", required=True, help="where the list credential will be published (its id)")
    new.add_argument(
        "--purpose", choices=PURPOSES, default="revocation", help="statusPurpose (default: %(default)s)"
    )
    new.add_argument("--length", type=int, default=131_072, help="entries (at least 131072)")
    new.add_argument("--issuer", help="issuer id (default: the key's did:key)")
    new.add_argument("--verification-method", help="default: the key's did:key verification method")
    new.add_argument("--ttl", type=int, default=86400, help="seconds until validUntil (default: one day)")
    new.set_defaults(func=cmd_new)
    for name, func, helptext in (
        ("set", cmd_set, "set entries (revoke/suspend)"),
        ("clear", cmd_clear, "clear entries (unsuspend)"),
    ):
        p = cmds.add_parser(name, help=f"{helptext} and print the re-signed list credential")
        p.add_argument("file", help=_FILE_HELP)
        p.add_argument("indexes", nargs="+", type=int, help=_INDEXES_HELP)
        p.add_argument("--key", required=True, help=_KEY_HELP)
        if name == "set":
            p.add_argument("--value", type=int, default=1, help="status value (default 1)")
        p.set_defaults(func=func)
    refresh = cmds.add_parser(
        "refresh", help="re-sign the list unchanged with a new validUntil and print it (before it expires)"
    )
    refresh.add_argument("file", help=_FILE_HELP)
    refresh.add_argument("--key", required=True, help=_KEY_HELP)
    refresh.add_argument(
        "--ttl", type=int, help="seconds until the new validUntil (default: the list's own, set by new)"
    )
    refresh.set_defaults(func=cmd_refresh)
    show = cmds.add_parser("show", help="print the signed list credential, or the value at indexes")
    show.add_argument("file", help=_FILE_HELP)
    show.add_argument("indexes", nargs="*", type=int, help="entries to print (default: the credential)")
    show.set_defaults(func=cmd_show)
