"""Bake and unbake a ~50 KB PNG (and an SVG): milliseconds per operation, medians over
interleaved rounds (``_harness``). Target: <= 5 ms each.

Run: ``.venv/bin/python -m benchmarks.bench_bake [--quick]``
"""

from __future__ import annotations

import argparse
import io
import json
import os
from pathlib import Path

from PIL import Image

from benchmarks._harness import Load, Result, interleaved
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


NAME = "bake"


def run(quick: bool = False) -> list[Result]:
    png = noisy_png()
    text = json.dumps(CREDENTIAL)
    baked_png = bake_png(png, text)
    svg = (VECTORS / "simple-json.svg").read_bytes()
    baked_svg = bake_svg(svg, text)
    print(f"PNG {len(png)} bytes, credential {len(text)} bytes, SVG {len(svg)} bytes")
    with Load() as load:
        timings = interleaved(
            {
                "bake_png (~50 KB PNG)": lambda: bake_png(png, text),
                "unbake_png (~50 KB PNG)": lambda: unbake_png(baked_png),
                "bake_svg (1EdTech sample)": lambda: bake_svg(svg, text),
                "unbake_svg (1EdTech sample)": lambda: unbake_svg(baked_svg),
            },
            rounds=5 if quick else 15,
            seconds=1.0 if quick else 4.0,
        )
    results = [Result.at_most(NAME, name, ms, "ms", 5) for name, ms in timings.items()]
    for result in results:
        print(result.line())
    print(load.line())
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer rounds (smoke run)")
    run(parser.parse_args().quick)


if __name__ == "__main__":
    main()
