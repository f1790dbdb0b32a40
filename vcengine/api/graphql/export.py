"""Print the schema as SDL: ``python -m vcengine.api.graphql.export > graphql/schema.graphql``."""

from __future__ import annotations

import sys

from vcengine.api.graphql.schema import schema

__all__ = ["sdl"]


def sdl() -> str:
    return schema.as_str() + "\n"


if __name__ == "__main__":
    sys.stdout.write(sdl())
