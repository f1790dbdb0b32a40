"""A plain, legible badge image for issuers without a designer, as SVG or PNG.

A round medallion: an outer ring in the secondary colour, a disc in the primary colour, an emblem
(the issuer's logo, or a star) at the top, the achievement name in the middle (at most three
lines, the type shrinking to fit) and the issuer's name on a ribbon. Sizes are chosen to stay
readable where badges are shown small (LinkedIn shows 100-200 px).

Both formats share one layout, measured with the font bundled in Pillow (Aileron, loaded by
``ImageFont.load_default(size)``, Pillow >= 10.1) so no system font is needed; the SVG names
Aileron first and falls back to Helvetica/Arial, whose widths are close. Latin text only renders
in the PNG (Aileron has no CJK glyphs); the SVG leaves glyph choice to the viewer.
"""

from __future__ import annotations

import base64
import io
import math
import re
import struct
from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import escape, quoteattr

from PIL import Image, ImageDraw, ImageFont

from vcengine.core.bake.png import read_chunks
from vcengine.errors import BakeError

__all__ = ["render_badge_png", "render_badge_svg"]

CANVAS = 600  # the layout's units; the PNG scales them to ``size``
MAX_LOGO_BYTES = 2 * 1024 * 1024
MAX_LOGO_SIDE = 4096
MAX_NAME_CHARS = 300

_CENTER = CANVAS / 2
_RING, _DISC, _INNER_LINE = 294, 270, 254
_EMBLEM_Y, _EMBLEM_R, _LOGO_BOX = 152, 70, 100
_TITLE_CENTER_Y, _TITLE_WIDTH, _TITLE_HEIGHT = 318, 400, 156
_TITLE_SIZES = range(70, 38, -2)
_LINE_PITCH = 1.12
_RIBBON_TOP, _RIBBON_BOTTOM, _RIBBON_LEFT, _RIBBON_RIGHT, _RIBBON_NOTCH = 412, 478, 66, 534, 22
_ISSUER_WIDTH = 380
_ISSUER_SIZES = range(32, 21, -1)
_WIDTH_MARGIN = 1.08  # bold sans-serif in the SVG viewer is a little wider than Aileron Regular
_FONT_FAMILY = "Aileron, 'Helvetica Neue', Helvetica, Arial, sans-serif"
_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


# --- text layout -------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size)


def _width(text: str, size: int) -> float:
    return _font(size).getlength(text) * _WIDTH_MARGIN


def _clean(name: str, what: str) -> str:
    text = " ".join(_CONTROL.sub(" ", name).split())[:MAX_NAME_CHARS]
    if not text:
        raise BakeError(f"{what} is empty")
    return text


def _ellipsize(text: str, size: int, width: float) -> str:
    if _width(text, size) <= width:
        return text
    while text and _width(text.rstrip() + "…", size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _wrap(words: list[str], size: int, width: float) -> list[str]:
    """Greedy line breaking; a word wider than a line is broken between characters."""
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if _width(candidate, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        for char in word:
            if current and _width(current + char, size) > width:
                lines.append(current)
                current = ""
            current += char
    return [*lines, current] if current else lines


def _fit_title(name: str) -> tuple[list[str], int]:
    words = name.split()
    for size in _TITLE_SIZES:
        lines = _wrap(words, size, _TITLE_WIDTH)
        fits_height = len(lines) * size * _LINE_PITCH <= _TITLE_HEIGHT
        if (
            len(lines) <= 3
            and fits_height
            and all(len(w) == 1 or _width(w, size) <= _TITLE_WIDTH for w in words)
        ):
            return lines, size
    size = _TITLE_SIZES[-1]
    lines = _wrap(words, size, _TITLE_WIDTH)
    if len(lines) > 3:
        lines = [*lines[:2], _ellipsize(" ".join(lines[2:]), size, _TITLE_WIDTH)]
    return lines, size


def _fit_issuer(name: str) -> tuple[str, int]:
    for size in _ISSUER_SIZES:
        if _width(name, size) <= _ISSUER_WIDTH:
            return name, size
    size = _ISSUER_SIZES[-1]
    return _ellipsize(name, size, _ISSUER_WIDTH), size


# --- colours and shapes ------------------------------------------------------------------------


def _rgb(color: str, what: str) -> tuple[int, int, int]:
    if not isinstance(color, str) or not _COLOR.fullmatch(color):
        raise BakeError(f"{what} colour must be #rgb or #rrggbb, not {color!r}")
    digits = color[1:] if len(color) == 7 else "".join(c * 2 for c in color[1:])
    red, green, blue = struct.unpack("BBB", bytes.fromhex(digits))
    return red, green, blue


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _shade(rgb: tuple[int, int, int], factor: float) -> tuple[int, int, int]:
    red, green, blue = (max(0, min(255, round(c * factor))) for c in rgb)
    return red, green, blue


def _text_on(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """White or near-black, whichever contrasts more with ``rgb`` (WCAG relative luminance)."""
    channels = [c / 255 for c in rgb]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    dark = 0.0103  # luminance of (26, 26, 26)
    return (
        (255, 255, 255) if 1.05 / (luminance + 0.05) >= (luminance + 0.05) / (dark + 0.05) else (26, 26, 26)
    )


def _star(cx: float, cy: float, outer: float, inner: float) -> list[tuple[float, float]]:
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


def _ribbon() -> list[tuple[float, float]]:
    mid = (_RIBBON_TOP + _RIBBON_BOTTOM) / 2
    return [
        (_RIBBON_LEFT, _RIBBON_TOP),
        (_RIBBON_RIGHT, _RIBBON_TOP),
        (_RIBBON_RIGHT - _RIBBON_NOTCH, mid),
        (_RIBBON_RIGHT, _RIBBON_BOTTOM),
        (_RIBBON_LEFT, _RIBBON_BOTTOM),
        (_RIBBON_LEFT + _RIBBON_NOTCH, mid),
    ]


@dataclass(frozen=True, slots=True)
class _Design:
    title: list[str]
    title_size: int
    issuer: str
    issuer_size: int
    primary: tuple[int, int, int]
    secondary: tuple[int, int, int]
    logo: Image.Image | None

    @property
    def title_ys(self) -> list[float]:
        pitch = self.title_size * _LINE_PITCH
        first = _TITLE_CENTER_Y - pitch * (len(self.title) - 1) / 2
        return [first + i * pitch for i in range(len(self.title))]


def _load_logo(logo_png: bytes) -> Image.Image:
    chunks = read_chunks(logo_png, max_bytes=MAX_LOGO_BYTES)
    width, height = struct.unpack_from(">II", logo_png, chunks[0].data_start)
    if not (0 < width <= MAX_LOGO_SIDE and 0 < height <= MAX_LOGO_SIDE):
        raise BakeError(f"logo is {width}x{height} pixels; the limit is {MAX_LOGO_SIDE} on each side")
    try:
        with Image.open(io.BytesIO(logo_png), formats=["PNG"]) as image:
            return image.convert("RGBA")
    except (OSError, ValueError, SyntaxError) as exc:
        raise BakeError(f"logo is not a readable PNG: {exc}") from None


def _design(
    achievement_name: str, issuer_name: str, primary: str, secondary: str, logo_png: bytes | None
) -> _Design:
    title, title_size = _fit_title(_clean(achievement_name, "achievement name"))
    issuer, issuer_size = _fit_issuer(_clean(issuer_name, "issuer name"))
    logo = None if logo_png is None else _load_logo(logo_png)
    return _Design(
        title, title_size, issuer, issuer_size, _rgb(primary, "primary"), _rgb(secondary, "secondary"), logo
    )


# --- SVG ---------------------------------------------------------------------------------------


def _points(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def _svg_emblem(design: _Design, logo_png: bytes | None) -> str:
    if logo_png is None:
        star = _points(_star(_CENTER, _EMBLEM_Y, 58, 24))
        return f'  <polygon points="{star}" fill="{_hex(design.secondary)}"/>\n'
    uri = "data:image/png;base64," + base64.b64encode(logo_png).decode("ascii")
    box = _LOGO_BOX
    return (
        f'  <circle cx="{_CENTER:g}" cy="{_EMBLEM_Y}" r="{_EMBLEM_R}" fill="#ffffff"/>\n'
        f'  <image x="{_CENTER - box / 2:g}" y="{_EMBLEM_Y - box / 2:g}" width="{box}" height="{box}" '
        f'preserveAspectRatio="xMidYMid meet" href={quoteattr(uri)} xlink:href={quoteattr(uri)}/>\n'
    )


def render_badge_svg(
    achievement_name: str,
    issuer_name: str,
    *,
    primary: str = "#1f4e79",
    secondary: str = "#c9a43b",
    logo_png: bytes | None = None,
) -> bytes:
    """Draw a round badge as SVG (UTF-8 bytes) naming the achievement and its issuer."""
    design = _design(achievement_name, issuer_name, primary, secondary, logo_png)
    title_fill, ribbon_fill = _hex(_text_on(design.primary)), _hex(_text_on(design.secondary))
    title = "".join(
        f'    <text x="{_CENTER:g}" y="{y:.1f}">{escape(line)}</text>\n'
        for line, y in zip(design.title, design.title_ys, strict=True)
    )
    ribbon_y = (_RIBBON_TOP + _RIBBON_BOTTOM) / 2
    svg = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'viewBox="0 0 {CANVAS} {CANVAS}" width="{CANVAS}" height="{CANVAS}" role="img" '
        f"aria-label={quoteattr(f'{design.issuer}: ' + ' '.join(design.title))}>\n"
        f'  <circle cx="{_CENTER:g}" cy="{_CENTER:g}" r="{_RING}" fill="{_hex(design.secondary)}"/>\n'
        f'  <circle cx="{_CENTER:g}" cy="{_CENTER:g}" r="{_DISC}" fill="{_hex(design.primary)}"/>\n'
        f'  <circle cx="{_CENTER:g}" cy="{_CENTER:g}" r="{_INNER_LINE}" fill="none" '
        f'stroke="{title_fill}" stroke-opacity="0.35" stroke-width="3"/>\n'
        + _svg_emblem(design, logo_png)
        + f'  <g font-family="{_FONT_FAMILY}" font-weight="700" font-size="{design.title_size}" '
        f'fill="{title_fill}" text-anchor="middle" dominant-baseline="central">\n' + title + "  </g>\n"
        f'  <polygon points="{_points(_ribbon())}" fill="{_hex(design.secondary)}" '
        f'stroke="{_hex(_shade(design.secondary, 0.8))}" stroke-width="2"/>\n'
        f'  <text x="{_CENTER:g}" y="{ribbon_y:g}" font-family="{_FONT_FAMILY}" font-weight="600" '
        f'font-size="{design.issuer_size}" fill="{ribbon_fill}" text-anchor="middle" '
        f'dominant-baseline="central">{escape(design.issuer)}</text>\n'
        "</svg>\n"
    )
    return svg.encode("utf-8")


# --- PNG ---------------------------------------------------------------------------------------

_SUPERSAMPLE = 3


def _draw(design: _Design, scale: float) -> Image.Image:
    side = round(CANVAS * scale)
    image = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)

    def circle(radius: float, cy: float = _CENTER) -> list[float]:
        return [
            (_CENTER - radius) * scale,
            (cy - radius) * scale,
            (_CENTER + radius) * scale,
            (cy + radius) * scale,
        ]

    def scaled(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
        return [(x * scale, y * scale) for x, y in points]

    title_fill, ribbon_fill = _text_on(design.primary), _text_on(design.secondary)
    draw.ellipse(circle(_RING), fill=design.secondary)
    draw.ellipse(circle(_DISC), fill=design.primary)
    draw.ellipse(circle(_INNER_LINE), outline=(*title_fill, 90), width=max(1, round(3 * scale)))
    if design.logo is None:
        draw.polygon(scaled(_star(_CENTER, _EMBLEM_Y, 58, 24)), fill=design.secondary)
    else:
        draw.ellipse(circle(_EMBLEM_R, _EMBLEM_Y), fill=(255, 255, 255))
        logo = design.logo.copy()
        logo.thumbnail((round(_LOGO_BOX * scale), round(_LOGO_BOX * scale)), Image.Resampling.LANCZOS)
        image.alpha_composite(
            logo, (round(_CENTER * scale - logo.width / 2), round(_EMBLEM_Y * scale - logo.height / 2))
        )
    title_font = _font(round(design.title_size * scale))
    bold = max(1, round(design.title_size * scale / 28))
    for line, y in zip(design.title, design.title_ys, strict=True):
        draw.text(
            (_CENTER * scale, y * scale),
            line,
            font=title_font,
            fill=title_fill,
            anchor="mm",
            stroke_width=bold,
            stroke_fill=title_fill,
        )
    draw.polygon(
        scaled(_ribbon()),
        fill=design.secondary,
        outline=_shade(design.secondary, 0.8),
        width=round(2 * scale),
    )
    ribbon_y = (_RIBBON_TOP + _RIBBON_BOTTOM) / 2 * scale
    issuer_font = _font(round(design.issuer_size * scale))
    draw.text(
        (_CENTER * scale, ribbon_y),
        design.issuer,
        font=issuer_font,
        fill=ribbon_fill,
        anchor="mm",
        stroke_width=max(1, round(design.issuer_size * scale / 40)),
        stroke_fill=ribbon_fill,
    )
    return image


def render_badge_png(
    achievement_name: str,
    issuer_name: str,
    *,
    primary: str = "#1f4e79",
    secondary: str = "#c9a43b",
    logo_png: bytes | None = None,
    size: int = 600,
) -> bytes:
    """Draw a round badge as a ``size`` x ``size`` RGBA PNG, ready to be baked."""
    if not isinstance(size, int) or not 64 <= size <= 2048:
        raise BakeError(f"badge size must be an integer from 64 to 2048 pixels, not {size!r}")
    design = _design(achievement_name, issuer_name, primary, secondary, logo_png)
    large = _draw(design, size * _SUPERSAMPLE / CANVAS)
    out = io.BytesIO()
    large.resize((size, size), Image.Resampling.LANCZOS).save(out, "PNG", optimize=True)
    return out.getvalue()
