"""The OB 2.0 BadgeClass and issuer Profile: who awards the badge, and by what rules.

- BadgeClass (required ``id``, ``type``, ``name``, ``description``, ``image``, ``criteria``,
  ``issuer``): https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html#BadgeClass
- Profile as an issuer (required ``id``, ``type`` Issuer/Profile, ``name``, ``url``, ``email``),
  with the ``publicKey``s it signs with, its ``revocationList`` and its hosted-verification
  ``verification`` policy: https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html#Profile
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from vcengine.core.ob2.assertion import is_iri
from vcengine.core.ob2.context import check_context, has_type
from vcengine.errors import InputError

__all__ = ["BadgeClass", "Profile", "parse_badge_class", "parse_profile", "strings"]

#: Keys, origins and prefixes a profile may list (more would only make verification slower).
MAX_LISTED = 32


@dataclass(frozen=True, slots=True)
class BadgeClass:
    id: str
    issuer: str
    json: Mapping[str, Any] = field(repr=False)


@dataclass(frozen=True, slots=True)
class Profile:
    id: str
    public_keys: tuple[str | Mapping[str, Any], ...]
    revocation_list: str | None
    verification: Mapping[str, Any] | str | None
    json: Mapping[str, Any] = field(repr=False)

    def lists_key(self, key_id: str) -> Mapping[str, Any] | bool:
        """The embedded key object listed with ``key_id``, True if listed by URL, else False."""
        for entry in self.public_keys:
            if entry == key_id:
                return True
            if isinstance(entry, Mapping) and entry.get("id") == key_id:
                return entry
        return False


def strings(value: Any, name: str) -> tuple[str, ...]:
    """A string or a list of strings (OB 2.0 "multiple values allowed"), at most ``MAX_LISTED``."""
    values = value if isinstance(value, list) else [value]
    if len(values) > MAX_LISTED or not all(isinstance(v, str) and v for v in values):
        raise InputError(f"{name} must be a string or a list of at most {MAX_LISTED} strings")
    return tuple(values)


def _required(doc: Mapping[str, Any], names: tuple[str, ...], what: str, *, text: tuple[str, ...]) -> None:
    missing = [name for name in names if doc.get(name) in (None, "", [])]
    if missing:
        raise InputError(f"{what} lacks required properties: {', '.join(missing)}")
    not_text = [name for name in text if not isinstance(doc.get(name), str)]
    if not_text:
        raise InputError(f"{what}: {', '.join(not_text)} must be text")


def _reference(value: Any, name: str, what: str) -> str:
    ref = value.get("id") if isinstance(value, Mapping) else value
    if not is_iri(ref):
        raise InputError(f"{what}: {name} must be an IRI or an object with one as its id")
    return str(ref)


def parse_badge_class(doc: Any, *, embedded: bool) -> BadgeClass:
    """Read a BadgeClass (a published document, or ``embedded`` in an assertion)."""
    what = "the BadgeClass"
    if not isinstance(doc, Mapping):
        raise InputError(f"{what} is not a JSON object")
    check_context(doc, what=what, required=not embedded)
    if not has_type(doc, ("BadgeClass",)):
        raise InputError(f"{what}'s type {doc.get('type')!r} does not include BadgeClass")
    _required(
        doc, ("id", "name", "description", "image", "criteria", "issuer"), what, text=("name", "description")
    )
    return BadgeClass(
        id=_reference(doc, "id", what), issuer=_reference(doc["issuer"], "issuer", what), json=doc
    )


def parse_profile(doc: Any) -> Profile:
    """Read an issuer Profile published at its id."""
    what = "the issuer Profile"
    if not isinstance(doc, Mapping):
        raise InputError(f"{what} is not a JSON object")
    check_context(doc, what=what)
    if not has_type(doc, ("Issuer", "Profile")):
        raise InputError(f"{what}'s type {doc.get('type')!r} includes neither Issuer nor Profile")
    _required(doc, ("id", "name", "url", "email"), what, text=("name", "url", "email"))
    keys = doc.get("publicKey")
    listed = keys if isinstance(keys, list) else ([] if keys is None else [keys])
    if len(listed) > MAX_LISTED or not all(isinstance(k, str | Mapping) for k in listed):
        raise InputError(f"{what}: publicKey must be key URLs or key objects (at most {MAX_LISTED})")
    revocation_list = doc.get("revocationList")
    if revocation_list is not None:
        revocation_list = _reference(revocation_list, "revocationList", what)
    verification = doc.get("verification")
    if verification is not None and not isinstance(verification, Mapping | str):
        raise InputError(f"{what}: verification must be a VerificationObject")
    return Profile(
        id=_reference(doc, "id", what),
        public_keys=tuple(listed),
        revocation_list=revocation_list,
        verification=verification,
        json=doc,
    )
