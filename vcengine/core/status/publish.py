"""Publishing a status list: the signed BitstringStatusListCredential for a list's current bits.

Bitstring Status List v1.0 §2.2. A batch of N changes is one re-encode and one signature
(``StatusList.with_changes`` then ``publish``), never N. ``validUntil`` = ``validFrom`` + ``ttl``
lets verifiers and CDNs cache the list until it is re-published.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from vcengine.core.keys import KeyPair
from vcengine.core.proofs.data_integrity import add_proof
from vcengine.core.status.bitstring import StatusList, status_list_credential

__all__ = ["publish"]


def publish(
    status_list: StatusList,
    *,
    url: str,
    issuer: str,
    key: KeyPair | Callable[[bytes], bytes],
    verification_method: str,
    now: datetime,
    ttl: timedelta = timedelta(days=1),
) -> dict[str, Any]:
    """The signed (eddsa-rdfc-2022) status list credential for ``status_list`` at ``url``."""
    unsigned = status_list_credential(
        status_list,
        id=url,
        issuer=issuer,
        valid_from=now,
        valid_until=now + ttl,
        ttl=int(ttl.total_seconds() * 1000),
    )
    return add_proof(unsigned, key, verification_method=verification_method, created=now)
