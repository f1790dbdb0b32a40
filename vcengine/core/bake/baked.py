"""What a baked badge image carries: the credential text and the format it was found in.

Open Badges 3.0 bakes either the JSON of a credential with an embedded proof or a compact JWS
(VC-JWT) into an image; Open Badges 2.0 baked the JSON of an assertion, a signed assertion (JWS)
or, in pre-2.0 "legacy" images, the URL of a hosted assertion.

- OB 3.0 "Baked Badge": https://www.imsglobal.org/spec/ob/v3p0/#baking
- OB 2.0 "Baking": https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/baking/index.html
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from vcengine.errors import BakeError

__all__ = [
    "OB2_KEYWORD",
    "OB3_KEYWORD",
    "Baked",
    "BakedFormat",
    "MediaType",
    "check_credential_text",
    "classify",
]

BakedFormat = Literal["ob3-json", "ob3-jwt", "ob2-json", "ob2-jwt", "ob2-url"]
MediaType = Literal["image/png", "image/svg+xml"]

OB3_KEYWORD = "openbadgecredential"
OB2_KEYWORD = "openbadges"

_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*")
_URL = re.compile(r"https?://\S+")
_JSON_WHITESPACE = " \t\r\n"


@dataclass(frozen=True, slots=True)
class Baked:
    """A credential read back from a baked image.

    ``format`` names the spec generation and the kind of text; ``text`` is exactly what was
    baked (for SVG, without the whitespace around a CDATA body). ``deviations`` lists departures
    from the baking rules that were tolerated on read (for example a compressed iTXt chunk);
    it is empty for a conformant image, and a verifier may report each as a warning.
    """

    format: BakedFormat
    text: str
    media_type: MediaType
    deviations: tuple[str, ...] = ()

    @property
    def is_jwt(self) -> bool:
        """True when ``text`` is a compact JWS (VC-JWT or an OB 2.0 signed assertion)."""
        return self.format.endswith("-jwt")


def _kind(text: str) -> Literal["json", "jwt", "url"] | None:
    stripped = text.strip(_JSON_WHITESPACE)
    if stripped.startswith("{"):
        return "json"
    if _COMPACT_JWS.fullmatch(stripped):
        return "jwt"
    if _URL.fullmatch(stripped):
        return "url"
    return None


def classify(text: str, *, ob3: bool) -> BakedFormat:
    """Name the format of baked ``text``: OB 3.0 allows JSON or a compact JWS; OB 2.0 also a URL."""
    kind = _kind(text)
    if ob3 and kind == "json":
        return "ob3-json"
    if ob3 and kind == "jwt":
        return "ob3-jwt"
    if not ob3 and kind == "json":
        return "ob2-json"
    if not ob3 and kind == "jwt":
        return "ob2-jwt"
    if not ob3 and kind == "url":
        return "ob2-url"
    expected = "JSON or a compact JWS" if ob3 else "JSON, a compact JWS or a URL"
    raise BakeError(f"baked text is not {expected}")


def check_credential_text(credential: str, *, max_bytes: int) -> BakedFormat:
    """Check that ``credential`` may be baked as OB 3.0: JSON or a compact JWS, within ``max_bytes``.

    Returns the format it will be read back as.
    """
    try:
        size = len(credential.encode("utf-8"))
    except UnicodeEncodeError:
        raise BakeError("credential text is not valid Unicode (lone surrogate)") from None
    if size > max_bytes:
        raise BakeError(f"credential text is {size} bytes; the limit is {max_bytes}")
    if "\x00" in credential:
        raise BakeError("credential text contains a NUL character")
    return classify(credential, ob3=True)
