"""Baked badge images: a credential embedded in a PNG or SVG, as Open Badges 3.0 defines it.

https://www.imsglobal.org/spec/ob/v3p0/#baking — ``bake`` and ``unbake`` choose PNG or SVG from
the bytes themselves; ``png`` and ``svg`` hold the two formats, ``badge_image`` draws a plain
badge for issuers without a designer.
"""

from __future__ import annotations

from vcengine.core.bake.baked import Baked, BakedFormat
from vcengine.core.bake.png import PNG_SIGNATURE, bake_png, unbake_png
from vcengine.core.bake.svg import bake_svg, unbake_svg
from vcengine.errors import BakeError

__all__ = ["Baked", "BakedFormat", "bake", "bake_png", "bake_svg", "unbake", "unbake_png", "unbake_svg"]

_GZIP_MAGIC = b"\x1f\x8b"
_XML_START = (b"<", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")  # "<", or a UTF-8/UTF-16 byte order mark


def _media_type(image: bytes) -> str:
    if not isinstance(image, bytes | bytearray | memoryview):
        raise BakeError(f"an image must be bytes, not {type(image).__name__}")
    if image.startswith(PNG_SIGNATURE):
        return "png"
    if image.startswith(_GZIP_MAGIC):
        raise BakeError("compressed SVG (.svgz) is not supported; bake the uncompressed SVG")
    if image.lstrip(b" \t\r\n").startswith(_XML_START):
        return "svg"
    raise BakeError("not a PNG or an SVG image")


def bake(image: bytes, credential: str) -> bytes:
    """Bake ``credential`` (credential JSON or a compact JWS) into a PNG or SVG image."""
    if _media_type(image) == "png":
        return bake_png(bytes(image), credential)
    return bake_svg(bytes(image), credential)


def unbake(image: bytes) -> Baked:
    """Read the credential baked into a PNG or SVG image (OB 3.0, else OB 2.0 / legacy)."""
    if _media_type(image) == "png":
        return unbake_png(bytes(image))
    return unbake_svg(bytes(image))
