"""A fast yes/no JSON Schema (draft 2019-09) evaluator for the keywords the OB 3.0 schemas use.

jsonschema takes ~1 ms on a 3 KB credential, mostly building errors inside ``oneOf`` branches
that are expected to fail. ``compile_predicate`` answers only "valid or not" with the same draft
2019-09 semantics for the keywords below, and refuses (at compile time) any other keyword, so a
valid document costs one fast pass and an invalid one is explained by jsonschema (``schema``).

It compiles the schema into straight-line Python: one generated function per subschema, each a
run of ``if …: return False`` statements (type first, so the checks after it need no type
guards), with no closures or generator expressions on the hot path — about 4x faster than
evaluating the schema as nested closures. Written by hand (fastjsonschema, the library that does
this, supports drafts 4-7 only, and reports the first error by exception, which ``oneOf``
branches that are meant to fail pay for); only names the generator chooses and constants passed
in its namespace reach the generated source, never text from the schema. Tests check it agrees
with jsonschema on vectors, mutations and fuzzing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from vcengine.core.dates import is_date_time_stamp
from vcengine.errors import SchemaError

__all__ = ["Predicate", "compile_predicate", "is_date_time"]


def is_date_time(value: object) -> bool:
    """The ``date-time`` format, read as VCDM's dateTimeStamp; like every format, only for strings."""
    return not isinstance(value, str) or is_date_time_stamp(value)


Predicate = Callable[[Any], bool]
_ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "$defs", "title", "description"})
_KEYWORDS = frozenset(
    {
        "additionalProperties", "additionalItems", "$ref", "type", "enum", "pattern", "format", "oneOf",
        "anyOf", "allOf", "required", "properties", "propertyNames", "items", "minItems", "contains",
    }
)  # fmt: skip
# A JSON type -> its test, as an expression on the variable ``{v}``. isinstance, not exact types:
# the same test also guards keywords that apply to one type only, and an exact guard would skip
# them for a subclass (an OrderedDict, a str subclass) and accept what jsonschema refuses.
_JSON_TYPES: dict[str, str] = {
    "object": "isinstance({v}, dict)",
    "array": "isinstance({v}, list)",
    "string": "isinstance({v}, str)",
    "boolean": "isinstance({v}, bool)",
    "null": "{v} is None",
    "number": "(isinstance({v}, (int, float)) and not isinstance({v}, bool))",
    "integer": (
        "((isinstance({v}, int) and not isinstance({v}, bool))"
        " or (isinstance({v}, float) and {v}.is_integer()))"
    ),
}


def _is_type(json_type: str, var: str = "v") -> str:
    return _JSON_TYPES[json_type].format(v=var)


_FORMATS = {"date-time"}  # formats other than date-time are annotations
_TABLE_FROM = 6  # an object schema checking more properties than this gets a dispatch table


class _Generator:
    """Emits one function per subschema into ``lines``; constants go into ``namespace``."""

    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root
        self.lines: list[str] = []
        self.namespace: dict[str, Any] = {"_is_date_time_stamp": is_date_time_stamp}
        self.definitions: dict[str, str] = {}
        self.aliases: dict[str, str] = {}  # a function that only calls another -> that one
        self.tables: dict[str, dict[str, str]] = {}  # constant -> {property: function name}
        self.count = 0

    def name(self, prefix: str) -> str:
        self.count += 1
        return f"_{prefix}{self.count}"

    def constant(self, value: Any) -> str:
        name = self.name("c")
        self.namespace[name] = value
        return name

    def reference(self, ref: str) -> str:
        name = ref.removeprefix("#/$defs/")
        if name == ref or name not in self.root.get("$defs", {}):
            raise SchemaError(f"unsupported $ref {ref!r} in a bundled schema")
        if name not in self.definitions:
            self.definitions[name] = function = self.name("d")  # set first: definitions may recurse
            self.node(self.root["$defs"][name], function)
        return self.definitions[name]

    def node(self, node: Any, function: str | None = None) -> str:
        """The name of a generated function testing ``node``."""
        function = function or self.name("n")
        if node is True or node == {}:
            self.lines += [f"def {function}(v):", "    return True"]
            return function
        if node is False:
            self.lines += [f"def {function}(v):", "    return False"]
            return function
        unknown = set(node) - _KEYWORDS - _ANNOTATIONS
        if unknown:
            raise SchemaError(f"unsupported JSON Schema keyword {sorted(unknown)[0]!r} in a bundled schema")
        if set(node) - _ANNOTATIONS == {"$ref"}:
            target = self.reference(node["$ref"])
            self.lines += [f"def {function}(v):", f"    return {target}(v)"]
            self.aliases[function] = target
            return function
        body: list[str] = []
        known: str | None = None  # the JSON type established by a "type" check, if one
        if "type" in node:
            types = [node["type"]] if isinstance(node["type"], str) else list(node["type"])
            body.append(f"if not ({' or '.join(_is_type(t) for t in types)}): return False")
            known = types[0] if len(types) == 1 else None
        for key, value in node.items():
            if key not in ("type", "additionalProperties", "additionalItems") and key not in _ANNOTATIONS:
                body += self.keyword(key, value, node, known)
        if "additionalProperties" in node and "properties" not in node:
            body += self.guarded("object", known, self.additional(node["additionalProperties"], ()))
        self.lines.append(f"def {function}(v):")
        self.lines += [f"    {line}" for line in body] or ["    pass"]
        self.lines.append("    return True")
        return function

    def guarded(self, json_type: str, known: str | None, checks: list[str]) -> list[str]:
        """``checks`` that apply only to values of ``json_type``."""
        if not checks or known == json_type:
            return checks
        return [f"if {_is_type(json_type)}:", *(f"    {line}" for line in checks)]

    def keyword(self, key: str, value: Any, node: Mapping[str, Any], known: str | None) -> list[str]:
        if key == "$ref":
            return [f"if not {self.reference(value)}(v): return False"]
        if key == "enum":
            if not all(isinstance(item, str) for item in value):
                raise SchemaError("unsupported non-string enum in a bundled schema")
            names = self.constant(frozenset(value))
            if known == "string":
                return [f"if v not in {names}: return False"]
            return [f"if not (isinstance(v, str) and v in {names}): return False"]
        if key == "pattern":
            search = self.constant(re.compile(value).search)
            return self.guarded("string", known, [f"if {search}(v) is None: return False"])
        if key == "format":
            if value not in _FORMATS:
                return []
            return self.guarded("string", known, ["if not _is_date_time_stamp(v): return False"])
        if key in ("oneOf", "anyOf", "allOf"):
            tests = [self.test(item, "v") for item in value]  # a bare type branch is inlined
            if key == "allOf":
                return [f"if not {test}: return False" for test in tests]
            if key == "anyOf":
                return [f"if not ({' or '.join(tests)}): return False"]
            lines = ["n = 0"]
            for test in tests:
                lines += [f"if {test}:", "    n += 1", "    if n > 1: return False"]
            return [*lines, "if n != 1: return False"]
        if key == "required":
            names = self.constant(frozenset(value))
            return self.guarded("object", known, [f"if not {names} <= v.keys(): return False"])
        if key == "properties":
            checks = self.properties(value, node.get("additionalProperties", True))
            return self.guarded("object", known, checks)
        if key == "propertyNames":
            sub = self.node(value)
            return self.guarded("object", known, ["for k in v:", f"    if not {sub}(k): return False"])
        if key == "items":
            return self.guarded("array", known, self.items(value, node.get("additionalItems", True)))
        if key == "minItems":
            return self.guarded("array", known, [f"if len(v) < {int(value)}: return False"])
        if key == "contains":
            sub = self.node(value)
            return self.guarded("array", known, [f"if not any(map({sub}, v)): return False"])
        raise SchemaError(f"unsupported JSON Schema keyword {key!r} in a bundled schema")

    def properties(self, declared: Mapping[str, Any], additional: Any) -> list[str]:
        checked = {name: schema for name, schema in declared.items() if not (schema is True or schema == {})}
        if len(checked) > _TABLE_FROM:
            return self.property_table(checked, additional, tuple(declared))
        lines = []
        for name, schema in checked.items():
            key = self.constant(name)
            lines += [
                f"x = v.get({key}, _missing)",
                f"if x is not _missing and not {self.test(schema, 'x')}: return False",
            ]
        return lines + self.additional(additional, tuple(declared))

    def property_table(
        self, checked: Mapping[str, Any], additional: Any, declared: tuple[str, ...]
    ) -> list[str]:
        """An object that declares many properties and carries a few: look up each property it
        has (a dict of functions) instead of asking for each one it could have."""
        table = self.name("t")
        self.tables[table] = {name: self.node(schema) for name, schema in checked.items()}
        self.namespace[table] = None  # filled in once the functions exist
        lines = [
            "for k, x in v.items():",
            f"    f = {table}.get(k)",
            "    if f is not None:",
            "        if not f(x): return False",
        ]
        if additional is True or additional == {}:
            return lines
        names = self.constant(frozenset(declared))
        if additional is False:
            return [f"if not v.keys() <= {names}: return False", *lines]
        sub = self.node(additional)
        return [*lines, f"    elif k not in {names} and not {sub}(x): return False"]

    def test(self, node: Any, var: str) -> str:
        """An expression testing ``var`` against ``node``: inline for a bare type, else a call."""
        if (
            isinstance(node, Mapping)
            and set(node) - _ANNOTATIONS == {"type"}
            and isinstance(node["type"], str)
        ):
            return _is_type(node["type"], var)
        name = self.node(node)
        return f"{self.aliases.get(name, name)}({var})"

    def additional(self, additional: Any, declared: tuple[str, ...]) -> list[str]:
        if additional is True or additional == {}:
            return []
        names = self.constant(frozenset(declared))
        if additional is False:
            return [f"if not v.keys() <= {names}: return False"]
        sub = self.node(additional)
        return ["for k, x in v.items():", f"    if k not in {names} and not {sub}(x): return False"]

    def items(self, schema: Any, additional: Any) -> list[str]:
        if not isinstance(schema, list):
            return ["for x in v:", f"    if not {self.test(schema, 'x')}: return False"]
        positional = f"({''.join(f'{self.node(item)}, ' for item in schema)})"
        rest = self.node(additional)
        return [
            "for i, x in enumerate(v):",
            f"    if not ({positional}[i] if i < {len(schema)} else {rest})(x): return False",
        ]


def compile_predicate(root: Mapping[str, Any]) -> Predicate:
    """A function answering whether a JSON value is valid against ``root`` (see the module)."""
    generator = _Generator(root)
    entry = generator.node(root)
    namespace = {**generator.namespace, "_missing": object()}
    source = "\n".join(generator.lines)
    exec(compile(source, "<vcengine json schema>", "exec"), namespace)
    for table, functions in generator.tables.items():
        namespace[table] = {name: namespace[generator.aliases.get(f, f)] for name, f in functions.items()}
    predicate: Predicate = namespace[entry]
    return predicate
