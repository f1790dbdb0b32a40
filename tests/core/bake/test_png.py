"""PNG baking: the 1EdTech vectors, round trips, byte-exact chunks, and hostile files."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import json
import struct
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from vcengine.core.bake.png import PNG_SIGNATURE, bake_png, read_chunks, unbake_png
from vcengine.errors import BakeError

VECTORS = Path(__file__).parents[3] / "conformance" / "vectors" / "1edtech-validator"
EXPECTED = json.loads((VECTORS / "baked-images-expected-extraction.json").read_text())
PNG_VECTORS = {
    "simple-json.png": ("ob30/simple-json.png", "ob3-json"),
    "simple-jwt.png": ("ob30/simple-jwt.png", "ob3-jwt"),
    "simple-jwt_v1.png": ("ob30/simple-jwt_v1.png", "ob3-jwt"),
    "ob20/simple-badge.png": ("ob20/simple-badge.png", "ob2-json"),
}
SIMPLE_JSON = (VECTORS / "ob30/simple-json.png").read_bytes()
JWS = "eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJkaWQ6ZXhhbXBsZTppc3N1ZXIifQ.c2lnbmF0dXJl"
CREDENTIAL = json.dumps({"type": ["VerifiableCredential", "OpenBadgeCredential"], "name": "Zürich — 徽章 🎓"})


def chunk(chunk_type: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + chunk_type + data + struct.pack(">I", zlib.crc32(chunk_type + data))


def tiny_png(*extra: bytes, before_idat: bytes = b"") -> bytes:
    """A valid 1x1 PNG with ``extra`` chunks before IEND."""
    ihdr = chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    idat = chunk(b"IDAT", zlib.compress(b"\x00\x00"))
    return PNG_SIGNATURE + ihdr + before_idat + idat + b"".join(extra) + chunk(b"IEND", b"")


def itxt(keyword: str, text: bytes, *, flag: int = 0, lang: bytes = b"", tkey: bytes = b"") -> bytes:
    body = zlib.compress(text) if flag else text
    data = keyword.encode("latin-1") + b"\x00" + bytes([flag, 0]) + lang + b"\x00" + tkey + b"\x00" + body
    return chunk(b"iTXt", data)


def raw_chunks(png: bytes) -> list[bytes]:
    return [png[c.start : c.end] for c in read_chunks(png)]


# --- the 1EdTech vectors ----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PNG_VECTORS))
def test_vector_unbakes_to_expected_text(name: str) -> None:
    path, expected_format = PNG_VECTORS[name]
    expected = EXPECTED[name]
    baked = unbake_png((VECTORS / path).read_bytes())
    assert baked.format == expected_format
    assert baked.media_type == "image/png"
    assert baked.deviations == ()
    if "text" in expected:
        assert baked.text == expected["text"]
    else:
        assert hashlib.sha256(baked.text.encode()).hexdigest() == expected["text_sha256"]
    if expected_format.endswith("-json"):
        assert json.loads(baked.text) == expected.get("credential", json.loads(expected.get("text", "null")))
    else:
        header, payload, _ = baked.text.split(".")
        assert json.loads(base64.urlsafe_b64decode(header + "==")) == expected["jose_header"]
        assert json.loads(base64.urlsafe_b64decode(payload + "==")) == expected["jwt_payload"]


# --- bake -> unbake ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "fmt"), [(CREDENTIAL, "ob3-json"), (JWS, "ob3-jwt")])
@pytest.mark.parametrize("image", [SIMPLE_JSON, tiny_png()], ids=["vector", "tiny"])
def test_round_trip(image: bytes, text: str, fmt: str) -> None:
    baked = unbake_png(bake_png(image, text))
    assert (baked.format, baked.text, baked.deviations) == (fmt, text, ())


def test_writes_one_uncompressed_itxt_just_before_iend() -> None:
    out = bake_png(tiny_png(), CREDENTIAL)
    chunks = raw_chunks(out)
    assert chunks[-1] == chunk(b"IEND", b"")
    expected = b"openbadgecredential\x00\x00\x00\x00\x00" + CREDENTIAL.encode()
    assert chunks[-2] == chunk(b"iTXt", expected)


def test_other_chunks_survive_byte_for_byte() -> None:
    out = bake_png(SIMPLE_JSON, JWS)
    before = [c for c in raw_chunks(SIMPLE_JSON) if b"openbadgecredential" not in c[:40]]
    after = [c for c in raw_chunks(out) if b"openbadgecredential" not in c[:40]]
    assert before == after
    assert len(raw_chunks(out)) == len(raw_chunks(SIMPLE_JSON))


def test_rebaking_replaces_never_duplicates() -> None:
    once = bake_png(tiny_png(), CREDENTIAL)
    twice = bake_png(once, JWS)
    assert twice.count(b"openbadgecredential") == 1
    assert unbake_png(twice).text == JWS
    assert bake_png(twice, CREDENTIAL) == once


def test_baked_png_still_opens_in_pillow_with_same_pixels() -> None:
    out = bake_png(SIMPLE_JSON, CREDENTIAL)
    with Image.open(io.BytesIO(SIMPLE_JSON)) as original, Image.open(io.BytesIO(out)) as baked:
        baked.load()
        assert baked.tobytes() == original.tobytes()
        assert baked.text["openbadgecredential"] == CREDENTIAL


def test_ob2_chunks_are_kept_and_ob3_wins() -> None:
    image = tiny_png(itxt("openbadges", b'{"type": "Assertion"}'))
    out = bake_png(image, JWS)
    assert itxt("openbadges", b'{"type": "Assertion"}') in out
    assert unbake_png(out).format == "ob3-jwt"


# --- OB 2.0 and tolerated deviations ----------------------------------------------------------


def test_legacy_text_url() -> None:
    image = tiny_png(chunk(b"tEXt", b"openbadges\x00https://example.org/assertion.json"))
    baked = unbake_png(image)
    assert (baked.format, baked.text, baked.deviations) == (
        "ob2-url",
        "https://example.org/assertion.json",
        (),
    )


def test_ob2_itxt_jws() -> None:
    assert unbake_png(tiny_png(itxt("openbadges", JWS.encode()))).format == "ob2-jwt"


def test_chunk_before_idat_is_found() -> None:
    assert unbake_png(tiny_png(before_idat=itxt("openbadgecredential", JWS.encode()))).text == JWS


def test_compressed_itxt_is_tolerated_and_reported() -> None:
    baked = unbake_png(tiny_png(itxt("openbadgecredential", CREDENTIAL.encode(), flag=1)))
    assert baked.text == CREDENTIAL
    assert any("compression MUST NOT" in d for d in baked.deviations)


def test_text_chunk_and_language_tag_are_reported() -> None:
    baked = unbake_png(tiny_png(chunk(b"tEXt", b"openbadgecredential\x00" + JWS.encode())))
    assert baked.text == JWS and baked.deviations
    baked = unbake_png(tiny_png(itxt("openbadgecredential", JWS.encode(), lang=b"en")))
    assert baked.text == JWS and baked.deviations


def test_ztxt_is_inflated() -> None:
    data = b"openbadges\x00\x00" + zlib.compress(b"https://example.org/a")
    assert unbake_png(tiny_png(chunk(b"zTXt", data))).format == "ob2-url"


# --- refused ----------------------------------------------------------------------------------


def test_duplicate_credential_chunks_are_an_error() -> None:
    image = tiny_png(itxt("openbadgecredential", JWS.encode()), itxt("openbadgecredential", JWS.encode()))
    with pytest.raises(BakeError, match="MUST NOT appear more than once"):
        unbake_png(image)


def test_no_credential() -> None:
    with pytest.raises(BakeError, match="no baked credential"):
        unbake_png(tiny_png(chunk(b"tEXt", b"Comment\x00hello")))


@pytest.mark.parametrize(
    ("text", "message"),
    [("hello", "not JSON or a compact JWS"), ("https://example.org/a", "not JSON"), ("{\x00}", "NUL")],
)
def test_bake_refuses_text_that_is_not_a_credential(text: str, message: str) -> None:
    with pytest.raises(BakeError, match=message):
        bake_png(tiny_png(), text)


def test_bake_refuses_lone_surrogates_and_oversized_text() -> None:
    with pytest.raises(BakeError, match="surrogate"):
        bake_png(tiny_png(), '{"a": "\ud800"}')
    with pytest.raises(BakeError, match="limit"):
        bake_png(tiny_png(), '{"a": "' + "x" * 2000 + '"}', max_text_bytes=1000)


@pytest.mark.parametrize("flag", [1])
def test_decompression_bomb_is_refused_quickly(flag: int) -> None:
    bomb = itxt("openbadgecredential", b"{" + b" " * (64 * 1024 * 1024), flag=flag)
    assert len(bomb) < 100_000
    # bounded by construction: inflation stops at the limit
    with pytest.raises(BakeError, match="inflates beyond"):
        unbake_png(tiny_png(bomb))


def test_ztxt_bomb_is_refused() -> None:
    data = b"openbadges\x00\x00" + zlib.compress(b"h" * (16 * 1024 * 1024))
    with pytest.raises(BakeError, match="inflates beyond"):
        unbake_png(tiny_png(chunk(b"zTXt", data)))


@pytest.mark.parametrize(
    "body",
    [b"\x78\x9c\x01\x02", b"not zlib at all", zlib.compress(b"{}")[:-3]],
    ids=["truncated-block", "garbage", "truncated-stream"],
)
def test_broken_compressed_text_is_refused(body: bytes) -> None:
    data = b"openbadgecredential\x00\x01\x00\x00\x00" + body
    with pytest.raises(BakeError):
        unbake_png(tiny_png(chunk(b"iTXt", data)))


def test_huge_text_chunk_is_refused() -> None:
    image = tiny_png(itxt("Comment", b"x" * 2048))
    with pytest.raises(BakeError, match="text chunk iTXt is"):
        unbake_png(image, max_text_bytes=1024)


def test_very_many_chunks_are_refused() -> None:
    image = tiny_png(*[chunk(b"tEXt", b"k\x00v")] * 10_000)
    with pytest.raises(BakeError, match="more than 8192 chunks"):
        unbake_png(image)


def test_input_size_limit() -> None:
    with pytest.raises(BakeError, match="limit is 100"):
        unbake_png(SIMPLE_JSON, max_bytes=100)


def test_every_truncation_is_refused() -> None:
    image = tiny_png(itxt("openbadgecredential", JWS.encode()))
    for length in range(len(image)):
        with pytest.raises(BakeError):
            unbake_png(image[:length])


@pytest.mark.parametrize(
    ("image", "message"),
    [
        (b"GIF89a" + b"\x00" * 20, "signature"),
        (SIMPLE_JSON[:-5] + bytes([SIMPLE_JSON[-5] ^ 1]) + SIMPLE_JSON[-4:], "bad CRC"),
        (SIMPLE_JSON + b"garbage", "trailing data"),
        (PNG_SIGNATURE + chunk(b"IDAT", b"") + chunk(b"IEND", b""), "IHDR"),
        (tiny_png()[:-12], "no IEND"),
        (tiny_png()[:33] + chunk(b"IEND", b""), "no IDAT"),
        (tiny_png()[:8] + b"\x80\x00\x00\x00IDAT" + b"\x00" * 4, r"above 2\^31-1"),
        (tiny_png()[:8] + b"\x00\x00\x00\x00ID\x01T" + b"\x00" * 4, "invalid type"),
        (tiny_png(tiny_png()[8:33]), "more than one IHDR"),
    ],
    ids=["not-png", "bad-crc", "trailing", "no-ihdr", "no-iend", "no-idat", "length", "type", "two-ihdr"],
)
def test_malformed_png_is_refused(image: bytes, message: str) -> None:
    with pytest.raises(BakeError, match=message):
        unbake_png(image)
    with pytest.raises(BakeError, match=message):
        bake_png(image, JWS)


@pytest.mark.parametrize(
    "data",
    [
        b"openbadgecredential\x00\x00\x00",
        b"openbadgecredential\x00\x02\x00\x00\x00{}",
        b"openbadges\x00\x00\x00\x00\x00\xff",
    ],
    ids=["truncated", "bad-flag", "bad-utf8"],
)
def test_malformed_itxt_is_refused(data: bytes) -> None:
    with pytest.raises(BakeError, match="PNG iTXt chunk"):
        unbake_png(tiny_png(chunk(b"iTXt", data)))


# --- fuzzing: only BakeError, or success ------------------------------------------------------

VECTOR_BYTES = [(VECTORS / path).read_bytes() for path, _ in PNG_VECTORS.values()] + [tiny_png()]


def _either(image: bytes) -> None:
    with contextlib.suppress(BakeError):
        unbake_png(image)
    with contextlib.suppress(BakeError):
        bake_png(image, JWS)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2048))
def test_random_bytes(data: bytes) -> None:
    _either(data)
    _either(PNG_SIGNATURE + data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(VECTOR_BYTES),
    st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), min_size=1, max_size=8),
    st.integers(min_value=0),
)
def test_random_mutations_of_vectors(image: bytes, edits: list[tuple[int, int]], cut: int) -> None:
    mutated = bytearray(image)
    for position, value in edits:
        mutated[position % len(mutated)] = value
    _either(bytes(mutated))
    _either(bytes(mutated[: cut % (len(mutated) + 1)]))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(VECTOR_BYTES), st.integers(min_value=0), st.binary(min_size=0, max_size=64))
def test_mutated_chunk_data_with_valid_crc(image: bytes, which: int, replacement: bytes) -> None:
    """Mutations that keep every CRC valid reach the text-chunk parser itself."""
    chunks = raw_chunks(image)
    index = which % len(chunks)
    kind, data = chunks[index][4:8], chunks[index][8:-4]
    start = which % (len(data) + 1)
    chunks[index] = chunk(kind, data[:start] + replacement + data[start + len(replacement) :])
    _either(PNG_SIGNATURE + b"".join(chunks))
