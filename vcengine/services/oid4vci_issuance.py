"""The Credential Endpoint (OID4VCI 1.0 §8) and the Notification Endpoint (§11).

A Credential Request with the access token of an offer (``oid4vci_tokens``) gets the offered
credential signed at that moment, once per proof (batch issuance, up to ``BATCH_SIZE``), with
``credentialSubject.id`` set to the DID of the key each ``jwt`` proof was signed with (holder
binding): as ``ldp_vc`` with an ``eddsa-rdfc-2022`` proof, or as ``jwt_vc_json`` (an OB 3.0
VC-JWT, ``EdDSA``), by the issuer's current key. Everything else of the stored credential is
kept — its ``id``, its ``credentialStatus`` entry (revoking the stored credential revokes every
wallet copy) — and the stored record does not change; a ``wallet_issued`` event records the
delivery. Each offered configuration is issued once per access token.

Proofs are checked before anything is written: ``jwt`` proofs (``core.oid4vci.proof_jwt``) and
``di_vp`` proofs (Appendix F.2: a presentation for ``authentication`` by a key of its holder DID,
``eddsa-rdfc-2022`` or ``Ed25519Signature2020``, ``domain`` = the issuer, verified with the
presentation verifier). Each proof's ``nonce`` / ``challenge`` must be a ``c_nonce`` of this
service, unexpired and unused (``invalid_nonce``), and is used up by the request. A revoked,
suspended or expired credential is ``credential_request_denied``.

The Notification Endpoint takes ``{"notification_id", "event", "event_description"?}`` with the
same access token and records ``wallet_imported`` (``credential_accepted``),
``wallet_import_failed`` (``credential_failure``) or ``wallet_deleted`` (``credential_deleted``):
once per notification id and event.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import anyio.to_thread

from vcengine.core.keys import KeyPair
from vcengine.core.oid4vci.credential_request import read_credential_request
from vcengine.core.oid4vci.metadata import JWT_VC_JSON, Display, credential_configurations
from vcengine.core.oid4vci.proof_jwt import verify_jwt_proof
from vcengine.errors import Conflict, ProtocolError
from vcengine.services import event_log
from vcengine.services.context import Services
from vcengine.services.issuers import signing_key
from vcengine.services.issuing import credential_json, sign_one
from vcengine.services.oid4vci_offers import credential_issuer_id, secret_hash
from vcengine.services.oid4vci_tokens import check_nonce, new_nonce, offer_for_token
from vcengine.services.ports import (
    CredentialOfferRecord,
    CredentialRecord,
    EventRecord,
    IssuerKeyRecord,
    ProofFormat,
)
from vcengine.services.verifying import VerifyOptions, verify_presentation_now

__all__ = [
    "BATCH_SIZE",
    "NOTIFICATION_EVENTS",
    "bound_credential",
    "deliverable",
    "issue_to_wallet",
    "notify",
    "record_delivery",
    "sign_bound",
    "signer_of",
]

BATCH_SIZE = 10
NOTIFICATION_EVENTS = {
    "credential_accepted": "wallet_imported",
    "credential_failure": "wallet_import_failed",
    "credential_deleted": "wallet_deleted",
}
_FORMATS = {key: value["format"] for key, value in credential_configurations(Display(name="-")).items()}


def bound_credential(record: CredentialRecord, holder: str) -> dict[str, Any]:
    """The stored credential without its proof, its subject bound to ``holder``."""
    unsigned = copy.deepcopy(dict(credential_json(record)))
    unsigned.pop("proof", None)
    subject = unsigned.get("credentialSubject")
    if not isinstance(subject, dict):
        raise ProtocolError("credential_request_denied", "this credential has no single subject to bind")
    unsigned["credentialSubject"] = {"id": holder, **{k: v for k, v in subject.items() if k != "id"}}
    return unsigned


async def _use_nonces(services: Services, nonces: Mapping[str, datetime]) -> None:
    for nonce, expires in nonces.items():
        if not await services.store.use_nonce(secret_hash(nonce), expires, services.now()):
            raise ProtocolError("invalid_nonce", "the nonce was used already: get a fresh one")


async def _jwt_holders(services: Services, issuer: str, proofs: Sequence[str]) -> list[str]:
    checked = [verify_jwt_proof(p, audience=issuer, now=services.now()) for p in proofs]
    nonces = {}
    for proof in checked:
        if proof.nonce is None:
            raise ProtocolError(
                "invalid_proof", "the proof has no nonce: get a c_nonce from the nonce endpoint"
            )
        nonces[proof.nonce] = check_nonce(services, proof.nonce)
    await _use_nonces(services, nonces)
    return [p.holder for p in checked]


def _vp_challenge(vp: Mapping[str, Any]) -> tuple[str, str]:
    """(holder DID, challenge) of a ``di_vp`` proof, before its signature is checked."""
    holder = vp.get("holder")
    holder = holder.get("id") if isinstance(holder, Mapping) else holder
    if not isinstance(holder, str) or not holder.startswith("did:"):
        raise ProtocolError("invalid_proof", "a di_vp proof's holder must be a DID")
    if vp.get("verifiableCredential"):
        raise ProtocolError("invalid_proof", "a di_vp key proof carries no credentials")
    proofs = vp.get("proof")
    proofs = proofs if isinstance(proofs, list) else [proofs]
    challenges = {p.get("challenge") for p in proofs if isinstance(p, Mapping)}
    if len(challenges) != 1 or not isinstance(next(iter(challenges)), str):
        raise ProtocolError("invalid_proof", "a di_vp proof carries one challenge: the c_nonce")
    return holder, str(next(iter(challenges)))


async def _di_vp_holders(
    services: Services, issuer: str, presentations: Sequence[Mapping[str, Any]]
) -> list[str]:
    """Appendix F.2: a presentation signed for ``authentication`` by a key of its holder, with
    ``challenge`` = a c_nonce and ``domain`` = the Credential Issuer Identifier."""
    holders, nonces = [], {}
    for vp in presentations:
        holder, challenge = _vp_challenge(vp)
        nonces[challenge] = check_nonce(services, challenge)
        options = VerifyOptions(expected_purpose="authentication", challenge=challenge, domain=issuer)
        report = await verify_presentation_now(services, vp, options)
        if not report.verified:
            failed = "; ".join(f"{c.name}: {c.reason}" for c in report.checks if c.outcome != "pass")
            raise ProtocolError(
                "invalid_proof", f"the di_vp proof did not verify ({failed or report.verdict})"
            )
        holders.append(holder)
    await _use_nonces(services, nonces)
    return holders


async def deliverable(services: Services, offer: CredentialOfferRecord) -> CredentialRecord:
    record = await services.store.get_credential(offer.org_id, offer.credential_id)
    if record is None or record.status != "active":
        raise ProtocolError("credential_request_denied", "this credential is revoked, suspended or gone")
    if record.valid_until is not None and record.valid_until <= services.now():
        raise ProtocolError("credential_request_denied", "this credential has expired")
    return record


async def signer_of(services: Services, offer: CredentialOfferRecord) -> tuple[IssuerKeyRecord, KeyPair]:
    issuer = await services.store.get_issuer(offer.org_id, offer.issuer_id)
    if issuer is None:
        raise ProtocolError("credential_request_denied", "the issuer of this credential is gone")
    return await signing_key(services, issuer)


async def sign_bound(
    services: Services,
    signer: tuple[IssuerKeyRecord, KeyPair],
    record: CredentialRecord,
    holders: Sequence[str],
    fmt: ProofFormat,
) -> list[Any]:
    """``record`` signed now, once per holder, bound to it: JSON documents, or VC-JWT strings."""
    key, pair = signer
    now = services.now()

    def sign_all() -> list[Any]:
        out = []
        for holder in holders:
            signed = sign_one(bound_credential(record, holder), pair, key.verification_method, fmt, now)
            out.append(signed["jwt"] if fmt == "vc-jwt" else signed)
        return out

    return await anyio.to_thread.run_sync(sign_all)


async def record_delivery(
    services: Services, record: CredentialRecord, holders: Sequence[str], data: Mapping[str, Any]
) -> None:
    """The ``wallet_issued`` event of a delivery to a wallet (analytics)."""
    event = EventRecord(
        services.new_id(),
        record.org_id,
        "wallet_issued",
        record.id,
        services.now(),
        {**data, "holders": list(holders)},
    )
    await event_log.record(services, event)


async def issue_to_wallet(
    services: Services, issuer_id: str, authorization: str | None, body: Any
) -> dict[str, Any]:
    """Answer a Credential Request (see the module docstring): the Credential Response JSON."""
    offer = await offer_for_token(services, issuer_id, authorization)
    offered = credential_configurations(Display(name="-"))
    configurations = {cid: offered[cid] for cid in offer.configuration_ids}
    request = read_credential_request(
        body,
        configurations,
        identifiers={cid: cid for cid in offer.configuration_ids},
        batch_size=BATCH_SIZE,
    )
    record = await deliverable(services, offer)
    issuer = credential_issuer_id(services, issuer_id)
    if request.proof_type == "jwt":
        holders = await _jwt_holders(services, issuer, request.proofs)
    else:
        holders = await _di_vp_holders(services, issuer, request.proofs)
    now = services.now()
    signer = await signer_of(services, offer)
    if not await services.store.mark_configuration_issued(offer.id, request.configuration_id, now):
        raise ProtocolError("credential_request_denied", "this credential was issued with this token already")
    fmt: ProofFormat = "vc-jwt" if request.configuration_id == JWT_VC_JSON else "eddsa-rdfc-2022"
    credentials = await sign_bound(services, signer, record, holders, fmt)
    data = {"configurationId": request.configuration_id, "format": _FORMATS[request.configuration_id]}
    await record_delivery(services, record, holders, {"protocol": "oid4vci", **data})
    response: dict[str, Any] = {
        "credentials": [{"credential": c} for c in credentials],
        "notification_id": request.configuration_id,
    }
    if request.draft:  # draft 13 wallets read the singular member and take the next nonce from here
        response["credential"] = credentials[0]
        response["c_nonce"], response["c_nonce_expires_in"] = new_nonce(services)
    return response


async def notify(services: Services, issuer_id: str, authorization: str | None, body: Any) -> None:
    """Record a Notification Request (§11.1) as a ``wallet_*`` event (see the module docstring)."""
    offer = await offer_for_token(services, issuer_id, authorization)
    if not isinstance(body, Mapping):
        raise ProtocolError("invalid_notification_request", "the request body must be a JSON object")
    notification_id, event = body.get("notification_id"), body.get("event")
    if not isinstance(notification_id, str) or notification_id not in offer.issued_configurations:
        raise ProtocolError("invalid_notification_id", "not a notification id of this access token")
    if event not in NOTIFICATION_EVENTS:
        raise ProtocolError(
            "invalid_notification_request", f"event must be one of {', '.join(NOTIFICATION_EVENTS)}"
        )
    description = body.get("event_description")
    if description is not None and (not isinstance(description, str) or len(description) > 1000):
        raise ProtocolError(
            "invalid_notification_request", "event_description is a string of at most 1000 characters"
        )
    data: dict[str, Any] = {"configurationId": notification_id, "event": event}
    if description:
        data["description"] = description
    once = str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:vcengine:oid4vci:{offer.id}:{notification_id}:{event}"))
    try:
        record = EventRecord(
            once, offer.org_id, NOTIFICATION_EVENTS[event], offer.credential_id, services.now(), data
        )
        await event_log.record(services, record)
    except Conflict:
        return  # the wallet repeated a notification: recorded once
