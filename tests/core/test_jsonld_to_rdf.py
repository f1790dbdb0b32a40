"""The fast JSON-LD -> quads walker against pyld's toRdf (the reference)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vcengine.core.canonicalize import rdfc_nquads, rdfc_nquads_reference, to_rdf_reference
from vcengine.core.jsonld_to_rdf import to_quads
from vcengine.core.rdfc import canonical_nquads
from vcengine.errors import ContextError, JsonError, JsonLdError, VcengineError

VECTORS = Path(__file__).resolve().parents[2] / "conformance" / "vectors"
V2 = "https://www.w3.org/ns/credentials/v2"
OB303 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_CONTEXT = [V2, OB303]
OB_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"


def _signed_credentials() -> Iterator[tuple[str, dict[str, Any]]]:
    def walk(value: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
        if isinstance(value, dict):
            if "@context" in value and "proof" in value:
                yield where, value
            for key, item in value.items():
                yield from walk(item, f"{where}.{key}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                yield from walk(item, f"{where}[{i}]")

    for path in sorted(VECTORS.rglob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            continue
        yield from walk(data, str(path.relative_to(VECTORS)))


SIGNED = list(_signed_credentials())


def _reference(document: dict[str, Any]) -> str:
    return canonical_nquads(to_rdf_reference(document))


def _fast(document: dict[str, Any]) -> str:
    quads = to_quads(document)
    assert quads is not None, "the fast path fell back to pyld"
    return canonical_nquads(quads)


def test_vectors_were_found() -> None:
    assert len(SIGNED) >= 20


@pytest.mark.parametrize(("where", "credential"), SIGNED, ids=[w for w, _ in SIGNED])
def test_signed_vector_credentials_take_the_fast_path_and_match_pyld(
    where: str, credential: dict[str, Any]
) -> None:
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    assert _fast(unsigned) == _reference(unsigned)
    # with the proof: exercises the @graph container of `proof` (some proof types are undefined)
    assert _outcome(rdfc_nquads, credential) == _outcome(_reference, credential)


def _outcome(fn: Any, document: dict[str, Any]) -> Any:
    try:
        return fn(document)
    except VcengineError as exc:
        return type(exc)


# --- generated Open Badges 3.0 credentials ---------------------------------------------------

_ANY_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
_IRI = st.one_of(
    st.uuids().map(lambda u: f"urn:uuid:{u}"),
    st.from_regex(r"https://example\.(org|edu)/[a-z0-9/_~.-]{0,12}", fullmatch=True),
    st.from_regex(r"did:example:[a-zA-Z0-9]{1,10}", fullmatch=True),
)
_NUMBER = st.one_of(
    st.integers(-(10**25), 10**25),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, -0.0, 1.0, 1.5, 1e21, 1e-7, 123456789.125]),
)
_NAME = st.one_of(
    _ANY_TEXT,
    st.builds(
        lambda v, lang: {"@value": v, "@language": lang},
        _ANY_TEXT,
        st.sampled_from(["en", "en-US", "DE", "zh-Hant-TW"]),
    ),
)


def _maybe(d: dict[str, Any], draw: Any, key: str, strategy: Any) -> None:
    if draw(st.booleans()):
        d[key] = draw(strategy)


def _types(draw: Any, name: str) -> Any:
    return draw(st.sampled_from([name, [name]]))


@st.composite
def _profile(draw: Any) -> dict[str, Any]:
    p: dict[str, Any] = {"id": draw(_IRI), "type": _types(draw, "Profile")}
    _maybe(p, draw, "name", _NAME)
    _maybe(p, draw, "url", _IRI)
    _maybe(p, draw, "email", _ANY_TEXT)
    _maybe(p, draw, "official", _ANY_TEXT)
    if draw(st.booleans()):
        p["address"] = {
            "type": ["Address"],
            "addressCountry": draw(_ANY_TEXT),
            "geo": {"type": "GeoCoordinates", "latitude": draw(_NUMBER), "longitude": draw(_NUMBER)},
        }
    return p


@st.composite
def _alignment(draw: Any) -> dict[str, Any]:
    a = {"type": ["Alignment"], "targetName": draw(_ANY_TEXT), "targetUrl": draw(_IRI)}
    _maybe(a, draw, "targetType", st.sampled_from(["CFItem", "ceasn:Competency", "ext:Custom"]))
    _maybe(a, draw, "targetCode", _ANY_TEXT)
    return a


@st.composite
def _achievement(draw: Any) -> dict[str, Any]:
    a: dict[str, Any] = {
        "id": draw(_IRI),
        "type": _types(draw, "Achievement"),
        "name": draw(_NAME),
        "description": draw(_ANY_TEXT),
        "criteria": draw(
            st.one_of(
                st.builds(lambda n: {"narrative": n}, _ANY_TEXT),
                st.builds(lambda i: {"id": i}, _IRI),
            )
        ),
    }
    _maybe(a, draw, "alignment", st.lists(_alignment(), max_size=3))
    _maybe(a, draw, "tag", st.lists(_ANY_TEXT, max_size=3))
    _maybe(a, draw, "creditsAvailable", _NUMBER)
    _maybe(a, draw, "achievementType", st.sampled_from(["Badge", "Certificate", "ext:Thing"]))
    _maybe(a, draw, "inLanguage", st.sampled_from(["en", "fr-CA"]))
    _maybe(a, draw, "creator", _profile())
    if draw(st.booleans()):
        a["image"] = {"id": draw(_IRI), "type": "Image", "caption": draw(_ANY_TEXT)}
    if draw(st.booleans()):
        a["resultDescription"] = [
            {
                "id": draw(_IRI),
                "type": ["ResultDescription"],
                "name": draw(_ANY_TEXT),
                "resultType": draw(st.sampled_from(["LetterGrade", "Status", "ext:X"])),
                "allowedValue": draw(st.lists(_ANY_TEXT, max_size=4)),
                "valueMax": draw(_ANY_TEXT),
            }
        ]
    return a


@st.composite
def _subject(draw: Any) -> dict[str, Any]:
    s: dict[str, Any] = {"type": _types(draw, "AchievementSubject"), "achievement": draw(_achievement())}
    _maybe(s, draw, "id", _IRI)
    _maybe(s, draw, "creditsEarned", _NUMBER)
    _maybe(s, draw, "activityStartDate", _ANY_TEXT)
    if draw(st.booleans()):
        s["identifier"] = [
            {
                "type": "IdentityObject",
                "hashed": draw(st.booleans()),
                "identityHash": draw(_ANY_TEXT),
                "identityType": "emailAddress",
                "salt": draw(_ANY_TEXT),
            }
        ]
    if draw(st.booleans()):
        s["result"] = [
            {"type": ["Result"], "value": draw(_ANY_TEXT), "status": "Completed"}
            for _ in range(draw(st.integers(1, 3)))
        ]
    return s


@st.composite
def ob_credentials(draw: Any) -> dict[str, Any]:
    c: dict[str, Any] = {
        "@context": OB_CONTEXT,
        "id": draw(_IRI),
        "type": [
            "VerifiableCredential",
            draw(st.sampled_from(["OpenBadgeCredential", "AchievementCredential"])),
        ],
        "issuer": draw(st.one_of(_IRI, _profile())),
        "validFrom": draw(st.sampled_from(["2010-01-01T00:00:00Z", "not a date \x01"])),
        "credentialSubject": draw(_subject()),
    }
    _maybe(c, draw, "name", _NAME)
    _maybe(c, draw, "description", _ANY_TEXT)
    _maybe(c, draw, "validUntil", st.just("2030-01-01T00:00:00Z"))
    if draw(st.booleans()):
        c["evidence"] = [
            {"type": ["Evidence"], "narrative": draw(_ANY_TEXT), "name": draw(_ANY_TEXT)}
            for _ in range(draw(st.integers(1, 3)))
        ]
    if draw(st.booleans()):
        c["@context"] = [*OB_CONTEXT, OB_EXTENSIONS]
        c["credentialSchema"] = [
            {
                "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
                "type": "1EdTechJsonSchemaValidator2019",
            }
        ]
    if draw(st.booleans()):
        c["proof"] = {
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-rdfc-2022",
            "created": "2010-01-01T19:23:24Z",
            "verificationMethod": draw(_IRI),
            "proofPurpose": "assertionMethod",
            "proofValue": draw(_ANY_TEXT),
        }
    return c


def _has_control_characters(document: Any) -> bool:
    text = json.dumps(document)  # escapes every control character as \uXXXX (or \n ...)
    return any(f"\\u{i:04x}" in text for i in (*range(0x20), 0x7F)) or "\\" in text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ob_credentials())
def test_generated_credentials_fast_path_equals_pyld(credential: dict[str, Any]) -> None:
    fast = _fast(credential)
    assert fast == _reference(credential)
    assert rdfc_nquads(credential) == fast
    if not _has_control_characters(credential):
        assert fast == rdfc_nquads_reference(credential)


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(st.sampled_from(["name", "description", "bogus", "@foo", "id"]), _ANY_TEXT, max_size=4)
)
def test_fast_and_reference_fail_alike(extra: dict[str, Any]) -> None:
    document = {"@context": OB_CONTEXT, "type": "VerifiableCredential", **extra}
    fast, reference = _outcome(rdfc_nquads, document), _outcome(_reference, document)
    if fast is JsonLdError and isinstance(reference, str):
        # an id pyld cannot resolve (white space, ":", ...): pyld silently drops every
        # statement about it, the fast path refuses the document
        assert "id" in extra
        assert f"<{extra['id']}>" not in reference
    else:
        assert fast == reference


# --- native values -------------------------------------------------------------------------

XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, f'"true"^^<{XSD}boolean>'),
        (5, f'"5"^^<{XSD}integer>'),
        (5.0, f'"5"^^<{XSD}integer>'),
        (-0.0, f'"0"^^<{XSD}integer>'),
        (1.5, f'"1.5E0"^^<{XSD}double>'),
        (1e21, f'"1.0E21"^^<{XSD}double>'),
        (10**21, f'"1.0E21"^^<{XSD}double>'),
        (0.1, f'"1.0E-1"^^<{XSD}double>'),
        (123456.789e-30, f'"1.23456789E-25"^^<{XSD}double>'),
    ],
)
def test_native_values_become_xsd_literals_like_json_ld_to_rdf(value: Any, expected: str) -> None:
    document = {"@context": {"@vocab": "https://example.org/#"}, "@id": "urn:x:s", "v": value}
    fast = _fast(document)
    assert fast == f"<urn:x:s> <https://example.org/#v> {expected} .\n"
    assert fast == _reference(document)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(), st.booleans()))
def test_native_numbers_match_pyld(value: Any) -> None:
    document = {"@context": {"@vocab": "https://example.org/#"}, "@id": "urn:x:s", "v": value}
    assert _fast(document) == _reference(document)


# --- features outside the fast subset fall back to pyld -------------------------------------

FALLBACKS = {
    "@reverse": {
        "@context": {"@vocab": "https://e.org/#"},
        "@id": "urn:a",
        "@reverse": {"p": {"@id": "urn:b"}},
    },
    "language map": {
        "@context": {"@vocab": "https://e.org/#", "n": {"@container": "@language"}},
        "@id": "urn:a",
        "n": {"en": "x", "de": "y"},
    },
    "@json": {
        "@context": {"@vocab": "https://e.org/#", "j": {"@type": "@json"}},
        "@id": "urn:a",
        "j": {"b": [1, 2.5, "x"], "a": None},
    },
    "@nest": {
        "@context": {"@vocab": "https://e.org/#", "meta": "@nest"},
        "@id": "urn:a",
        "meta": {"p": "x"},
    },
    "@direction": {
        "@context": {"@vocab": "https://e.org/#"},
        "@id": "urn:a",
        "p": {"@value": "x", "@direction": "rtl"},
    },
    "@included": {
        "@context": {"@vocab": "https://e.org/#"},
        "@id": "urn:a",
        "@included": [{"@id": "urn:b", "p": "x"}],
    },
    "top-level @graph": {"@context": {"@vocab": "https://e.org/#"}, "@graph": [{"@id": "urn:b", "p": "x"}]},
    "nested array": {"@context": {"@vocab": "https://e.org/#"}, "@id": "urn:a", "p": [["x"], "y"]},
    "explicit @list": {"@context": {"@vocab": "https://e.org/#"}, "@id": "urn:a", "p": {"@list": ["x", 1]}},
    "index map": {
        "@context": {"@vocab": "https://e.org/#", "m": {"@container": "@index"}},
        "@id": "urn:a",
        "m": {"k": {"p": "x"}},
    },
    "@base": {"@context": {"@vocab": "https://e.org/#", "@base": "https://b.org/"}, "@id": "rel", "p": "x"},
    "xsd:double string": {
        "@context": {"@vocab": "https://e.org/#", "d": {"@type": "http://www.w3.org/2001/XMLSchema#double"}},
        "@id": "urn:a",
        "d": "5",
    },
}


@pytest.mark.parametrize("name", sorted(FALLBACKS))
def test_unsupported_features_fall_back_to_pyld(name: str) -> None:
    document = FALLBACKS[name]
    assert to_quads(document) is None
    assert rdfc_nquads(document) == _reference(document)


def test_supported_extras_take_the_fast_path() -> None:
    document = {
        "@context": [
            {"@vocab": "https://e.org/#", "ex": "https://e.org/ns/", "l": {"@container": "@list"}},
            {"t": {"@id": "ex:t", "@type": "@vocab"}, "lang": {"@id": "ex:lang", "@language": "fr"}},
        ],
        "@id": "ex:a",
        "@type": ["ex:T", "_:typeNode"],
        "l": ["x", 2, {"@id": "_:n"}, None, {"@value": "v", "@type": "ex:dt"}],
        "t": "ex:v",
        "lang": "bonjour",
        "p": [{"@id": "_:n", "q": "x"}, {"@value": None}, {"q": True, "@context": {"q": "ex:q2"}}],
        "empty": [],
        "e2": {"l": []},
    }
    assert _fast(document) == _reference(document)


# --- safety --------------------------------------------------------------------------------


def _ob(**extra: Any) -> dict[str, Any]:
    return {"@context": OB_CONTEXT, "id": "urn:x:1", "type": ["VerifiableCredential"], **extra}


@pytest.mark.parametrize(
    ("document", "error"),
    [
        (_ob(undefinedTerm="x"), JsonLdError),
        (_ob(credentialSubject={"id": "did:example:1", "notInTheContext": 1}), JsonLdError),
        (_ob(type=["VerifiableCredential", "NoSuchType"]), JsonLdError),
        (_ob(id="relative/path"), JsonLdError),
        (_ob(issuer="relative-issuer"), JsonLdError),
        (_ob(issuer="https://example.org/a b"), JsonLdError),
        (_ob(**{"@foo": 1}), JsonLdError),
        ({"@context": [V2, "https://example.org/unknown-context"], "id": "urn:x"}, ContextError),
        ({"@context": "relative-context.json", "id": "urn:x"}, ContextError),
        ({"@context": {"@vocab": 5}}, JsonLdError),
    ],
)
def test_safe_mode_errors(document: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        to_quads(document)
    with pytest.raises(error):
        rdfc_nquads(document)


@pytest.mark.parametrize(
    "document",
    [
        _ob(undefinedTerm="x"),
        _ob(type=["VerifiableCredential", "NoSuchType"]),
        _ob(id="relative/path"),
        {"@context": [V2, "https://example.org/unknown-context"], "id": "urn:x"},
    ],
)
def test_reference_path_refuses_the_same_documents(document: dict[str, Any]) -> None:
    with pytest.raises(VcengineError):
        to_rdf_reference(document)
    with pytest.raises(VcengineError):
        rdfc_nquads_reference(document)


def test_too_deep_documents_are_refused() -> None:
    node: dict[str, Any] = {"name": "leaf"}
    for _ in range(100):
        node = {"type": "Profile", "parentOrg": node, "id": "urn:x:p"}
    document = _ob(issuer=node)
    with pytest.raises(JsonError):
        rdfc_nquads(document)
    fallback = {**document, "@reverse": {}}
    with pytest.raises(JsonError):
        rdfc_nquads(fallback)
