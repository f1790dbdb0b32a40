"""bake/unbake choose PNG or SVG from the bytes themselves."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vcengine.core.bake as bake_module
from vcengine.core.bake import Baked, bake, unbake
from vcengine.errors import BakeError, InputError

VECTORS = Path(__file__).parents[3] / "conformance" / "vectors" / "1edtech-validator"
JWS = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2ln"


@pytest.mark.parametrize(
    ("path", "fmt", "media_type"),
    [
        ("ob30/simple-json.png", "ob3-json", "image/png"),
        ("ob30/simple-jwt.png", "ob3-jwt", "image/png"),
        ("ob30/simple-jwt_v1.png", "ob3-jwt", "image/png"),
        ("ob20/simple-badge.png", "ob2-json", "image/png"),
        ("ob30/simple-json.svg", "ob3-json", "image/svg+xml"),
        ("ob30/simple-jwt.svg", "ob3-jwt", "image/svg+xml"),
        ("ob30/simple-jwt_v1.svg", "ob3-jwt", "image/svg+xml"),
    ],
)
def test_every_vector(path: str, fmt: str, media_type: str) -> None:
    image = (VECTORS / path).read_bytes()
    baked = unbake(image)
    assert (baked.format, baked.media_type) == (fmt, media_type)
    rebaked = unbake(bake(image, JWS))
    assert rebaked == Baked("ob3-jwt", JWS, media_type)
    assert rebaked.is_jwt


def test_svg_with_bom_and_leading_whitespace() -> None:
    svg = b'\xef\xbb\xbf\n<svg xmlns="http://www.w3.org/2000/svg"/>'
    assert unbake(bake(svg, '{"a": "\u00e9"}')).text == '{"a": "\u00e9"}'


@pytest.mark.parametrize(
    ("image", "message"),
    [
        (b"GIF89a\x01\x00", "not a PNG or an SVG"),
        (b"", "not a PNG or an SVG"),
        (b"\xff\xd8\xff\xe0JFIF", "not a PNG or an SVG"),
        (b"\x1f\x8b\x08\x00", "svgz"),
        ("<svg/>", "must be bytes"),
    ],
)
def test_neither_png_nor_svg(image: bytes, message: str) -> None:
    with pytest.raises(BakeError, match=message):
        unbake(image)
    with pytest.raises(BakeError, match=message):
        bake(image, JWS)


def test_bake_error_is_an_input_error() -> None:
    assert issubclass(BakeError, InputError)


def test_public_names() -> None:
    assert sorted(bake_module.__all__) == [
        "Baked",
        "BakedFormat",
        "bake",
        "bake_png",
        "bake_svg",
        "unbake",
        "unbake_png",
        "unbake_svg",
    ]


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=512))
def test_random_bytes_only_raise_bake_error(data: bytes) -> None:
    with contextlib.suppress(BakeError):
        unbake(data)
    with contextlib.suppress(BakeError):
        bake(data, JWS)
