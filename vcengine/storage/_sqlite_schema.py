"""The SQLite schema (version 3) and the mapping between its rows and the port's records.

JSON documents are JSON text, bytes are BLOBs, instants are fixed-width UTC text (``_codec``).
Uniqueness the ports promise is enforced by the schema: ids, API key prefixes, status list URLs,
(org_id, idempotency_key) of credentials (NULL keys never collide), one active list per
(org, issuer, purpose) and one cursor per (list, shard).

Version 2 added ``credentials.status_version`` and ``status_lists.revoked_list``
(``VERSION_2_COLUMNS``; a version 1 file is brought up to date when the store starts).
Version 3 made ``credentials.achievement_id`` nullable (credentials issued through the VC API
need no achievement; SQLite cannot drop a NOT NULL, so the table is rebuilt with its rows) and
added ``status_lists.status_size`` (``VERSION_3_COLUMNS``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vcengine.services.ports import (
    AchievementRecord,
    ApiKeyRecord,
    CredentialRecord,
    EventRecord,
    IssuerKeyRecord,
    IssuerRecord,
    OrganizationRecord,
    StatusListRecord,
)
from vcengine.storage._codec import decode_time, dump_json, encode_time, load_json, maybe_time

SCHEMA_VERSION = 3

CREDENTIALS_TABLE = """CREATE TABLE IF NOT EXISTS {name} (
        id TEXT PRIMARY KEY, org_id TEXT NOT NULL, issuer_id TEXT NOT NULL, achievement_id TEXT,
        recipient TEXT NOT NULL, document TEXT NOT NULL, proof_format TEXT NOT NULL,
        issued_at TEXT NOT NULL, status TEXT NOT NULL, status_list_id TEXT, status_index INTEGER,
        idempotency_key TEXT, valid_until TEXT, status_version INTEGER NOT NULL DEFAULT 0,
        UNIQUE (org_id, idempotency_key))"""
CREDENTIALS_INDEXES = (
    "CREATE INDEX IF NOT EXISTS credentials_by_org ON credentials (org_id, issued_at, id)",
    """CREATE INDEX IF NOT EXISTS credentials_by_achievement
        ON credentials (org_id, achievement_id, issued_at, id)""",
)

DDL = (
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
    """CREATE TABLE IF NOT EXISTS organizations (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS api_keys (
        id TEXT PRIMARY KEY, org_id TEXT NOT NULL, name TEXT NOT NULL, prefix TEXT NOT NULL UNIQUE,
        secret_hash TEXT NOT NULL, scopes TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT,
        created_by TEXT, last_used_at TEXT)""",
    "CREATE INDEX IF NOT EXISTS api_keys_by_org ON api_keys (org_id, created_at, id)",
    """CREATE TABLE IF NOT EXISTS issuers (
        id TEXT PRIMARY KEY, org_id TEXT NOT NULL, profile TEXT NOT NULL, created_at TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS issuers_by_org ON issuers (org_id, created_at, id)",
    """CREATE TABLE IF NOT EXISTS issuer_keys (
        id TEXT PRIMARY KEY, org_id TEXT NOT NULL, issuer_id TEXT NOT NULL,
        verification_method TEXT NOT NULL, public_key_multibase TEXT NOT NULL,
        encrypted_secret BLOB NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL, retired_at TEXT)""",
    "CREATE INDEX IF NOT EXISTS issuer_keys_by_issuer ON issuer_keys (issuer_id, created_at, id)",
    """CREATE TABLE IF NOT EXISTS achievements (
        id TEXT PRIMARY KEY, org_id TEXT NOT NULL, issuer_id TEXT NOT NULL, achievement TEXT NOT NULL,
        created_at TEXT NOT NULL, image_png BLOB, image_svg BLOB)""",
    "CREATE INDEX IF NOT EXISTS achievements_by_org ON achievements (org_id, created_at, id)",
    CREDENTIALS_TABLE.format(name="credentials"),
    *CREDENTIALS_INDEXES,
    """CREATE TABLE IF NOT EXISTS status_lists (
        id TEXT PRIMARY KEY, org_id TEXT NOT NULL, issuer_id TEXT NOT NULL, purpose TEXT NOT NULL,
        url TEXT NOT NULL UNIQUE, encoded_list TEXT NOT NULL, version INTEGER NOT NULL,
        updated_at TEXT NOT NULL, credential TEXT, permutation_key BLOB NOT NULL,
        length INTEGER NOT NULL, shards INTEGER NOT NULL, full INTEGER NOT NULL,
        revoked_list TEXT NOT NULL DEFAULT '', status_size INTEGER NOT NULL DEFAULT 1)""",
    """CREATE TABLE IF NOT EXISTS active_status_lists (
        org_id TEXT NOT NULL, issuer_id TEXT NOT NULL, purpose TEXT NOT NULL, list_id TEXT NOT NULL,
        PRIMARY KEY (org_id, issuer_id, purpose)) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS status_cursors (
        list_id TEXT NOT NULL, shard INTEGER NOT NULL, next INTEGER NOT NULL,
        PRIMARY KEY (list_id, shard)) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS events (
        id TEXT PRIMARY KEY, org_id TEXT NOT NULL, type TEXT NOT NULL, credential_id TEXT,
        at TEXT NOT NULL, data TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS events_by_type ON events (org_id, type)",
)

#: Nullable columns added after version 1, as (table, column, type). A store written before them
#: gets them at start (``ALTER TABLE … ADD COLUMN``); the schema version does not change, since
#: an older vcengine names its columns and so reads and writes such a store unchanged.
ADDED_COLUMNS = (
    ("api_keys", "created_by", "TEXT"),
    ("api_keys", "last_used_at", "TEXT"),
)

#: Columns of version 2, added the same way to a version 1 store (whose suspension lists'
#: ``revoked_list`` the store then fills in). The version does change here: a vcengine that
#: ignored them would decide status changes without them and could undo a revocation, so it
#: must refuse such a store.
VERSION_2_COLUMNS = (
    ("credentials", "status_version", "INTEGER NOT NULL DEFAULT 0"),
    ("status_lists", "revoked_list", "TEXT NOT NULL DEFAULT ''"),
)

#: Columns of version 3, added the same way to a version 1 or 2 store.
VERSION_3_COLUMNS = (("status_lists", "status_size", "INTEGER NOT NULL DEFAULT 1"),)

Row = Sequence[Any]

ORGANIZATION = "id, name, created_at"
API_KEY = "id, org_id, name, prefix, secret_hash, scopes, created_at, revoked_at, created_by, last_used_at"
ISSUER = "id, org_id, profile, created_at"
ISSUER_KEY = (
    "id, org_id, issuer_id, verification_method, public_key_multibase, encrypted_secret, status, "
    "created_at, retired_at"
)
ACHIEVEMENT = "id, org_id, issuer_id, achievement, created_at, image_png, image_svg"
CREDENTIAL = (
    "id, org_id, issuer_id, achievement_id, recipient, document, proof_format, issued_at, status, "
    "status_list_id, status_index, idempotency_key, valid_until, status_version"
)
STATUS_LIST = (
    "id, org_id, issuer_id, purpose, url, encoded_list, version, updated_at, credential, "
    "permutation_key, length, shards, full, revoked_list, status_size"
)
EVENT = "id, org_id, type, credential_id, at, data"


def placeholders(columns: str) -> str:
    return ", ".join("?" for _ in columns.split(","))


def _t(value: Any) -> str | None:
    return None if value is None else encode_time(value)


def organization_row(r: OrganizationRecord) -> Row:
    return (r.id, r.name, encode_time(r.created_at))


def organization(row: Row) -> OrganizationRecord:
    return OrganizationRecord(row[0], row[1], decode_time(row[2]))


def api_key_row(r: ApiKeyRecord) -> Row:
    scopes = dump_json({"scopes": sorted(r.scopes)})
    return (
        r.id,
        r.org_id,
        r.name,
        r.prefix,
        r.secret_hash,
        scopes,
        encode_time(r.created_at),
        _t(r.revoked_at),
        r.created_by,
        _t(r.last_used_at),
    )


def api_key(row: Row) -> ApiKeyRecord:
    scopes = frozenset(load_json(row[5])["scopes"])
    return ApiKeyRecord(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        scopes,
        decode_time(row[6]),
        maybe_time(row[7]),
        row[8],
        maybe_time(row[9]),
    )


def issuer_row(r: IssuerRecord) -> Row:
    return (r.id, r.org_id, dump_json(r.profile), encode_time(r.created_at))


def issuer(row: Row) -> IssuerRecord:
    return IssuerRecord(row[0], row[1], load_json(row[2]), decode_time(row[3]))


def issuer_key_row(r: IssuerKeyRecord) -> Row:
    return (
        r.id, r.org_id, r.issuer_id, r.verification_method, r.public_key_multibase,
        bytes(r.encrypted_secret), r.status, encode_time(r.created_at), _t(r.retired_at),
    )  # fmt: skip


def issuer_key(row: Row) -> IssuerKeyRecord:
    return IssuerKeyRecord(
        row[0], row[1], row[2], row[3], row[4], bytes(row[5]), row[6], decode_time(row[7]), maybe_time(row[8])
    )


def achievement_row(r: AchievementRecord) -> Row:
    return (
        r.id, r.org_id, r.issuer_id, dump_json(r.achievement), encode_time(r.created_at),
        r.image_png, r.image_svg,
    )  # fmt: skip


def achievement(row: Row) -> AchievementRecord:
    return AchievementRecord(row[0], row[1], row[2], load_json(row[3]), decode_time(row[4]), row[5], row[6])


def credential_row(r: CredentialRecord) -> Row:
    return (
        r.id, r.org_id, r.issuer_id, r.achievement_id, dump_json(r.recipient), dump_json(r.document),
        r.proof_format, encode_time(r.issued_at), r.status, r.status_list_id, r.status_index,
        r.idempotency_key, _t(r.valid_until), r.status_version,
    )  # fmt: skip


def credential(row: Row) -> CredentialRecord:
    return CredentialRecord(
        id=row[0],
        org_id=row[1],
        issuer_id=row[2],
        achievement_id=row[3],
        recipient=load_json(row[4]),
        document=load_json(row[5]),
        proof_format=row[6],
        issued_at=decode_time(row[7]),
        status=row[8],
        status_list_id=row[9],
        status_index=row[10],
        idempotency_key=row[11],
        valid_until=maybe_time(row[12]),
        status_version=row[13],
    )


def status_list_row(r: StatusListRecord) -> Row:
    return (
        r.id, r.org_id, r.issuer_id, r.purpose, r.url, r.encoded_list, r.version,
        encode_time(r.updated_at), None if r.credential is None else dump_json(r.credential),
        bytes(r.permutation_key), r.length, r.shards, int(r.full), r.revoked_list, r.status_size,
    )  # fmt: skip


def status_list(row: Row) -> StatusListRecord:
    return StatusListRecord(
        id=row[0],
        org_id=row[1],
        issuer_id=row[2],
        purpose=row[3],
        url=row[4],
        encoded_list=row[5],
        version=row[6],
        updated_at=decode_time(row[7]),
        credential=None if row[8] is None else load_json(row[8]),
        permutation_key=bytes(row[9]),
        length=row[10],
        shards=row[11],
        full=bool(row[12]),
        revoked_list=row[13],
        status_size=row[14],
    )


def event_row(r: EventRecord) -> Row:
    return (r.id, r.org_id, r.type, r.credential_id, encode_time(r.at), dump_json(r.data))
