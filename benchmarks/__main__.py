"""Run every benchmark and write this machine's results to ``benchmarks/RESULTS.md``.

    .venv/bin/python -m benchmarks [--quick] [--skip-service] [--out PATH]

Library benchmarks run in this process (each ratio end to end, candidate and baseline
interleaved, medians over all rounds: ``_harness``); the service benchmarks start real servers
and a load client in other processes, and their own report is kept verbatim. Every section
says how loaded the machine was while it ran.
"""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks._harness import Load, Result, machine

LIBRARY = (
    "bench_proofs",
    "bench_canonicalize",
    "bench_status",
    "bench_bake",
    "bench_jsontext",
    "bench_analytics",
    "bench_webhooks",
)
# (script, arguments for a quick run, arguments for a full run)
SERVICE = (
    ("load_service", ["--sequential", "100", "--concurrent", "100", "--bulk", "1000", "--verify", "100"], []),
    ("bench_status_service", ["--skip-mongo"], ["--skip-mongo"]),
    ("bench_startup", ["--rounds", "5"], []),
    ("bench_delivery", ["--count", "100"], []),
    ("bench_lms_service", ["--events", "500", "--delay", "20"], []),
    ("bench_lms_service", ["--events", "500", "--delay", "20"], []),
)
HERE = Path(__file__).parent


def _table(results: list[Result]) -> list[str]:
    lines = ["| benchmark | measure | value | target | met |", "| --- | --- | ---: | --- | --- |"]
    for r in results:
        met = "" if r.met is None else ("yes" if r.met else "**no**")
        lines.append(f"| {r.benchmark} | {r.name} | {r.value:.3f} {r.unit} | {r.target} | {met} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer rounds and smaller loads (a smoke run)")
    parser.add_argument("--skip-service", action="store_true", help="only the library benchmarks")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md", help="where to write the table")
    args = parser.parse_args()
    started = time.perf_counter()
    results: list[Result] = []
    load_lines: list[str] = []
    for name in LIBRARY:
        print(f"== {name}", flush=True)
        module = importlib.import_module(f"benchmarks.{name}")
        with Load() as load:
            results += module.run(args.quick)
        load_lines.append(f"- {name}: {load.line()}")
    service_reports: list[tuple[str, str]] = []
    if not args.skip_service:
        for name, quick_args, full_args in SERVICE:
            print(f"== {name}", flush=True)
            command = [sys.executable, "-m", f"benchmarks.{name}", *(quick_args if args.quick else full_args)]
            done = subprocess.run(command, capture_output=True, text=True, cwd=HERE.parent, timeout=3600)
            output = done.stdout
            if done.returncode:
                output += f"\n(exit status {done.returncode})\n{done.stderr[-2000:]}"
            print(output)
            service_reports.append((" ".join(command[2:]), output.strip()))
    lines = [
        "# Benchmark results",
        "",
        f"Written by `python -m benchmarks{' --quick' if args.quick else ''}` on "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, in {time.perf_counter() - started:.0f} s.",
        "",
        f"Machine: {machine()}.",
        "",
        "Ratios are end to end for the path a user runs, with candidate and baseline interleaved in one",
        "loop and medians over all rounds; each benchmark printed the load it ran under (below the table).",
        "",
        *_table(results),
        "",
        *load_lines,
    ]
    for title, output in service_reports:
        lines += ["", f"## {title}", "", "```", output, "```"]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    missed = [r for r in results if r.met is False]
    print(f"wrote {args.out}: {len(results)} measures, {len(missed)} targets missed")


if __name__ == "__main__":
    main()
