"""The JSON Schemas in schemas/: current with the models, and accepting every sample file."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

from conftest import CATALOGS, REPO
from gkcat.model.schema import render_schemas
from gkcat.source.yamldoc import parse

SCHEMAS = REPO / "schemas"


def test_committed_schemas_are_current():
    rendered = render_schemas()
    assert sorted(p.name for p in SCHEMAS.glob("*.json")) == sorted(rendered)
    for name, text in rendered.items():
        assert (SCHEMAS / name).read_text(encoding="utf-8") == text, f"{name} is stale: run `make schemas`"


def test_schemas_speak_chinese():
    for name, text in render_schemas().items():
        schema = json.loads(text)
        assert any("\u4e00" <= c <= "\u9fff" for c in schema["title"]), name


@pytest.mark.parametrize("path", sorted(CATALOGS.rglob("*.yaml")), ids=lambda p: str(p.relative_to(CATALOGS)))
def test_sample_files_validate_against_their_schema(path):
    text = path.read_text(encoding="utf-8")
    schema_path = (path.parent / text.splitlines()[0].split("=", 1)[1]).resolve()
    doc, diags = parse(path.name, text.encode("utf-8"))
    assert diags == []
    # an editor checks typed YAML (year: 2022 is a number there), where gkcat reads every scalar as text
    jsonschema.validate(yaml.safe_load(text), json.loads(schema_path.read_text(encoding="utf-8")))


def test_base_schema_rejects_override_and_a_typo():
    base = json.loads(render_schemas()["domain-base.schema.json"])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"domain": "x", "override": {}}, base)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"domain": "x", "items": [{"id": "a", "level1": "甲", "level2": "乙", "chanels": []}]}, base)
