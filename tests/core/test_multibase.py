from __future__ import annotations

import base58
import pytest
from hypothesis import given
from hypothesis import strategies as st

from vcengine.core.multibase import b64url_decode, b64url_encode, decode_base58btc, encode_base58btc
from vcengine.errors import KeyFormatError


@given(st.binary(max_size=100))
def test_base58btc_matches_the_base58_package_and_round_trips(data: bytes) -> None:
    encoded = encode_base58btc(data)
    assert encoded == "z" + base58.b58encode(data).decode()
    assert decode_base58btc(encoded) == data


@pytest.mark.parametrize("data", [b"", b"\0", b"\0\0\x01", bytes(64), b"\xff" * 64])
def test_base58btc_edges(data: bytes) -> None:
    assert encode_base58btc(data) == "z" + base58.b58encode(data).decode()
    assert decode_base58btc(encode_base58btc(data)) == data


@given(st.text(alphabet="123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0OIl+/ é", max_size=120))
def test_base58btc_decoding_any_text_agrees_with_the_base58_package(text: str) -> None:
    if text != text.strip():  # the package strips white space around the value; a proof value has none
        with pytest.raises(KeyFormatError):
            decode_base58btc("z" + text)
        return
    try:
        expected: bytes | None = base58.b58decode(text)
    except ValueError:
        expected = None
    if expected is None:
        with pytest.raises(KeyFormatError):
            decode_base58btc("z" + text)
    else:
        assert decode_base58btc("z" + text) == expected


@given(st.binary(max_size=64))
def test_b64url_round_trip(data: bytes) -> None:
    text = b64url_encode(data)
    assert "=" not in text and b64url_decode(text) == data


def test_b64url_rejects_junk() -> None:
    with pytest.raises(KeyFormatError):
        b64url_decode(123)  # type: ignore[arg-type]
