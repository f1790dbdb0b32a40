"""Claiming a credential: the learner's link, and what opening and accepting it do.

A claim link is ``{base_url}/claim/{token}``: 32 random bytes (base64url, 43 characters) that
claim one credential and nothing else, until they expire (``DeliverySettings.claim_days``).
Only the token's SHA-256 is stored; whoever holds the link is not signed in. Accepting marks the
credential claimed (the first time: an ``claimed`` event; accepting again changes nothing).
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from vcengine.services import event_log
from vcengine.services.ports import ClaimTokenRecord, CredentialRecord, EventRecord

if TYPE_CHECKING:
    from vcengine.services.context import Services

__all__ = ["Claim", "ClaimLink", "accept_claim", "claim_url", "new_claim_link", "open_claim", "token_hash"]

_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


@dataclass(frozen=True, slots=True)
class ClaimLink:
    url: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Claim:
    """What a claim link leads to. ``state``: ``unknown`` (no such link), ``expired``, ``open``
    (not yet accepted) or ``claimed``; ``credential`` and ``token`` are None only for ``unknown``."""

    state: Literal["unknown", "expired", "open", "claimed"]
    credential: CredentialRecord | None = None
    token: ClaimTokenRecord | None = None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def claim_url(services: Services, token: str) -> str:
    return f"{services.base_url}/claim/{token}"


async def new_claim_link(services: Services, record: CredentialRecord) -> ClaimLink:
    """A fresh link for ``record`` (its hash stored now)."""
    token = base64.urlsafe_b64encode(services.random_bytes(32)).decode("ascii").rstrip("=")
    now = services.now()
    expires = now + timedelta(days=services.delivery.claim_days)
    await services.store.add_claim_token(
        ClaimTokenRecord(token_hash(token), record.org_id, record.id, now, expires)
    )
    return ClaimLink(claim_url(services, token), expires)


async def open_claim(services: Services, token: str) -> Claim:
    """What ``token`` claims, and whether it still can."""
    if not _TOKEN.fullmatch(token):
        return Claim("unknown")
    stored = await services.store.find_claim_token(token_hash(token))
    if stored is None:
        return Claim("unknown")
    credential = await services.store.get_credential(stored.org_id, stored.credential_id)
    if credential is None:
        return Claim("unknown")
    if stored.claimed_at is not None:
        return Claim("claimed", credential, stored)
    if services.now() >= stored.expires_at:
        return Claim("expired", credential, stored)
    return Claim("open", credential, stored)


async def accept_claim(services: Services, token: str) -> Claim:
    """Accept the credential ``token`` claims, if it still can (an ``open`` claim); the claim after."""
    claim = await open_claim(services, token)
    if claim.state != "open" or claim.token is None or claim.credential is None:
        return claim
    now = services.now()
    accepted = await services.store.accept_claim(claim.token.token_hash, now)
    if accepted is None:
        return Claim("unknown")
    if accepted.claimed_at == now:  # this call accepted it (not a concurrent one)
        record = claim.credential
        event = EventRecord(services.new_id(), record.org_id, "claimed", record.id, now, {})
        await event_log.record(services, event)
    return Claim("claimed", claim.credential, accepted)
