"""`vcengine sign`: Data Integrity proofs or a VC-JWT, one file or JSON lines.

Nothing is signed that breaks a data-model rule an issuer must enforce (``ensure_signable``):
exit 2 and a message naming the rule (``[VCDM2-4.8-subject-claims]``) and its spec section; in
``--jsonl`` mode the line is ``{"error", "rule", "spec", "path"}``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from vcengine.cli._io import (
    EXIT_MALFORMED,
    lines,
    load_key,
    parse_when,
    read_json_file,
    utc_now,
)
from vcengine.core import jsontext
from vcengine.errors import InputError, SchemaError, VcengineError

if TYPE_CHECKING:
    from vcengine.core.keys import KeyPair

SUITE_CHOICES = ("eddsa-rdfc-2022", "eddsa-jcs-2022", "Ed25519Signature2020", "vc-jwt")


def sign_one(credential: Any, key: KeyPair, suite: str, vm: str | None, created: datetime | None) -> str:
    """Sign one credential; the result is JSON text or a compact JWS."""
    from vcengine.core.schema import ensure_signable  # imported per command: `vcengine --help` stays fast

    if not isinstance(credential, Mapping):
        raise InputError("a credential must be a JSON object")
    ensure_signable(credential)
    if suite == "vc-jwt":
        from vcengine.core.proofs import vc_jwt

        return vc_jwt.sign(credential, key, kid=vm)
    from vcengine.core.proofs.data_integrity import add_proof

    signed = add_proof(
        credential,
        key,
        suite=suite,
        verification_method=vm or key.public.did_key_verification_method,
        created=created,
    )
    return json.dumps(signed, ensure_ascii=False)


def _error(exc: VcengineError) -> dict[str, Any]:
    """One JSON line for a credential that was not signed; names the data-model rule broken."""
    out: dict[str, Any] = {"error": str(exc)}
    if isinstance(exc, SchemaError) and exc.rule is not None:
        out.update(rule=exc.rule, spec=exc.spec, path=exc.path)
    return out


def cmd_sign(args: argparse.Namespace) -> int:
    key = load_key(args.key)
    created = parse_when(args.created) if args.created else utc_now().replace(microsecond=0)
    if args.jsonl:
        worst = 0
        for line in lines(sys.stdin):
            try:
                print(sign_one(jsontext.loads(line), key, args.suite, args.verification_method, created))
            except VcengineError as exc:
                print(json.dumps(_error(exc)))
                worst = EXIT_MALFORMED
            sys.stdout.flush()
        return worst
    if not args.file:
        raise InputError("sign needs FILE (or --jsonl to read stdin)")
    print(sign_one(read_json_file(args.file), key, args.suite, args.verification_method, created))
    return 0


def register(sub: Any) -> None:
    sign = sub.add_parser("sign", help="sign a credential")
    sign.add_argument("file", nargs="?", help="unsigned credential JSON (or - for stdin)")
    sign.add_argument("--key", required=True, help="Multikey JSON or JWK with the secret")
    sign.add_argument(
        "--suite",
        choices=SUITE_CHOICES,
        default="eddsa-rdfc-2022",
        help="the proof format (default: %(default)s)",
    )
    sign.add_argument("--created", help="proof creation time (default: now)")
    sign.add_argument("--verification-method", help="verification method URL (default: the key's did:key)")
    sign.add_argument("--jsonl", action="store_true", help="one credential per line on stdin")
    sign.set_defaults(func=cmd_sign)
