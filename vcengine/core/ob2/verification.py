"""Verifying an Open Badges 2.0 assertion: the same report of checks as OB 3.0.

OB 2.0 §Verification: "All Badge Objects were created by the appropriate issuer Profile(s)
according to rules declared in their VerificationObjects; the Assertion was awarded to a
valid property value of the expected recipient; the Assertion issuer is authorized to award
Assertions of the declared BadgeClass; the Assertion has not expired; the Assertion has not
been revoked by the issuer." https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html#implementation-verification

Checks, in order: ``syntax`` (a well-formed Assertion) → ``proof`` (HostedBadge: the assertion
published at its id is the one presented; SignedBadge: the JWS signature, with a key of the
issuer) → ``issuer`` (BadgeClass and issuer Profile; hosted: the id is in the issuer's scope;
signed: the issuer Profile lists the key and the key names the issuer as owner) →
``recipient`` (the identity hash against an expected recipient, when one is given) →
``validity`` (``issuedOn`` / ``expires`` against the injected clock) → ``status`` (hosted:
410 Gone or ``revoked``; signed: the issuer's RevocationList). Documents come from the injected
resolver; one that cannot be had makes its check indeterminate, never passed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vcengine.core.ob2.assertion import Assertion, parse_assertion
from vcengine.core.ob2.checks import issuer_profile, recipient_check, validity_check
from vcengine.core.ob2.context import has_ob2_context
from vcengine.core.ob2.documents import Budget, DocumentResolver, fetch_document
from vcengine.core.ob2.hosted import differences, in_scope, is_http_url
from vcengine.core.ob2.key import CryptographicKey, parse_key
from vcengine.core.ob2.presented import Presented
from vcengine.core.ob2.profile import Profile
from vcengine.core.ob2.revocation import parse_revocation_list
from vcengine.core.ob2.signed import SignedAssertion, decode_signed, verify_signature
from vcengine.core.verify import Check, VerificationReport
from vcengine.errors import (
    ContextError,
    DocumentGone,
    InputError,
    JwtFormatError,
    ResolutionError,
    SignatureError,
    UnsupportedError,
)

__all__ = ["verify_ob2"]

HOSTED, SIGNED = "ob2-hosted", "ob2-signed"
#: Keys tried when a signed assertion names no ``creator`` and its issuer lists several.
MAX_KEYS_TRIED = 8


def verify_ob2(
    presented: Presented,
    *,
    documents: DocumentResolver,
    now: datetime,
    recipient: str | None = None,
) -> VerificationReport:
    """Verify an OB 2.0 assertion; every check is reported (see the module docstring)."""
    docs = Budget(documents)
    if presented.kind == "url":
        return _hosted(None, str(presented.value), docs, now, recipient)
    signed: SignedAssertion | None = None
    doc: Any = presented.value
    if presented.kind == "jws":
        try:
            signed = decode_signed(str(presented.value))
        except JwtFormatError as exc:
            return _only(
                SIGNED, Check("syntax", "fail", f"not a signed assertion: {exc.message}", "malformed")
            )
        doc = signed.payload
    fmt = SIGNED if signed is not None else "ob2"
    if not has_ob2_context(doc):
        reason = (
            "not an Open Badges 2.0 assertion (no https://w3id.org/openbadges/v2 context); "
            "Open Badges 1.x assertions are not verified"
        )
        return _only(fmt, Check("syntax", "indeterminate", reason, "unsupported-version"), doc)
    try:
        assertion = parse_assertion(doc)
    except ContextError as exc:
        return _only(fmt, Check("syntax", "indeterminate", str(exc), "context-unknown"), doc)
    except InputError as exc:
        return _only(fmt, Check("syntax", "fail", f"not a valid OB 2.0 assertion: {exc}", "malformed"), doc)
    if signed is not None and assertion.method != "signed":
        reason = "the JWS carries an assertion that declares HostedBadge verification, not SignedBadge"
        return _only(SIGNED, Check("syntax", "fail", reason, "malformed"), doc)
    if assertion.method == "hosted":
        return _hosted(assertion, assertion.id, docs, now, recipient)
    return _signed(assertion, signed, docs, now, recipient)


def _only(fmt: str, check: Check, doc: Any = None) -> VerificationReport:
    return VerificationReport(fmt, (check,), doc if isinstance(doc, Mapping) else None)


# --------------------------------------------------------------------------------- HostedBadge


@dataclass(frozen=True, slots=True)
class _Hosted:
    proof: Check
    status: Check | None
    assertion: Assertion | None


def _fetch_hosted(presented: Assertion | None, url: str, docs: Budget) -> _Hosted:
    """The assertion published at ``url``: the source of truth for a hosted badge."""
    try:
        doc = docs(url)
    except DocumentGone:
        reason = f"{url} answers 410 Gone: the issuer has revoked the assertion"
        return _Hosted(
            Check("proof", "fail", reason, "revoked"), Check("status", "fail", reason, "revoked"), None
        )
    except ResolutionError as exc:
        reason = f"the hosted assertion, the source of truth, cannot be fetched: {exc}"
        status = Check(
            "status",
            "indeterminate",
            "revocation is known only from the hosted assertion",
            "hosted-unavailable",
        )
        return _Hosted(Check("proof", "indeterminate", reason, "hosted-unavailable"), status, presented)
    if isinstance(doc, Mapping) and doc.get("revoked") is True and doc.get("id") == url:
        why = doc.get("revocationReason")
        reason = f"revoked: the host serves {url} marked revoked" + (f" ({str(why)[:200]})" if why else "")
        return _Hosted(
            Check("proof", "pass", f"the assertion is published at {url}"),
            Check("status", "fail", reason, "revoked"),
            None,
        )
    try:
        hosted = parse_assertion(doc)
    except ContextError as exc:
        return _Hosted(
            Check("proof", "indeterminate", f"the hosted assertion: {exc}", "context-unknown"), None, None
        )
    except InputError as exc:
        reason = f"the document at {url} is not a valid OB 2.0 assertion: {exc}"
        return _Hosted(Check("proof", "fail", reason, "hosted-mismatch"), None, None)
    return _Hosted(_compare(presented, hosted, url), None, hosted)


def _compare(presented: Assertion | None, hosted: Assertion, url: str) -> Check:
    if hosted.id != url:
        return Check(
            "proof", "fail", f"the assertion published at {url} says its id is {hosted.id}", "hosted-mismatch"
        )
    if hosted.method != "hosted":
        return Check(
            "proof",
            "fail",
            f"the assertion published at {url} declares SignedBadge verification",
            "hosted-mismatch",
        )
    if presented is None:
        return Check("proof", "pass", f"the assertion is published at its id {url}")
    claims, others = differences(presented.json, hosted.json)
    if claims:
        reason = (
            f"the presented assertion says other things than the one published at {url}: {', '.join(claims)}"
        )
        return Check("proof", "fail", reason, "hosted-mismatch", ({"differs": claims},))
    note = (
        f"; the published copy, used for every check, also differs in {', '.join(others)}" if others else ""
    )
    return Check(
        "proof", "pass", f"the assertion is published at its id {url} and states the same claims{note}"
    )


def _hosted(
    presented: Assertion | None, url: str, docs: Budget, now: datetime, recipient: str | None
) -> VerificationReport:
    if not is_http_url(url):
        reason = f"a hosted assertion's id must be the HTTP(S) URL it is published at, not {url[:200]!r}"
        return _only(
            HOSTED, Check("syntax", "fail", reason, "malformed"), presented.json if presented else None
        )
    fetched = _fetch_hosted(presented, url, docs)
    syntax = Check("syntax", "pass", "well-formed OB 2.0 assertion (HostedBadge)")
    assertion = fetched.assertion
    if assertion is None:  # revoked, or the published document is not an assertion
        checks = (syntax, fetched.proof) + ((fetched.status,) if fetched.status else ())
        return VerificationReport(HOSTED, checks, presented.json if presented else None)
    profile, problem = issuer_profile(assertion, docs)
    if profile is not None:
        scope = in_scope(assertion.id, profile)
        code = {"pass": None, "fail": "hosted-out-of-scope", "indeterminate": "issuer-unbound"}[scope.outcome]
        issuer = Check("issuer", scope.outcome, f"issued by {profile.id}: {scope.reason}", code)
    else:
        assert problem is not None
        issuer = problem
    status = fetched.status or Check(
        "status", "pass", "not revoked: the host serves the assertion and it does not declare revoked"
    )
    checks = (
        syntax,
        fetched.proof,
        issuer,
        recipient_check(assertion, recipient),
        validity_check(assertion, now, trusted=fetched.proof.outcome == "pass"),
        status,
    )
    return VerificationReport(HOSTED, checks, assertion.json)


# --------------------------------------------------------------------------------- SignedBadge


def _signed(
    assertion: Assertion, signed: SignedAssertion | None, docs: Budget, now: datetime, recipient: str | None
) -> VerificationReport:
    profile, problem = issuer_profile(assertion, docs)
    if signed is None:
        proof = Check(
            "proof",
            "fail",
            "a SignedBadge assertion given without its JWS: there is no signature to check",
            "no-proof",
        )
        issuer = problem or Check("issuer", "skipped", "no signature to bind to the issuer")
    elif profile is None:
        reason = "the issuer Profile, which lists the keys the issuer signs with, is not available"
        proof = Check("proof", "indeterminate", reason, "unresolved-key")
        assert problem is not None
        issuer = problem
    else:
        proof, issuer = _signature(assertion, signed, profile, docs)
    checks = (
        Check("syntax", "pass", "well-formed OB 2.0 assertion (SignedBadge)"),
        proof,
        issuer,
        recipient_check(assertion, recipient),
        validity_check(assertion, now, trusted=proof.outcome == "pass"),
        _revocation(assertion, profile, docs),
    )
    return VerificationReport(SIGNED, checks, assertion.json)


def _key(ref: str | Mapping[str, Any], profile: Profile, docs: Budget) -> CryptographicKey:
    """The key ``ref`` names: embedded in the issuer Profile (published at its id), or its own document."""
    if isinstance(ref, Mapping) and "publicKeyPem" in ref:
        return parse_key(ref, embedded=True)
    key_id = ref.get("id") if isinstance(ref, Mapping) else ref
    if not isinstance(key_id, str) or not key_id:
        raise InputError("the issuer lists a publicKey without an id")
    listed = profile.lists_key(key_id)
    if isinstance(listed, Mapping) and "publicKeyPem" in listed:
        return parse_key(listed, embedded=True)
    return parse_key(fetch_document(docs, key_id, "CryptographicKey"), embedded=False)


def _signature(
    assertion: Assertion, signed: SignedAssertion, profile: Profile, docs: Budget
) -> tuple[Check, Check]:
    """OB 2.0 §SignedBadge steps 4-6: the trusted keys come from the issuer Profile; the JWS
    must verify with one of them."""
    if assertion.creator is not None:
        refs: tuple[str | Mapping[str, Any], ...] = (assertion.creator,)
        if not profile.lists_key(assertion.creator):
            bad = (
                f"the issuer {profile.id} does not list the signing key {assertion.creator} in its publicKey"
            )
            return _try_keys(refs, signed, profile, docs)[0], Check("issuer", "fail", bad, "issuer-mismatch")
    else:
        refs = profile.public_keys
        if not refs:
            why = f"the assertion names no creator key and the issuer {profile.id} lists no publicKey"
            return Check("proof", "indeterminate", why, "unresolved-key"), Check(
                "issuer", "fail", why, "issuer-mismatch"
            )
        if len(refs) > MAX_KEYS_TRIED:
            why = (
                f"the issuer lists {len(refs)} keys and the assertion names none (creator); "
                f"at most {MAX_KEYS_TRIED} are tried"
            )
            return Check("proof", "indeterminate", why, "unresolved-key"), Check("issuer", "skipped", why)
    proof, key = _try_keys(refs, signed, profile, docs)
    if key is None:
        return proof, Check("issuer", "skipped", "no verified signature to bind to the issuer")
    if key.owner is not None and key.owner != profile.id:
        bad = f"the key {key.id} says its owner is {key.owner}, not the issuer {profile.id}"
        return proof, Check("issuer", "fail", bad, "issuer-mismatch")
    owner = "owned by the issuer" if key.owner else "(the key names no owner)"
    return proof, Check("issuer", "pass", f"the issuer {profile.id} lists the signing key {key.id} {owner}")


def _try_keys(
    refs: tuple[str | Mapping[str, Any], ...], signed: SignedAssertion, profile: Profile, docs: Budget
) -> tuple[Check, CryptographicKey | None]:
    failed: list[str] = []
    undecided: list[str] = []
    for ref in refs:
        name = str(ref.get("id") if isinstance(ref, Mapping) else ref)
        try:
            key = _key(ref, profile, docs)
            verify_signature(signed, key)
        except (ResolutionError, ContextError, UnsupportedError) as exc:
            undecided.append(f"{name}: {exc}")
        except SignatureError as exc:
            failed.append(exc.message)
        except InputError as exc:
            failed.append(f"{name}: {exc}")
        else:
            return Check("proof", "pass", f"JWS ({signed.alg}) signature verified with the key {key.id}"), key
    if failed and not undecided:
        return Check("proof", "fail", failed[0], "bad-proof", tuple({"message": m} for m in failed)), None
    why = undecided[0] if undecided else "no key to check the signature with"
    details = tuple({"message": m} for m in failed + undecided)
    return Check(
        "proof", "indeterminate", f"the signature could not be checked: {why}", "unresolved-key", details
    ), None


def _revocation(assertion: Assertion, profile: Profile | None, docs: Budget) -> Check:
    """OB 2.0 §SignedBadge step 7: the assertion's id must not be in the issuer's RevocationList."""
    if assertion.revoked:
        why = assertion.json.get("revocationReason")
        reason = "revoked: the signed assertion itself says revoked" + (f" ({str(why)[:200]})" if why else "")
        return Check("status", "fail", reason, "revoked")
    if profile is None:
        return Check(
            "status",
            "indeterminate",
            "the issuer Profile, which names its revocation list, is not available",
            "status-unreachable",
        )
    if profile.revocation_list is None:
        return Check("status", "skipped", f"the issuer {profile.id} declares no revocation list")
    url = profile.revocation_list
    try:
        revocations = parse_revocation_list(fetch_document(docs, url, "RevocationList"))
    except ResolutionError as exc:
        return Check(
            "status", "indeterminate", f"the revocation list cannot be fetched: {exc}", "status-unreachable"
        )
    except ContextError as exc:
        return Check("status", "indeterminate", f"the revocation list: {exc}", "context-unknown")
    except InputError as exc:
        return Check("status", "fail", f"the revocation list is malformed: {exc}", "malformed-status")
    uid = assertion.json.get("uid")
    entry = revocations.find(assertion.id, uid if isinstance(uid, str) else None)
    if entry is not None:
        why = f" ({entry.reason[:200]})" if entry.reason else ""
        return Check(
            "status", "fail", f"revoked: listed in the issuer's revocation list {url}{why}", "revoked"
        )
    return Check(
        "status", "pass", f"not in the issuer's revocation list {url} ({len(revocations.entries)} entries)"
    )
