"""OID4VCI credential offers and used nonces in MongoDB: documents, indexes and conditions.

Every state change is one ``update_one`` whose filter is the condition (not redeemed, not
expired, configuration not issued yet), so of concurrent requests exactly one modifies the
document. A used nonce is a document keyed by its hash: the unique ``_id`` decides replays.
``token_hash`` is absent until the code is redeemed (the partial unique index ignores it).
"""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, IndexModel

from vcengine.services.ports import AuthorizationRequestRecord, CredentialOfferRecord
from vcengine.storage._codec import decode_time, encode_time, maybe_time

Doc = dict[str, Any]

INDEXES: dict[str, list[IndexModel]] = {
    "credential_offers": [
        IndexModel([("code_hash", ASCENDING)], unique=True, name="code_unique"),
        IndexModel([("handle_hash", ASCENDING)], unique=True, name="handle_unique"),
        IndexModel(
            [("token_hash", ASCENDING)],
            unique=True,
            partialFilterExpression={"token_hash": {"$exists": True}},
            name="token_unique",
        ),
        IndexModel([("org_id", ASCENDING), ("credential_id", ASCENDING)], name="by_credential"),
        IndexModel([("expires_at", ASCENDING)], name="by_expiry"),
    ],
    "used_nonces": [IndexModel([("expires_at", ASCENDING)], name="by_expiry")],
    "authorization_requests": [
        IndexModel([("handle_hash", ASCENDING)], unique=True, name="handle_unique"),
        IndexModel([("expires_at", ASCENDING)], name="by_expiry"),
        IndexModel(
            [("login_hash", ASCENDING)],
            unique=True,
            partialFilterExpression={"login_hash": {"$exists": True}},
            name="login_unique",
        ),
        IndexModel(
            [("offer_id", ASCENDING)],
            unique=True,
            partialFilterExpression={"offer_id": {"$exists": True}},
            name="offer_unique",
        ),
    ],
}


def _t(value: Any) -> str | None:
    return None if value is None else encode_time(value)


def offer_doc(r: CredentialOfferRecord) -> Doc:
    doc: Doc = {
        "_id": r.id,
        "org_id": r.org_id,
        "issuer_id": r.issuer_id,
        "credential_id": r.credential_id,
        "configuration_ids": list(r.configuration_ids),
        "code_hash": r.code_hash,
        "handle_hash": r.handle_hash,
        "created_at": encode_time(r.created_at),
        "expires_at": encode_time(r.expires_at),
        "tx_code_mac": r.tx_code_mac,
        "tx_code_failures": r.tx_code_failures,
        "redeemed_at": _t(r.redeemed_at),
        "token_expires_at": _t(r.token_expires_at),
        "issued_configurations": list(r.issued_configurations),
    }
    if r.token_hash is not None:
        doc["token_hash"] = r.token_hash
    return doc


def offer(d: Doc) -> CredentialOfferRecord:
    return CredentialOfferRecord(
        id=d["_id"],
        org_id=d["org_id"],
        issuer_id=d["issuer_id"],
        credential_id=d["credential_id"],
        configuration_ids=tuple(d["configuration_ids"]),
        code_hash=d["code_hash"],
        handle_hash=d["handle_hash"],
        created_at=decode_time(d["created_at"]),
        expires_at=decode_time(d["expires_at"]),
        tx_code_mac=d.get("tx_code_mac"),
        tx_code_failures=d.get("tx_code_failures", 0),
        redeemed_at=maybe_time(d.get("redeemed_at")),
        token_hash=d.get("token_hash"),
        token_expires_at=maybe_time(d.get("token_expires_at")),
        issued_configurations=tuple(d.get("issued_configurations", [])),
    )


def request_doc(r: AuthorizationRequestRecord) -> Doc:
    doc: Doc = {
        "_id": r.id,
        "org_id": r.org_id,
        "issuer_id": r.issuer_id,
        "client_id": r.client_id,
        "redirect_uri": r.redirect_uri,
        "code_challenge": r.code_challenge,
        "configuration_ids": list(r.configuration_ids),
        "handle_hash": r.handle_hash,
        "created_at": encode_time(r.created_at),
        "expires_at": encode_time(r.expires_at),
        "state": r.state,
        "email": r.email,
        "login_expires_at": _t(r.login_expires_at),
        "signed_in_at": _t(r.signed_in_at),
    }
    for name in ("login_hash", "offer_id"):  # absent until set: the partial unique indexes skip them
        if getattr(r, name) is not None:
            doc[name] = getattr(r, name)
    return doc


def request(d: Doc) -> AuthorizationRequestRecord:
    return AuthorizationRequestRecord(
        id=d["_id"],
        org_id=d["org_id"],
        issuer_id=d["issuer_id"],
        client_id=d["client_id"],
        redirect_uri=d["redirect_uri"],
        code_challenge=d["code_challenge"],
        configuration_ids=tuple(d["configuration_ids"]),
        handle_hash=d["handle_hash"],
        created_at=decode_time(d["created_at"]),
        expires_at=decode_time(d["expires_at"]),
        state=d.get("state"),
        email=d.get("email"),
        login_hash=d.get("login_hash"),
        login_expires_at=maybe_time(d.get("login_expires_at")),
        signed_in_at=maybe_time(d.get("signed_in_at")),
        offer_id=d.get("offer_id"),
    )
