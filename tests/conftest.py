"""Shared fixtures: paths to the vendored vectors and the test keys."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
VECTORS = ROOT / "conformance" / "vectors"
RESOLVE = ROOT / "conformance" / "resolve"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def load(path: str | Path) -> Any:
    p = Path(path)
    return json.loads((p if p.is_absolute() else VECTORS / p).read_text(encoding="utf-8"))


@pytest.fixture
def w3c_key_doc() -> dict[str, str]:
    return load("w3c-vc-di-eddsa/keyPair.json")  # type: ignore[no-any-return]


@pytest.fixture
def test_keys() -> dict[str, Any]:
    return load("keys/ed25519-test-keys-derived.json")  # type: ignore[no-any-return]
