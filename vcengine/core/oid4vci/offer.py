"""The Credential Offer (OID4VCI 1.0 §4.1) and how it reaches a wallet.

An offer is sent by value (``credential_offer``: the JSON object) or by reference
(``credential_offer_uri``: an HTTPS URL the wallet GETs) as the one query parameter of the
wallet's credential offer endpoint, here the custom scheme ``openid-credential-offer://``
(§4.1.1, §4.1.3). The transaction code (``tx_code``) is described in the offer but never
carried by it: it reaches the learner through another channel (§4.1.1, §13.6).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

from vcengine.core.oid4vci.metadata import PRE_AUTHORIZED_CODE_GRANT

__all__ = ["OFFER_SCHEME", "TxCode", "credential_offer", "link_by_reference", "link_by_value", "qr_code_svg"]

OFFER_SCHEME = "openid-credential-offer://"


@dataclass(frozen=True, slots=True)
class TxCode:
    """How the wallet asks for the transaction code (§4.1.1 ``tx_code``)."""

    length: int
    input_mode: Literal["numeric", "text"] = "numeric"
    description: str = "Enter the one-time code your issuer gave you (not sent with this offer)."

    def __post_init__(self) -> None:
        if len(self.description) > 300:
            raise ValueError("a tx_code description is at most 300 characters (§4.1.1)")

    def to_json(self) -> dict[str, Any]:
        return {"input_mode": self.input_mode, "length": self.length, "description": self.description}


def credential_offer(
    credential_issuer: str,
    configuration_ids: Sequence[str],
    pre_authorized_code: str,
    tx_code: TxCode | None = None,
) -> dict[str, Any]:
    """The Credential Offer object with the pre-authorized code grant."""
    if not configuration_ids:
        raise ValueError("an offer names at least one credential configuration")
    grant: dict[str, Any] = {"pre-authorized_code": pre_authorized_code}
    if tx_code is not None:
        grant["tx_code"] = tx_code.to_json()
    return {
        "credential_issuer": credential_issuer,
        "credential_configuration_ids": list(configuration_ids),
        "grants": {PRE_AUTHORIZED_CODE_GRANT: grant},
    }


def link_by_value(offer: dict[str, Any]) -> str:
    """``openid-credential-offer://?credential_offer=<the JSON, percent-encoded>``."""
    text = json.dumps(offer, separators=(",", ":"), ensure_ascii=False)
    return f"{OFFER_SCHEME}?credential_offer={quote(text, safe='')}"


def link_by_reference(offer_uri: str) -> str:
    """``openid-credential-offer://?credential_offer_uri=<the HTTPS URL, percent-encoded>``."""
    return f"{OFFER_SCHEME}?credential_offer_uri={quote(offer_uri, safe='')}"


def qr_code_svg(link: str) -> str:
    """The link as a QR code (error correction M, 4 px modules): a standalone SVG document."""
    import io

    import segno

    out = io.BytesIO()
    segno.make(link, error="m", micro=False).save(
        out, kind="svg", scale=4, xmldecl=False, title="Add to wallet"
    )
    return out.getvalue().decode("utf-8")
