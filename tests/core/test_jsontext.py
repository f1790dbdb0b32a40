from __future__ import annotations

import contextlib

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
        (b"\xff\xfe{}", "UTF-8"),
        ("[" * 100_000 + "]" * 100_000, "deeper than"),
        ('{"a":' * 70 + "1" + "}" * 70, "deeper than"),
    ],
)
def test_refused(data: str | bytes, message: str) -> None:
    with pytest.raises(JsonError, match=message):
        jsontext.loads(data)


def test_size_limit() -> None:
    with pytest.raises(JsonError, match="limit"):
        jsontext.loads(b" " * (jsontext.MAX_BYTES + 1))


@given(st.binary(max_size=200))
def test_junk_only_raises_json_error(data: bytes) -> None:
    with contextlib.suppress(JsonError):
        jsontext.loads(data)
