"""W3C Bitstring Status List v1.0, one module per part of the spec.

https://www.w3.org/TR/vc-bitstring-status-list/

- ``bitstring``: the status list value object and its unsigned documents (§2.1, §2.2, §3.1);
  its names are re-exported here, so ``from vcengine.core.status import StatusList`` reads well;
- ``read``: a credential's status entries and reading one status from a list (§3.2 steps);
- ``check``: the §3.2 validate algorithm as verification checks (list proof, issuer, purpose);
- ``allocation``: which index a new credential gets (sharded, unpredictable, herd privacy §6.1);
- ``publish``: signing a list credential.
"""

from __future__ import annotations

from vcengine.core.status.bitstring import (
    MAX_BITSTRING_BYTES,
    MIN_ENTRIES,
    PURPOSES,
    StatusList,
    StatusMessage,
    status_list_credential,
    status_list_entry,
)

__all__ = [
    "MAX_BITSTRING_BYTES",
    "MIN_ENTRIES",
    "PURPOSES",
    "StatusList",
    "StatusMessage",
    "status_list_credential",
    "status_list_entry",
]
