"""vcengine: Open Badges 3.0 verifiable credentials signed with Ed25519, verifiable offline.

The public door of the library. Everything here is pure (no I/O): time, keys, randomness and
documents come in as arguments.

    >>> from vcengine import KeyPair, add_proof, verify_credential, OfflineResolver
    >>> from vcengine import ob2  # Open Badges 2.0: ob2.detect(...), ob2.verify_ob2(...)
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

# Public name -> (module, attribute). The names load on first use, so ``import vcengine`` (and
# with it every ``vcengine`` command, whose package this is) does not pay for pyld, jsonschema,
# lxml, jwcrypto or Pillow until something needs them.
_LAZY: dict[str, tuple[str, str | None]] = {
    "ob2": ("vcengine.core.ob2", None),
    "Baked": ("vcengine.core.bake", "Baked"),
    "bake": ("vcengine.core.bake", "bake"),
    "unbake": ("vcengine.core.bake", "unbake"),
    "jcs": ("vcengine.core.canonicalize", "jcs"),
    "rdfc_nquads": ("vcengine.core.canonicalize", "rdfc_nquads"),
    "KeyPair": ("vcengine.core.keys", "KeyPair"),
    "PublicKey": ("vcengine.core.keys", "PublicKey"),
    "vc_jwt": ("vcengine.core.proofs.vc_jwt", None),
    "ProofResult": ("vcengine.core.proofs.data_integrity", "ProofResult"),
    "add_proof": ("vcengine.core.proofs.data_integrity", "add_proof"),
    "verify_proofs": ("vcengine.core.proofs.data_integrity", "verify_proofs"),
    "KeyResolver": ("vcengine.core.resolve", "KeyResolver"),
    "OfflineResolver": ("vcengine.core.resolve", "OfflineResolver"),
    "ResolvedKey": ("vcengine.core.resolve", "ResolvedKey"),
    "SchemaIssue": ("vcengine.core.schema", "SchemaIssue"),
    "validate": ("vcengine.core.schema", "validate"),
    "StatusList": ("vcengine.core.status", "StatusList"),
    "status_list_entry": ("vcengine.core.status", "status_list_entry"),
    "status_checker": ("vcengine.core.status.check", "status_checker"),
    "publish_status_list": ("vcengine.core.status.publish", "publish"),
    "parse_entry": ("vcengine.core.status.read", "parse_entry"),
    "read_status": ("vcengine.core.status.read", "read_status"),
    "Check": ("vcengine.core.verify", "Check"),
    "VerificationReport": ("vcengine.core.verify", "VerificationReport"),
    "verify_credential": ("vcengine.core.verify", "verify_credential"),
    "VcengineError": ("vcengine.errors", "VcengineError"),
}


def __getattr__(name: str) -> Any:
    try:
        module_name, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'vcengine' has no attribute {name!r}") from None
    module = import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


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
