"""Wall time of the two commands a new user runs first: ``vcengine --help`` and
``vcengine verify one.json`` (a signed eddsa-rdfc-2022 OB 3.0 credential). Targets (issue 12):
--help <= 0.15 s, verify <= 0.35 s.

Each command runs as a new process, as from a shell, with a bytecode cache (in a temporary
``PYTHONPYCACHEPREFIX``) as an installed wheel has: with ``PYTHONDONTWRITEBYTECODE=1`` every
run compiles vcengine's ~150 modules from source again, which costs more than the imports
themselves. The rounds interleave the two commands and
a bare ``python -c pass`` (the interpreter's own start-up, which no change to vcengine can
remove), and the medians over all rounds are printed with the load of the machine.

Run: ``.venv/bin/python benchmarks/bench_startup.py [--rounds N]``
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from vcengine.core.keys import KeyPair
from vcengine.core.proofs.data_integrity import add_proof

FIXTURE = Path(__file__).parent / "fixtures" / "ob3-typical.json"


def vcengine_command() -> list[str]:
    """The installed ``vcengine`` script next to this interpreter, else ``python -m vcengine``."""
    script = Path(sys.executable).with_name("vcengine")
    return [str(script)] if script.exists() else [sys.executable, "-m", "vcengine"]


def signed_credential(directory: Path) -> Path:
    key = KeyPair.from_seed(bytes(range(32)))
    credential = json.loads(FIXTURE.read_text())
    credential.pop("credentialStatus")  # no status list to hand: the report would be indeterminate
    credential["issuer"] = {**credential["issuer"], "id": key.public.did_key}
    signed = add_proof(
        credential,
        key,
        verification_method=key.public.did_key_verification_method,
        created=datetime(2026, 1, 1, tzinfo=UTC),
    )
    path = directory / "one.json"
    path.write_text(json.dumps(signed))
    return path


def run(argv: list[str], expect: int, env: dict[str, str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run of ``argv``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False, env=env)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != expect:
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.decode()[-500:]}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    rounds = parser.parse_args().rounds
    command = vcengine_command()
    with tempfile.TemporaryDirectory() as tmp:
        credential = signed_credential(Path(tmp))
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        cases = {
            "python -c pass (interpreter)": ([sys.executable, "-c", "pass"], 0, None),
            "vcengine --help": ([*command, "--help"], 0, 0.15),
            "vcengine verify one.json": ([*command, "verify", str(credential)], 0, 0.35),
        }
        for argv, expect, _ in cases.values():  # warm the file cache and the .pyc files
            run(argv, expect, env)
        walls: dict[str, list[float]] = {name: [] for name in cases}
        cpus: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(rounds):
            for name, (argv, expect, _) in cases.items():
                elapsed, cpu = run(argv, expect, env)
                walls[name].append(elapsed)
                cpus[name].append(cpu)
    share = sum(map(sum, cpus.values())) / sum(map(sum, walls.values()))
    print(f"{rounds} interleaved rounds; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(f"the commands got {share:.0%} of a CPU while they ran (100 % = an idle machine)")
    print(f"{'command':<32} {'wall median s':>14} {'CPU median s':>13} {'target s':>9}")
    for name, (_, _, target) in cases.items():
        goal = f"{target:9.2f}" if target is not None else ""
        wall, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
        print(f"{name:<32} {wall:14.3f} {cpu:13.3f} {goal:>9}")


if __name__ == "__main__":
    main()
