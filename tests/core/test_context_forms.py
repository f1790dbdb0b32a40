"""Fuzz over JSON-LD context forms through the core signing path: whatever the contexts say
(``@vocab: null``, ``@base``, ``@import``, ``@propagate``, ``@protected`` and redefinitions,
``@version``, unknown keywords, nested arrays, term definitions with random keyword values,
embedded and scoped contexts), ``ensure_signable`` + ``add_proof`` either sign — and then the
proof verifies — or raise an InputError. Nothing else escapes: no KeyError from pyld, no
TypeError from the walker, nothing a service would turn into a 500."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from vcengine.core.contexts import bundled_contexts
from vcengine.core.keys import KeyPair
from vcengine.core.proofs.data_integrity import add_proof, verify_proofs
from vcengine.core.resolve import OfflineResolver
from vcengine.core.schema import ensure_signable
from vcengine.errors import InputError

V2 = "https://www.w3.org/ns/credentials/v2"
KEY = KeyPair.from_seed(bytes(range(32)))
VM = KEY.public.did_key_verification_method
CREATED = datetime(2026, 1, 1, tzinfo=UTC)
SUITES = ("eddsa-rdfc-2022", "eddsa-jcs-2022", "Ed25519Signature2020")
PRISTINE = {url: json.loads(bundled_contexts().raw_bytes(url)) for url in bundled_contexts().urls}

BUNDLED = st.sampled_from(
    [
        "https://www.w3.org/ns/credentials/examples/v2",
        "https://www.w3.org/2018/credentials/v1",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://w3id.org/security/data-integrity/v2",
        "https://www.w3.org/ns/credentials/status/v1",
    ]
)
URLS = BUNDLED | st.sampled_from(
    [V2, "https://example.org/not-bundled", "https ://not-a-url", "relative/c", ""]
)
IRIS = st.sampled_from(
    [
        "https://example.org/#t",
        "urn:ex:t",
        "ex:t",
        "_:b0",
        "relative",
        "",
        "@id",
        "@type",
        "@vocab",
        "@json",
        "@none",
    ]
)
TERMS = st.sampled_from(
    [
        "id",
        "type",
        "name",
        "VerifiableCredential",
        "credentialSubject",
        "issuer",
        "ex",
        "Degree",
        "favoriteFood",
        "@foo",
    ]
)
SCALARS = st.none() | st.booleans() | st.integers(-2, 2) | st.floats(1.0, 1.1) | IRIS
KEYWORD_VALUES = st.fixed_dictionaries(
    {},
    optional={
        "@id": SCALARS,
        "@type": st.sampled_from(["@id", "@vocab", "@json", "@none", "https://example.org/#dt", "xsd:x"])
        | SCALARS,
        "@container": st.sampled_from(
            ["@set", "@list", "@language", "@index", "@graph", "@id", "@type", "@bogus"]
        )
        | st.lists(st.sampled_from(["@set", "@graph", "@id", "@index"]), max_size=2),
        "@protected": SCALARS,
        "@reverse": SCALARS,
        "@prefix": SCALARS,
        "@nest": SCALARS,
        "@language": st.sampled_from(["en", "not a tag"]) | SCALARS,
        "@direction": st.sampled_from(["ltr", "rtl", "up"]) | SCALARS,
        "@index": SCALARS,
    },
)


def contexts(depth: int = 2) -> st.SearchStrategy[Any]:
    """One context item: mostly objects and bundled URLs (what JSON-LD processing sees), some junk."""
    definitions = SCALARS | KEYWORD_VALUES
    if depth > 0:
        definitions = definitions | KEYWORD_VALUES.flatmap(
            lambda d: st.builds(lambda c: {**d, "@context": c}, context_values(depth - 1))
        )
    objects = st.fixed_dictionaries(
        {},
        optional={
            "@vocab": st.none() | IRIS | st.integers(),
            "@base": st.none() | IRIS | st.integers(),
            "@import": URLS | st.integers(),
            "@propagate": st.booleans() | SCALARS,
            "@protected": st.booleans() | SCALARS,
            "@version": st.sampled_from([1.1, 1.0, "1.1", None]),
            "@language": st.sampled_from(["en", None, 5]),
            "@direction": st.sampled_from(["ltr", "rtl", None, "sideways"]),
            "@unknown": SCALARS,
        },
    ).flatmap(lambda d: st.dictionaries(TERMS, definitions, max_size=3).map(lambda t: {**d, **t}))
    junk = URLS | st.none() | st.integers(0, 3) | st.lists(BUNDLED, max_size=2)
    return st.one_of(objects, objects, objects, objects, objects, BUNDLED, BUNDLED, junk)


def context_values(depth: int) -> st.SearchStrategy[Any]:
    """A scoped or embedded ``@context``: one item or an array of them (arrays nest)."""
    return st.deferred(
        lambda: (
            contexts(depth) | st.lists(contexts(depth) | st.lists(contexts(depth), max_size=2), max_size=3)
        )
    )


def assert_bundled_contexts_intact() -> None:
    """Nothing a document says leaks into the next one through a shared context."""
    for url in ("https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"):
        assert bundled_contexts().document(url) == PRISTINE[url]


@st.composite
def credentials(draw: st.DrawFn) -> dict[str, Any]:
    extra = draw(st.lists(contexts(), max_size=3))
    doc: dict[str, Any] = {
        "@context": [V2, *extra] if draw(st.sampled_from([True] * 9 + [False])) or not extra else extra,
        "type": [
            "VerifiableCredential",
            *draw(st.lists(st.sampled_from(["Degree", "ex", "https://e.org/#T"]), max_size=1)),
        ],
        "issuer": KEY.public.did_key,
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:subject"},
    }
    subject = doc["credentialSubject"]
    for term in draw(st.lists(TERMS, max_size=3)):
        subject[term] = draw(
            st.sampled_from(["text", "https://e.org/#v", 1]) | st.dictionaries(TERMS, SCALARS, max_size=2)
        )
    if draw(st.booleans()):
        subject["@context"] = draw(context_values(1))
    return doc


# JSON-LD 1.1 ignores a keyword-like term ("@foo") in a context with a warning, and so does pyld
@pytest.mark.filterwarnings("ignore:terms beginning with:SyntaxWarning")
@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(credentials(), st.sampled_from(SUITES))
def test_any_context_form_is_signed_or_refused_with_an_input_error(doc: dict[str, Any], suite: str) -> None:
    try:
        ensure_signable(doc)
        signed = add_proof(doc, KEY, suite=suite, verification_method=VM, created=CREATED)
    except InputError as exc:
        assert_bundled_contexts_intact()
        assert exc.message  # a clear reason, never empty
        assert len(str(exc)) < 2000
        event(f"refused: {type(exc).__name__} {getattr(exc, 'rule', None) or getattr(exc, 'code', None)}")
        return
    event("signed")
    assert_bundled_contexts_intact()
    results = verify_proofs(signed, OfflineResolver())
    assert [r.outcome for r in results] == ["pass"], results


def test_the_reported_form_is_refused_clearly_not_crashed() -> None:
    # the form of issue 8: a 500 before, because pyld raised KeyError('@vocab')
    doc = {
        "@context": [V2, {"@vocab": None}],
        "type": ["VerifiableCredential", "ExampleTestCredential"],
        "issuer": KEY.public.did_key,
        "credentialSubject": {"id": "did:example:subject"},
    }
    for suite in SUITES:
        try:
            ensure_signable(doc)
            add_proof(doc, KEY, suite=suite, verification_method=VM, created=CREATED)
        except InputError as exc:
            assert "ExampleTestCredential" in exc.message
        else:
            raise AssertionError(f"{suite} signed an undefined type")


def test_a_refused_import_leaves_every_bundled_context_as_it_was() -> None:
    # pyld 3.3 merges an @import into the cached imported document: one refused request used to
    # redefine https://www.w3.org/ns/credentials/v2 for every later one in the process
    doc = {
        "@context": [V2, {"@import": V2, "name": "https://evil.example/#name"}],
        "type": ["VerifiableCredential"],
        "issuer": KEY.public.did_key,
        "credentialSubject": {"id": "did:example:subject", "name": "Ada"},
    }
    for suite in SUITES:
        try:
            ensure_signable(doc)
            add_proof(doc, KEY, suite=suite, verification_method=VM, created=CREATED)
        except InputError as exc:
            assert "@import" in exc.message
        else:
            raise AssertionError(f"{suite} signed an @import")
    assert {url: bundled_contexts().document(url) for url in PRISTINE} == PRISTINE
    fine = {**doc, "@context": [V2, {"x": "https://example.org/#x"}]}
    signed = add_proof(fine, KEY, verification_method=VM, created=CREATED)
    assert [r.outcome for r in verify_proofs(signed, OfflineResolver())] == ["pass"]
