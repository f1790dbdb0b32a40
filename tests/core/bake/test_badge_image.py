"""The generated badge image: valid PNG/SVG, bakeable, text escaped and fitted, inputs checked."""

from __future__ import annotations

import io

import pytest
from lxml import etree
from PIL import Image

from vcengine.core.bake import bake, unbake
from vcengine.core.bake.badge_image import render_badge_png, render_badge_svg
from vcengine.errors import BakeError

SVG = "{http://www.w3.org/2000/svg}"
JWS = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2ln"


def logo(width: int = 40, height: int = 20) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (200, 30, 30, 255)).save(out, "PNG")
    return out.getvalue()


def title_lines(svg: bytes) -> list[str]:
    root = etree.fromstring(svg)
    return [t.text for t in root.iter(f"{SVG}text")][:-1]


@pytest.mark.parametrize("size", [64, 200, 600])
def test_png_opens_and_bakes(size: int) -> None:
    png = render_badge_png("Teamwork", "Example Corp", size=size)
    with Image.open(io.BytesIO(png)) as image:
        assert (image.format, image.size, image.mode) == ("PNG", (size, size), "RGBA")
        assert image.getpixel((0, 0))[3] == 0  # transparent corners
        assert image.getpixel((size // 2, size // 2))[3] == 255
    assert unbake(bake(png, JWS)).text == JWS


def test_svg_is_well_formed_and_bakes() -> None:
    svg = render_badge_svg("Teamwork", "Example Corp")
    root = etree.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert title_lines(svg) == ["Teamwork"]
    assert unbake(bake(svg, JWS)).format == "ob3-jwt"


def test_text_is_escaped() -> None:
    svg = render_badge_svg('<script>alert("x")</script> & "Co"', "A&B <Ltd>\x00\x07")
    texts = [t.text for t in etree.fromstring(svg).iter(f"{SVG}text")]
    assert "".join(texts[:-1]).replace(" ", "") == '<script>alert("x")</script>&"Co"'
    assert texts[-1] == "A&B <Ltd>"
    assert b"<script>" not in svg


def test_long_names_wrap_to_three_lines_and_shrink() -> None:
    short = render_badge_svg("Teamwork", "Example Corp")
    long = render_badge_svg(
        "Advanced Certificate in Applied Data Science and Machine Learning " * 3, "U" * 200
    )
    lines = title_lines(long)
    assert len(lines) == 3 and lines[-1].endswith("…")
    assert b'font-size="70"' in short and b'font-size="70"' not in long
    last = [t.text for t in etree.fromstring(long).iter(f"{SVG}text")][-1]
    assert last.endswith("…") and len(last) < 60


def test_a_very_long_word_is_broken() -> None:
    lines = title_lines(render_badge_svg("Donaudampfschifffahrtsgesellschaftskapitänspatent", "X"))
    assert 1 < len(lines) <= 3


def test_logo_is_embedded() -> None:
    svg = render_badge_svg("Teamwork", "Example Corp", logo_png=logo())
    assert b'href="data:image/png;base64,' in svg
    etree.fromstring(svg)
    with_logo = render_badge_png("Teamwork", "Example Corp", logo_png=logo(), size=200)
    without = render_badge_png("Teamwork", "Example Corp", size=200)
    with Image.open(io.BytesIO(with_logo)) as image:
        red, green, blue, _ = image.getpixel((100, 50))
        assert red > 150 and green < 80 and blue < 80
    assert with_logo != without


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"primary": "red"}, "colour"),
        ({"secondary": "#12345"}, "colour"),
        ({"primary": '#fff" onload="x'}, "colour"),
        ({"logo_png": b"not a png"}, "signature"),
        ({"logo_png": logo(5000, 1)}, "limit is 4096"),
    ],
)
def test_bad_inputs(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(BakeError, match=message):
        render_badge_svg("Teamwork", "Example Corp", **kwargs)  # type: ignore[arg-type]
    with pytest.raises(BakeError, match=message):
        render_badge_png("Teamwork", "Example Corp", **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["", "   ", "\x00\x01"])
def test_empty_names_are_refused(name: str) -> None:
    with pytest.raises(BakeError, match="empty"):
        render_badge_svg(name, "Example Corp")
    with pytest.raises(BakeError, match="empty"):
        render_badge_png("Teamwork", name)


@pytest.mark.parametrize("size", [10, 5000, 100.5])
def test_bad_size(size: int) -> None:
    with pytest.raises(BakeError, match="size"):
        render_badge_png("Teamwork", "Example Corp", size=size)


def test_colours_pick_legible_text() -> None:
    dark = render_badge_svg("T", "I", primary="#102030", secondary="#f0e0a0")
    light = render_badge_svg("T", "I", primary="#fafafa", secondary="#203040")
    assert b'fill="#ffffff" text-anchor' in dark and b'fill="#1a1a1a" text-anchor' in light
