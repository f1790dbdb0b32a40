"""`vcengine verify`: JSON-LD, JWT or baked image in; a report of every check out."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import IO, Any

from vcengine.cli._io import (
    EXIT_BY_VERDICT,
    EXIT_MALFORMED,
    EXIT_VERIFIED,
    SEVERITY,
    lines,
    parse_when,
    read_bytes,
    read_json_file,
    utc_now,
)
from vcengine.core import jsontext
from vcengine.core.presentation import PresentationReport, verify_presentation
from vcengine.core.presentation_jwt import is_presentation_jwt, verify_presentation_jwt
from vcengine.core.resolve import OfflineResolver
from vcengine.core.verify import VerificationReport, looks_like_jws, ob2_report, verify_credential
from vcengine.errors import InputError, VcengineError

Report = VerificationReport | PresentationReport


def _resolver(args: argparse.Namespace) -> OfflineResolver:
    documents: dict[str, Mapping[str, Any]] = {}
    for item in args.resolve or ():
        url, sep, path = item.rpartition("=")
        if not sep or not url or not path:
            raise InputError(f"--resolve takes URL=FILE, got {item!r}")
        doc = read_json_file(path)
        if not isinstance(doc, Mapping):
            raise InputError(f"--resolve {url}: {path} is not a JSON object")
        documents[url] = doc
    fetch: Callable[[str], Mapping[str, Any]] | None = None
    if args.online:
        from vcengine.fetch import fetch_json

        fetch = fetch_json
    return OfflineResolver(documents, fetch)


def _is_presentation(value: Any) -> bool:
    types = value.get("type") if isinstance(value, Mapping) else None
    return "VerifiablePresentation" in (types if isinstance(types, list) else [types])


def verify_input(data: bytes, args: argparse.Namespace, resolver: OfflineResolver, now: datetime) -> Report:
    """Detect a baked image, a compact JWS or JSON (a credential or a presentation), and verify it."""
    stripped = data.lstrip()
    if data[:8] == b"\x89PNG\r\n\x1a\n" or stripped[:1] == b"<":
        from vcengine.core.bake import unbake

        baked = unbake(data)
        if baked.format.startswith("ob2"):
            return ob2_report(baked.format)
        text = baked.text
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError("input is neither JSON, a compact JWS, nor a PNG/SVG image") from None
    text = text.strip()
    if not text.startswith("{") and not looks_like_jws(text):
        raise InputError("input is neither JSON, a compact JWS, nor a PNG/SVG image")
    status = _status_checker(args, resolver)
    if text.startswith("{"):
        document = jsontext.loads(text)
        if _is_presentation(document):
            return verify_presentation(
                document,
                resolver=resolver,
                now=now,
                status=status,
                challenge=getattr(args, "challenge", None),
                domain=getattr(args, "domain", None),
            )
        return verify_credential(document, resolver=resolver, now=now, status=status)
    if is_presentation_jwt(text):
        return verify_presentation_jwt(
            text,
            resolver=resolver,
            now=now,
            status=status,
            challenge=getattr(args, "challenge", None),
            domain=getattr(args, "domain", None),
        )
    return verify_credential(text, resolver=resolver, now=now, status=status)


def _status_checker(args: argparse.Namespace, resolver: OfflineResolver) -> Any:
    """Status lists from ``--status-list [URL=]FILE`` (keyed by URL, or by the list's own id),
    then, with ``--online``, over HTTPS; without either, status stays unchecked (indeterminate)."""
    from vcengine.core.status_check import status_checker
    from vcengine.errors import ResolutionError

    supplied: dict[str, Mapping[str, Any]] = {}
    for item in args.status_list or ():
        url, sep, path = item.rpartition("=") if "=" in item else ("", "", item)
        doc = read_json_file(path)
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


def render_report(report: Report, out: IO[str], indent: str = "") -> None:
    marks = {"pass": "PASS", "fail": "FAIL", "indeterminate": "????", "skipped": " -- "}
    if isinstance(report, PresentationReport):
        vp = report.presentation or {}
        print(f"presentation: {vp.get('id', '(no id)')}  holder {vp.get('holder', '(none)')}", file=out)
        for check in report.checks:
            print(f"  [{marks[check.outcome]}] {check.name:<10} {check.reason}", file=out)
        for number, credential in enumerate(report.credentials, 1):
            print(f"  credential {number} of {len(report.credentials)}:", file=out)
            render_report(credential, out, indent="    ")
        print(f"verdict: {report.verdict.upper()}", file=out)
        return
    cred = report.credential or {}
    print(f"{indent}credential: {cred.get('id', '(no id)')}  [{report.format}]", file=out)
    for check in report.checks:
        print(f"{indent}  [{marks[check.outcome]}] {check.name:<10} {check.reason}", file=out)
        for detail in check.details:
            if "outcome" in detail and check.name == "proof":
                print(
                    f"{indent}           - proof {detail.get('proof')}: {detail['suite']} "
                    f"{detail['outcome']}: {detail['reason']}",
                    file=out,
                )
    print(f"{indent}verdict: {report.verdict.upper()}", file=out)


def cmd_verify(args: argparse.Namespace) -> int:
    resolver = _resolver(args)
    now = parse_when(args.now) if args.now else utc_now()
    if args.jsonl:
        worst = EXIT_VERIFIED
        for number, line in enumerate(lines(sys.stdin), 1):
            try:
                report = verify_input(line.encode("utf-8"), args, resolver, now)
                out: dict[str, Any] = {"line": number, **report.to_json()}
                code = EXIT_BY_VERDICT[report.verdict]
            except VcengineError as exc:
                out, code = (
                    {"line": number, "verdict": "malformed", "verified": False, "error": str(exc)},
                    EXIT_MALFORMED,
                )
            print(json.dumps(out, ensure_ascii=False))
            sys.stdout.flush()
            worst = max(worst, code, key=SEVERITY.__getitem__)
        return worst
    if not args.file:
        raise InputError("verify needs FILE or - (or --jsonl)")
    data = read_bytes(args.file)
    report = verify_input(data, args, resolver, now)
    if args.json:
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        render_report(report, sys.stdout)
    return EXIT_BY_VERDICT[report.verdict]


def register(sub: Any) -> None:
    verify = sub.add_parser("verify", help="verify a credential, presentation, JWT or baked image")
    verify.add_argument("file", nargs="?", help="credential or presentation file, or - for stdin")
    verify.add_argument("--json", action="store_true", help="print the machine-readable report")
    verify.add_argument("--jsonl", action="store_true", help="one credential or JWT per line on stdin")
    verify.add_argument(
        "--online", action="store_true", help="resolve did:web / https keys and status lists over HTTPS"
    )
    verify.add_argument("--resolve", action="append", metavar="URL=FILE", help="a local document for URL")
    verify.add_argument(
        "--status-list", action="append", metavar="[URL=]FILE", help="a status list credential to use"
    )
    verify.add_argument("--now", help="verify as of this time (default: now)")
    verify.add_argument("--challenge", help="the challenge a presentation's proof must carry")
    verify.add_argument("--domain", help="the domain a presentation's proof must carry")
    verify.set_defaults(func=cmd_verify)
