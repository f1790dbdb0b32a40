"""pyld's failures become vcengine errors; @import is refused; {"@vocab": null} is handled as the
JSON-LD 1.1 Context Processing algorithm says."""

from __future__ import annotations

import pytest
from pyld import jsonld

from vcengine.core.pyld_guard import (
    needs_item_by_item,
    pyld_errors,
    refuse_import,
    translate_pyld_error,
    vocab_null_as_noop,
)
from vcengine.errors import ContextError, JsonLdError


def test_a_pyld_error_keeps_its_code_and_a_bounded_message() -> None:
    exc = jsonld.JsonLdError(
        "tried to redefine a protected term.",
        "jsonld.SyntaxError",
        {"context": {"x": "y" * 10_000}},
        code="protected term redefinition",
    )
    error = translate_pyld_error(exc)
    assert isinstance(error, JsonLdError) and error.code == "protected term redefinition"
    assert "redefine a protected term" in error.message and len(error.message) <= 500


def test_our_error_inside_a_pyld_error_comes_out_as_it_was() -> None:
    ours = ContextError("context 'x' is not bundled")
    wrapper = jsonld.JsonLdError("loading remote context failed", "jsonld.LoadDocumentError")
    wrapper.__cause__ = ours
    assert translate_pyld_error(wrapper) is ours


@pytest.mark.parametrize(
    "raised",
    [
        KeyError("@vocab"),
        TypeError("unhashable"),
        RecursionError("deep"),
        AttributeError("x"),
        ValueError("y"),
        IndexError("z"),
    ],
)
def test_any_exception_of_pyld_is_a_json_ld_error(raised: Exception) -> None:
    with pytest.raises(JsonLdError) as caught, pyld_errors():
        raise raised
    assert caught.value.code == "processing failure"
    assert type(raised).__name__ in caught.value.message


def test_warnings_and_our_errors_pass_through() -> None:
    with pytest.raises(SyntaxWarning), pyld_errors():
        raise SyntaxWarning("terms beginning with @ are reserved")
    with pytest.raises(ContextError), pyld_errors():
        raise ContextError("not bundled")


@pytest.mark.parametrize(
    "value",
    [
        {"@import": "https://www.w3.org/ns/credentials/v2"},
        ["https://www.w3.org/ns/credentials/v2", {"x": {"@id": "urn:x", "@context": {"@import": "u"}}}],
        {"credentialSubject": {"@context": [[{"@import": 5}]]}},
    ],
)
def test_import_is_refused_wherever_it_is(value: object) -> None:
    with pytest.raises(JsonLdError, match="@import"):
        refuse_import(value)


def test_vocab_null_is_dropped_only_when_nothing_is_there_to_remove() -> None:
    assert vocab_null_as_noop({}, {"@vocab": None, "x": "urn:x"}) == {"x": "urn:x"}
    kept = {"@vocab": None}
    assert vocab_null_as_noop({"@vocab": "https://e.org/#"}, kept) is kept
    assert needs_item_by_item(["https://www.w3.org/ns/credentials/v2", {"@vocab": None}])
    assert not needs_item_by_item([{"@vocab": None}, {"@propagate": False}])
    assert not needs_item_by_item({"@vocab": "https://e.org/#"})
