"""The W3C VC API (VCALM) verifier: ``POST /credentials/verify`` and ``POST /presentations/verify``.

Clients judge by the status code, so the code carries the verdict:

- **200** only when the credential (or the presentation and every credential in it) verified;
- **400** when it failed or could not be fully checked (indeterminate), with the same body;
- **422** when the request was well formed but what it carries is not a credential/presentation;
- **400** (problem details) for a malformed request: not JSON, a member of the wrong type.

``verifiableCredential`` is a JSON object: a JSON-LD credential, or an
``EnvelopedVerifiableCredential`` whose id is ``data:application/vc+jwt,<token>``; a string is
accepted only when it is a compact JWS. ``options``: ``checks`` (a list of vcengine check names;
every check always runs, the response lists them), ``challenge``, ``domain``,
``expectedProofPurpose``; any other option is refused (400), never ignored.

Bodies: ``{"verified", "checks", "problemDetails", "results"}`` for a credential and
``{"verified", "presentationResult", "credentialResults", "problemDetails"}`` for a presentation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from vcengine.api.http._deps import services
from vcengine.api.http._problem import Problem
from vcengine.api.http._vc_api_options import bad_request
from vcengine.api.http.vc_api import _body as read_body
from vcengine.core.presentation import ENVELOPED_VC_JWT, PresentationReport
from vcengine.core.presentation_jwt import ENVELOPED_VP_JWT
from vcengine.core.verify import Check, VerificationReport, looks_like_jws
from vcengine.errors import InputError, JsonError
from vcengine.services import verifying
from vcengine.services.verifying import VerifyOptions

__all__ = ["CHECKS", "problem_details", "routes"]

_VCDM = "https://www.w3.org/TR/vc-data-model#"
_STATUS = "https://www.w3.org/ns/credentials/status-list#"
#: The checks a caller may name in ``options.checks`` (vcengine runs them all, always).
CHECKS = (
    "syntax",
    "schema",
    "proof",
    "signed-graph",
    "issuer",
    "jwt-claims",
    "validity",
    "status",
    "holder",
    "challenge",
    "domain",
)
_OPTIONS = frozenset({"checks", "challenge", "domain", "expectedProofPurpose", "returnCredential"})
_PURPOSES = frozenset({"assertionMethod", "authentication"})

_PROBLEM_TYPES = {
    "malformed": _VCDM + "PARSING_ERROR",
    "schema": _VCDM + "MALFORMED_VALUE_ERROR",
    "malformed-date": _VCDM + "MALFORMED_VALUE_ERROR",
    "graph-mismatch": _VCDM + "MALFORMED_VALUE_ERROR",
    "jsonld": _VCDM + "MALFORMED_VALUE_ERROR",
    "bad-proof": _VCDM + "CRYPTOGRAPHIC_SECURITY_ERROR",
    "no-proof": _VCDM + "CRYPTOGRAPHIC_SECURITY_ERROR",
    "too-many-proofs": _VCDM + "CRYPTOGRAPHIC_SECURITY_ERROR",
    "issuer-mismatch": _VCDM + "CRYPTOGRAPHIC_SECURITY_ERROR",
    "holder-mismatch": _VCDM + "CRYPTOGRAPHIC_SECURITY_ERROR",
    "challenge-mismatch": _VCDM + "CRYPTOGRAPHIC_SECURITY_ERROR",
    "domain-mismatch": _VCDM + "CRYPTOGRAPHIC_SECURITY_ERROR",
    "status-unreachable": _STATUS + "STATUS_RETRIEVAL_ERROR",
    "status-list-untrusted": _STATUS + "STATUS_VERIFICATION_ERROR",
    "malformed-status": _STATUS + "STATUS_VERIFICATION_ERROR",
}


def _detail(check: Check) -> dict[str, Any]:
    code = check.code or check.name
    return {
        "type": _PROBLEM_TYPES.get(code, f"urn:vcengine:check:{code}"),
        "title": f"{check.name}: {check.outcome}",
        "detail": check.reason,
    }


def problem_details(report: VerificationReport | PresentationReport) -> list[dict[str, Any]]:
    """One RFC 9457 problem detail per check that failed or could not be completed."""
    out = [_detail(c) for c in report.checks if c.outcome in ("fail", "indeterminate")]
    if isinstance(report, PresentationReport):
        for number, credential in enumerate(report.credentials):
            for detail in problem_details(credential):
                out.append({**detail, "title": f"verifiableCredential[{number}] {detail['title']}"})
    return out


def _options(body: Mapping[str, Any]) -> tuple[VerifyOptions, list[str], bool]:
    options = body.get("options", {})
    if options is None:
        options = {}
    if not isinstance(options, Mapping):
        raise bad_request("options must be a JSON object")
    unknown = sorted(set(options) - _OPTIONS)
    if unknown:
        raise bad_request(
            f"options not supported: {', '.join(unknown)} (supported: {', '.join(sorted(_OPTIONS))})"
        )
    checks = options.get("checks", list(CHECKS))
    if not isinstance(checks, list) or not all(isinstance(c, str) for c in checks):
        raise bad_request("options.checks must be a list of check names")
    if not set(checks) <= set(CHECKS):
        wrong = sorted(set(checks) - set(CHECKS))
        raise bad_request(
            f"options.checks: vcengine has no check {', '.join(wrong)} (it has {', '.join(CHECKS)})"
        )
    for name in ("challenge", "domain"):
        if options.get(name) is not None and not isinstance(options[name], str):
            raise bad_request(f"options.{name} must be a string")
    purpose = options.get("expectedProofPurpose")
    if purpose is not None and purpose not in _PURPOSES:
        raise bad_request(f"options.expectedProofPurpose must be one of {', '.join(sorted(_PURPOSES))}")
    returned = options.get("returnCredential", False)
    if not isinstance(returned, bool):
        raise bad_request("options.returnCredential must be true or false")
    return (
        VerifyOptions(
            expected_purpose=purpose or "", challenge=options.get("challenge"), domain=options.get("domain")
        ),
        list(checks),
        returned,
    )


def _with_purpose(options: VerifyOptions, default: str) -> VerifyOptions:
    purpose = options.expected_purpose or default
    return VerifyOptions(expected_purpose=purpose, challenge=options.challenge, domain=options.domain)


def _credential(body: Mapping[str, Any]) -> str | Mapping[str, Any]:
    if "verifiableCredential" not in body:
        raise bad_request("the body must have a verifiableCredential member")
    vc = body["verifiableCredential"]
    if isinstance(vc, Mapping):
        if "EnvelopedVerifiableCredential" in _types(vc):
            envelope = vc.get("id")
            if isinstance(envelope, str) and envelope.startswith(ENVELOPED_VC_JWT):
                return envelope[len(ENVELOPED_VC_JWT) :]
            raise bad_request(f"an EnvelopedVerifiableCredential must carry {ENVELOPED_VC_JWT}<token>")
        return vc
    if isinstance(vc, str) and looks_like_jws(vc.strip()) and not vc.lstrip().startswith(("{", "[")):
        return vc.strip()
    kind = "a string that is not a compact JWS" if isinstance(vc, str) else f"JSON {type(vc).__name__}"
    raise bad_request(
        f"verifiableCredential must be a JSON object (a VC-JWT as an EnvelopedVerifiableCredential "
        f"or a compact JWS string); got {kind}"
    )


def _types(value: Mapping[str, Any]) -> list[Any]:
    types = value.get("type")
    return types if isinstance(types, list) else [types]


def _status_code(verified: bool) -> int:
    return 200 if verified else 400


async def verify_credential(request: Request) -> Response:
    services(request).verification.refuse_if_full()  # 503 before reading the body: floods are cheap
    body = await read_body(request)
    options, checks, returned = _options(body)
    try:
        report = await verifying.verify(
            services(request), _credential(body), _with_purpose(options, "assertionMethod")
        )
    except JsonError as exc:
        raise bad_request(str(exc)) from None
    syntax = report.check("syntax")
    if syntax is not None and syntax.outcome == "fail":
        raise Problem(
            422, "not-a-credential", "Not a verifiable credential", syntax.reason, results=report.to_json()
        )
    out: dict[str, Any] = {
        "verified": report.verified,
        "checks": checks,
        "problemDetails": problem_details(report),
        "results": report.to_json(),
    }
    if returned and report.credential is not None:
        out["credential"] = dict(report.credential)
    return JSONResponse(out, status_code=_status_code(report.verified))


async def verify_presentation(request: Request) -> Response:
    services(request).verification.refuse_if_full()
    body = await read_body(request)
    options, checks, _ = _options(body)
    vp = body.get("verifiablePresentation")
    presentation: Mapping[str, Any] | str
    if isinstance(vp, Mapping) and "EnvelopedVerifiablePresentation" in _types(vp):
        envelope = vp.get("id")
        if not (isinstance(envelope, str) and envelope.startswith(ENVELOPED_VP_JWT)):
            raise bad_request(f"an EnvelopedVerifiablePresentation must carry {ENVELOPED_VP_JWT}<token>")
        presentation = envelope[len(ENVELOPED_VP_JWT) :]
    elif isinstance(vp, Mapping):
        presentation = vp
    else:
        raise bad_request("verifiablePresentation must be a JSON object")
    try:
        report = await verifying.verify_presentation_now(
            services(request), presentation, _with_purpose(options, "authentication")
        )
    except InputError as exc:
        raise Problem(422, "not-a-presentation", "Not a verifiable presentation", str(exc)) from None
    syntax = report.check("syntax")
    if syntax is not None and syntax.outcome == "fail":
        raise Problem(422, "not-a-presentation", "Not a verifiable presentation", syntax.reason)
    result = report.to_json()
    out: dict[str, Any] = {
        "verified": report.verified,
        "checks": checks,
        "presentationResult": {k: v for k, v in result.items() if k != "credentials"},
        "credentialResults": result["credentials"],
        "problemDetails": problem_details(report),
    }
    return JSONResponse(out, status_code=_status_code(report.verified))


routes = [
    Route("/credentials/verify", verify_credential, methods=["POST"]),
    Route("/presentations/verify", verify_presentation, methods=["POST"]),
]
