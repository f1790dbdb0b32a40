from __future__ import annotations

import contextlib
import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vcengine.core import jsontext
from vcengine.errors import JsonError


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("{", "malformed JSON"),
        ("[NaN]", "NaN"),
        ('{"a": Infinity}', "Infinity"),
        ('{"a": -Infinity}', "-Infinity"),
        (b"\xff\xfe{}", "UTF-8"),
        ("[" * 100_000 + "]" * 100_000, "deeper than"),
        ('{"a":' * 70 + "1" + "}" * 70, "deeper than"),
        # duplicate keys, at the top and deep inside (RFC 8259 §4: names SHOULD be unique; I-JSON
        # RFC 7493 §2.3: MUST NOT be duplicated) — two parsers could read two different documents.
        ('{"issuer": "did:example:spoof", "issuer": "did:example:real"}', "key 'issuer' more than once"),
        ('{"a": [{"b": {"c": 1, "c": 1}}]}', "key 'c' more than once"),
        # lone surrogates (RFC 8259 §8.2; I-JSON §2.1), in values and in keys, high and low
        ('{"name": "\\ud800"}', "lone surrogate"),
        ('{"name": "x\\uDFFFy"}', "lone surrogate"),
        ('{"\\udc00": 1}', "lone surrogate"),
        ('["\\ude00\\ud83d"]', "lone surrogate"),  # a pair in the wrong order is two lone halves
        ('{"k": "\ud800"}', "lone surrogate"),  # an unescaped one in a str given by a caller
        # numbers that are not finite doubles (I-JSON §2.2)
        ('{"n": 1e999}', "1e999"),
        ("[-1E400]", "-1E400"),
        ("[" + "9" * 5000 + "]", "digits"),
    ],
)
def test_refused(data: str | bytes, message: str) -> None:
    with pytest.raises(JsonError, match=message):
        jsontext.loads(data)


@pytest.mark.parametrize(
    ("data", "value"),
    [
        ('"\\ud83d\\ude00"', "\U0001f600"),  # a surrogate pair is one character
        ('"\\\\ud800"', "\\ud800"),  # an escaped backslash, then text: no surrogate at all
        ("[1e308, -2.5e-300, 0.0]", [1e308, -2.5e-300, 0.0]),
        # the same name in different objects is no repetition
        (
            '{"a": {"a": {"a": 1}}, "b": [{"a": 1}, {"a": 2}]}',
            {"a": {"a": {"a": 1}}, "b": [{"a": 1}, {"a": 2}]},
        ),
    ],
)
def test_accepted(data: str, value: object) -> None:
    assert jsontext.loads(data) == value
    assert jsontext.loads(data.encode()) == value


def test_size_limit() -> None:
    with pytest.raises(JsonError, match="limit"):
        jsontext.loads(b" " * (jsontext.MAX_BYTES + 1))


@given(st.binary(max_size=200))
def test_junk_only_raises_json_error(data: bytes) -> None:
    with contextlib.suppress(JsonError):
        jsontext.loads(data)


@given(st.text(max_size=200))
def test_junk_text_only_raises_json_error(data: str) -> None:
    with contextlib.suppress(JsonError):
        jsontext.loads(data)


_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=8)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | _TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=20,
)


@given(_JSON, st.booleans())
def test_every_strict_json_value_round_trips(value: object, ascii_only: bool) -> None:
    assert jsontext.loads(json.dumps(value, ensure_ascii=ascii_only)) == value


@given(st.dictionaries(_TEXT, _JSON, min_size=1, max_size=4), st.data())
def test_a_repeated_key_is_always_refused(obj: dict[str, object], data: st.DataObject) -> None:
    key = data.draw(st.sampled_from(sorted(obj)))
    text = json.dumps(obj)
    doubled = text[:-1] + ", " + json.dumps(key) + ": 0}"
    for text in (doubled, '{"outer": [' + doubled + "]}"):
        with pytest.raises(JsonError, match="more than once"):
            jsontext.loads(text)


@given(st.sampled_from([0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0xDA12]), st.booleans())
def test_a_lone_surrogate_escape_is_always_refused(code: int, in_key: bool) -> None:
    escape = f'"x\\u{code:04x}"'
    with pytest.raises(JsonError, match=f"U\\+{code:04X}"):
        jsontext.loads(f"{{{escape}: 1}}" if in_key else f"[{escape}]")


def test_check_value_refuses_what_loads_refuses() -> None:
    """For JSON that arrived already parsed by someone else (a GraphQL literal)."""
    jsontext.check_value({"a": [1, 2.5, "x", None, True]})
    with pytest.raises(JsonError, match="not a finite number"):
        jsontext.check_value({"a": [math.inf]})
    with pytest.raises(JsonError, match="not a finite number"):
        jsontext.check_value({"a": math.nan})
    with pytest.raises(JsonError, match="lone surrogate"):
        jsontext.check_value({"\ud800": 1})
    with pytest.raises(JsonError, match="deeper than"):
        nested: object = 1
        for _ in range(100):
            nested = [nested]
        jsontext.check_value(nested)
