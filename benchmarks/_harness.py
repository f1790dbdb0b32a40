"""What every benchmark here shares, so each ratio is measured the same honest way.

- ``interleaved``: candidate and baseline run in the same loop, in turns (rotated each round),
  so a burst of load from another process hits both; the figure is the **median over all
  rounds** (not the best, not the fastest half).
- ``Load``: the machine's load average and this process's CPU share while it measured, printed
  next to every result (the machines are shared: a number without its load means little).
- ``Result``: one line of ``RESULTS.md`` (what, value, unit, target, met).
"""

from __future__ import annotations

import os
import platform
import resource
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = ["Load", "Result", "interleaved", "machine"]


@dataclass(frozen=True)
class Result:
    """One measured figure. ``target`` reads like "<= 0.5 ms" or ">= 20x"; ``met`` None: no target."""

    benchmark: str
    name: str
    value: float
    unit: str
    target: str = ""
    met: bool | None = None

    @staticmethod
    def at_most(benchmark: str, name: str, value: float, unit: str, limit: float) -> Result:
        return Result(benchmark, name, value, unit, f"<= {limit:g} {unit}", value <= limit)

    @staticmethod
    def at_least(benchmark: str, name: str, value: float, unit: str, floor: float) -> Result:
        return Result(benchmark, name, value, unit, f">= {floor:g} {unit}", value >= floor)

    def line(self) -> str:
        verdict = "" if self.met is None else ("  ok" if self.met else "  MISSED")
        target = f"  (target {self.target})" if self.target else ""
        return f"{self.name:<58} {self.value:10.3f} {self.unit}{target}{verdict}"


def _calibrate(fn: Callable[[], object], seconds: float) -> int:
    """How many calls of ``fn`` take about ``seconds`` (at least 1)."""
    fn()  # warm caches
    calls, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < min(0.05, seconds):
        fn()
        calls += 1
    return max(1, int(calls * seconds / max(elapsed, 1e-9)))


def interleaved(
    cases: Mapping[str, Callable[[], object]], *, rounds: int = 15, seconds: float = 3.0
) -> dict[str, float]:
    """Milliseconds per call of each case: the median over ``rounds`` rounds, each round running
    every case once (a batch of about ``seconds / rounds / len(cases)``), in rotated order."""
    names = list(cases)
    batch = seconds / rounds / len(names)
    numbers = {name: _calibrate(cases[name], batch) for name in names}
    samples: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            fn, number = cases[name], numbers[name]
            start = time.perf_counter()
            for _ in range(number):
                fn()
            samples[name].append((time.perf_counter() - start) / number * 1000)
    return {name: statistics.median(values) for name, values in samples.items()}


class Load:
    """Measures this process's CPU time against wall time between ``start`` and ``stop``."""

    def __init__(self) -> None:
        self._wall = self._cpu = 0.0

    def __enter__(self) -> Load:
        self._wall, self._cpu = time.perf_counter(), _cpu_seconds()
        return self

    def __exit__(self, *_: object) -> None:
        self._wall = time.perf_counter() - self._wall
        self._cpu = _cpu_seconds() - self._cpu

    def line(self) -> str:
        share = self._cpu / self._wall if self._wall else 0.0
        one, five, _ = os.getloadavg()
        return (
            f"load average {one:.2f} (1 min) {five:.2f} (5 min) on {os.cpu_count()} CPUs; "
            f"this process used {share:.0%} of one CPU over {self._wall:.1f} s"
        )


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def machine() -> str:
    """A one-line description of this machine."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = ""
    try:
        with open("/proc/meminfo", encoding="utf-8") as info:
            kib = int(info.readline().split()[1])
            memory = f", {kib / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{model}, {os.cpu_count()} CPUs{memory}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}"
    )
