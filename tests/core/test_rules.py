"""The rule table: every rule id the code can name exists, points at its spec section, is listed
in the module's table of MUSTs; and a SchemaIssue prints its rule."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from vcengine.core import rules
from vcengine.core.rules import RULES, SchemaIssue, rule_url
from vcengine.core.schema import raise_for_issues
from vcengine.errors import SchemaError

PACKAGE = Path(rules.__file__).resolve().parents[1]
RULE_ID = re.compile(r"(?:VCDM2|VC11|OB3)-(?:[0-9.]+-)?[a-z][a-z0-9-]*")


def ids_named_in_code() -> set[str]:
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        if path.name == "rules.py":
            continue
        for literal in re.findall(r'"([^"\n]*)"', path.read_text(encoding="utf-8")):
            if RULE_ID.fullmatch(literal):
                found.add(literal)
    return found


def test_every_rule_the_code_names_is_in_the_table() -> None:
    named = ids_named_in_code()
    assert len(named) > 40
    assert named <= set(RULES), sorted(named - set(RULES))


def test_every_rule_has_a_spec_section_and_a_statement() -> None:
    for rule_id, rule in RULES.items():
        assert rule.id == rule_id
        assert rule.url.startswith(
            (
                "https://www.w3.org/TR/vc-data-model-2.0/#",
                "https://www.w3.org/TR/vc-data-model-1.1/#",
                "https://www.imsglobal.org/spec/ob/v3p0/#",
            )
        )
        assert rule.statement.endswith(".")
        if not rule_id.startswith("OB3-"):
            assert "MUST" in rule.statement or rule_id.endswith("subject-claims"), rule_id


def test_the_module_table_lists_every_data_model_rule() -> None:
    doc = rules.__doc__ or ""
    for rule_id in RULES:
        if rule_id.startswith(("VCDM2-", "VC11-")):
            assert rule_id in doc, rule_id


def test_the_rule_id_carries_its_section() -> None:
    for rule_id in RULES:
        if rule_id.startswith("VCDM2-"):
            section = rule_id.split("-")[1]
            assert section.split(".")[0] in ("4", "5"), rule_id


def test_an_issue_names_its_rule_and_the_error_its_section() -> None:
    issue = SchemaIssue("$.credentialSubject", "must not be empty", rule="VCDM2-4.8-subject-claims")
    assert str(issue) == "$.credentialSubject: must not be empty [VCDM2-4.8-subject-claims]"
    assert (
        rule_url("VCDM2-4.8-subject-claims") == "https://www.w3.org/TR/vc-data-model-2.0/#credential-subject"
    )
    assert rule_url(None) is None and rule_url("nope") is None
    with pytest.raises(SchemaError) as caught:
        raise_for_issues([issue, SchemaIssue("$.id", "not a URL", rule="VCDM2-4.4-id-url")])
    error = caught.value
    assert error.rule == "VCDM2-4.8-subject-claims" and error.path == "$.credentialSubject"
    assert error.spec == "https://www.w3.org/TR/vc-data-model-2.0/#credential-subject"
    assert [v["rule"] for v in error.violations] == ["VCDM2-4.8-subject-claims", "VCDM2-4.4-id-url"]
    assert error.violations[1]["spec"] == "https://www.w3.org/TR/vc-data-model-2.0/#identifiers"
    assert "[VCDM2-4.8-subject-claims]" in str(error) and error.spec in str(error)
