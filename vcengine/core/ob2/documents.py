"""Where OB 2.0 documents come from: an injected resolver, URL in, JSON object out.

An OB 2.0 badge is a cluster of linked documents — the Assertion, its BadgeClass, the issuer
Profile, a CryptographicKey, a RevocationList — each published at its ``id``. The core never
fetches: the caller passes a ``DocumentResolver``. ``MappedDocuments`` answers from documents
given up front (``--resolve URL=FILE``) and, only when the caller supplies one, a fetch function
(``--online``: HTTPS, bounded). A document that cannot be had is a ``ResolutionError``
(the check is indeterminate); a host answering 410 Gone is a ``DocumentGone``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from vcengine.errors import InputError, ResolutionError

__all__ = ["MAX_DOCUMENTS", "Budget", "DocumentResolver", "MappedDocuments", "NoDocuments", "fetch_document"]

#: Documents one verification may ask for: assertion, badge, issuer, policy, list and keys.
MAX_DOCUMENTS = 16


class DocumentResolver(Protocol):
    def __call__(self, url: str) -> Mapping[str, Any]:
        """The JSON object published at ``url``; ``ResolutionError`` (or ``DocumentGone``) if not."""
        ...


class MappedDocuments:
    """Documents given by URL, then (optionally) a fetch function for the others."""

    def __init__(
        self,
        documents: Mapping[str, Mapping[str, Any]] | None = None,
        fetch: Callable[[str], Any] | None = None,
        *,
        hint: str = "supply it with --resolve URL=FILE, or use --online",
    ) -> None:
        self._documents = dict(documents or {})
        self._fetch = fetch
        self._hint = hint

    def __call__(self, url: str) -> Mapping[str, Any]:
        if url in self._documents:
            return self._documents[url]
        if self._fetch is None:
            raise ResolutionError(f"the document {url} was not supplied ({self._hint})")
        doc = self._fetch(url)
        if not isinstance(doc, Mapping):
            raise ResolutionError(f"{url} is not a JSON object")
        return doc


class NoDocuments:
    """A resolver that has nothing: every OB 2.0 document is unavailable, for the stated reason."""

    def __init__(self, reason: str) -> None:
        self._reason = reason

    def __call__(self, url: str) -> Mapping[str, Any]:
        raise ResolutionError(f"the document {url} is not available: {self._reason}")


class Budget:
    """One verification's view of a resolver: each URL asked once, at most ``MAX_DOCUMENTS`` URLs."""

    def __init__(self, documents: DocumentResolver) -> None:
        self._documents = documents
        self._seen: dict[str, Mapping[str, Any] | ResolutionError] = {}

    def __call__(self, url: str) -> Mapping[str, Any]:
        if not isinstance(url, str) or not url:
            raise ResolutionError("a document reference must be a non-empty URL string")
        if url not in self._seen:
            if len(self._seen) >= MAX_DOCUMENTS:
                raise ResolutionError(f"one badge may link at most {MAX_DOCUMENTS} documents")
            try:
                self._seen[url] = self._documents(url)
            except ResolutionError as exc:
                self._seen[url] = exc
        found = self._seen[url]
        if isinstance(found, ResolutionError):
            raise found
        return found


def fetch_document(documents: DocumentResolver, url: str, what: str) -> Mapping[str, Any]:
    """The document at ``url``; it must say it is that document (its ``id`` is ``url``).

    ``ResolutionError`` when it cannot be had; ``InputError`` when the host answered with a
    document that is not a JSON object or names another ``id``: checked, and wrong.
    """
    doc = documents(url)
    if not isinstance(doc, Mapping):
        raise InputError(f"the {what} at {url} is not a JSON object")
    if doc.get("id") != url:
        raise InputError(f"the {what} published at {url} says its id is {str(doc.get('id'))[:200]!r}")
    return doc
