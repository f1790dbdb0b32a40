"""`vcengine demo`: generate a key, issue a sample OB 3.0 credential, verify it, print the report."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from vcengine.cli._io import (
    EXIT_BY_VERDICT,
    utc_now,
)
from vcengine.cli.verify import render_report
from vcengine.core.contexts import OB_CONTEXT, VC_V2_CONTEXT


def cmd_demo(args: argparse.Namespace) -> int:
    """Generate a key, issue a sample OB 3.0 credential, verify it and print the report."""
    import uuid

    from vcengine.core.keys import KeyPair
    from vcengine.core.proofs.data_integrity import add_proof
    from vcengine.core.resolve import OfflineResolver
    from vcengine.core.verify import verify_credential

    key = KeyPair.from_seed(os.urandom(32))
    now = utc_now().replace(microsecond=0)
    issuer = key.public.did_key
    credential = {
        "@context": [VC_V2_CONTEXT, OB_CONTEXT],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Introduction to Verifiable Credentials",
        "issuer": {"id": issuer, "type": ["Profile"], "name": "vcengine demo academy"},
        "validFrom": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": {
            "id": f"did:key:{KeyPair.from_seed(os.urandom(32)).public.multibase}",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": f"urn:uuid:{uuid.uuid4()}",
                "type": ["Achievement"],
                "name": "Introduction to Verifiable Credentials",
                "description": "Completed the introductory course on W3C Verifiable Credentials.",
                "criteria": {"narrative": "Pass the final quiz with at least 80%."},
                "achievementType": "Course",
            },
        },
    }
    signed = add_proof(
        credential, key, verification_method=key.public.did_key_verification_method, created=now
    )
    print(f"issuer key: {issuer}")
    print(json.dumps(signed, indent=2))
    report = verify_credential(signed, resolver=OfflineResolver(), now=now)
    render_report(report, sys.stdout)
    return EXIT_BY_VERDICT[report.verdict]


def register(sub: Any) -> None:
    demo = sub.add_parser("demo", help="generate a key, issue a sample OB 3.0 credential and verify it")
    demo.set_defaults(func=cmd_demo)
