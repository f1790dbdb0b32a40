"""Delivery attempts and claim tokens in MongoDB: their collections, documents and indexes.

An attempt's ``_id`` is ``{delivery_id} {attempt}``, so a second record of the same claim is a
duplicate key (ignored). A claim token's ``_id`` is its hash; accepting is one conditional
``find_one_and_update`` (``claimed_at`` null), so concurrent accepts keep the first time.
"""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, IndexModel

from vcengine.services.ports import (
    ClaimTokenRecord,
    DeliveryAttemptRecord,
    EarnerProfileRecord,
    EmailTemplateRecord,
    IssuerBrandingRecord,
    StatusNoticeRecord,
)
from vcengine.storage._codec import decode_time, encode_time, maybe_time

Doc = dict[str, Any]

INDEXES: dict[str, list[IndexModel]] = {
    "delivery_attempts": [
        IndexModel([("org_id", ASCENDING), ("credential_id", ASCENDING), ("at", ASCENDING)], name="by_cred")
    ],
    "claim_tokens": [IndexModel([("org_id", ASCENDING), ("credential_id", ASCENDING)], name="by_cred")],
    "earner_profiles": [
        IndexModel([("org_id", ASCENDING), ("subject_key", ASCENDING)], name="by_subject", unique=True)
    ],
}


def attempt_doc(a: DeliveryAttemptRecord) -> Doc:
    return {
        "_id": f"{a.delivery_id} {a.attempt}",
        "id": a.id,
        "org_id": a.org_id,
        "credential_id": a.credential_id,
        "delivery_id": a.delivery_id,
        "attempt": a.attempt,
        "at": encode_time(a.at),
        "outcome": a.outcome,
        "detail": a.detail,
        "message_id": a.message_id,
    }


def attempt(d: Doc) -> DeliveryAttemptRecord:
    return DeliveryAttemptRecord(
        id=d["id"],
        org_id=d["org_id"],
        credential_id=d["credential_id"],
        delivery_id=d["delivery_id"],
        attempt=d["attempt"],
        at=decode_time(d["at"]),
        outcome=d["outcome"],
        detail=d.get("detail"),
        message_id=d.get("message_id"),
    )


def token_doc(t: ClaimTokenRecord) -> Doc:
    return {
        "_id": t.token_hash,
        "org_id": t.org_id,
        "credential_id": t.credential_id,
        "created_at": encode_time(t.created_at),
        "expires_at": encode_time(t.expires_at),
        "claimed_at": None if t.claimed_at is None else encode_time(t.claimed_at),
    }


def token(d: Doc) -> ClaimTokenRecord:
    return ClaimTokenRecord(
        token_hash=d["_id"],
        org_id=d["org_id"],
        credential_id=d["credential_id"],
        created_at=decode_time(d["created_at"]),
        expires_at=decode_time(d["expires_at"]),
        claimed_at=maybe_time(d.get("claimed_at")),
    )


def notice_doc(n: StatusNoticeRecord) -> Doc:
    return {
        "_id": n.credential_id,
        "org_id": n.org_id,
        "status": n.status,
        "at": encode_time(n.at),
        "public_reason": n.public_reason,
    }


def notice(d: Doc) -> StatusNoticeRecord:
    return StatusNoticeRecord(
        d["_id"], d["org_id"], d["status"], decode_time(d["at"]), d.get("public_reason")
    )


def template_doc(t: EmailTemplateRecord) -> Doc:
    return {"_id": t.org_id, "subject": t.subject, "html": t.html, "text": t.text,
            "updated_at": encode_time(t.updated_at)}  # fmt: skip


def template(d: Doc) -> EmailTemplateRecord:
    return EmailTemplateRecord(
        d["_id"], d.get("subject"), d.get("html"), d.get("text"), decode_time(d["updated_at"])
    )


def branding_doc(b: IssuerBrandingRecord) -> Doc:
    return {
        "_id": b.issuer_id,
        "org_id": b.org_id,
        "logo_url": b.logo_url,
        "primary_color": b.primary_color,
        "accent_color": b.accent_color,
        "updated_at": encode_time(b.updated_at),
    }


def branding(d: Doc) -> IssuerBrandingRecord:
    return IssuerBrandingRecord(
        d["_id"], d["org_id"], d.get("logo_url"), d.get("primary_color"), d.get("accent_color"),
        decode_time(d["updated_at"]),
    )  # fmt: skip


def profile_doc(p: EarnerProfileRecord) -> Doc:
    return {
        "_id": p.slug,
        "org_id": p.org_id,
        "subject_key": p.subject_key,
        "name": p.name,
        "credential_ids": list(p.credential_ids),
        "created_at": encode_time(p.created_at),
        "updated_at": encode_time(p.updated_at),
    }


def profile(d: Doc) -> EarnerProfileRecord:
    return EarnerProfileRecord(
        d["_id"], d["org_id"], d["subject_key"], d.get("name"), tuple(d["credential_ids"]),
        decode_time(d["created_at"]), decode_time(d["updated_at"]),
    )  # fmt: skip
