"""`vcengine --help` and parsing any command load no heavy library: pyld, jsonschema, lxml,
jwcrypto and Pillow are imported by the sub-command that needs them (issue 12: start-up).

Structural, not timed: each check runs a fresh interpreter and reads its ``sys.modules``.
Timings are in benchmarks/bench_startup.py."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("pyld", "jsonschema", "lxml", "jwcrypto", "PIL")

PROBE = """
import contextlib, io, json, sys
import vcengine.cli
argv = json.loads(sys.argv[1])
with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
    vcengine.cli.main(argv)
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def loaded_after(*argv: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(list(argv))], capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["verify", "--help"],
        ["sign", "--help"],
        ["keys", "--help"],
        ["bake", "--help"],
        ["status", "new", "--help"],
        ["serve", "--help"],
        ["admin", "--help"],
    ],
    ids=" ".join,
)
def test_help_imports_no_heavy_library(argv: list[str]) -> None:
    loaded = loaded_after(*argv)
    assert "vcengine" in loaded
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_the_probe_sees_a_heavy_import_when_one_happens() -> None:
    """The probe is able to fail: ``vcengine demo`` signs and verifies, and loads pyld."""
    assert "pyld" in loaded_after("demo")


def test_import_vcengine_is_light_and_the_public_names_still_load() -> None:
    code = (
        "import sys, vcengine;"
        "light = not {'pyld', 'jsonschema', 'lxml', 'jwcrypto', 'PIL'} & set(sys.modules);"
        "from vcengine import KeyPair, verify_credential, ob2, vc_jwt; print(light, KeyPair.__name__)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "KeyPair"]
