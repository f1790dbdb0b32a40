"""The OB 2.0 context rules: only the bundled context, no redefinition, one spelling per term."""

from __future__ import annotations

from typing import Any

import pytest

from vcengine.core.ob2.context import (
    OB2_CONTEXT,
    check_context,
    expand_type,
    has_ob2_context,
    has_type,
    member,
)
from vcengine.errors import ContextError, InputError


def test_has_ob2_context() -> None:
    assert has_ob2_context({"@context": OB2_CONTEXT})
    assert has_ob2_context({"@context": [OB2_CONTEXT, {"x": "https://example.org/x"}]})
    assert not has_ob2_context({"@context": "https://www.w3.org/ns/credentials/v2"})
    assert not has_ob2_context("{}") and not has_ob2_context({})


@pytest.mark.parametrize(
    "node",
    [
        {"@context": OB2_CONTEXT, "id": "https://a.example/1"},
        {"@context": [OB2_CONTEXT, {"extra": "https://example.org/extra"}]},
        # the same definition the OB 2.0 context gives is no redefinition
        {"@context": [OB2_CONTEXT, {"badge": {"@id": "obi:badge", "@type": "@id"}}]},
    ],
)
def test_accepted_contexts(node: dict[str, Any]) -> None:
    check_context(node, what="doc")


@pytest.mark.parametrize(
    ("node", "message"),
    [
        ({"id": "x"}, "no @context"),
        ({"@context": "https://www.w3.org/ns/credentials/v2"}, "does not use the OB 2.0 context"),
        ({"@context": [OB2_CONTEXT, {"recipient": "https://evil.example/r"}]}, "redefines"),
        ({"@context": [OB2_CONTEXT, {"awardee": "obi:recipient"}]}, "another name for 'recipient'"),
        ({"@context": [OB2_CONTEXT, 42]}, "neither a URL nor an object"),
        ({"@context": OB2_CONTEXT, "obi:badge": "https://a.example/b"}, "one statement, one spelling"),
        (
            {"@context": OB2_CONTEXT, "https://w3id.org/openbadges#recipient": {}},
            "one statement, one spelling",
        ),
        ({"@context": OB2_CONTEXT, "@id": "https://a.example/1"}, "'@id'"),
        ({"@context": OB2_CONTEXT, "verify": {}, "verification": {}}, "alias"),
    ],
)
def test_refused_contexts(node: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        check_context(node, what="doc")
    assert not isinstance(caught.value, ContextError)


def test_an_unbundled_context_url_is_unknown_not_malformed() -> None:
    with pytest.raises(ContextError, match="does not bundle"):
        check_context({"@context": [OB2_CONTEXT, "https://example.org/ext.json"]}, what="doc")


def test_embedded_nodes_may_inherit_the_context() -> None:
    check_context({"type": "hosted"}, what="verification", required=False)


def test_types_and_aliases() -> None:
    assert expand_type("hosted") == expand_type("HostedBadge") == "https://w3id.org/openbadges#HostedBadge"
    assert has_type({"type": ["Extension", "obi:Assertion"]}, ("Assertion",))
    assert has_type({"type": "https://w3id.org/openbadges#Issuer"}, ("Issuer", "Profile"))
    assert not has_type({"type": "BadgeClass"}, ("Assertion",)) and not has_type({}, ("Assertion",))
    assert member({"verify": {"type": "hosted"}}, "verification") == {"type": "hosted"}
