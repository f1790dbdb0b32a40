"""vcengine: Open Badges 3.0 verifiable credentials signed with Ed25519, verifiable offline.

The public door of the library. Everything here is pure (no I/O): time, keys, randomness and
documents come in as arguments.

    >>> from vcengine import KeyPair, add_proof, verify_credential, OfflineResolver
    >>> from vcengine import ob2  # Open Badges 2.0: ob2.detect(...), ob2.verify_ob2(...)
"""

from vcengine.core import ob2
from vcengine.core.bake import Baked, bake, unbake
from vcengine.core.canonicalize import jcs, rdfc_nquads
from vcengine.core.keys import KeyPair, PublicKey
from vcengine.core.proofs import vc_jwt
from vcengine.core.proofs.data_integrity import ProofResult, add_proof, verify_proofs
from vcengine.core.resolve import KeyResolver, OfflineResolver, ResolvedKey
from vcengine.core.schema import SchemaIssue, validate
from vcengine.core.status import StatusList, status_list_entry
from vcengine.core.status.check import status_checker
from vcengine.core.status.publish import publish as publish_status_list
from vcengine.core.status.read import parse_entry, read_status
from vcengine.core.verify import Check, VerificationReport, verify_credential
from vcengine.errors import VcengineError

__version__ = "0.1.0"

__all__ = [
    "Baked",
    "Check",
    "KeyPair",
    "KeyResolver",
    "OfflineResolver",
    "ProofResult",
    "PublicKey",
    "ResolvedKey",
    "SchemaIssue",
    "StatusList",
    "VcengineError",
    "VerificationReport",
    "__version__",
    "add_proof",
    "bake",
    "jcs",
    "ob2",
    "parse_entry",
    "publish_status_list",
    "rdfc_nquads",
    "read_status",
    "status_checker",
    "status_list_entry",
    "unbake",
    "validate",
    "vc_jwt",
    "verify_credential",
    "verify_proofs",
]
