"""`vcengine verify`: JSON-LD, JWT, OB 2.0 assertion or baked image in; a report of every check out."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any

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
from vcengine.errors import InputError, VcengineError

if TYPE_CHECKING:  # the verifier loads when a verify command runs, not for `vcengine --help`
    from vcengine.core import ob2
    from vcengine.core.ob2 import MappedDocuments
    from vcengine.core.presentation import PresentationReport
    from vcengine.core.resolve import OfflineResolver
    from vcengine.core.verify import VerificationReport

    Report = VerificationReport | PresentationReport


@dataclass(frozen=True, slots=True)
class _Sources:
    """Where documents come from: ``--resolve URL=FILE`` files, then ``--online`` HTTPS fetches —
    keys and controller documents for VCs, linked badge documents for OB 2.0."""

    keys: OfflineResolver
    documents: MappedDocuments


def _fetcher(args: argparse.Namespace) -> Callable[[str], Any] | None:
    """The ``--online`` fetcher: HTTPS, and plain http to loopback hosts with --allow-http-loopback."""
    if args.allow_http_loopback and not args.online:
        raise InputError("--allow-http-loopback only applies with --online")
    if not args.online:
        return None
    from vcengine.fetch import fetch_json

    allow = bool(args.allow_http_loopback)
    return lambda url: fetch_json(url, allow_http_loopback=allow)


def _sources(args: argparse.Namespace) -> _Sources:
    from vcengine.core.ob2 import MappedDocuments
    from vcengine.core.resolve import OfflineResolver

    documents: dict[str, Mapping[str, Any]] = {}
    for item in args.resolve or ():
        url, sep, path = item.rpartition("=")
        if not sep or not url or not path:
            raise InputError(f"--resolve takes URL=FILE, got {item!r}")
        doc = read_json_file(path)
        if not isinstance(doc, Mapping):
            raise InputError(f"--resolve {url}: {path} is not a JSON object")
        documents[url] = doc
    fetch = _fetcher(args)
    return _Sources(OfflineResolver(documents, fetch), MappedDocuments(documents, fetch))


def _verify_ob2(
    presented: ob2.Presented, args: argparse.Namespace, sources: _Sources, now: datetime
) -> VerificationReport:
    from vcengine.core import ob2

    return ob2.verify_ob2(
        presented, documents=sources.documents, now=now, recipient=getattr(args, "recipient", None)
    )


def _is_presentation(value: Any) -> bool:
    types = value.get("type") if isinstance(value, Mapping) else None
    return "VerifiablePresentation" in (types if isinstance(types, list) else [types])


def verify_input(data: bytes, args: argparse.Namespace, sources: _Sources, now: datetime) -> Report:
    """Detect a baked image, a compact JWS or JSON (a credential, a presentation, or an Open Badges
    2.0 assertion), and verify it."""
    from vcengine.core import ob2
    from vcengine.core.presentation import verify_presentation
    from vcengine.core.presentation_jwt import is_presentation_jwt, verify_presentation_jwt
    from vcengine.core.verify import looks_like_jws, verify_credential

    stripped = data.lstrip()
    if data[:8] == b"\x89PNG\r\n\x1a\n" or stripped[:1] == b"<":
        from vcengine.core.bake import unbake

        baked = unbake(data)
        if baked.format.startswith("ob2"):
            return _verify_ob2(ob2.from_baked(baked), args, sources, now)
        text = baked.text
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError("input is neither JSON, a compact JWS, nor a PNG/SVG image") from None
    text = text.strip()
    if not text.startswith("{") and not looks_like_jws(text):
        raise InputError("input is neither JSON, a compact JWS, nor a PNG/SVG image")
    document: Any = jsontext.loads(text) if text.startswith("{") else text
    presented = ob2.detect(document)
    if presented is not None:
        return _verify_ob2(presented, args, sources, now)
    if getattr(args, "recipient", None) is not None:
        raise InputError("--recipient checks the recipient of an Open Badges 2.0 assertion; this is not one")
    resolver = sources.keys
    status = _status_checker(args, resolver)
    if isinstance(document, Mapping):
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
    from vcengine.core.status.check import status_checker
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
    fetch = _fetcher(args)

    def lists(url: str) -> Mapping[str, Any]:
        if url in supplied:
            return supplied[url]
        if fetch is not None:
            doc = fetch(url)
            if isinstance(doc, Mapping):
                return doc
            raise ResolutionError(f"{url} is not a JSON object")
        raise ResolutionError(f"status list {url} was not supplied (use --status-list URL=FILE or --online)")

    return status_checker(lists, resolver)


def render_report(report: Report, out: IO[str], indent: str = "") -> None:
    from vcengine.core.presentation import PresentationReport

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
    sources = _sources(args)
    now = parse_when(args.now) if args.now else utc_now()
    if args.jsonl:
        worst = EXIT_VERIFIED
        for number, line in enumerate(lines(sys.stdin), 1):
            try:
                report = verify_input(line.encode("utf-8"), args, sources, now)
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
    report = verify_input(data, args, sources, now)
    if args.json:
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        render_report(report, sys.stdout)
    return EXIT_BY_VERDICT[report.verdict]


EXIT_CODES = """exit codes (with --jsonl, the worst line's):
  0  verified: every check passed
  1  failed: a check failed (bad signature, revoked, expired, ...)
  2  malformed: the input could not be read or is not a credential
  3  indeterminate: a check could not be completed (a key, document or status list unavailable)
"""


def register(sub: Any) -> None:
    verify = sub.add_parser(
        "verify",
        help="verify a credential, presentation, JWT or baked image",
        description="Verify a credential, presentation, VC-JWT, Open Badges 2.0 assertion or baked "
        "PNG/SVG badge, and print a report of every check.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verify.add_argument("file", nargs="?", help="credential or presentation file, or - for stdin")
    verify.add_argument("--json", action="store_true", help="print the machine-readable report")
    verify.add_argument("--jsonl", action="store_true", help="one credential or JWT per line on stdin")
    verify.add_argument(
        "--online",
        action="store_true",
        help="resolve did:web / https keys, status lists and OB 2.0 badge documents over HTTPS",
    )
    verify.add_argument(
        "--allow-http-loopback",
        action="store_true",
        help="with --online, also fetch plain http:// URLs whose host is localhost or a loopback "
        "address (a local `vcengine serve` without TLS)",
    )
    verify.add_argument(
        "--resolve",
        action="append",
        metavar="URL=FILE",
        help="a local document for URL: a key, an issuer, an OB 2.0 assertion, badge class, key or list",
    )
    verify.add_argument(
        "--recipient",
        metavar="IDENTITY",
        help="OB 2.0: the expected recipient (email, URL, telephone…) to check the identity hash against",
    )
    verify.add_argument(
        "--status-list", action="append", metavar="[URL=]FILE", help="a status list credential to use"
    )
    verify.add_argument("--now", help="verify as of this time (default: now)")
    verify.add_argument("--challenge", help="the challenge a presentation's proof must carry")
    verify.add_argument("--domain", help="the domain a presentation's proof must carry")
    verify.set_defaults(func=cmd_verify)
