"""The Open Badges 3.0 API in SQLite: registered clients, grants, tokens, the credentials and
profiles learners put through the API, and the query of a learner's issued credentials.

Each state change is one conditional ``UPDATE`` run in the store's ``BEGIN IMMEDIATE``
transaction, so of concurrent uses of a link, code or refresh token exactly one changes a row.
A learner's issued credentials are found across organizations by the recipient's values
(``json_each``), which scans the credentials table.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from vcengine.services.ports import (
    CredentialRecord,
    ObClientRecord,
    ObCredentialRecord,
    ObGrantLookup,
    ObGrantRecord,
    ObProfileRecord,
    ObTokenLookup,
    ObTokenRecord,
    ObUpsert,
)
from vcengine.storage import _sqlite_schema as s
from vcengine.storage._codec import decode_time, dump_json, encode_time, load_json, maybe_time

DDL = (
    """CREATE TABLE IF NOT EXISTS ob_clients (
        id TEXT PRIMARY KEY, secret_hash TEXT NOT NULL, metadata TEXT NOT NULL, created_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS ob_grants (
        id TEXT PRIMARY KEY, client_id TEXT NOT NULL, redirect_uri TEXT NOT NULL, scope TEXT NOT NULL,
        code_challenge TEXT NOT NULL, email TEXT NOT NULL, handle_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL, expires_at TEXT NOT NULL, state TEXT, login_hash TEXT UNIQUE,
        login_expires_at TEXT, code_hash TEXT UNIQUE, code_expires_at TEXT, code_used_at TEXT)""",
    """CREATE TABLE IF NOT EXISTS ob_tokens (
        id TEXT PRIMARY KEY, grant_id TEXT NOT NULL, client_id TEXT NOT NULL, email TEXT NOT NULL,
        scope TEXT NOT NULL, access_hash TEXT NOT NULL UNIQUE, refresh_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL, access_expires_at TEXT NOT NULL, refresh_expires_at TEXT NOT NULL,
        revoked_at TEXT)""",
    "CREATE INDEX IF NOT EXISTS ob_tokens_by_grant ON ob_tokens (grant_id)",
    """CREATE TABLE IF NOT EXISTS ob_credentials (
        id TEXT PRIMARY KEY, email TEXT NOT NULL, key TEXT NOT NULL, document TEXT NOT NULL,
        issued_at TEXT NOT NULL, stored_at TEXT NOT NULL, UNIQUE (email, key))""",
    "CREATE INDEX IF NOT EXISTS ob_credentials_by_learner ON ob_credentials (email, issued_at, id)",
    """CREATE TABLE IF NOT EXISTS ob_profiles (
        email TEXT PRIMARY KEY, profile TEXT NOT NULL, updated_at TEXT NOT NULL)""",
)

Row = Sequence[Any]
CLIENT = "id, secret_hash, metadata, created_at"
GRANT = (
    "id, client_id, redirect_uri, scope, code_challenge, email, handle_hash, created_at, expires_at, "
    "state, login_hash, login_expires_at, code_hash, code_expires_at, code_used_at"
)
TOKEN = (
    "id, grant_id, client_id, email, scope, access_hash, refresh_hash, created_at, access_expires_at, "
    "refresh_expires_at, revoked_at"
)
CREDENTIAL = "id, email, key, document, issued_at, stored_at"
_GRANT_LOOKUPS: dict[ObGrantLookup, str] = {k: k for k in ("id", "handle_hash", "login_hash", "code_hash")}
_TOKEN_LOOKUPS: dict[ObTokenLookup, str] = {k: k for k in ("access_hash", "refresh_hash")}
# the learner is the recipient's email, and only that (a name or id equal to an email is not)
_LEARNER = "FROM credentials WHERE status != 'revoked' AND json_extract(recipient, '$.email') = ?"


def _t(value: datetime | None) -> str | None:
    return None if value is None else encode_time(value)


def _since(since: datetime | None) -> tuple[str, list[Any]]:
    return ("", []) if since is None else (" AND issued_at > ?", [encode_time(since)])


def client_row(r: ObClientRecord) -> Row:
    return (r.id, r.secret_hash, dump_json(r.metadata), encode_time(r.created_at))


def client(row: Row) -> ObClientRecord:
    return ObClientRecord(row[0], row[1], load_json(row[2]), decode_time(row[3]))


def grant_row(r: ObGrantRecord) -> Row:
    return (
        r.id, r.client_id, r.redirect_uri, r.scope, r.code_challenge, r.email, r.handle_hash,
        encode_time(r.created_at), encode_time(r.expires_at), r.state, r.login_hash,
        _t(r.login_expires_at), r.code_hash, _t(r.code_expires_at), _t(r.code_used_at),
    )  # fmt: skip


def grant(row: Row) -> ObGrantRecord:
    return ObGrantRecord(
        row[0], row[1], row[2], row[3], row[4], row[5], row[6], decode_time(row[7]), decode_time(row[8]),
        row[9], row[10], maybe_time(row[11]),
        row[12], maybe_time(row[13]), maybe_time(row[14]),
    )  # fmt: skip


def token_row(r: ObTokenRecord) -> Row:
    return (
        r.id, r.grant_id, r.client_id, r.email, r.scope, r.access_hash, r.refresh_hash,
        encode_time(r.created_at), encode_time(r.access_expires_at), encode_time(r.refresh_expires_at),
        _t(r.revoked_at),
    )  # fmt: skip


def token(row: Row) -> ObTokenRecord:
    return ObTokenRecord(
        row[0], row[1], row[2], row[3], row[4], row[5], row[6],
        decode_time(row[7]), decode_time(row[8]), decode_time(row[9]), maybe_time(row[10]),
    )  # fmt: skip


def credential_row(r: ObCredentialRecord) -> Row:
    return (r.id, r.email, r.key, dump_json(r.document), encode_time(r.issued_at), encode_time(r.stored_at))


def credential(row: Row) -> ObCredentialRecord:
    return ObCredentialRecord(
        row[0], row[1], row[2], load_json(row[3]), decode_time(row[4]), decode_time(row[5])
    )


def profile(row: Row) -> ObProfileRecord:
    return ObProfileRecord(row[0], load_json(row[1]), decode_time(row[2]))


def select_grant_by(by: ObGrantLookup) -> str:
    return f"SELECT {GRANT} FROM ob_grants WHERE {_GRANT_LOOKUPS[by]} = ?"


def select_token_by(by: ObTokenLookup) -> str:
    return f"SELECT {TOKEN} FROM ob_tokens WHERE {_TOKEN_LOOKUPS[by]} = ?"


def approve(
    conn: sqlite3.Connection, grant_id: str, login_hash: str, at: datetime, code_hash: str, expires: datetime
) -> bool:
    sql = """UPDATE ob_grants SET code_hash = ?, code_expires_at = ?
        WHERE id = ? AND login_hash = ? AND login_expires_at > ? AND code_hash IS NULL"""
    moment = encode_time(at)
    return conn.execute(sql, (code_hash, encode_time(expires), grant_id, login_hash, moment)).rowcount == 1


def redeem(conn: sqlite3.Connection, grant_id: str, at: datetime) -> bool:
    sql = """UPDATE ob_grants SET code_used_at = ?
        WHERE id = ? AND code_hash IS NOT NULL AND code_used_at IS NULL AND code_expires_at > ?"""
    moment = encode_time(at)
    return conn.execute(sql, (moment, grant_id, moment)).rowcount == 1


def count_learner(conn: sqlite3.Connection, email: str, since: datetime | None) -> int:
    extra, params = _since(since)
    return int(conn.execute(f"SELECT count(*) {_LEARNER}{extra}", [email, *params]).fetchone()[0])


def list_learner(
    conn: sqlite3.Connection, email: str, since: datetime | None, offset: int, limit: int
) -> list[CredentialRecord]:
    extra, params = _since(since)
    sql = f"SELECT {s.CREDENTIAL} {_LEARNER}{extra} ORDER BY issued_at, id LIMIT ? OFFSET ?"
    return [s.credential(row) for row in conn.execute(sql, [email, *params, limit, offset]).fetchall()]


def upsert(conn: sqlite3.Connection, r: ObCredentialRecord) -> ObUpsert:
    row = conn.execute(
        "SELECT issued_at FROM ob_credentials WHERE email = ? AND key = ?", (r.email, r.key)
    ).fetchone()
    if row is None:
        conn.execute(
            f"INSERT INTO ob_credentials ({CREDENTIAL}) VALUES (?, ?, ?, ?, ?, ?)", credential_row(r)
        )
        return "created"
    if decode_time(row[0]) > r.issued_at:
        return "unchanged"
    conn.execute(
        "UPDATE ob_credentials SET document = ?, issued_at = ?, stored_at = ? WHERE email = ? AND key = ?",
        (dump_json(r.document), encode_time(r.issued_at), encode_time(r.stored_at), r.email, r.key),
    )
    return "replaced"


def count_upserted(conn: sqlite3.Connection, email: str, since: datetime | None) -> int:
    extra, params = _since(since)
    sql = f"SELECT count(*) FROM ob_credentials WHERE email = ?{extra}"
    return int(conn.execute(sql, [email, *params]).fetchone()[0])


def list_upserted(
    conn: sqlite3.Connection, email: str, since: datetime | None, offset: int, limit: int
) -> list[ObCredentialRecord]:
    extra, params = _since(since)
    sql = f"SELECT {CREDENTIAL} FROM ob_credentials WHERE email = ?{extra} ORDER BY issued_at, id"
    sql += " LIMIT ? OFFSET ?"
    return [credential(row) for row in conn.execute(sql, [email, *params, limit, offset]).fetchall()]


def put_profile(conn: sqlite3.Connection, r: ObProfileRecord) -> None:
    conn.execute(
        """INSERT INTO ob_profiles (email, profile, updated_at) VALUES (?, ?, ?)
        ON CONFLICT (email) DO UPDATE SET profile = excluded.profile, updated_at = excluded.updated_at""",
        (r.email, dump_json(r.profile), encode_time(r.updated_at)),
    )
