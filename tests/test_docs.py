"""The docs say what the code does: the code table, the README's commands, the CI examples."""

from __future__ import annotations

import importlib.util
import json
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
    assert len(blocks) == 5
    for block in blocks:
        yaml.safe_load(block)
    assert sum("gkcat -C catalogs validate --strict" in b for b in blocks) == 3
    assert sum("GKCAT_CACHE_DIR" in b for b in blocks) == 1  # keeping the project cache between CI runs
    assert sum("gkcat -C catalogs check-links" in b and "--format github" in b for b in blocks) == 1


def test_pre_commit_hook_definition():
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    [hook] = hooks
    assert hook["id"] == "gkcat-validate" and hook["entry"] == "gkcat" and hook["args"] == ["validate", "--strict"]
    assert hook["pass_filenames"] is False


def test_site_doc_lists_the_templates_and_the_search_index_fields():
    from gkcat.check.load import load_project
    from gkcat.render.site.search import index_data

    text = (REPO / "docs" / "site.md").read_text(encoding="utf-8")
    names = {p.name for p in (REPO / "templates").glob("*.html")} | {p.name for p in (REPO / "templates/assets").iterdir()}
    assert names and all(name in text for name in names)
    fields = re.search(r"索引格式.*?```\n(.*?)```", text, re.S).group(1)
    v = load_project(REPO / "catalogs")
    assert [line.split()[0] for line in fields.strip().splitlines()] == list(index_data(v.project, v.resolver.published))


def test_diff_doc_example_is_the_real_output_and_the_json_shape_matches(run):
    text = (REPO / "docs" / "diff.md").read_text(encoding="utf-8")
    example = re.search(r"## 示例.*?```\n(.*?)```", text, re.S).group(1)
    result = run("-C", REPO / "catalogs", "diff", "shenyang/liaozhong", "shenyang/liaozhong/liuerbao")
    assert result.exit_code == 1 and result.stdout == example
    shown = json.loads(re.search(r"## JSON 格式.*?```json\n(.*?)```", text, re.S).group(1))
    real = json.loads(run("-C", REPO / "catalogs", "diff", "shenyang/liaozhong", "shenyang/liaozhong/liuerbao",
                          "--format", "json").stdout)

    def keys(node):
        if isinstance(node, dict):
            return {k: keys(v) for k, v in node.items()}
        if isinstance(node, list):
            merged: dict = {}
            for x in node:
                merged.update(keys(x) if isinstance(x, dict) else {})
            return [merged] if merged else []
        return None

    def covered(doc, actual):  # every key the doc shows exists in the real output, with the same nesting
        if isinstance(doc, dict):
            return isinstance(actual, dict) and all(k in actual and covered(v, actual[k]) for k, v in doc.items())
        if isinstance(doc, list):
            return not doc or (isinstance(actual, list) and (not actual or covered(doc[0], actual[0])))
        return True

    assert covered(keys(shown), keys(real))


def test_the_format_and_command_references_cover_what_the_code_cites():
    fmt = (REPO / "docs/format.md").read_text(encoding="utf-8")
    cited = set()
    for path in (REPO / "src/gkcat").rglob("*.py"):
        cited |= {int(n) for n in re.findall(r"format\.md section (\d+)", path.read_text(encoding="utf-8"))}
    assert cited and all(re.search(rf"^## {n}\. ", fmt, re.M) for n in cited), cited
    cli = (REPO / "docs/cli.md").read_text(encoding="utf-8")
    from gkcat.cli import main
    for name, command in main.commands.items():
        assert f"`gkcat {name}" in cli, name
        for sub in getattr(command, "commands", {}):
            assert sub in cli, (name, sub)


def test_contributing_and_the_readme_tree_name_what_exists():
    text = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for rel in set(re.findall(r"`((?:src|tests|templates|docs)/[\w/.-]+\.(?:py|md|html))`", text)):
        assert (REPO / rel).exists(), rel
    for module in set(re.findall(r"`((?:model|resolve|check|render|build|cli|ingest|source|compare|diagnostics)/[\w/]+\.py)`", text)):
        assert (REPO / "src/gkcat" / module).exists(), module
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    packages = sorted(p.name for p in (REPO / "src/gkcat").iterdir() if (p / "__init__.py").exists())
    assert all(f"  {p}/" in readme for p in packages), packages


def test_make_site_installs_gkcat_alone_and_make_test_the_rest():
    """`make site` needs no test tools (Playwright and the rest); the licence is an SPDX string, which newer
    setuptools accept without a deprecation warning."""
    make = (REPO / "Makefile").read_text(encoding="utf-8")
    rules = {m.group(1): m.group(2) for m in re.finditer(r"^([$()\w.-]+):([^\n]*)\n((?:\t[^\n]*\n)*)", make, re.M)}
    recipes = {m.group(1): m.group(3) for m in re.finditer(r"^([$()\w.-]+):([^\n]*)\n((?:\t[^\n]*\n)*)", make, re.M)}
    assert rules["site"].split() == ["$(STAMP)"] and "pip install --quiet ." in recipes["$(STAMP)"]
    # a wheel for the site (no editable install, no notice about it); the test tools only for the tests
    assert "[test]" not in recipes["$(STAMP)"] and " -e " not in recipes["$(STAMP)"]
    assert "-e '.[test]'" in recipes["$(TEST_STAMP)"]
    assert "$(TEST_STAMP)" in rules["test"].split()
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^license = "MIT"$', pyproject, re.M) and 'requires = ["setuptools>=77"]' in pyproject


def _yaml_blocks(name: str) -> list[str]:
    """The YAML examples of a doc, a line standing for what is left out (`key: [...]`) taken out."""
    text = (REPO / "docs" / name).read_text(encoding="utf-8")
    return ["\n".join(line for line in b.splitlines() if "[...]" not in line) + "\n"
            for b in re.findall(r"```yaml\n(.*?)```", text, re.S)]


def test_every_example_of_the_format_shown_as_valid_passes_validate_strict(tmp_path, run):
    """format.md's examples (and the gkcat.yaml parts of assess.md and diff.md) put together as the project they
    describe, with only what no example shows around them (the city above the district, its plan of the year,
    a town): `validate --strict` finds nothing, and the round's record reads."""
    from conftest import write_project
    from gkcat.ingest.rounds import read_round

    blocks = _yaml_blocks("format.md")
    first = {b.split(":", 1)[0].lstrip("- ") for b in blocks}
    assert {"title", "id", "name", "domain", "history", "site_url", "round"} <= first, first
    by_key: dict[str, list[str]] = {}
    for b in blocks + _yaml_blocks("assess.md") + _yaml_blocks("diff.md")[:1]:
        by_key.setdefault(b.split(":", 1)[0].lstrip("- "), []).append(b)
    config = by_key["title"][0] + by_key["history"][0] + by_key["site_url"][0] + by_key["assessment"][0]
    base, overlay = by_key["domain"]
    plan = next(b for b in by_key["title"] if b.startswith("title: 沈阳市辽中区"))
    root = write_project(tmp_path / "p", {
        "gkcat.yaml": config, "domains.yaml": by_key["id"][0],
        "shenyang/locality.yaml": "name: 沈阳市\nlevel: city\ndepartments:\n  education: 市教育局\n"
                                  "  development-reform: 市发展改革委\n  market-regulation: 市市场监管局\n",
        "shenyang/yiwu-jiaoyu.yaml": base,
        "shenyang/workplan-2022.yaml": "title: 沈阳市 2022 年政务公开工作要点\nyear: 2022\nsections:\n  - title: 一、\n"
                                       "    tasks:\n" + "".join(f"      - id: {n}\n        name: 任务{n}\n        main:\n"
                                                                f"          - task: 任务{n}\n            lead: [education]\n"
                                                                "        deadline: 长期坚持\n" for n in (2, 5)),
        "shenyang/liaozhong/locality.yaml": by_key["name"][0],
        "shenyang/liaozhong/yiwu-jiaoyu.yaml": overlay,
        "shenyang/liaozhong/workplan-2022.yaml": plan,
        "shenyang/liaozhong/pudong/locality.yaml": "name: 某镇\nlevel: town\n",
        "rounds/2026-第一轮.yaml": by_key["round"][0],
    }, base=None)
    result = run("-C", root, "validate", "--strict")
    assert result.exit_code == 0 and "检查通过" in result.stdout, result.stdout
    assert read_round(root, "2026-第一轮").forms[0].unit == "区教育局"
