"""The Open Badges 2.0 JSON-LD context, read without a JSON-LD processor.

OB 2.0 documents are JSON-LD under ``https://w3id.org/openbadges/v2`` (bundled, see
``contexts/index.json``; never fetched). A signed assertion signs the JSON bytes and a hosted
one is served as JSON, so vcengine reads the JSON members the context names — ``recipient``,
``badge``, ``verification``… — and makes sure no other context gives those members another
meaning and no member states one of them a second time under another spelling (a compact or
full IRI such as ``obi:badge``). Hand-written rather than a JSON-LD expansion with pyld: the
rules are a fixed list of terms, and expansion would need every extension context, which
vcengine does not fetch.

https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html#Assertion
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from functools import cache
from typing import Any

from vcengine.core.contexts import bundled_contexts
from vcengine.errors import ContextError, InputError

__all__ = [
    "OB2_CONTEXT",
    "check_context",
    "expand_type",
    "has_ob2_context",
    "has_type",
    "member",
]

OB2_CONTEXT = "https://w3id.org/openbadges/v2"

#: Every term vcengine reads from an OB 2.0 document (properties and class names).
READ_TERMS = frozenset(
    {
        "id",
        "type",
        # Assertion and IdentityObject
        "recipient",
        "identity",
        "hashed",
        "salt",
        "badge",
        "verification",
        "verify",
        "creator",
        "issuedOn",
        "expires",
        "revoked",
        "revocationReason",
        "uid",
        # BadgeClass and Profile
        "name",
        "description",
        "image",
        "criteria",
        "issuer",
        "url",
        "email",
        "telephone",
        "publicKey",
        "revocationList",
        "startsWith",
        "allowedOrigins",
        "verificationProperty",
        # CryptographicKey and RevocationList
        "owner",
        "publicKeyPem",
        "revokedAssertions",
        # class names
        "Assertion",
        "BadgeClass",
        "Issuer",
        "Profile",
        "CryptographicKey",
        "RevocationList",
        "HostedBadge",
        "hosted",
        "SignedBadge",
        "signed",
        "VerificationObject",
    }
)


@cache
def _definitions() -> Mapping[str, Any]:
    doc = bundled_contexts().document(OB2_CONTEXT)  # sha256-checked against the index
    return doc["@context"]  # type: ignore[no-any-return]


def _iri(definition: Any) -> str | None:
    """The IRI a term definition (a string or an object with ``@id``) maps to, prefixes expanded."""
    value = definition.get("@id") if isinstance(definition, Mapping) else definition
    if not isinstance(value, str):
        return None
    prefix, sep, rest = value.partition(":")
    prefixes = _definitions()
    if sep and not rest.startswith("//") and isinstance(prefixes.get(prefix), str):
        return str(prefixes[prefix]) + rest
    return value


@cache
def _read_iris() -> Mapping[str, str]:
    """The IRI of each read term, for catching the same statement spelled as an IRI."""
    out: dict[str, str] = {}
    for term in READ_TERMS:
        iri = _iri(_definitions().get(term))
        if iri and "://" in iri:
            out[iri] = term
    return out


def _expand_key(key: str) -> str | None:
    if ":" not in key:
        return None
    return _iri(key)


def has_ob2_context(doc: Any) -> bool:
    """True when ``doc`` is a JSON object whose ``@context`` names the OB 2.0 context."""
    if not isinstance(doc, Mapping):
        return False
    context = doc.get("@context")
    entries = context if isinstance(context, list) else [context]
    return OB2_CONTEXT in entries


def check_context(node: Mapping[str, Any], *, what: str, required: bool = True) -> None:
    """Refuse a node whose context could give the members vcengine reads another meaning.

    ``required``: the node must name the OB 2.0 context itself (a top-level document); an
    embedded node may inherit it. A context URL other than OB 2.0 is a ``ContextError`` (its
    meaning is unknown: indeterminate); an inline context redefining a read term differently
    from OB 2.0, or a member that is a read term spelled as an IRI, is an ``InputError``.
    """
    context = node.get("@context")
    if context is None:
        if required:
            raise InputError(f"{what} has no @context; an OB 2.0 document uses {OB2_CONTEXT}")
    else:
        entries = context if isinstance(context, list) else [context]
        if required and OB2_CONTEXT not in entries:
            raise InputError(f"{what} does not use the OB 2.0 context {OB2_CONTEXT}")
        for entry in entries:
            _check_entry(entry, what)
    for keyword in ("@id", "@type"):
        if keyword in node:
            raise InputError(f"{what} uses {keyword!r}; OB 2.0 documents state it as {keyword[1:]!r}")
    for key in node:
        term = _read_iris().get(_expand_key(key) or "")
        if term is not None:
            raise InputError(f"{what} states {term!r} as {key!r}: one statement, one spelling")
    if "verify" in node and "verification" in node:
        raise InputError(f"{what} has both 'verification' and its alias 'verify'")


def _check_entry(entry: Any, what: str) -> None:
    if entry == OB2_CONTEXT:
        return
    if isinstance(entry, str):
        raise ContextError(
            f"{what} uses the context {entry!r}, which vcengine does not bundle: what its members "
            "mean cannot be known (vcengine never fetches contexts)"
        )
    if not isinstance(entry, Mapping):
        raise InputError(f"{what} has a @context entry that is neither a URL nor an object")
    for term, definition in entry.items():
        if term in READ_TERMS:
            if _iri(definition) != _iri(_definitions().get(term)):
                raise InputError(f"{what} redefines the OB 2.0 term {term!r} in its @context")
        elif _iri(definition) in _read_iris():
            alias = _read_iris()[str(_iri(definition))]
            raise InputError(f"{what} defines {term!r} in its @context as another name for {alias!r}")


def member(node: Mapping[str, Any], name: str) -> Any:
    """``node[name]``, reading ``verify`` for ``verification`` (an alias in the OB 2.0 context)."""
    if name == "verification" and "verification" not in node:
        return node.get("verify")
    return node.get(name)


def expand_type(value: str) -> str:
    """A class name, a compact IRI (``obi:Assertion``) or a full IRI, as its full IRI."""
    defined = _definitions().get(value)
    return _iri(defined if isinstance(defined, str) else value) or value


def has_type(node: Mapping[str, Any], names: Collection[str]) -> bool:
    """True when ``node``'s ``type`` (a string or a list) includes one of the class ``names``."""
    value = node.get("type")
    types = value if isinstance(value, list) else [value]
    wanted = {expand_type(n) for n in names}
    return any(isinstance(t, str) and expand_type(t) in wanted for t in types)
