"""The Open Badges 3.0 API in MongoDB: documents, indexes and conditions.

Every state change is one ``update_one`` whose filter is the condition (current link, unused
code, token not revoked), so of concurrent requests exactly one modifies the document. A
learner's upserted credential is one document per (email, key): the upsert's filter only
matches an older or equal ``issued_at``, so a newer stored one makes the insert collide
(``unchanged``). A learner's issued credentials are found across organizations by
``recipient_values`` (an index of its own here).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel

from vcengine.services.ports import (
    ObClientRecord,
    ObCredentialRecord,
    ObGrantRecord,
    ObProfileRecord,
    ObTokenRecord,
)
from vcengine.storage._codec import decode_time, dump_json, encode_time, load_json, maybe_time

Doc = dict[str, Any]


def _unique_when_set(field: str) -> IndexModel:
    return IndexModel(
        [(field, ASCENDING)],
        unique=True,
        partialFilterExpression={field: {"$exists": True}},
        name=f"{field}_unique",
    )


INDEXES: dict[str, list[IndexModel]] = {
    "ob_grants": [
        IndexModel([("handle_hash", ASCENDING)], unique=True, name="handle_unique"),
        _unique_when_set("login_hash"),
        _unique_when_set("code_hash"),
    ],
    "ob_tokens": [
        IndexModel([("access_hash", ASCENDING)], unique=True, name="access_unique"),
        IndexModel([("refresh_hash", ASCENDING)], unique=True, name="refresh_unique"),
        IndexModel([("grant_id", ASCENDING)], name="by_grant"),
    ],
    "ob_credentials": [
        IndexModel([("email", ASCENDING), ("equality", ASCENDING)], unique=True, name="key_unique"),
        IndexModel([("email", ASCENDING), ("issued_at", ASCENDING)], name="by_learner"),
    ],
    "credentials": [IndexModel([("recipient_values", ASCENDING)], name="by_recipient_any_org")],
}


def t(value: datetime) -> str:
    return encode_time(value)


def _t(value: datetime | None) -> str | None:
    return None if value is None else encode_time(value)


def _set(doc: Doc, **fields: Any) -> Doc:
    doc.update({k: v for k, v in fields.items() if v is not None})
    return doc


def since_query(query: Doc, since: datetime | None) -> Doc:
    if since is not None:
        query["issued_at"] = {"$gt": encode_time(since)}
    return query


def learner_query(email: str, since: datetime | None) -> Doc:
    # ``$in`` rather than equality: the same on MongoDB, and the nx-27017 test server needs it for arrays
    # the indexed values narrow it down; the stored recipient JSON decides that the value is the
    # email (``dump_json``: compact, so ``"email":"…"`` cannot appear inside another string)
    exact = re.escape('"email":' + json.dumps(email, ensure_ascii=False)) + "[,}]"
    query = {
        "recipient_values": {"$in": [email]},
        "recipient": {"$regex": exact},
        "status": {"$ne": "revoked"},
    }
    return since_query(query, since)


def client_doc(r: ObClientRecord) -> Doc:
    return {
        "_id": r.id,
        "secret_hash": r.secret_hash,
        "metadata": dump_json(r.metadata),
        "created_at": encode_time(r.created_at),
    }


def client(d: Doc) -> ObClientRecord:
    return ObClientRecord(d["_id"], d["secret_hash"], load_json(d["metadata"]), decode_time(d["created_at"]))


def grant_doc(r: ObGrantRecord) -> Doc:
    doc: Doc = {
        "_id": r.id,
        "client_id": r.client_id,
        "redirect_uri": r.redirect_uri,
        "scope": r.scope,
        "code_challenge": r.code_challenge,
        "email": r.email,
        "handle_hash": r.handle_hash,
        "created_at": encode_time(r.created_at),
        "expires_at": encode_time(r.expires_at),
    }
    return _set(
        doc,
        state=r.state,
        login_hash=r.login_hash,
        login_expires_at=_t(r.login_expires_at),
        code_hash=r.code_hash,
        code_expires_at=_t(r.code_expires_at),
        code_used_at=_t(r.code_used_at),
    )


def grant(d: Doc) -> ObGrantRecord:
    return ObGrantRecord(
        id=d["_id"],
        client_id=d["client_id"],
        redirect_uri=d["redirect_uri"],
        scope=d["scope"],
        code_challenge=d["code_challenge"],
        email=d["email"],
        handle_hash=d["handle_hash"],
        created_at=decode_time(d["created_at"]),
        expires_at=decode_time(d["expires_at"]),
        state=d.get("state"),
        login_hash=d.get("login_hash"),
        login_expires_at=maybe_time(d.get("login_expires_at")),
        code_hash=d.get("code_hash"),
        code_expires_at=maybe_time(d.get("code_expires_at")),
        code_used_at=maybe_time(d.get("code_used_at")),
    )


def token_doc(r: ObTokenRecord) -> Doc:
    doc: Doc = {
        "_id": r.id,
        "grant_id": r.grant_id,
        "client_id": r.client_id,
        "email": r.email,
        "scope": r.scope,
        "access_hash": r.access_hash,
        "refresh_hash": r.refresh_hash,
        "created_at": encode_time(r.created_at),
        "access_expires_at": encode_time(r.access_expires_at),
        "refresh_expires_at": encode_time(r.refresh_expires_at),
    }
    return _set(doc, revoked_at=_t(r.revoked_at))


def token(d: Doc) -> ObTokenRecord:
    return ObTokenRecord(
        d["_id"], d["grant_id"], d["client_id"], d["email"], d["scope"], d["access_hash"], d["refresh_hash"],
        decode_time(d["created_at"]), decode_time(d["access_expires_at"]),
        decode_time(d["refresh_expires_at"]), maybe_time(d.get("revoked_at")),
    )  # fmt: skip


def credential_fields(r: ObCredentialRecord) -> Doc:
    return {
        "document": dump_json(r.document),
        "issued_at": encode_time(r.issued_at),
        "stored_at": encode_time(r.stored_at),
    }


def credential(d: Doc) -> ObCredentialRecord:
    return ObCredentialRecord(
        d["_id"], d["email"], d["equality"], load_json(d["document"]), decode_time(d["issued_at"]),
        decode_time(d["stored_at"]),
    )  # fmt: skip


def profile(d: Doc) -> ObProfileRecord:
    return ObProfileRecord(d["_id"], load_json(d["profile"]), decode_time(d["updated_at"]))
