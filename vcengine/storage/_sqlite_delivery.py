"""Delivery attempts and claim tokens in SQLite: their tables, rows and statements.

``delivery_attempts`` has one row per (delivery, attempt): a second insert of the same claim is
ignored. ``claim_tokens`` is keyed by the token's hash; accepting is one conditional ``UPDATE``
(``claimed_at IS NULL``), so two concurrent accepts keep the first time.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from vcengine.services.ports import (
    ClaimTokenRecord,
    DeliveryAttemptRecord,
    EarnerProfileRecord,
    EmailTemplateRecord,
    IssuerBrandingRecord,
    StatusNoticeRecord,
)
from vcengine.storage._codec import decode_time, encode_time, maybe_time

DDL = (
    """CREATE TABLE IF NOT EXISTS delivery_attempts (
        id TEXT PRIMARY KEY, org_id TEXT NOT NULL, credential_id TEXT NOT NULL,
        delivery_id TEXT NOT NULL, attempt INTEGER NOT NULL, at TEXT NOT NULL, outcome TEXT NOT NULL,
        detail TEXT, message_id TEXT, UNIQUE (delivery_id, attempt))""",
    "CREATE INDEX IF NOT EXISTS delivery_attempts_by_cred ON delivery_attempts (org_id, credential_id, at)",
    """CREATE TABLE IF NOT EXISTS claim_tokens (
        token_hash TEXT PRIMARY KEY, org_id TEXT NOT NULL, credential_id TEXT NOT NULL,
        created_at TEXT NOT NULL, expires_at TEXT NOT NULL, claimed_at TEXT)""",
    "CREATE INDEX IF NOT EXISTS claim_tokens_by_credential ON claim_tokens (org_id, credential_id)",
    """CREATE TABLE IF NOT EXISTS status_notices (
        credential_id TEXT PRIMARY KEY, org_id TEXT NOT NULL, status TEXT NOT NULL, at TEXT NOT NULL,
        public_reason TEXT)""",
    """CREATE TABLE IF NOT EXISTS email_templates (
        org_id TEXT PRIMARY KEY, subject TEXT, html TEXT, text TEXT, updated_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS issuer_branding (
        issuer_id TEXT PRIMARY KEY, org_id TEXT NOT NULL, logo_url TEXT, primary_color TEXT,
        accent_color TEXT, updated_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS earner_profiles (
        slug TEXT PRIMARY KEY, org_id TEXT NOT NULL, subject_key TEXT NOT NULL, name TEXT,
        credential_ids TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
        UNIQUE (org_id, subject_key))""",
)

ATTEMPT = "id, org_id, credential_id, delivery_id, attempt, at, outcome, detail, message_id"
TOKEN = "token_hash, org_id, credential_id, created_at, expires_at, claimed_at"
Row = Sequence[Any]


def attempt_row(a: DeliveryAttemptRecord) -> Row:
    return (
        a.id, a.org_id, a.credential_id, a.delivery_id, a.attempt, encode_time(a.at), a.outcome,
        a.detail, a.message_id,
    )  # fmt: skip


def attempt(row: Row) -> DeliveryAttemptRecord:
    return DeliveryAttemptRecord(
        id=row[0],
        org_id=row[1],
        credential_id=row[2],
        delivery_id=row[3],
        attempt=row[4],
        at=decode_time(row[5]),
        outcome=row[6],
        detail=row[7],
        message_id=row[8],
    )


def token_row(t: ClaimTokenRecord) -> Row:
    claimed = None if t.claimed_at is None else encode_time(t.claimed_at)
    return (t.token_hash, t.org_id, t.credential_id, encode_time(t.created_at), encode_time(t.expires_at),
            claimed)  # fmt: skip


def token(row: Row) -> ClaimTokenRecord:
    return ClaimTokenRecord(
        token_hash=row[0],
        org_id=row[1],
        credential_id=row[2],
        created_at=decode_time(row[3]),
        expires_at=decode_time(row[4]),
        claimed_at=maybe_time(row[5]),
    )


INSERT_ATTEMPT = (
    f"INSERT INTO delivery_attempts ({ATTEMPT}) VALUES ({', '.join('?' * 9)}) ON CONFLICT DO NOTHING"
)
INSERT_TOKEN = f"INSERT INTO claim_tokens ({TOKEN}) VALUES ({', '.join('?' * 6)})"
SELECT_ATTEMPTS = (
    f"SELECT {ATTEMPT} FROM delivery_attempts WHERE org_id = ? AND credential_id = ? ORDER BY at, attempt, id"
)
SELECT_TOKEN = f"SELECT {TOKEN} FROM claim_tokens WHERE token_hash = ?"
FIRST_CLAIM = "SELECT min(claimed_at) FROM claim_tokens WHERE org_id = ? AND credential_id = ?"


def accept(conn: sqlite3.Connection, token_hash: str, at: datetime) -> ClaimTokenRecord | None:
    conn.execute(
        "UPDATE claim_tokens SET claimed_at = ? WHERE token_hash = ? AND claimed_at IS NULL",
        [encode_time(at), token_hash],
    )
    row = conn.execute(SELECT_TOKEN, [token_hash]).fetchone()
    return None if row is None else token(row)


NOTICE = "credential_id, org_id, status, at, public_reason"
PUT_NOTICE = (
    f"INSERT INTO status_notices ({NOTICE}) VALUES (?, ?, ?, ?, ?) ON CONFLICT (credential_id) DO UPDATE "
    "SET status = excluded.status, at = excluded.at, public_reason = excluded.public_reason"
)
SELECT_NOTICE = f"SELECT {NOTICE} FROM status_notices WHERE credential_id = ?"


def notice_row(n: StatusNoticeRecord) -> Row:
    return (n.credential_id, n.org_id, n.status, encode_time(n.at), n.public_reason)


def notice(row: Row) -> StatusNoticeRecord:
    return StatusNoticeRecord(row[0], row[1], row[2], decode_time(row[3]), row[4])


TEMPLATE = "org_id, subject, html, text, updated_at"
PUT_TEMPLATE = (
    f"INSERT INTO email_templates ({TEMPLATE}) VALUES (?, ?, ?, ?, ?) ON CONFLICT (org_id) DO UPDATE "
    "SET subject = excluded.subject, html = excluded.html, text = excluded.text, "
    "updated_at = excluded.updated_at"
)
SELECT_TEMPLATE = f"SELECT {TEMPLATE} FROM email_templates WHERE org_id = ?"
BRANDING = "issuer_id, org_id, logo_url, primary_color, accent_color, updated_at"
PUT_BRANDING = (
    f"INSERT INTO issuer_branding ({BRANDING}) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (issuer_id) DO UPDATE "
    "SET logo_url = excluded.logo_url, primary_color = excluded.primary_color, "
    "accent_color = excluded.accent_color, updated_at = excluded.updated_at WHERE org_id = excluded.org_id"
)
SELECT_BRANDING = f"SELECT {BRANDING} FROM issuer_branding WHERE issuer_id = ?"


def template_row(t: EmailTemplateRecord) -> Row:
    return (t.org_id, t.subject, t.html, t.text, encode_time(t.updated_at))


def template(row: Row) -> EmailTemplateRecord:
    return EmailTemplateRecord(row[0], row[1], row[2], row[3], decode_time(row[4]))


def branding_row(b: IssuerBrandingRecord) -> Row:
    return (b.issuer_id, b.org_id, b.logo_url, b.primary_color, b.accent_color, encode_time(b.updated_at))


def branding(row: Row) -> IssuerBrandingRecord:
    return IssuerBrandingRecord(row[0], row[1], row[2], row[3], row[4], decode_time(row[5]))


PROFILE = "slug, org_id, subject_key, name, credential_ids, created_at, updated_at"
PUT_PROFILE = (
    f"INSERT INTO earner_profiles ({PROFILE}) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (slug) DO UPDATE "
    "SET name = excluded.name, credential_ids = excluded.credential_ids, updated_at = excluded.updated_at "
    "WHERE org_id = excluded.org_id AND subject_key = excluded.subject_key"
)
SELECT_PROFILE = f"SELECT {PROFILE} FROM earner_profiles WHERE slug = ?"
SELECT_PROFILE_OF = f"SELECT {PROFILE} FROM earner_profiles WHERE org_id = ? AND subject_key = ?"


def profile_row(p: EarnerProfileRecord) -> Row:
    return (p.slug, p.org_id, p.subject_key, p.name, json.dumps(list(p.credential_ids)),
            encode_time(p.created_at), encode_time(p.updated_at))  # fmt: skip


def profile(row: Row) -> EarnerProfileRecord:
    return EarnerProfileRecord(row[0], row[1], row[2], row[3], tuple(json.loads(row[4])),
                               decode_time(row[5]), decode_time(row[6]))  # fmt: skip
