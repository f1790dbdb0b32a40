"""OID4VCI credential offers and used nonces in SQLite: the tables, rows and statements.

Each state change is one conditional ``UPDATE`` (or ``INSERT``) run in the store's
``BEGIN IMMEDIATE`` transaction: the condition and the change see no other writer in between,
so of concurrent redemptions of a pre-authorized code exactly one changes a row.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from vcengine.services.ports import (
    AuthorizationLookup,
    AuthorizationRequestRecord,
    CredentialOfferRecord,
    OfferSecret,
)
from vcengine.storage._codec import decode_time, encode_time, load_json, maybe_time

DDL = (
    """CREATE TABLE IF NOT EXISTS credential_offers (
        id TEXT PRIMARY KEY, org_id TEXT NOT NULL, issuer_id TEXT NOT NULL, credential_id TEXT NOT NULL,
        configuration_ids TEXT NOT NULL, code_hash TEXT NOT NULL UNIQUE, handle_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL, expires_at TEXT NOT NULL, tx_code_mac TEXT,
        tx_code_failures INTEGER NOT NULL, redeemed_at TEXT, token_hash TEXT UNIQUE,
        token_expires_at TEXT, issued_configurations TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS credential_offers_by_credential ON credential_offers (org_id, credential_id)",
    "CREATE INDEX IF NOT EXISTS credential_offers_by_expiry ON credential_offers (expires_at)",
    """CREATE TABLE IF NOT EXISTS used_nonces (
        nonce_hash TEXT PRIMARY KEY, expires_at TEXT NOT NULL) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS used_nonces_by_expiry ON used_nonces (expires_at)",
    """CREATE TABLE IF NOT EXISTS authorization_requests (
        id TEXT PRIMARY KEY, org_id TEXT NOT NULL, issuer_id TEXT NOT NULL, client_id TEXT NOT NULL,
        redirect_uri TEXT NOT NULL, code_challenge TEXT NOT NULL, configuration_ids TEXT NOT NULL,
        handle_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, expires_at TEXT NOT NULL,
        state TEXT, email TEXT, login_hash TEXT UNIQUE, login_expires_at TEXT, signed_in_at TEXT,
        offer_id TEXT UNIQUE)""",
    "CREATE INDEX IF NOT EXISTS authorization_requests_by_expiry ON authorization_requests (expires_at)",
)

COLUMNS = (
    "id, org_id, issuer_id, credential_id, configuration_ids, code_hash, handle_hash, created_at, "
    "expires_at, tx_code_mac, tx_code_failures, redeemed_at, token_hash, token_expires_at, "
    "issued_configurations"
)
_SECRETS: dict[OfferSecret, str] = {h: h for h in ("code_hash", "handle_hash", "token_hash")}
Row = Sequence[Any]
REQUEST_COLUMNS = (
    "id, org_id, issuer_id, client_id, redirect_uri, code_challenge, configuration_ids, handle_hash, "
    "created_at, expires_at, state, email, login_hash, login_expires_at, signed_in_at, offer_id"
)
_LOOKUPS: dict[AuthorizationLookup, str] = {h: h for h in ("id", "handle_hash", "login_hash", "offer_id")}


def _list(values: Sequence[str]) -> str:
    return json.dumps(list(values))


def _t(value: datetime | None) -> str | None:
    return None if value is None else encode_time(value)


def offer_row(r: CredentialOfferRecord) -> Row:
    return (
        r.id, r.org_id, r.issuer_id, r.credential_id, _list(r.configuration_ids), r.code_hash,
        r.handle_hash, encode_time(r.created_at), encode_time(r.expires_at), r.tx_code_mac,
        r.tx_code_failures, _t(r.redeemed_at), r.token_hash, _t(r.token_expires_at),
        _list(r.issued_configurations),
    )  # fmt: skip


def offer(row: Row) -> CredentialOfferRecord:
    return CredentialOfferRecord(
        id=row[0],
        org_id=row[1],
        issuer_id=row[2],
        credential_id=row[3],
        configuration_ids=tuple(load_json(row[4])),
        code_hash=row[5],
        handle_hash=row[6],
        created_at=decode_time(row[7]),
        expires_at=decode_time(row[8]),
        tx_code_mac=row[9],
        tx_code_failures=row[10],
        redeemed_at=maybe_time(row[11]),
        token_hash=row[12],
        token_expires_at=maybe_time(row[13]),
        issued_configurations=tuple(load_json(row[14])),
    )


def insert(conn: sqlite3.Connection, record: CredentialOfferRecord) -> None:
    stale = encode_time(record.created_at - timedelta(days=1))
    sql = (
        "DELETE FROM credential_offers WHERE expires_at <= ? "
        "AND (token_expires_at IS NULL OR token_expires_at <= ?)"
    )
    conn.execute(sql, [stale, stale])
    sql = f"INSERT INTO credential_offers ({COLUMNS}) VALUES ({', '.join('?' * 15)})"
    conn.execute(sql, offer_row(record))


def select_by(by: OfferSecret) -> str:
    return f"SELECT {COLUMNS} FROM credential_offers WHERE {_SECRETS[by]} = ?"


def record_tx_code_failure(conn: sqlite3.Connection, offer_id: str) -> int:
    sql = "UPDATE credential_offers SET tx_code_failures = tx_code_failures + 1 WHERE id = ?"
    conn.execute(sql, [offer_id])
    row = conn.execute("SELECT tx_code_failures FROM credential_offers WHERE id = ?", [offer_id]).fetchone()
    return 0 if row is None else int(row[0])


def redeem(
    conn: sqlite3.Connection,
    offer_id: str,
    at: datetime,
    token_hash: str,
    token_expires_at: datetime,
    max_failures: int,
) -> bool:
    sql = (
        "UPDATE credential_offers SET redeemed_at = ?, token_hash = ?, token_expires_at = ? "
        "WHERE id = ? AND redeemed_at IS NULL AND expires_at > ? AND tx_code_failures < ?"
    )
    moment = encode_time(at)
    params = [moment, token_hash, encode_time(token_expires_at), offer_id, moment, max_failures]
    return conn.execute(sql, params).rowcount == 1


def mark_issued(conn: sqlite3.Connection, offer_id: str, configuration_id: str, at: datetime) -> bool:
    row = conn.execute(
        "SELECT issued_configurations FROM credential_offers WHERE id = ? AND token_expires_at > ?",
        [offer_id, encode_time(at)],
    ).fetchone()
    if row is None:
        return False
    issued = load_json(row[0])
    if configuration_id in issued:
        return False
    conn.execute(
        "UPDATE credential_offers SET issued_configurations = ? WHERE id = ?",
        [_list([*issued, configuration_id]), offer_id],
    )
    return True


def use_nonce(conn: sqlite3.Connection, nonce_hash: str, expires_at: datetime, at: datetime) -> bool:
    conn.execute("DELETE FROM used_nonces WHERE expires_at <= ?", [encode_time(at)])
    sql = "INSERT INTO used_nonces (nonce_hash, expires_at) VALUES (?, ?) ON CONFLICT (nonce_hash) DO NOTHING"
    return conn.execute(sql, [nonce_hash, encode_time(expires_at)]).rowcount == 1


def request_row(r: AuthorizationRequestRecord) -> Row:
    return (
        r.id, r.org_id, r.issuer_id, r.client_id, r.redirect_uri, r.code_challenge,
        _list(r.configuration_ids), r.handle_hash, encode_time(r.created_at), encode_time(r.expires_at),
        r.state, r.email, r.login_hash, _t(r.login_expires_at), _t(r.signed_in_at), r.offer_id,
    )  # fmt: skip


def request(row: Row) -> AuthorizationRequestRecord:
    return AuthorizationRequestRecord(
        id=row[0],
        org_id=row[1],
        issuer_id=row[2],
        client_id=row[3],
        redirect_uri=row[4],
        code_challenge=row[5],
        configuration_ids=tuple(load_json(row[6])),
        handle_hash=row[7],
        created_at=decode_time(row[8]),
        expires_at=decode_time(row[9]),
        state=row[10],
        email=row[11],
        login_hash=row[12],
        login_expires_at=maybe_time(row[13]),
        signed_in_at=maybe_time(row[14]),
        offer_id=row[15],
    )


def insert_request(conn: sqlite3.Connection, record: AuthorizationRequestRecord) -> None:
    stale = encode_time(record.created_at - timedelta(hours=1))
    conn.execute("DELETE FROM authorization_requests WHERE expires_at <= ?", [stale])
    sql = f"INSERT INTO authorization_requests ({REQUEST_COLUMNS}) VALUES ({', '.join('?' * 16)})"
    conn.execute(sql, request_row(record))


def select_request_by(by: AuthorizationLookup) -> str:
    return f"SELECT {REQUEST_COLUMNS} FROM authorization_requests WHERE {_LOOKUPS[by]} = ?"


def set_sign_in_link(
    conn: sqlite3.Connection, request_id: str, login_hash: str, expires_at: datetime
) -> None:
    sql = "UPDATE authorization_requests SET login_hash = ?, login_expires_at = ? WHERE id = ?"
    conn.execute(sql, [login_hash, encode_time(expires_at), request_id])


def complete_sign_in(
    conn: sqlite3.Connection, request_id: str, login_hash: str, at: datetime, offer_id: str
) -> bool:
    sql = (
        "UPDATE authorization_requests SET signed_in_at = ?, offer_id = ? WHERE id = ? AND login_hash = ? "
        "AND signed_in_at IS NULL AND login_expires_at > ?"
    )
    moment = encode_time(at)
    return conn.execute(sql, [moment, offer_id, request_id, login_hash, moment]).rowcount == 1
