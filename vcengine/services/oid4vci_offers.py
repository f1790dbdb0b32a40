"""Offering a stored credential to a wallet: OID4VCI 1.0 credential offers, pre-authorized code flow.

Each issuer profile is one Credential Issuer; its identifier is the issuer's page URL
``{base_url}/issuers/{issuer id}`` and its endpoints live below it (``/oid4vci/...``).

``create_credential_offer`` (scope ``issue``, org-scoped) makes an offer of one credential and
returns, once, everything a learner's wallet and the issuer's staff need: the offer (by value
and by reference), the ``openid-credential-offer://`` links, a QR code and, when asked, the
transaction code (``tx_code``, 6 digits) that staff give the learner through another channel.

Nothing secret is stored (``CredentialOfferRecord``): the by-reference URL carries a random
*handle*; the pre-authorized code is an HMAC of that handle under a key derived from the master
key (so the by-reference endpoint can rebuild the offer from the handle alone); only SHA-256
of the handle and of the code are kept, and the transaction code as an HMAC under another
derived key. Offers live ``DEFAULT_LIFETIME`` unless asked otherwise (at most ``MAX_LIFETIME``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from vcengine.core.oid4vci.metadata import CONFIGURATION_IDS, JWT_VC_JSON, LDP_VC, Endpoints
from vcengine.core.oid4vci.offer import (
    TxCode,
    credential_offer,
    link_by_reference,
    link_by_value,
    qr_code_svg,
)
from vcengine.errors import InputError, NotFound
from vcengine.services.context import Actor, Services
from vcengine.services.jobs import new_job
from vcengine.services.keystore import derive_key, seal_secret
from vcengine.services.ports import CredentialOfferRecord, CredentialRecord

__all__ = [
    "DEFAULT_LIFETIME",
    "MAX_LIFETIME",
    "TX_CODE_EMAIL_KIND",
    "TX_CODE_LENGTH",
    "CreatedOffer",
    "create_credential_offer",
    "credential_issuer_id",
    "endpoints",
    "offer_by_reference",
    "offer_credential",
    "pre_authorized_code",
    "secret_hash",
    "tx_code_mac",
]

TX_CODE_EMAIL_KIND = "oid4vci_tx_code_email"
DEFAULT_LIFETIME = timedelta(minutes=15)
MAX_LIFETIME = timedelta(days=7)
TX_CODE_LENGTH = 6


@dataclass(frozen=True, slots=True)
class CreatedOffer:
    """A new offer and its secrets, returned once: ``tx_code`` is never shown again."""

    record: CredentialOfferRecord
    offer: dict[str, Any]
    offer_uri: str
    link_by_reference: str
    link_by_value: str
    qr_code_svg: str
    tx_code: str | None
    handle: str = field(repr=False, default="")

    def __repr__(self) -> str:
        return f"CreatedOffer(id={self.record.id!r}, credential_id={self.record.credential_id!r})"


def credential_issuer_id(services: Services, issuer_id: str) -> str:
    """The Credential Issuer Identifier of an issuer profile: its page URL."""
    return f"{services.base_url}/issuers/{issuer_id}"


def endpoints(services: Services, issuer_id: str) -> Endpoints:
    base = credential_issuer_id(services, issuer_id)
    return Endpoints(
        credential_issuer=base,
        token=f"{base}/oid4vci/token",
        nonce=f"{base}/oid4vci/nonce",
        credential=f"{base}/oid4vci/credential",
        notification=f"{base}/oid4vci/notification",
        authorization=f"{base}/oid4vci/authorize",
    )


def offer_uri(services: Services, issuer_id: str, handle: str) -> str:
    return f"{credential_issuer_id(services, issuer_id)}/oid4vci/offers/{handle}"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def secret_hash(secret: str) -> str:
    """How high-entropy secrets (codes, handles, tokens) are stored and looked up: SHA-256, hex."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def pre_authorized_code(services: Services, handle: str) -> str:
    """The pre-authorized code of the offer whose by-reference handle is ``handle``."""
    key = derive_key(services.master_key, "oid4vci/pre-authorized-code")
    return _b64(hmac.new(key, handle.encode("utf-8"), hashlib.sha256).digest())


def tx_code_mac(services: Services, offer_id: str, tx_code: str) -> str:
    key = derive_key(services.master_key, "oid4vci/tx-code")
    return hmac.new(key, f"{offer_id}\x00{tx_code}".encode(), hashlib.sha256).hexdigest()


def _tx_code(services: Services) -> str:
    """Six random digits (the 64-bit draw makes the modulo bias negligible: < 2**-40)."""
    return f"{int.from_bytes(services.random_bytes(8), 'big') % 10**TX_CODE_LENGTH:0{TX_CODE_LENGTH}d}"


def _configurations(record: CredentialRecord) -> tuple[str, ...]:
    """Both configurations, the one matching how the credential was issued first."""
    return (JWT_VC_JSON, LDP_VC) if record.proof_format == "vc-jwt" else CONFIGURATION_IDS


def _tx_code_description() -> TxCode:
    return TxCode(
        length=TX_CODE_LENGTH,
        description="Enter the 6-digit code your issuer gave you separately (it is not part of this offer).",
    )


def build(
    services: Services, record: CredentialOfferRecord, handle: str, *, with_tx_code: bool
) -> tuple[dict[str, Any], str, str, str]:
    """(offer, by-reference URL, link by reference, link by value) of a stored offer."""
    offer = credential_offer(
        credential_issuer_id(services, record.issuer_id),
        record.configuration_ids,
        pre_authorized_code(services, handle),
        _tx_code_description() if with_tx_code else None,
    )
    uri = offer_uri(services, record.issuer_id, handle)
    return offer, uri, link_by_reference(uri), link_by_value(offer)


def _lifetime(lifetime: timedelta | None) -> timedelta:
    if lifetime is None:
        return DEFAULT_LIFETIME
    if not timedelta(seconds=60) <= lifetime <= MAX_LIFETIME:
        raise InputError(
            f"must be 60 to {int(MAX_LIFETIME.total_seconds())} seconds", path="expiresInSeconds"
        )
    return lifetime


async def create_credential_offer(
    services: Services,
    actor: Actor,
    credential_id: str,
    *,
    tx_code: bool = False,
    lifetime: timedelta | None = None,
    email_tx_code: bool = False,
) -> CreatedOffer:
    """Offer credential ``credential_id`` of the caller's organization to a wallet (scope ``issue``).

    With ``email_tx_code`` the transaction code goes to the recipient's email address (a durable
    job, ``TX_CODE_EMAIL_KIND``, the code sealed under the master key until it is sent) and is
    not returned: staff show the QR code, the learner reads the code in their mailbox."""
    actor.require("issue")
    duration = _lifetime(lifetime)
    credential = await services.store.get_credential(actor.org_id, credential_id)
    if credential is None:
        raise NotFound(f"no credential {credential_id}", path="credentialId")
    if email_tx_code:
        if services.delivery.smtp is None:
            raise InputError("no SMTP server is configured (VCENGINE_SMTP_URL)", path="txCodeDelivery")
        if not credential.recipient.get("email"):
            raise InputError("the credential's recipient has no email address", path="txCodeDelivery")
    created = await offer_credential(
        services, credential, tx_code=tx_code or email_tx_code, lifetime=duration
    )
    if not email_tx_code or created.tx_code is None:
        return created
    sealed = seal_secret(
        created.tx_code, services.master_key, purpose=TX_CODE_EMAIL_KIND, aad=created.record.id,
        random_bytes=services.random_bytes,
    )  # fmt: skip
    payload = {"offerId": created.record.id, "sealedTxCode": _b64(sealed)}
    await services.store.add_job(
        new_job(services.new_id(), credential.org_id, TX_CODE_EMAIL_KIND, payload, services.now())
    )
    services.wake_jobs()
    return replace(created, tx_code=None)


async def offer_credential(
    services: Services,
    credential: CredentialRecord,
    *,
    tx_code: bool = False,
    lifetime: timedelta = DEFAULT_LIFETIME,
) -> CreatedOffer:
    """An offer of ``credential``, for a caller already entitled to it: staff through
    ``create_credential_offer``, or the learner holding the credential's claim link."""
    if credential.status != "active":
        raise InputError(f"a {credential.status} credential cannot be offered", path="credentialId")
    now = services.now()
    if credential.valid_until is not None and credential.valid_until <= now:
        raise InputError("an expired credential cannot be offered", path="credentialId")
    offer_id, handle = services.new_id(), _b64(services.random_bytes(32))
    code = _tx_code(services) if tx_code else None
    record = CredentialOfferRecord(
        id=offer_id,
        org_id=credential.org_id,
        issuer_id=credential.issuer_id,
        credential_id=credential.id,
        configuration_ids=_configurations(credential),
        code_hash=secret_hash(pre_authorized_code(services, handle)),
        handle_hash=secret_hash(handle),
        created_at=now,
        expires_at=_expiry(now, lifetime, credential.valid_until),
        tx_code_mac=None if code is None else tx_code_mac(services, offer_id, code),
    )
    await services.store.create_credential_offer(record)
    offer, uri, by_reference, by_value = build(services, record, handle, with_tx_code=code is not None)
    return CreatedOffer(record, offer, uri, by_reference, by_value, qr_code_svg(by_reference), code, handle)


def _expiry(now: datetime, duration: timedelta, valid_until: datetime | None) -> datetime:
    end = now + duration
    return end if valid_until is None else min(end, valid_until)


async def offer_by_reference(services: Services, issuer_id: str, handle: str) -> dict[str, Any]:
    """The offer a ``credential_offer_uri`` names (§4.1.3), while it can still be redeemed."""
    record = await services.store.find_credential_offer("handle_hash", secret_hash(handle))
    if record is None or record.issuer_id != issuer_id:
        raise NotFound("no such credential offer")
    if record.redeemed_at is not None or record.expires_at <= services.now():
        raise NotFound("this credential offer was used or has expired")
    offer, *_ = build(services, record, handle, with_tx_code=record.tx_code_mac is not None)
    return offer
