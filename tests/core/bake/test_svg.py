"""SVG baking: the 1EdTech vectors, round trips, OB 2.0 assertions and hostile XML."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from vcengine.core.bake.svg import OB3_NAMESPACE, bake_svg, unbake_svg
from vcengine.errors import BakeError

VECTORS = Path(__file__).parents[3] / "conformance" / "vectors" / "1edtech-validator"
SIMPLE_JSON = (VECTORS / "ob30/simple-json.svg").read_bytes()
JWS = "eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJkaWQ6ZXhhbXBsZTppc3N1ZXIifQ.c2lnbmF0dXJl"
CREDENTIAL = json.dumps({"name": "Zürich — 徽章 🎓 <&> ]]> done"}, ensure_ascii=False)
PLAIN = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">\n  <circle r="5"/>\n</svg>'
SVG_NS = 'xmlns="http://www.w3.org/2000/svg"'


def ob3_elements(svg: bytes) -> list[etree._Element]:
    return list(etree.fromstring(svg).iter(f"{{{OB3_NAMESPACE}}}credential"))


# --- the 1EdTech vectors ----------------------------------------------------------------------


def test_json_vector() -> None:
    baked = unbake_svg(SIMPLE_JSON)
    assert (baked.format, baked.media_type, baked.deviations) == ("ob3-json", "image/svg+xml", ())
    credential = json.loads(baked.text)
    assert credential["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert credential["credentialSubject"]["achievement"]["name"] == "Teamwork"


@pytest.mark.parametrize("name", ["simple-jwt", "simple-jwt_v1"])
def test_jwt_vectors(name: str) -> None:
    baked = unbake_svg((VECTORS / f"ob30/{name}.svg").read_bytes())
    assert baked.format == "ob3-jwt"
    assert baked.text.count(".") == 2


# --- bake -> unbake ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "fmt"), [(CREDENTIAL, "ob3-json"), (JWS, "ob3-jwt")])
@pytest.mark.parametrize("svg", [SIMPLE_JSON, PLAIN], ids=["vector", "plain"])
def test_round_trip(svg: bytes, text: str, fmt: str) -> None:
    out = bake_svg(svg, text)
    baked = unbake_svg(out)
    assert (baked.format, baked.text, baked.deviations) == (fmt, text, ())
    etree.fromstring(out)  # well-formed for a plain parser too


def test_layout_is_as_the_spec_shows() -> None:
    root = etree.fromstring(bake_svg(PLAIN, JWS))
    assert root.nsmap["openbadges"] == OB3_NAMESPACE
    first = root[0]
    assert first.tag == f"{{{OB3_NAMESPACE}}}credential"
    assert first.get("verify") == JWS and not first.text
    assert root[1].tag == "{http://www.w3.org/2000/svg}circle"
    assert b'<openbadges:credential verify="' in bake_svg(PLAIN, JWS)
    assert b"<openbadges:credential><![CDATA[{" in bake_svg(PLAIN, '{"a": 1}')


def test_rebaking_replaces_and_is_stable() -> None:
    once = bake_svg(SIMPLE_JSON, JWS)
    assert len(ob3_elements(once)) == 1
    twice = bake_svg(once, CREDENTIAL)
    assert len(ob3_elements(twice)) == 1
    assert unbake_svg(twice).text == CREDENTIAL
    assert bake_svg(twice, JWS) == once


def test_rest_of_document_is_kept() -> None:
    svg = (
        b'<?xml version="1.0"?>\n<!-- top -->\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd">\n'
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        b"<style><![CDATA[a > b {}]]></style><!-- c --><g id='g'>t&amp;t</g></svg>"
    )
    out = bake_svg(svg, JWS)
    for kept in [
        b"<!-- top -->",
        b"<!DOCTYPE svg PUBLIC",
        b"<![CDATA[a > b {}]]>",
        b"<!-- c -->",
        b"t&amp;t",
    ]:
        assert kept in out
    assert b'xmlns:xlink="http://www.w3.org/1999/xlink"' in out


def test_prefix_taken_by_ob2_is_declared_locally() -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
        b'<openbadges:assertion verify="https://example.org/a.json"/></svg>'
    )
    out = bake_svg(svg, JWS)
    assert unbake_svg(out).format == "ob3-jwt"
    assert b'<openbadges:credential xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in out


# --- OB 2.0 and tolerated deviations ----------------------------------------------------------


@pytest.mark.parametrize(
    ("element", "fmt", "text"),
    [
        (
            '<openbadges:assertion verify="https://example.org/a.json"/>',
            "ob2-url",
            "https://example.org/a.json",
        ),
        (f'<openbadges:assertion verify="{JWS}"></openbadges:assertion>', "ob2-jwt", JWS),
        (
            '<openbadges:assertion verify="https://example.org/a.json"><![CDATA[ {"type": "Assertion"} ]]>'
            "</openbadges:assertion>",
            "ob2-json",
            '{"type": "Assertion"}',
        ),
    ],
)
def test_ob2_assertion(element: str, fmt: str, text: str) -> None:
    svg = f'<svg {SVG_NS} xmlns:openbadges="http://openbadges.org">{element}</svg>'.encode()
    baked = unbake_svg(svg)
    assert (baked.format, baked.text) == (fmt, text)


def test_element_not_first_is_reported() -> None:
    svg = f'<svg {SVG_NS} xmlns:ob="{OB3_NAMESPACE}"><g/><ob:credential verify="{JWS}"/></svg>'.encode()
    baked = unbake_svg(svg)
    assert baked.text == JWS and baked.deviations == (
        "<openbadges:credential> is not the first child of <svg>",
    )


# --- refused ----------------------------------------------------------------------------------

HOSTILE = {
    "external-entity": (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg">&xxe;</svg>'
    ),
    "parameter-entity": (
        b'<!DOCTYPE svg [<!ENTITY % x SYSTEM "http://127.0.0.1:1/x.dtd"> %x;]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"/>'
    ),
    "billion-laughs": (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10 if i > 1 else b"&lol;" * 10)
            for i in range(1, 10)
        )
        + b']><svg xmlns="http://www.w3.org/2000/svg" a="&lol9;">&lol9;</svg>'
    ),
    "internal-entity": b'<!DOCTYPE svg [<!ENTITY a "b">]><svg xmlns="http://www.w3.org/2000/svg"/>',
    "attlist-subset": b'<!DOCTYPE svg [<!ATTLIST svg a CDATA "b">]><svg xmlns="http://www.w3.org/2000/svg"/>',
    "undefined-entity": b'<!DOCTYPE svg SYSTEM "x.dtd"><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
    "deep-nesting": b'<svg xmlns="http://www.w3.org/2000/svg">'
    + b"<g>" * 100_000
    + b"</g>" * 100_000
    + b"</svg>",
    "not-xml": b"<svg <<<",
    "empty": b"",
    "not-svg": b'<html xmlns="http://www.w3.org/1999/xhtml"/>',
    "wrong-namespace": b'<svg xmlns="urn:not-svg"/>',
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_or_invalid_xml_is_refused_quickly(name: str) -> None:
    with pytest.raises(BakeError):
        unbake_svg(HOSTILE[name])
    with pytest.raises(BakeError):
        bake_svg(HOSTILE[name], JWS)


def test_size_limit() -> None:
    with pytest.raises(BakeError, match="limit is 100"):
        unbake_svg(SIMPLE_JSON, max_bytes=100)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (f'<ob:credential verify="{JWS}"/><ob:credential verify="{JWS}"/>', "2 <credential> elements"),
        ("<ob:credential/>", "empty"),
        ("<ob:credential><g/></ob:credential>", "child elements"),
        ("<ob:credential>hello</ob:credential>", "not JSON or a compact JWS"),
        ("<g/>", "no baked credential"),
    ],
)
def test_bad_credential_elements(body: str, message: str) -> None:
    with pytest.raises(BakeError, match=message):
        unbake_svg(f'<svg {SVG_NS} xmlns:ob="{OB3_NAMESPACE}">{body}</svg>'.encode())


@pytest.mark.parametrize("text", ["hello", '{"a": "\x01"}', '{"a": "\ud800"}'])
def test_bake_refuses_text_that_cannot_be_baked(text: str) -> None:
    with pytest.raises(BakeError):
        bake_svg(PLAIN, text)


# --- fuzzing ----------------------------------------------------------------------------------

SVG_BYTES = [p.read_bytes() for p in sorted((VECTORS / "ob30").glob("*.svg"))] + [PLAIN]


def _either(svg: bytes) -> None:
    with contextlib.suppress(BakeError):
        unbake_svg(svg)
    with contextlib.suppress(BakeError):
        bake_svg(svg, JWS)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=1024))
def test_random_bytes(data: bytes) -> None:
    _either(data)
    _either(b"<svg " + data)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(SVG_BYTES),
    st.lists(
        st.tuples(st.integers(min_value=0), st.sampled_from(list(b"<>&;![]-\"'x \x00\xff"))), max_size=6
    ),
    st.integers(min_value=0),
)
def test_random_mutations_of_vectors(svg: bytes, edits: list[tuple[int, int]], cut: int) -> None:
    mutated = bytearray(svg)
    for position, value in edits:
        mutated[position % len(mutated)] = value
    _either(bytes(mutated))
    _either(bytes(mutated[: cut % (len(mutated) + 1)]))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_any_json_string_round_trips(value: str) -> None:
    text = json.dumps({"v": value}, ensure_ascii=False)
    try:
        out = bake_svg(PLAIN, text)
    except BakeError:
        return  # characters XML 1.0 cannot carry (controls, lone surrogates)
    assert unbake_svg(out).text == text.strip(" \t\r\n")
