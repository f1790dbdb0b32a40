"""`vcengine bake` and `vcengine unbake`: credentials inside badge images (OB 3.0 §5.3)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from vcengine.cli._io import read_bytes
from vcengine.core import jsontext
from vcengine.errors import InputError, JsonError


def _say_what_is_already_baked(image: bytes, name: str) -> None:
    """Tell the user (stderr) that baking replaces an OB 3.0 credential already in the image, or
    keeps an OB 2.0 assertion beside the new one."""
    from vcengine.core.bake import unbake
    from vcengine.errors import BakeError

    try:
        found = unbake(image)
    except BakeError:  # nothing baked yet (or unreadable: bake itself says what is wrong)
        return
    if found.format.startswith("ob3"):
        print(f"replacing the credential already baked into {name}", file=sys.stderr)
    else:
        print(f"note: {name} also carries an Open Badges 2.0 assertion; it is kept as is", file=sys.stderr)


def cmd_bake(args: argparse.Namespace) -> int:
    from vcengine.core.bake import bake

    try:
        credential = read_bytes(args.credential).decode("utf-8").strip()
    except UnicodeDecodeError:
        raise InputError(f"{args.credential} is not UTF-8 text (a JSON credential or a JWT)") from None
    image = read_bytes(args.image)
    _say_what_is_already_baked(image, args.image)
    baked = bake(image, credential)
    tmp = f"{args.out}.tmp-{os.getpid()}"
    with open(tmp, "wb") as fh:  # write then rename: never a half-written badge
        fh.write(baked)
    os.replace(tmp, args.out)
    print(f"baked {len(credential)} characters into {args.out}", file=sys.stderr)
    return 0


def cmd_unbake(args: argparse.Namespace) -> int:
    from vcengine.core.bake import unbake

    found = unbake(read_bytes(args.image))
    if found.format.endswith("-json"):  # print only what a verifier would read: strict JSON
        try:
            jsontext.loads(found.text)
        except JsonError as exc:
            raise JsonError(f"the baked credential is not valid JSON: {exc.message}") from None
    if args.json:
        print(
            json.dumps(
                {
                    "format": found.format,
                    "mediaType": found.media_type,
                    "text": found.text,
                    "deviations": list(found.deviations),
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        print(f"format: {found.format}", file=sys.stderr)
        for deviation in found.deviations:
            print(f"note: {deviation}", file=sys.stderr)
        print(found.text)
    return 0


def register(sub: Any) -> None:
    bake_p = sub.add_parser("bake", help="bake a credential (JSON or JWT file) into a PNG or SVG badge")
    bake_p.add_argument("credential", help="signed credential JSON file or compact JWT file")
    bake_p.add_argument("image", help="PNG or SVG image")
    bake_p.add_argument("-o", "--out", required=True, help="output image")
    bake_p.set_defaults(func=cmd_bake)
    unbake_p = sub.add_parser("unbake", help="print the credential baked into a PNG or SVG badge")
    unbake_p.add_argument("image", help="PNG or SVG image")
    unbake_p.add_argument("--json", action="store_true", help="print format and text as JSON")
    unbake_p.set_defaults(func=cmd_unbake)
