"""Imported, for its effect, by the fork server that starts verification workers.

``verification_pool.PRELOAD`` names this module: the fork server imports it once, which signs
and verifies one small Open Badge with a throw-away key. That fills the caches a verification
needs (parsed JSON-LD contexts, the JSON Schema validator, the canonicalizer's term tables), so
every worker forked from the server — at start, or replacing one stopped at its deadline — is
ready at once instead of paying about a second of CPU on its first job. Only the caches remain.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from vcengine.core.contexts import OB_CONTEXT, VC_V2_CONTEXT
from vcengine.core.keys import KeyPair
from vcengine.core.proofs.data_integrity import add_proof
from vcengine.core.verify import VerificationReport
from vcengine.services.verifying import verify_job

__all__ = ["warm_up"]


def warm_up() -> VerificationReport:
    """Sign and verify one small Open Badge (it verifies: nothing is skipped that a real one needs)."""
    key = KeyPair.from_seed(bytes(32))  # a fixed, public, throw-away key: nothing is secret here
    issuer = key.public.did_key
    now = datetime(2026, 1, 1, tzinfo=UTC)
    badge = {
        "@context": [VC_V2_CONTEXT, OB_CONTEXT],
        "id": "urn:uuid:00000000-0000-4000-8000-000000000000",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Warm-up",
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Warm-up"},
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:warm-up",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "urn:uuid:00000000-0000-4000-8000-000000000001",
                "type": ["Achievement"],
                "name": "Warm-up",
                "description": "Warms the verifier's caches.",
                "criteria": {"narrative": "None."},
            },
        },
    }
    signed = add_proof(
        badge,
        key,
        suite="eddsa-rdfc-2022",
        verification_method=key.public.did_key_verification_method,
        created=now,
    )
    return verify_job(signed, {}, {}, now)


# An optimization only: whatever goes wrong must not stop the fork server (it would take every
# worker pool of the service with it), so any failure is ignored and workers start cold.
with contextlib.suppress(Exception):
    warm_up()
