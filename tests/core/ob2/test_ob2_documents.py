"""The OB 2.0 document resolvers: supplied documents, a fetch function, a per-badge budget."""

from __future__ import annotations

from typing import Any

import pytest

from vcengine.core.ob2.documents import MAX_DOCUMENTS, Budget, MappedDocuments, NoDocuments, fetch_document
from vcengine.errors import InputError, ResolutionError


def test_supplied_documents_then_fetch() -> None:
    fetched: list[str] = []

    def fetch(url: str) -> Any:
        fetched.append(url)
        return {"id": url} if "good" in url else ["not", "an", "object"]

    docs = MappedDocuments({"https://a.example/1": {"id": "https://a.example/1"}}, fetch)
    assert docs("https://a.example/1") == {"id": "https://a.example/1"} and fetched == []
    assert docs("https://a.example/good") == {"id": "https://a.example/good"}
    with pytest.raises(ResolutionError, match="not a JSON object"):
        docs("https://a.example/bad")
    with pytest.raises(ResolutionError, match="--resolve"):
        MappedDocuments()("https://a.example/1")
    with pytest.raises(ResolutionError, match="service says no"):
        NoDocuments("service says no")("https://a.example/1")


def test_budget_asks_each_url_once_and_at_most_a_limit() -> None:
    asked: list[str] = []

    def resolver(url: str) -> Any:
        asked.append(url)
        if url.endswith("/down"):
            raise ResolutionError("down")
        return {"id": url}

    budget = Budget(resolver)
    for _ in range(3):
        budget("https://a.example/0")
        with pytest.raises(ResolutionError):
            budget("https://a.example/down")
    assert asked == ["https://a.example/0", "https://a.example/down"]
    for n in range(1, MAX_DOCUMENTS - 1):
        budget(f"https://a.example/{n}")
    with pytest.raises(ResolutionError, match="at most"):
        budget("https://a.example/one-too-many")
    with pytest.raises(ResolutionError, match="non-empty URL"):
        budget("")


def test_fetch_document_checks_the_id() -> None:
    docs = MappedDocuments(
        {
            "https://a.example/1": {"id": "https://a.example/2"},
            "https://a.example/3": {"id": "https://a.example/3"},
        }
    )
    with pytest.raises(InputError, match="says its id is"):
        fetch_document(docs, "https://a.example/1", "BadgeClass")
    assert fetch_document(docs, "https://a.example/3", "BadgeClass") == {"id": "https://a.example/3"}
