"""The public API is what ``vcengine.__all__`` says, and each name is importable."""

from __future__ import annotations

import vcengine

EXPECTED = {
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
}


def test_public_api_is_pinned() -> None:
    assert set(vcengine.__all__) == EXPECTED
    for name in vcengine.__all__:
        assert getattr(vcengine, name) is not None


def test_core_imports_no_outer_layer() -> None:
    """Dependency direction: core never sees the service, storage, api or web libraries."""
    import ast
    from pathlib import Path

    core = Path(vcengine.__file__).parent / "core"
    forbidden = (
        "vcengine.services",
        "vcengine.storage",
        "vcengine.api",
        "vcengine.cli",
        "vcengine.fetch",
        "pymongo",
        "starlette",
        "strawberry",
        "uvicorn",
        "urllib.request",
        "socket",
        "httpx",
    )
    for path in core.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else ([node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            )
            for name in names:
                assert not name.startswith(forbidden), f"{path.name} imports {name}"
