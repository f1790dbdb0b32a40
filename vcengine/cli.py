"""The ``vcengine`` command. Its arguments and exit codes are a contract used by scripts:

    vcengine keys generate [--out FILE]
    vcengine sign FILE --key KEYFILE [--suite S] [--created DT] [--verification-method URL]
    vcengine sign --jsonl --key KEYFILE [--suite S]            (stdin -> stdout, one per line)
    vcengine verify FILE|- [--json] [--online] [--resolve URL=FILE]... [--now DT]
    vcengine verify --jsonl                                   (stdin -> one JSON report per line)
    vcengine demo                                             (key, sample credential, report)

Exit codes of verify: 0 verified, 1 a check failed, 2 unreadable or malformed input,
3 indeterminate (a check could not be completed). The CLI is a boundary: it reads files, the
clock and randomness, and hands them to the pure core.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from vcengine.core import jsontext
from vcengine.core.keys import KeyPair
from vcengine.core.resolve import OfflineResolver
from vcengine.core.verify import VerificationReport, looks_like_jws, verify_credential
from vcengine.errors import InputError, VcengineError

__all__ = ["main"]

EXIT_VERIFIED, EXIT_FAILED, EXIT_MALFORMED, EXIT_INDETERMINATE = 0, 1, 2, 3
SUITE_CHOICES = ("eddsa-rdfc-2022", "eddsa-jcs-2022", "Ed25519Signature2020", "vc-jwt")
_EXIT = {"verified": EXIT_VERIFIED, "failed": EXIT_FAILED, "indeterminate": EXIT_INDETERMINATE}
_SEVERITY = {EXIT_VERIFIED: 0, EXIT_INDETERMINATE: 1, EXIT_FAILED: 2, EXIT_MALFORMED: 3}


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _parse_when(text: str) -> datetime:
    from vcengine.core.dates import parse_date_time_stamp

    return parse_date_time_stamp(text)


def _read_json_file(path: str) -> Any:
    try:
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    return jsontext.loads(data)


def _load_key(path: str) -> KeyPair:
    return KeyPair.from_key_document(_read_json_file(path))


# ---------------------------------------------------------------- keys


def cmd_keys_generate(args: argparse.Namespace) -> int:
    key = KeyPair.from_seed(os.urandom(32))
    doc = json.dumps(key.export_multikey(), indent=2) + "\n"
    if args.out:
        fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(doc)
        print(f"wrote {args.out} (mode 0600; keep it secret)", file=sys.stderr)
    else:
        sys.stdout.write(doc)
    print(key.public.did_key)
    return 0


# ---------------------------------------------------------------- sign


def sign_one(credential: Any, key: KeyPair, suite: str, vm: str | None, created: datetime | None) -> str:
    """Sign one credential; the result is JSON text or a compact JWS."""
    if not isinstance(credential, Mapping):
        raise InputError("a credential must be a JSON object")
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


def cmd_sign(args: argparse.Namespace) -> int:
    key = _load_key(args.key)
    created = _parse_when(args.created) if args.created else _now().replace(microsecond=0)
    if args.jsonl:
        worst = 0
        for line in _lines(sys.stdin):
            try:
                print(sign_one(jsontext.loads(line), key, args.suite, args.verification_method, created))
            except VcengineError as exc:
                print(json.dumps({"error": str(exc)}))
                worst = EXIT_MALFORMED
            sys.stdout.flush()
        return worst
    if not args.file:
        raise InputError("sign needs FILE (or --jsonl to read stdin)")
    print(sign_one(_read_json_file(args.file), key, args.suite, args.verification_method, created))
    return 0


# ---------------------------------------------------------------- verify


def _resolver(args: argparse.Namespace) -> OfflineResolver:
    documents: dict[str, Mapping[str, Any]] = {}
    for item in args.resolve or ():
        url, sep, path = item.rpartition("=")
        if not sep or not url or not path:
            raise InputError(f"--resolve takes URL=FILE, got {item!r}")
        doc = _read_json_file(path)
        if not isinstance(doc, Mapping):
            raise InputError(f"--resolve {url}: {path} is not a JSON object")
        documents[url] = doc
    fetch: Callable[[str], Mapping[str, Any]] | None = None
    if args.online:
        from vcengine.fetch import fetch_json

        fetch = fetch_json
    return OfflineResolver(documents, fetch)


def verify_input(data: bytes, args: argparse.Namespace, resolver: OfflineResolver, now: datetime) -> VerificationReport:
    """Detect a baked image, a compact JWS or JSON, and verify it."""
    stripped = data.lstrip()
    if data[:8] == b"\x89PNG\r\n\x1a\n" or stripped[:1] == b"<":
        from vcengine.core.bake import unbake

        text = unbake(data).text
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError("input is neither JSON, a compact JWS, nor a PNG/SVG image") from None
    text = text.strip()
    if not text.startswith("{") and not looks_like_jws(text):
        raise InputError("input is neither JSON, a compact JWS, nor a PNG/SVG image")
    return verify_credential(text, resolver=resolver, now=now, status=_status_checker(args, resolver))


def _status_checker(args: argparse.Namespace, resolver: OfflineResolver) -> Any:
    """Status lists from ``--status-list [URL=]FILE`` (keyed by URL, or by the list's own id),
    then, with ``--online``, over HTTPS; without either, status stays unchecked (indeterminate)."""
    from vcengine.core.status_check import status_checker
    from vcengine.errors import ResolutionError

    supplied: dict[str, Mapping[str, Any]] = {}
    for item in args.status_list or ():
        url, sep, path = item.rpartition("=") if "=" in item else ("", "", item)
        doc = _read_json_file(path)
        if not isinstance(doc, Mapping):
            raise InputError(f"--status-list {path} is not a JSON object")
        key = url if sep else doc.get("id")
        if not isinstance(key, str):
            raise InputError(f"--status-list {path} has no id; give it as URL=FILE")
        supplied[key] = doc
    if not supplied and not args.online:
        return status_checker(None, resolver)

    def lists(url: str) -> Mapping[str, Any]:
        if url in supplied:
            return supplied[url]
        if args.online:
            from vcengine.fetch import fetch_json

            doc = fetch_json(url)
            if isinstance(doc, Mapping):
                return doc
            raise ResolutionError(f"{url} is not a JSON object")
        raise ResolutionError(f"status list {url} was not supplied (use --status-list URL=FILE or --online)")

    return status_checker(lists, resolver)


def render_report(report: VerificationReport, out: IO[str]) -> None:
    marks = {"pass": "PASS", "fail": "FAIL", "indeterminate": "????", "skipped": " -- "}
    cred = report.credential or {}
    print(f"credential: {cred.get('id', '(no id)')}  [{report.format}]", file=out)
    for check in report.checks:
        print(f"  [{marks[check.outcome]}] {check.name:<10} {check.reason}", file=out)
        for detail in check.details:
            if "outcome" in detail and check.name == "proof":
                print(f"           - proof {detail.get('proof')}: {detail['suite']} {detail['outcome']}: {detail['reason']}", file=out)
    print(f"verdict: {report.verdict.upper()}", file=out)


def cmd_verify(args: argparse.Namespace) -> int:
    resolver = _resolver(args)
    now = _parse_when(args.now) if args.now else _now()
    if args.jsonl:
        worst = EXIT_VERIFIED
        for number, line in enumerate(_lines(sys.stdin), 1):
            try:
                report = verify_input(line.encode("utf-8"), args, resolver, now)
                out: dict[str, Any] = {"line": number, **report.to_json()}
                code = _EXIT[report.verdict]
            except VcengineError as exc:
                out, code = {"line": number, "verdict": "malformed", "verified": False, "error": str(exc)}, EXIT_MALFORMED
            print(json.dumps(out, ensure_ascii=False))
            sys.stdout.flush()
            worst = max(worst, code, key=_SEVERITY.__getitem__)
        return worst
    if not args.file:
        raise InputError("verify needs FILE or - (or --jsonl)")
    try:
        data = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {args.file}: {exc.strerror}") from None
    report = verify_input(data, args, resolver, now)
    if args.json:
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        render_report(report, sys.stdout)
    return _EXIT[report.verdict]


def _lines(stream: IO[str]) -> Iterator[str]:
    for line in stream:
        if line.strip():
            yield line.strip()


# ---------------------------------------------------------------- demo


def cmd_demo(args: argparse.Namespace) -> int:
    """Generate a key, issue a sample OB 3.0 credential, verify it and print the report."""
    import uuid

    from vcengine.core.proofs.data_integrity import add_proof

    key = KeyPair.from_seed(os.urandom(32))
    now = _now().replace(microsecond=0)
    issuer = key.public.did_key
    credential = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Introduction to Verifiable Credentials",
        "issuer": {"id": issuer, "type": ["Profile"], "name": "vcengine demo academy"},
        "validFrom": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": {
            "id": f"did:key:{KeyPair.from_seed(os.urandom(32)).public.multibase}",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": f"urn:uuid:{uuid.uuid4()}",
                "type": ["Achievement"],
                "name": "Introduction to Verifiable Credentials",
                "description": "Completed the introductory course on W3C Verifiable Credentials.",
                "criteria": {"narrative": "Pass the final quiz with at least 80%."},
                "achievementType": "Course",
            },
        },
    }
    signed = add_proof(credential, key, verification_method=key.public.did_key_verification_method, created=now)
    print(f"issuer key: {issuer}")
    print(json.dumps(signed, indent=2))
    report = verify_credential(signed, resolver=OfflineResolver(), now=now)
    render_report(report, sys.stdout)
    return _EXIT[report.verdict]


# ---------------------------------------------------------------- main


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vcengine", description="Open Badges 3.0 verifiable credentials")
    sub = parser.add_subparsers(dest="command", required=True)

    keys = sub.add_parser("keys", help="manage Ed25519 keys").add_subparsers(dest="keys_command", required=True)
    gen = keys.add_parser("generate", help="write a Multikey JSON key file and print its did:key")
    gen.add_argument("--out", help="file to create (mode 0600); default: stdout")
    gen.set_defaults(func=cmd_keys_generate)

    sign = sub.add_parser("sign", help="sign a credential")
    sign.add_argument("file", nargs="?", help="unsigned credential JSON (or - for stdin)")
    sign.add_argument("--key", required=True, help="Multikey JSON or JWK with the secret")
    sign.add_argument("--suite", choices=SUITE_CHOICES, default="eddsa-rdfc-2022")
    sign.add_argument("--created", help="proof creation time (default: now)")
    sign.add_argument("--verification-method", help="verification method URL (default: the key's did:key)")
    sign.add_argument("--jsonl", action="store_true", help="one credential per line on stdin")
    sign.set_defaults(func=cmd_sign)

    verify = sub.add_parser("verify", help="verify a credential, JWT or baked image")
    verify.add_argument("file", nargs="?", help="credential file, or - for stdin")
    verify.add_argument("--json", action="store_true", help="print the machine-readable report")
    verify.add_argument("--jsonl", action="store_true", help="one credential or JWT per line on stdin")
    verify.add_argument("--online", action="store_true", help="resolve did:web / https keys and status lists over HTTPS")
    verify.add_argument("--resolve", action="append", metavar="URL=FILE", help="a local document for URL")
    verify.add_argument("--status-list", action="append", metavar="FILE", help="a status list credential to use")
    verify.add_argument("--now", help="verify as of this time (default: now)")
    verify.set_defaults(func=cmd_verify)

    demo = sub.add_parser("demo", help="generate a key, issue a sample OB 3.0 credential and verify it")
    demo.set_defaults(func=cmd_demo)
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
