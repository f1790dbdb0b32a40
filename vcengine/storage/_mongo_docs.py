"""The MongoDB documents of each record, and the indexes that back the port's promises.

``_id`` is the record id. JSON documents are stored as JSON text (``_codec``: exact round
trip, no BSON limits on keys or integers); instants as fixed-width UTC text; bytes as BSON
binary. What queries filter on is lifted into plain fields (``recipient_values``). A credential
without an idempotency key has no ``idempotency_key`` field, so the partial unique index ignores it.

Writes that must land together without a multi-document transaction go into the one document
that decides, and are copied out from there (``outbox`` of a credential: its ``issued`` event;
``pending`` of a status list: the credential statuses and events decided with that version).

Keyset pages sort on one ``page_key`` field, ``<fixed-width instant> <id>``: its text order is
(instant, id) order, one index serves the sort and the "after" bound, and no index has to
include ``_id`` (nx-27017 cannot index ``_id`` inside a compound index).
"""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, IndexModel

from vcengine.services.ports import (
    AchievementRecord,
    ApiKeyRecord,
    CredentialRecord,
    EventRecord,
    IssuerKeyRecord,
    IssuerRecord,
    OrganizationRecord,
    StatusListRecord,
    StatusTransition,
)
from vcengine.storage._codec import (
    decode_time,
    dump_json,
    encode_time,
    load_json,
    maybe_time,
    recipient_values,
)

Doc = dict[str, Any]

# 2: credentials have ``status_version``, suspension lists ``revoked_list`` (``MongoStore._migrate``)
# 3: a credential's ``achievement_id`` may be null (VC API credentials); status lists have
#    ``status_size`` and active-list pointers of other sizes are keyed ``message/2``
SCHEMA_VERSION = 3


def _asc(*fields: str) -> list[tuple[str, int]]:
    return [(f, ASCENDING) for f in fields]


INDEXES: dict[str, list[IndexModel]] = {
    "organizations": [IndexModel(_asc("created_at"), name="by_created")],
    "api_keys": [
        IndexModel(_asc("prefix"), unique=True, name="prefix_unique"),
        IndexModel(_asc("org_id", "created_at"), name="by_org"),
    ],
    "issuers": [IndexModel(_asc("org_id", "created_at"), name="by_org")],
    "issuer_keys": [IndexModel(_asc("issuer_id", "created_at"), name="by_issuer")],
    "achievements": [IndexModel(_asc("org_id", "page_key"), name="by_org")],
    "credentials": [
        IndexModel(
            _asc("org_id", "idempotency_key"),
            unique=True,
            partialFilterExpression={"idempotency_key": {"$exists": True}},
            name="idempotency_unique",
        ),
        IndexModel(_asc("org_id", "page_key"), name="by_org"),
        IndexModel(_asc("org_id", "achievement_id", "page_key"), name="by_achievement"),
        IndexModel(_asc("org_id", "recipient_values"), name="by_recipient"),
        IndexModel(_asc("org_id"), partialFilterExpression={"outbox": {"$exists": True}}, name="with_outbox"),
        IndexModel(
            _asc("outbox_jobs"), partialFilterExpression={"outbox_jobs": {"$exists": True}}, name="with_jobs"
        ),
    ],
    "status_lists": [IndexModel(_asc("url"), unique=True, name="url_unique")],
    "active_status_lists": [
        IndexModel(_asc("org_id", "issuer_id", "purpose"), unique=True, name="one_active_list")
    ],
    "events": [IndexModel(_asc("org_id", "type"), name="by_type")],
}


def page_key(sort_value: str, record_id: str) -> str:
    return f"{sort_value} {record_id}"


def _t(value: Any) -> str | None:
    return None if value is None else encode_time(value)


def organization_doc(r: OrganizationRecord) -> Doc:
    return {"_id": r.id, "name": r.name, "created_at": encode_time(r.created_at)}


def organization(d: Doc) -> OrganizationRecord:
    return OrganizationRecord(d["_id"], d["name"], decode_time(d["created_at"]))


def api_key_doc(r: ApiKeyRecord) -> Doc:
    return {
        "_id": r.id,
        "org_id": r.org_id,
        "name": r.name,
        "prefix": r.prefix,
        "secret_hash": r.secret_hash,
        "scopes": sorted(r.scopes),
        "created_at": encode_time(r.created_at),
        "revoked_at": _t(r.revoked_at),
        "created_by": r.created_by,
        "last_used_at": _t(r.last_used_at),
    }


def api_key(d: Doc) -> ApiKeyRecord:
    return ApiKeyRecord(
        id=d["_id"],
        org_id=d["org_id"],
        name=d["name"],
        prefix=d["prefix"],
        secret_hash=d["secret_hash"],
        scopes=frozenset(d["scopes"]),
        created_at=decode_time(d["created_at"]),
        revoked_at=maybe_time(d.get("revoked_at")),
        created_by=d.get("created_by"),
        last_used_at=maybe_time(d.get("last_used_at")),
    )


def issuer_doc(r: IssuerRecord) -> Doc:
    return {
        "_id": r.id,
        "org_id": r.org_id,
        "profile": dump_json(r.profile),
        "created_at": encode_time(r.created_at),
    }


def issuer(d: Doc) -> IssuerRecord:
    return IssuerRecord(d["_id"], d["org_id"], load_json(d["profile"]), decode_time(d["created_at"]))


def issuer_key_doc(r: IssuerKeyRecord) -> Doc:
    return {
        "_id": r.id,
        "org_id": r.org_id,
        "issuer_id": r.issuer_id,
        "verification_method": r.verification_method,
        "public_key_multibase": r.public_key_multibase,
        "encrypted_secret": bytes(r.encrypted_secret),
        "status": r.status,
        "created_at": encode_time(r.created_at),
        "retired_at": _t(r.retired_at),
    }


def issuer_key(d: Doc) -> IssuerKeyRecord:
    return IssuerKeyRecord(
        id=d["_id"],
        org_id=d["org_id"],
        issuer_id=d["issuer_id"],
        verification_method=d["verification_method"],
        public_key_multibase=d["public_key_multibase"],
        encrypted_secret=bytes(d["encrypted_secret"]),
        status=d["status"],
        created_at=decode_time(d["created_at"]),
        retired_at=maybe_time(d.get("retired_at")),
    )


def achievement_doc(r: AchievementRecord) -> Doc:
    return {
        "_id": r.id,
        "org_id": r.org_id,
        "issuer_id": r.issuer_id,
        "achievement": dump_json(r.achievement),
        "created_at": encode_time(r.created_at),
        "page_key": page_key(encode_time(r.created_at), r.id),
        "image_png": r.image_png,
        "image_svg": r.image_svg,
    }


def achievement(d: Doc) -> AchievementRecord:
    return AchievementRecord(
        id=d["_id"],
        org_id=d["org_id"],
        issuer_id=d["issuer_id"],
        achievement=load_json(d["achievement"]),
        created_at=decode_time(d["created_at"]),
        image_png=_bytes(d.get("image_png")),
        image_svg=_bytes(d.get("image_svg")),
    )


def credential_doc(r: CredentialRecord) -> Doc:
    doc: Doc = {
        "_id": r.id,
        "org_id": r.org_id,
        "issuer_id": r.issuer_id,
        "achievement_id": r.achievement_id,
        "recipient": dump_json(r.recipient),
        "recipient_values": recipient_values(r.recipient),
        "document": dump_json(r.document),
        "proof_format": r.proof_format,
        "issued_at": encode_time(r.issued_at),
        "page_key": page_key(encode_time(r.issued_at), r.id),
        "status": r.status,
        "status_list_id": r.status_list_id,
        "status_index": r.status_index,
        "valid_until": _t(r.valid_until),
        "status_version": r.status_version,
    }
    if r.idempotency_key is not None:
        doc["idempotency_key"] = r.idempotency_key
    return doc


def credential(d: Doc) -> CredentialRecord:
    return CredentialRecord(
        id=d["_id"],
        org_id=d["org_id"],
        issuer_id=d["issuer_id"],
        achievement_id=d.get("achievement_id"),
        recipient=load_json(d["recipient"]),
        document=load_json(d["document"]),
        proof_format=d["proof_format"],
        issued_at=decode_time(d["issued_at"]),
        status=d["status"],
        status_list_id=d.get("status_list_id"),
        status_index=d.get("status_index"),
        idempotency_key=d.get("idempotency_key"),
        valid_until=maybe_time(d.get("valid_until")),
        status_version=d.get("status_version", 0),
    )


def status_list_doc(r: StatusListRecord) -> Doc:
    return {
        "_id": r.id,
        "org_id": r.org_id,
        "issuer_id": r.issuer_id,
        "purpose": r.purpose,
        "url": r.url,
        "encoded_list": r.encoded_list,
        "version": r.version,
        "updated_at": encode_time(r.updated_at),
        "credential": None if r.credential is None else dump_json(r.credential),
        "permutation_key": bytes(r.permutation_key),
        "length": r.length,
        "shards": r.shards,
        "full": r.full,
        "revoked_list": r.revoked_list,
        "status_size": r.status_size,
    }


def status_list(d: Doc) -> StatusListRecord:
    return StatusListRecord(
        id=d["_id"],
        org_id=d["org_id"],
        issuer_id=d["issuer_id"],
        purpose=d["purpose"],
        url=d["url"],
        encoded_list=d["encoded_list"],
        version=d["version"],
        updated_at=decode_time(d["updated_at"]),
        credential=None if d.get("credential") is None else load_json(d["credential"]),
        permutation_key=bytes(d["permutation_key"]),
        length=d["length"],
        shards=d["shards"],
        full=bool(d["full"]),
        revoked_list=d.get("revoked_list", ""),
        status_size=d.get("status_size", 1),
    )


def cursor_id(list_id: str, shard: int) -> str:
    return f"{list_id}/{shard}"


def event_doc(r: EventRecord) -> Doc:
    return {
        "_id": r.id,
        "org_id": r.org_id,
        "type": r.type,
        "credential_id": r.credential_id,
        "at": encode_time(r.at),
        "data": dump_json(r.data),
    }


def transition_doc(r: StatusTransition, version: int) -> Doc:
    """A transition decided by ``version`` of its list, as kept in the list's ``pending``."""
    return {
        "credential_id": r.credential_id,
        "org_id": r.org_id,
        "status": r.status,
        "version": version,
        "event": event_doc(r.event),
    }


def _bytes(value: Any) -> bytes | None:
    return None if value is None else bytes(value)
