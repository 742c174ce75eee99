"""The docs say what the code does: the code table, the README's commands, the CI examples."""

from __future__ import annotations

import importlib.util
import re

import yaml

from conftest import REPO


def _load_tool(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_codes_doc_is_current():
    rendered = _load_tool("make_codes_doc").render()
    assert (REPO / "docs" / "codes.md").read_text(encoding="utf-8") == rendered, "run python tools/make_codes_doc.py"
    for line in rendered.splitlines()[7:]:
        assert re.search(r"\| `\S+:\d+:\d+: (错误|警告) GK\d{3} ", line), line  # every code has a real example


def test_readme_has_the_two_setup_commands_and_ci_runs_the_test_one():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "make site" in readme and "make test" in readme
    assert "make test" in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def test_ci_examples_are_valid_yaml_running_gkcat_validate():
    text = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    assert len(blocks) == 3
    for block in blocks:
        yaml.safe_load(block)
    assert sum("gkcat -C catalogs validate --strict" in b for b in blocks) == 2


def test_pre_commit_hook_definition():
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    [hook] = hooks
    assert hook["id"] == "gkcat-validate" and hook["entry"] == "gkcat" and hook["args"] == ["validate", "--strict"]
    assert hook["pass_filenames"] is False
