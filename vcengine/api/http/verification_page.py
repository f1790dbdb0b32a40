"""What a person sees at a credential's URL: the facts of the badge and its live verification.

A view model (plain values, no HTML) built from the credential JSON and the verification
report, rendered by ``templates/credential.html`` with autoescaping. The recipient's name is
shown only where the credential discloses it in the clear (an unhashed ``name`` identifier or a
``name`` on the subject); hashed emails and identifiers are never shown or put into links.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vcengine.api.http.linkedin import add_to_profile_url
from vcengine.core.credential_view import CredentialView
from vcengine.core.model import as_list
from vcengine.core.verify import VerificationReport
from vcengine.errors import InputError

__all__ = ["CheckLine", "PageLinks", "VerificationPage", "build_page"]

_STATUS_TEXT = {
    "verified": ("Verified", "This credential is authentic, unaltered, valid and not revoked."),
    "failed": ("Not valid", "This credential did not pass verification."),
    "indeterminate": ("Could not be fully verified", "One or more checks could not be completed."),
}
_FAILED_TITLE = {
    "revoked": ("Revoked", "The issuer has revoked this credential."),
    "suspended": ("Suspended", "The issuer has suspended this credential."),
    "expired": ("Expired", "This credential is past its expiry date."),
}
_CHECK_LABEL = {
    "syntax": "Well-formed credential",
    "schema": "Open Badges 3.0 schema",
    "proof": "Digital signature",
    "signed-graph": "Says what was signed",
    "issuer": "Signed by the issuer",
    "jwt-claims": "Token claims",
    "validity": "Validity dates",
    "status": "Revocation status",
}


@dataclass(frozen=True, slots=True)
class CheckLine:
    label: str
    outcome: str
    reason: str


@dataclass(frozen=True, slots=True)
class PageLinks:
    page: str
    png: str
    svg: str
    json: str


@dataclass(frozen=True, slots=True)
class VerificationPage:
    title: str
    description: str
    achievement_name: str
    achievement_description: str | None
    criteria_narrative: str | None
    criteria_url: str | None
    achievement_type: str | None
    issuer_name: str
    issuer_url: str | None
    issuer_id: str | None
    issuer_profile_url: str | None
    recipient_name: str | None
    issued: datetime | None
    expires: datetime | None
    credential_id: str
    verdict: str
    verdict_title: str
    verdict_text: str
    status: str
    checks: tuple[CheckLine, ...]
    links: PageLinks
    linkedin_url: str
    proof_format: str
    #: False for a credential that stopped counting: no LinkedIn or download buttons
    promotable: bool = True
    #: when it was revoked and the reason the issuer published (``services.status_notices``)
    revoked_at: datetime | None = None
    public_reason: str | None = None


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _date(view: CredentialView, which: str) -> datetime | None:
    try:
        return view.valid_from if which == "from" else view.valid_until
    except InputError:
        return None


def disclosed_name(view: CredentialView) -> str | None:
    """The recipient's name if the credential states it in the clear, else None."""
    for item in view.identifiers:
        if item.get("identityType") == "name" and item.get("hashed") is False:
            return _text(item.get("identityHash"))
    return _text((view.subject or {}).get("name"))


def _issued(view: CredentialView) -> datetime | None:
    return _date(view, "from")


def _status_word(report: VerificationReport) -> str:
    check = report.check("status")
    if check is None or check.outcome == "skipped":
        return "no status list"
    if check.outcome == "fail":
        return check.code or "failed"
    return "active" if check.outcome == "pass" else "unknown"


def _verdict_text(report: VerificationReport) -> tuple[str, str]:
    if report.verdict == "failed":
        for check in report.checks:
            if check.outcome == "fail" and check.code in _FAILED_TITLE:
                return _FAILED_TITLE[check.code]
    return _STATUS_TEXT[report.verdict]


def build_page(
    credential: Mapping[str, Any],
    report: VerificationReport,
    *,
    links: PageLinks,
    issuer_profile: Mapping[str, Any] | None,
    proof_format: str,
    issuer_profile_url: str | None = None,
    promotable: bool = True,
    revoked_at: datetime | None = None,
    public_reason: str | None = None,
    linkedin_url: str | None = None,
) -> VerificationPage:
    view = CredentialView(credential)
    achievement = view.achievement or {}
    issuer = {**(issuer_profile or {}), **(view.issuer or {})}
    raw_criteria = achievement.get("criteria")
    criteria: Mapping[str, Any] = raw_criteria if isinstance(raw_criteria, Mapping) else {}
    name = _text(achievement.get("name")) or view.name or "Credential"
    issuer_name = _text(issuer.get("name")) or view.issuer_id or "Unknown issuer"
    expires = _date(view, "until")
    issued = _issued(view)
    credential_id = view.id or links.page
    verdict_title, verdict_text = _verdict_text(report)
    types = [t for t in as_list(achievement.get("achievementType")) if isinstance(t, str)]
    return VerificationPage(
        title=f"{name} — {issuer_name}",
        description=_text(achievement.get("description")) or f"A credential issued by {issuer_name}.",
        achievement_name=name,
        achievement_description=_text(achievement.get("description")),
        criteria_narrative=_text(criteria.get("narrative")),
        criteria_url=_text(criteria.get("id")),
        achievement_type=types[0] if types else None,
        issuer_name=issuer_name,
        issuer_url=_text(issuer.get("url")),
        issuer_id=view.issuer_id,
        issuer_profile_url=issuer_profile_url,
        recipient_name=disclosed_name(view),
        issued=issued,
        expires=expires,
        credential_id=credential_id,
        verdict=report.verdict,
        verdict_title=verdict_title,
        verdict_text=verdict_text,
        status=_status_word(report),
        checks=tuple(CheckLine(_CHECK_LABEL.get(c.name, c.name), c.outcome, c.reason) for c in report.checks),
        links=links,
        linkedin_url=linkedin_url
        or add_to_profile_url(
            name=name,
            organization_name=issuer_name,
            issued=issued,
            expires=expires,
            cert_url=links.page,
            cert_id=credential_id,
        ),
        proof_format=proof_format,
        promotable=promotable and report.verdict != "failed",
        revoked_at=revoked_at,
        public_reason=public_reason,
    )
