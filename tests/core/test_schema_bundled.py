"""The bundled OB 3.0 schemas, and every variant vcengine builds from them, are valid JSON Schema
(draft 2019-09). Checked here once rather than in every process at run time (0.7 s of start-up)."""

from __future__ import annotations

import pytest
from jsonschema import Draft201909Validator
from jsonschema.exceptions import SchemaError

from vcengine.core import schema as schema_module

COMPILED = {
    "achievement credential (VC 2.0)": lambda: schema_module._ob_validator(False),
    "achievement credential (VC 1.1)": lambda: schema_module._ob_validator(True),
    "endorsement credential (VC 2.0)": lambda: schema_module._endorsement_validator(False),
    "endorsement credential (VC 1.1)": lambda: schema_module._endorsement_validator(True),
    "profile": schema_module._profile_validator,
}


@pytest.mark.parametrize("name", COMPILED)
def test_each_compiled_schema_is_valid_against_the_meta_schema(name: str) -> None:
    compiled = COMPILED[name]()
    Draft201909Validator.check_schema(compiled.schema)
    assert compiled.schema["$schema"].rstrip("#") == "https://json-schema.org/draft/2019-09/schema"


def test_the_meta_schema_check_would_catch_a_broken_schema() -> None:
    broken = {**schema_module._ob_validator(False).schema, "required": "id"}  # must be an array
    with pytest.raises(SchemaError):
        Draft201909Validator.check_schema(broken)
