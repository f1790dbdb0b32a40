"""Bake and unbake a ~50 KB PNG (and an SVG); print milliseconds per operation. Target: <= 5 ms each.

Run: ``.venv/bin/python benchmarks/bench_bake.py``
"""

from __future__ import annotations

import io
import json
import os
import timeit
from pathlib import Path

from PIL import Image

from vcengine.core.bake import bake_png, bake_svg, unbake_png, unbake_svg

VECTORS = Path(__file__).parents[1] / "conformance" / "vectors" / "1edtech-validator" / "ob30"
CREDENTIAL = json.loads(unbake_png((VECTORS / "simple-json.png").read_bytes()).text)


def noisy_png(target: int = 50_000) -> bytes:
    """A PNG of about ``target`` bytes (random pixels do not compress)."""
    side = int((target / 3) ** 0.5)
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def report(name: str, operation: object, number: int = 500) -> None:
    seconds = min(timeit.repeat(operation, number=number, repeat=5))  # type: ignore[arg-type]
    print(f"{name:<34} {seconds / number * 1000:7.3f} ms")


def main() -> None:
    png = noisy_png()
    text = json.dumps(CREDENTIAL)
    baked_png = bake_png(png, text)
    svg = (VECTORS / "simple-json.svg").read_bytes()
    baked_svg = bake_svg(svg, text)
    print(f"PNG {len(png)} bytes, credential {len(text)} bytes, SVG {len(svg)} bytes")
    report("bake_png   (~50 KB PNG)", lambda: bake_png(png, text))
    report("unbake_png (~50 KB PNG)", lambda: unbake_png(baked_png))
    report("bake_svg   (1EdTech sample)", lambda: bake_svg(svg, text))
    report("unbake_svg (1EdTech sample)", lambda: unbake_svg(baked_svg))


if __name__ == "__main__":
    main()
