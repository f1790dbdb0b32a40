"""Baking credentials into PNG images and reading them back.

OB 3.0 "Baked Badge" (https://www.imsglobal.org/spec/ob/v3p0/#png): an ``iTXt`` chunk with
keyword ``openbadgecredential``, compression flag 0 and method 0, empty language tag and
translated keyword; the text is the credential JSON or a compact JWS; the chunk MUST NOT appear
more than once. OB 2.0 (legacy): ``iTXt`` keyword ``openbadges`` (JSON or JWS), and pre-2.0
``tEXt`` keyword ``openbadges`` (URL of a hosted assertion).

The chunk stream is walked here, not through an image library: every chunk other than the
baked one is copied byte for byte, and every length, CRC and limit is checked first, so a
hostile file fails with a ``BakeError`` in time and memory bounded by the input size.

Decisions:

- Baking writes exactly one uncompressed ``iTXt`` just before ``IEND`` and removes any text chunk
  (``tEXt``/``zTXt``/``iTXt``) already keyed ``openbadgecredential``. OB 2.0 ``openbadges`` chunks
  are kept, like every other chunk.
- Reading tolerates, and lists in ``Baked.deviations``, a compressed ``iTXt`` or a ``tEXt``/``zTXt``
  chunk with an Open Badges keyword; anything compressed is inflated with an output cap of
  ``max_text_bytes``, so a decompression bomb is refused. Two chunks with the same Open Badges
  keyword are an error, never a guess.
- The file must be exactly a PNG: signature, ``IHDR`` first, ``IDAT`` present, ``IEND`` last,
  nothing after ``IEND``.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from vcengine.core.bake.baked import OB2_KEYWORD, OB3_KEYWORD, Baked, check_credential_text, classify
from vcengine.errors import BakeError

__all__ = [
    "MAX_CHUNKS",
    "MAX_IMAGE_BYTES",
    "MAX_TEXT_BYTES",
    "PNG_SIGNATURE",
    "Chunk",
    "bake_png",
    "read_chunks",
    "unbake_png",
]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_IMAGE_BYTES = 16 * 1024 * 1024
MAX_TEXT_BYTES = 1024 * 1024
MAX_CHUNKS = 8192

_TEXT_TYPES = frozenset({b"tEXt", b"zTXt", b"iTXt"})
_MAX_CHUNK_LENGTH = 2**31 - 1  # PNG §5.3: a length is at most 2^31 - 1
_MAX_KEYWORD = 79
_LENGTH_AND_TYPE = struct.Struct(">I4s")
_CRC = struct.Struct(">I")


@dataclass(frozen=True, slots=True)
class Chunk:
    """One chunk of a PNG, by offsets into the image: ``start`` is its length field, ``end`` past its CRC."""

    type: bytes
    start: int
    end: int

    @property
    def data_start(self) -> int:
        return self.start + 8

    @property
    def data_end(self) -> int:
        return self.end - 4


def read_chunks(
    image: bytes,
    *,
    max_bytes: int = MAX_IMAGE_BYTES,
    max_chunks: int = MAX_CHUNKS,
    max_text_bytes: int = MAX_TEXT_BYTES,
) -> list[Chunk]:
    """Split a PNG into its chunks, checking signature, lengths, CRCs, order and limits (PNG §5)."""
    if len(image) > max_bytes:
        raise BakeError(f"PNG is {len(image)} bytes; the limit is {max_bytes}")
    if not image.startswith(PNG_SIGNATURE):
        raise BakeError("not a PNG: the 8-byte PNG signature is missing")
    chunks: list[Chunk] = []
    offset = len(PNG_SIGNATURE)
    while offset < len(image):
        if len(chunks) >= max_chunks:
            raise BakeError(f"PNG has more than {max_chunks} chunks")
        chunk = _read_chunk(image, offset, max_text_bytes)
        chunks.append(chunk)
        offset = chunk.end
        if chunk.type == b"IEND":
            break
    _check_order(chunks, trailing=len(image) - offset)
    return chunks


def _read_chunk(image: bytes, offset: int, max_text_bytes: int) -> Chunk:
    if offset + 12 > len(image):
        raise BakeError(f"PNG is truncated: incomplete chunk header at byte {offset}")
    length, chunk_type = _LENGTH_AND_TYPE.unpack_from(image, offset)
    if not chunk_type.isalpha() or not chunk_type.isascii():
        raise BakeError(f"PNG chunk at byte {offset} has an invalid type {chunk_type!r}")
    name = chunk_type.decode("ascii")
    if length > _MAX_CHUNK_LENGTH:
        raise BakeError(f"PNG chunk {name} at byte {offset} declares length {length}, above 2^31-1")
    if chunk_type in _TEXT_TYPES and length > max_text_bytes:
        raise BakeError(f"PNG text chunk {name} is {length} bytes; the limit is {max_text_bytes}")
    end = offset + 12 + length
    if end > len(image):
        raise BakeError(f"PNG is truncated: chunk {name} at byte {offset} runs past the end of the file")
    (crc,) = _CRC.unpack_from(image, end - 4)
    if zlib.crc32(memoryview(image)[offset + 4 : end - 4]) != crc:
        raise BakeError(f"PNG chunk {name} at byte {offset} has a bad CRC")
    return Chunk(chunk_type, offset, end)


def _check_order(chunks: list[Chunk], *, trailing: int) -> None:
    if not chunks or chunks[0].type != b"IHDR" or chunks[0].end - chunks[0].start != 12 + 13:
        raise BakeError("PNG does not start with a 13-byte IHDR chunk")
    if chunks[-1].type != b"IEND":
        raise BakeError("PNG is truncated: no IEND chunk")
    if trailing:
        raise BakeError(f"PNG has {trailing} bytes of trailing data after IEND")
    if any(c.type == b"IHDR" for c in chunks[1:]):
        raise BakeError("PNG has more than one IHDR chunk")
    if not any(c.type == b"IDAT" for c in chunks):
        raise BakeError("PNG has no IDAT chunk")


# --- text chunks (PNG §11.3.4) -----------------------------------------------------------------


def _keyword(image: bytes, chunk: Chunk) -> str | None:
    """The keyword of a text chunk, or None if the chunk is not a text chunk or has no valid keyword."""
    if chunk.type not in _TEXT_TYPES:
        return None
    end = image.find(b"\x00", chunk.data_start, min(chunk.data_end, chunk.data_start + _MAX_KEYWORD + 1))
    if end <= chunk.data_start:
        return None
    return image[chunk.data_start : end].decode("latin-1")


@dataclass(frozen=True, slots=True)
class _Text:
    text: str
    deviations: tuple[str, ...]


def _inflate(data: bytes, limit: int, where: str) -> bytes:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error:
        raise BakeError(f"{where}: compressed text is not a valid zlib stream") from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise BakeError(f"{where}: compressed text inflates beyond {limit} bytes")
    if not inflater.eof:
        raise BakeError(f"{where}: compressed text is truncated")
    return out


def _read_text(image: bytes, chunk: Chunk, keyword: str, limit: int) -> _Text:
    """Decode an Open Badges text chunk; a plain ``tEXt`` is the legacy OB form, not a deviation."""
    name = chunk.type.decode("ascii")
    where = f"PNG {name} chunk {keyword!r}"
    data = image[chunk.data_start + len(keyword) + 1 : chunk.data_end]
    if chunk.type == b"tEXt":
        deviation = ("credential in a tEXt chunk, not iTXt",) if keyword == OB3_KEYWORD else ()
        return _Text(data.decode("latin-1"), deviation)
    if chunk.type == b"zTXt":
        if data[:1] != b"\x00":
            raise BakeError(f"{where}: unknown compression method")
        text = _inflate(data[1:], limit, where).decode("latin-1")
        return _Text(text, ("credential in a compressed zTXt chunk, not an uncompressed iTXt",))
    return _read_itxt(data, limit, where)


def _read_itxt(data: bytes, limit: int, where: str) -> _Text:
    if len(data) < 4:
        raise BakeError(f"{where}: chunk is truncated")
    flag, method = data[0], data[1]
    lang_end = data.find(b"\x00", 2)
    tkey_end = data.find(b"\x00", lang_end + 1) if lang_end >= 0 else -1
    if tkey_end < 0:
        raise BakeError(f"{where}: language tag or translated keyword is not terminated")
    deviations: list[str] = []
    if lang_end > 2 or tkey_end > lang_end + 1:
        deviations.append("iTXt language tag or translated keyword is not empty")
    body = data[tkey_end + 1 :]
    if flag == 1 and method == 0:
        deviations.append("compressed iTXt chunk: compression MUST NOT be used")
        body = _inflate(body, limit, where)
    elif flag != 0 or method != 0:
        raise BakeError(f"{where}: compression flag {flag} / method {method} is not defined")
    try:
        return _Text(body.decode("utf-8"), tuple(deviations))
    except UnicodeDecodeError as exc:
        raise BakeError(f"{where}: text is not valid UTF-8 (byte {exc.start})") from None


# --- bake / unbake -----------------------------------------------------------------------------


def _itxt_chunk(keyword: str, text: str) -> bytes:
    data = keyword.encode("latin-1") + b"\x00\x00\x00\x00\x00" + text.encode("utf-8")
    body = b"iTXt" + data
    return _CRC.pack(len(data)) + body + _CRC.pack(zlib.crc32(body))


def bake_png(
    image: bytes,
    credential: str,
    *,
    max_bytes: int = MAX_IMAGE_BYTES,
    max_chunks: int = MAX_CHUNKS,
    max_text_bytes: int = MAX_TEXT_BYTES,
) -> bytes:
    """Bake ``credential`` (credential JSON or a compact JWS) into a PNG as OB 3.0 prescribes.

    Returns a new PNG: every chunk of ``image`` byte for byte, minus any earlier
    ``openbadgecredential`` chunk, plus one uncompressed ``iTXt`` ``openbadgecredential`` before ``IEND``.
    """
    check_credential_text(credential, max_bytes=max_text_bytes)
    chunks = read_chunks(image, max_bytes=max_bytes, max_chunks=max_chunks, max_text_bytes=max_text_bytes)
    parts = [image[: len(PNG_SIGNATURE)]]
    for chunk in chunks:
        if _keyword(image, chunk) == OB3_KEYWORD:
            continue
        if chunk.type == b"IEND":
            parts.append(_itxt_chunk(OB3_KEYWORD, credential))
        parts.append(image[chunk.start : chunk.end])
    return b"".join(parts)


def unbake_png(
    image: bytes,
    *,
    max_bytes: int = MAX_IMAGE_BYTES,
    max_chunks: int = MAX_CHUNKS,
    max_text_bytes: int = MAX_TEXT_BYTES,
) -> Baked:
    """Read the credential baked into a PNG: OB 3.0 first, then OB 2.0 ``iTXt``, then legacy ``tEXt``."""
    chunks = read_chunks(image, max_bytes=max_bytes, max_chunks=max_chunks, max_text_bytes=max_text_bytes)
    found: dict[str, list[Chunk]] = {OB3_KEYWORD: [], OB2_KEYWORD: []}
    for chunk in chunks:
        keyword = _keyword(image, chunk)
        if keyword in found:
            found[keyword].append(chunk)
    for keyword, ob3 in ((OB3_KEYWORD, True), (OB2_KEYWORD, False)):
        candidates = found[keyword]
        if len(candidates) > 1:
            raise BakeError(
                f"PNG has {len(candidates)} {keyword!r} text chunks; it MUST NOT appear more than once"
            )
        if candidates:
            read = _read_text(image, candidates[0], keyword, max_text_bytes)
            return Baked(classify(read.text, ob3=ob3), read.text, "image/png", read.deviations)
    raise BakeError("PNG carries no baked credential (no 'openbadgecredential' or 'openbadges' text chunk)")
