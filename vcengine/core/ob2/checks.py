"""The checks hosted and signed OB 2.0 assertions share: the badge's issuer, the recipient, dates.

- The BadgeClass (linked or embedded) and the issuer Profile it names, read from the Profile's
  own id: https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html#BadgeClass
- The recipient against an expected identity (IdentityObject / IdentityHash).
- ``issuedOn`` and ``expires`` against the injected clock ("The Assertion has not expired").
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from vcengine.core.ob2.assertion import Assertion
from vcengine.core.ob2.documents import DocumentResolver, fetch_document
from vcengine.core.ob2.profile import Profile, parse_badge_class, parse_profile
from vcengine.core.ob2.recipient import matches
from vcengine.core.verify import Check
from vcengine.errors import ContextError, InputError, ResolutionError

__all__ = ["issuer_profile", "recipient_check", "validity_check"]


def issuer_profile(assertion: Assertion, docs: DocumentResolver) -> tuple[Profile | None, Check | None]:
    """The BadgeClass (embedded or published) and its issuer Profile, always read from the
    Profile's own id: an embedded copy cannot vouch for itself."""
    try:
        if isinstance(assertion.badge, Mapping):
            badge = parse_badge_class(assertion.badge, embedded=True)
        else:
            badge = parse_badge_class(fetch_document(docs, assertion.badge, "BadgeClass"), embedded=False)
        return parse_profile(fetch_document(docs, badge.issuer, "issuer Profile")), None
    except ResolutionError as exc:
        return None, Check(
            "issuer", "indeterminate", f"the badge's issuer cannot be established: {exc}", "issuer-unresolved"
        )
    except ContextError as exc:
        return None, Check("issuer", "indeterminate", str(exc), "context-unknown")
    except InputError as exc:
        return None, Check(
            "issuer", "fail", f"the badge class or its issuer is not valid: {exc}", "malformed-issuer"
        )


def recipient_check(assertion: Assertion, expected: str | None) -> Check:
    awarded = assertion.recipient.describe()
    if expected is None:
        return Check(
            "recipient",
            "skipped",
            f"awarded to {awarded}; no expected recipient was given to check it against",
        )
    if matches(assertion.recipient, expected):
        return Check("recipient", "pass", f"awarded to {expected}: it matches the {awarded}")
    return Check(
        "recipient", "fail", f"not awarded to {expected}: the recipient is {awarded}", "wrong-recipient"
    )


def validity_check(assertion: Assertion, now: datetime, *, trusted: bool) -> Check:
    issued, expires = assertion.issued_on, assertion.expires
    raw = assertion.json
    if issued > now:
        return Check("validity", "fail", f"not yet valid: issuedOn is {raw['issuedOn']}", "not-yet-valid")
    if expires is not None and expires < issued:
        return Check(
            "validity",
            "fail",
            f"expires ({raw['expires']}) is before issuedOn ({raw['issuedOn']})",
            "malformed-date",
        )
    if expires is not None and now > expires:
        return Check("validity", "fail", f"expired: expires was {raw['expires']}", "expired")
    window = f"{raw['issuedOn']} .. {raw.get('expires', 'no expiry')}"
    if not trusted:
        return Check(
            "validity", "indeterminate", f"dates ({window}) come from an assertion that was not verified"
        )
    return Check("validity", "pass", f"valid at {now.isoformat()} ({window})")
