"""Every third-party package that ``vcengine`` imports is declared in ``pyproject.toml``."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# import name -> distribution name, where they differ
DISTRIBUTION = {
    "PIL": "pillow",
    "multipart": "python-multipart",
    "bson": "pymongo",
    "graphql": "graphql-core",
    "strawberry": "strawberry-graphql",
    "cross_web": "cross-web",
    "yaml": "pyyaml",
}


def _imported_top_level_names() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "vcengine").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0].lower() for spec in project["dependencies"]}


def test_every_imported_package_is_declared() -> None:
    third_party = {
        name
        for name in _imported_top_level_names()
        if name not in sys.stdlib_module_names and name not in ("vcengine", "__future__")
    }
    assert third_party, "the walk found no imports at all"
    missing = {DISTRIBUTION.get(name, name).lower().replace("_", "-") for name in third_party} - _declared()
    assert not missing, f"imported but not declared in pyproject.toml: {sorted(missing)}"
