"""Open Badges 2.0: verifying hosted and signed assertions, baked or not.

https://www.imsglobal.org/spec/ob/v2p0/ (final release:
https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html). One module per
concept: ``context`` (the bundled OB 2.0 JSON-LD context and what it lets vcengine read),
``assertion``, ``profile`` (BadgeClass and issuer Profile), ``key`` (CryptographicKey),
``revocation`` (RevocationList), ``recipient`` (identity hashes), ``hosted`` (HostedBadge
rules), ``signed`` (SignedBadge JWS), ``documents`` (the injected resolver), ``presented``
(what was handed in), ``checks`` (issuer, recipient, dates) and ``verification`` (the
report). Pure: documents come in through a resolver, the clock as an argument.
"""

from __future__ import annotations

from vcengine.core.ob2.context import OB2_CONTEXT, has_ob2_context
from vcengine.core.ob2.documents import DocumentResolver, MappedDocuments, NoDocuments
from vcengine.core.ob2.presented import Presented, detect, from_baked
from vcengine.core.ob2.recipient import identity_hash
from vcengine.core.ob2.verification import verify_ob2

__all__ = [
    "OB2_CONTEXT",
    "DocumentResolver",
    "MappedDocuments",
    "NoDocuments",
    "Presented",
    "detect",
    "from_baked",
    "has_ob2_context",
    "identity_hash",
    "verify_ob2",
]
