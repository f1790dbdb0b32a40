from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from vcengine.core.contexts import CONTEXTS_DIR, ContextIndex, bundled_contexts, document_loader
from vcengine.errors import ContextError

SHARED_INDEX = Path(__file__).resolve().parents[3] / "shared" / "contexts" / "index.json"


def test_index_covers_every_file_with_matching_hash() -> None:
    index = json.loads((CONTEXTS_DIR / "index.json").read_text())
    files = {p.name for p in CONTEXTS_DIR.iterdir() if p.name != "index.json"}
    assert {e["file"] for e in index.values()} == files
    for url, entry in index.items():
        data = (CONTEXTS_DIR / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], url
        assert bundled_contexts().raw_bytes(url) == data


def test_vcdm2_base_context_has_the_normative_digest() -> None:
    data = bundled_contexts().raw_bytes("https://www.w3.org/ns/credentials/v2")
    assert (
        hashlib.sha256(data).hexdigest() == "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734"
    )


@pytest.mark.skipif(not SHARED_INDEX.exists(), reason="../shared is not beside this checkout")
def test_matches_shared_index() -> None:
    shared = json.loads(SHARED_INDEX.read_text())
    ours = json.loads((CONTEXTS_DIR / "index.json").read_text())
    assert {u: e["sha256"] for u, e in shared.items()} == {u: e["sha256"] for u, e in ours.items()}


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/evil-context.json",
        "https://www.w3.org/ns/credentials/v2/",  # exact match only: no normalisation
        "http://www.w3.org/ns/credentials/v2",
        "file:///etc/passwd",
    ],
)
def test_unknown_urls_are_refused_without_any_fetch(url: str) -> None:
    with pytest.raises(ContextError, match="never fetches"):
        document_loader()(url, {})


def test_tampered_file_is_refused(tmp_path: Path) -> None:
    shutil.copytree(CONTEXTS_DIR, tmp_path / "contexts")
    victim = tmp_path / "contexts" / "credentials-v2.jsonld"
    victim.write_bytes(victim.read_bytes().replace(b"VerifiableCredential", b"VerifiableCredentiaX", 1))
    with pytest.raises(ContextError, match="does not match its sha256"):
        ContextIndex(tmp_path / "contexts").document("https://www.w3.org/ns/credentials/v2")


def test_non_string_reference_is_refused() -> None:
    with pytest.raises(ContextError):
        bundled_contexts().document({"@context": {}})  # type: ignore[arg-type]
