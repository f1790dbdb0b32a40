"""Delivering an offered credential to VC-API wallets: a VC API exchange with DID Authentication
(VCALM "exchanges", standards digest §6.2) and the Learner Credential Wallet's request deep link
(DCC, digest §6.3).

An offer (``oid4vci_offers``) without a transaction code is also reachable as an exchange at
``{credential issuer}/exchanges/{handle}`` (the handle of its by-reference URL), so one offer
serves every wallet and is redeemed once, whichever protocol takes it:

- ``POST {}`` answers a ``verifiablePresentationRequest``: a ``DIDAuthentication`` query with the
  offer's ``challenge``, this service's ``domain`` and the exchange as the interact service;
- ``POST {"verifiablePresentation": <VP>}`` (or the bare VP, as the Learner Credential Wallet
  sends it to ``vc_request_url``) is verified with the presentation verifier: proof purpose
  ``authentication`` (``Ed25519Signature2020`` or ``eddsa-rdfc-2022``), signed by a key of its
  ``holder``, the challenge, and the domain when the proof carries one (always for the wrapped
  form: it answers our request). Then the offer is redeemed and the credential signed now,
  bound to the holder's DID (``eddsa-rdfc-2022``), keeping its id and status entry, and returned
  in an unsigned presentation.

The challenge is an HMAC of the offer's handle under a key derived from the master key: it
lives as long as the offer and is single use because the offer is. An offer with a transaction
code has no exchange: these protocols cannot carry the code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from vcengine.core.contexts import VC_V2_CONTEXT
from vcengine.errors import InputError, NotFound, ProtocolError
from vcengine.services.context import Services
from vcengine.services.keystore import derive_key
from vcengine.services.oid4vci_issuance import deliverable, record_delivery, sign_bound, signer_of
from vcengine.services.oid4vci_offers import CreatedOffer, credential_issuer_id, secret_hash
from vcengine.services.oid4vci_tokens import MAX_TX_CODE_FAILURES
from vcengine.services.ports import CredentialOfferRecord
from vcengine.services.verifying import VerifyOptions, verify_presentation_now

__all__ = ["challenge_for", "exchange", "exchange_links", "exchange_url", "lcw_deep_link"]

LCW_SCHEME = "dccrequest://request"


def exchange_url(services: Services, issuer_id: str, handle: str) -> str:
    return f"{credential_issuer_id(services, issuer_id)}/exchanges/{handle}"


def challenge_for(services: Services, handle: str) -> str:
    """The DID Authentication challenge of the offer whose handle is ``handle``."""
    key = derive_key(services.master_key, "vcapi/challenge")
    digest = hmac.new(key, handle.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def domain_of(services: Services) -> str:
    """The ``domain`` a presentation answering our request is bound to: this service's host."""
    return urlsplit(services.base_url).netloc


def lcw_deep_link(services: Services, issuer_id: str, handle: str) -> str:
    """``dccrequest://request?issuer=…&auth_type=bearer&challenge=…&vc_request_url=…``."""
    params = {
        "issuer": credential_issuer_id(services, issuer_id),
        "auth_type": "bearer",
        "challenge": challenge_for(services, handle),
        "vc_request_url": exchange_url(services, issuer_id, handle),
    }
    return LCW_SCHEME + "?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items())


def exchange_links(services: Services, created: CreatedOffer) -> tuple[str, str] | None:
    """(exchange URL, LCW deep link) of a new offer; None for an offer with a transaction code."""
    if created.record.tx_code_mac is not None:
        return None
    issuer_id = created.record.issuer_id
    return exchange_url(services, issuer_id, created.handle), lcw_deep_link(
        services, issuer_id, created.handle
    )


async def _open_offer(services: Services, issuer_id: str, handle: str) -> CredentialOfferRecord:
    offer = await services.store.find_credential_offer("handle_hash", secret_hash(handle))
    if offer is None or offer.issuer_id != issuer_id or offer.tx_code_mac is not None:
        raise NotFound("no such exchange")
    if offer.redeemed_at is not None or offer.expires_at <= services.now():
        raise NotFound("this exchange was completed or has expired")
    return offer


def _request(services: Services, issuer_id: str, handle: str) -> dict[str, Any]:
    return {
        "verifiablePresentationRequest": {
            "query": [
                {
                    "type": "DIDAuthentication",
                    "acceptedMethods": [{"method": "key"}],
                    "acceptedCryptosuites": [
                        {"cryptosuite": "eddsa-rdfc-2022"},
                        {"cryptosuite": "Ed25519Signature2020"},
                    ],
                }
            ],
            "challenge": challenge_for(services, handle),
            "domain": domain_of(services),
            "interact": {
                "service": [
                    {
                        "type": "VerifiableCredentialApiExchangeService",
                        "serviceEndpoint": exchange_url(services, issuer_id, handle),
                    }
                ]
            },
        }
    }


def _presentation(body: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool]:
    """(the presentation, whether it came wrapped as a VC API exchange message)."""
    if "verifiablePresentation" in body:
        vp = body["verifiablePresentation"]
        if not isinstance(vp, Mapping) or set(body) != {"verifiablePresentation"}:
            raise InputError('send {} or {"verifiablePresentation": {...}}')
        return vp, True
    types = body.get("type")
    if "VerifiablePresentation" not in (types if isinstance(types, list) else [types]):
        raise InputError("send {} to start, then a DID Authentication verifiablePresentation")
    return body, False


def _holder(vp: Mapping[str, Any]) -> str:
    holder = vp.get("holder")
    holder = holder.get("id") if isinstance(holder, Mapping) else holder
    if not isinstance(holder, str) or not holder.startswith("did:"):
        raise InputError("the presentation's holder must be a DID")
    return holder


async def exchange(services: Services, issuer_id: str, handle: str, body: Any) -> dict[str, Any]:
    """One step of the exchange (see the module docstring): its response body."""
    offer = await _open_offer(services, issuer_id, handle)
    if not isinstance(body, Mapping):
        raise InputError("the request body must be a JSON object")
    if not body:
        return _request(services, issuer_id, handle)
    vp, wrapped = _presentation(body)
    holder = _holder(vp)
    proofs = vp.get("proof")
    carries_domain = any(
        isinstance(p, Mapping) and "domain" in p for p in (proofs if isinstance(proofs, list) else [proofs])
    )
    options = VerifyOptions(
        expected_purpose="authentication",
        challenge=challenge_for(services, handle),
        domain=domain_of(services) if wrapped or carries_domain else None,
    )
    report = await verify_presentation_now(services, vp, options)
    if not report.verified:
        failed = "; ".join(f"{c.name}: {c.reason}" for c in report.checks if c.outcome != "pass")
        raise InputError(f"the DID Authentication presentation did not verify ({failed or report.verdict})")
    record = await deliverable(services, offer)
    signer = await signer_of(services, offer)
    now = services.now()
    used = secret_hash(services.new_id())  # no access token: the offer is taken by this exchange
    if not await services.store.redeem_credential_offer(offer.id, now, used, now, MAX_TX_CODE_FAILURES):
        raise ProtocolError("credential_request_denied", "this offer was taken already")
    (credential,) = await sign_bound(services, signer, record, [holder], "eddsa-rdfc-2022")
    await record_delivery(services, record, [holder], {"protocol": "vcapi" if wrapped else "lcw"})
    return {
        "verifiablePresentation": {
            "@context": [VC_V2_CONTEXT],
            "type": ["VerifiablePresentation"],
            "verifiableCredential": [credential],
        }
    }
