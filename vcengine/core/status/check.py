"""Checking a credential's status: dereference its status list, verify the list, read the entry.

W3C Bitstring Status List v1.0 §3.2 Validate Algorithm, with the list credential supplied by an
injected resolver (the CLI, the service and the tests each supply theirs). The list credential's
proof and its binding to the credential's issuer are verified before its bits are believed.

Outcomes, as a ``Check``: ``pass`` (active, or a status message), ``fail`` with code ``revoked``
or ``suspended``, or ``indeterminate`` ("could not check": list unreachable, its proof invalid,
wrong issuer, index out of range, unsupported list type). A failure to check is never reported
as "not revoked".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from datetime import datetime
from typing import Any

from vcengine.core.checks import Check, check_issuer_binding, check_proofs, check_signed_graph, issuer_id
from vcengine.core.proofs.data_integrity import Transformed, verify_proofs
from vcengine.core.resolve import KeyResolver
from vcengine.core.status.read import REVOCATION_LIST_1EDTECH, StatusEntry, parse_entry, read_status
from vcengine.errors import InputError, ResolutionError, UnsupportedError

__all__ = ["ListResolver", "status_checker"]

ListResolver = Callable[[str], Mapping[str, Any]]


def _entries(doc: Mapping[str, Any]) -> list[Any]:
    status = doc.get("credentialStatus")
    return status if isinstance(status, list) else [status]


def _verify_list(list_doc: Mapping[str, Any], issuer: str | None, keys: KeyResolver) -> str | None:
    """Why the list credential cannot be trusted, or None when its proof and issuer check out."""
    transformed = Transformed(list_doc)
    try:
        results = verify_proofs(list_doc, keys, transformed=transformed)
    except InputError as exc:
        return f"its proof is malformed: {exc}"
    proof = check_proofs(results)
    if proof.outcome != "pass":
        return f"its proof did not verify ({proof.reason})"
    signed = check_signed_graph(list_doc, transformed)
    if signed.outcome != "pass":
        return signed.reason
    if issuer_id(list_doc) != issuer:
        return f"it was issued by {issuer_id(list_doc)}, not by the credential's issuer {issuer}"
    binding = check_issuer_binding(list_doc, results, keys)
    if binding.outcome != "pass":
        return f"its signing key is not bound to its issuer ({binding.reason})"
    return None


def _check_1edtech_revocation_list(
    entry: StatusEntry, doc: Mapping[str, Any], list_doc: Mapping[str, Any]
) -> Check:
    # 1EdTech Revocation List (VCRL 1.0): only its validator's fixtures are available here; they
    # show a list of revoked credential ids. Anything else stays indeterminate.
    revoked = list_doc.get("revokedCredential", list_doc.get("revokedCredentials"))
    if not isinstance(revoked, list):
        return Check(
            "status",
            "indeterminate",
            f"1EdTechRevocationList {entry.list_credential} has no revokedCredential list",
            "status-unchecked",
        )
    ids = {r.get("id") if isinstance(r, Mapping) else r for r in revoked}
    if doc.get("id") in ids:
        return Check("status", "fail", f"revoked (1EdTechRevocationList {entry.list_credential})", "revoked")
    return Check("status", "pass", f"not in 1EdTechRevocationList {entry.list_credential}")


def _list_key(list_doc: Mapping[str, Any], issuer: str | None) -> str | None:
    """What a list verification result depends on: the exact list (its proof values) and the issuer."""
    proofs = list_doc.get("proof")
    values: list[str] = []
    for proof in proofs if isinstance(proofs, list) else [proofs]:
        value = proof.get("proofValue") if isinstance(proof, Mapping) else None
        if not isinstance(value, str):
            return None
        values.append(value)
    return f"{list_doc.get('id')}|{issuer}|{'|'.join(values)}" if values else None


def _check_entry(
    raw: Any,
    doc: Mapping[str, Any],
    now: datetime,
    lists: ListResolver | None,
    keys: KeyResolver,
    verified: MutableMapping[str, str | None] | None,
) -> Check:
    try:
        entry = parse_entry(raw)
    except UnsupportedError as exc:
        return Check("status", "indeterminate", exc.message, "status-unsupported")
    except InputError as exc:
        return Check("status", "fail", f"malformed credentialStatus: {exc}", "malformed-status")
    where = entry.list_credential
    if lists is None:
        return Check(
            "status",
            "indeterminate",
            f"status list {where} was not checked (offline: supply it with --status-list or use --online)",
            "status-unchecked",
        )
    try:
        list_doc = lists(where)
    except (ResolutionError, InputError) as exc:
        return Check(
            "status", "indeterminate", f"could not get status list {where}: {exc}", "status-unreachable"
        )
    if entry.type == REVOCATION_LIST_1EDTECH:
        return _check_1edtech_revocation_list(entry, doc, list_doc)
    cache_key = _list_key(list_doc, issuer_id(doc)) if verified is not None else None
    distrust: str | None
    if cache_key is None or verified is None:
        distrust = _verify_list(list_doc, issuer_id(doc), keys)
    else:
        try:  # one read, not "in" then "[]": threads share ``verified`` and one may clear it
            distrust = verified[cache_key]
        except KeyError:
            distrust = verified[cache_key] = _verify_list(list_doc, issuer_id(doc), keys)
    if distrust:
        return Check(
            "status",
            "indeterminate",
            f"status list {where} cannot be trusted: {distrust}",
            "status-list-untrusted",
        )
    result = read_status(entry, list_doc, now=now)
    label = f"{entry.purpose} list {where} index {entry.index}"
    if result.outcome == "indeterminate":
        return Check("status", "indeterminate", f"{label}: {result.reason}", "status-unchecked")
    if result.outcome == "revoked":
        return Check("status", "fail", f"revoked ({label})", "revoked")
    if result.outcome == "suspended":
        note = f": {result.message}" if result.message else ""
        return Check("status", "fail", f"suspended ({label}){note}", "suspended")
    if result.outcome == "message":
        return Check("status", "pass", f"status message ({label}): {result.message}", "status-message")
    return Check("status", "pass", f"active ({label})")


def status_checker(
    lists: ListResolver | None,
    keys: KeyResolver,
    verified: MutableMapping[str, str | None] | None = None,
) -> Callable[[Mapping[str, Any], datetime], Check]:
    """A status check for ``verify``: every entry of ``credentialStatus`` is checked; a revoked or
    suspended entry fails, any entry that could not be checked makes the result indeterminate.

    ``verified`` (optional, owned by the caller) remembers the outcome of verifying each exact
    list credential (keyed by its id, proof values and the credential's issuer), so a service
    that checks many credentials against one cached list verifies the list's proof once. Only
    share one mapping between checks that use the same key resolver."""

    def check(doc: Mapping[str, Any], now: datetime) -> Check:
        if doc.get("credentialStatus") is None:
            return Check("status", "skipped", "the credential has no credentialStatus")
        results = [_check_entry(raw, doc, now, lists, keys, verified) for raw in _entries(doc)]
        for outcome in ("fail", "indeterminate"):
            bad = [r for r in results if r.outcome == outcome]
            if bad:
                return bad[0]
        return (
            results[0] if len(results) == 1 else Check("status", "pass", "; ".join(r.reason for r in results))
        )

    return check
