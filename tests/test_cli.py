"""The command-line contract of cli.md: arguments, output shapes and exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from conftest import CATALOGS

BAD_OVERLAY = {"city/county/yiwu-jiaoyu.yaml": "domain: yiwu-jiaoyu\noverride:\n  zcwj-jyfl:\n    channels: [政府网]\n"}
WARNING_ONLY = {"city/county/yiwu-jiaoyu.yaml": "domain: yiwu-jiaoyu\noverride:\n  zcwj-jyfl:\n    basis: []\n"}


def test_validate_exit_codes(project, run):
    assert run("-C", project(), "validate").exit_code == 0


def test_validate_reports_problems_with_location_and_exit_1(project, run):
    result = run("-C", project(BAD_OVERLAY), "validate")
    assert result.exit_code == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith("city/county/yiwu-jiaoyu.yaml:4:16: 错误 GK203 override.zcwj-jyfl.channels[0]: ")
    assert "是否为“政府网站”" in first
    assert "\033[" not in result.stdout  # no colour when not on a terminal


def test_warnings_pass_unless_strict(project, run):
    # basis is a common field in MINIMAL; use a project without common fields for a pure warning
    root = project({**WARNING_ONLY, "gkcat.yaml": "title: 测试\nroot: city\ndefaults: {audience: 全社会, method: 主动}\n"})
    relaxed = run("-C", root, "validate")
    assert relaxed.exit_code == 0 and "GK401" in relaxed.stdout
    assert run("-C", root, "validate", "--strict").exit_code == 1


def test_cannot_run_without_project_or_with_bad_option(tmp_path, project, run):
    result = run("-C", tmp_path, "validate")
    assert result.exit_code == 2 and "gkcat.yaml" in result.stderr
    assert run("-C", project(), "validate", "--format", "xml").exit_code == 2


def test_json_format(project, run):
    result = run("-C", project(BAD_OVERLAY), "validate", "--format", "json")
    data = json.loads(result.stdout)
    assert data["valid"] is False and data["errors"] == 1 and data["warnings"] == 0
    assert data["diagnostics"][0] | {"message": ""} == {
        "file": "city/county/yiwu-jiaoyu.yaml", "line": 4, "column": 16, "code": "GK203", "severity": "error",
        "path": "override.zcwj-jyfl.channels[0]", "message": ""}


def test_github_format_is_picked_in_github_actions(project, run):
    result = run("-C", project(BAD_OVERLAY), "validate", env={"GITHUB_ACTIONS": "true"})
    assert result.stdout.startswith("::error file=city/county/yiwu-jiaoyu.yaml,line=4,col=16,title=GK203 ")
    assert result.exit_code == 1


def test_show_json_has_the_contract_shape(project, run):
    result = run("-C", project(), "show", "city/county", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["locality"] == {"path": "city/county", "name": "某某区", "level": "county"}
    [domain] = data["domains"]
    assert list(domain) == ["id", "name", "items", "excluded", "withheld"]
    first = domain["items"][0]
    assert list(first) == ["id", "level1", "level2", "content", "basis", "deadline", "subject", "channels",
                           "audience", "method", "levels", "links", "extra", "source"]
    assert first["subject"] == ["区教育局"] and first["basis"] == ["《中华人民共和国政府信息公开条例》"]
    assert first["source"] == {"file": "city/yiwu-jiaoyu.yaml", "line": 3}
    assert domain["withheld"] == [{"id": "ks-st", "title": "未启用的考试试题", "reason": "属于国家秘密",
                                   "basis": ["《中华人民共和国保守国家秘密法》"]}]


def test_show_one_domain_and_unknowns(project, run):
    root = project()
    assert run("-C", root, "show", "city", "yiwu-jiaoyu", "--format", "json").exit_code == 0
    unknown = run("-C", root, "show", "city/conty")
    assert unknown.exit_code == 1 and "是否为“city/county”" in unknown.stderr
    assert run("-C", root, "show", "city", "yiwu").exit_code == 1


def test_show_text(project, run):
    result = run("-C", project(), "show", "city/county/town-a")
    assert result.exit_code == 0
    assert "甲镇（city/county/town-a，乡级）" in result.stdout and "公开主体：区教育局" in result.stdout


def test_show_refuses_an_invalid_project(project, run):
    result = run("-C", project(BAD_OVERLAY), "show", "city")
    assert result.exit_code == 1 and "GK203" in result.stderr


def test_explain(project, run):
    root = project({"city/county/yiwu-jiaoyu.yaml": "domain: yiwu-jiaoyu\noverride:\n  zcwj-jyfl:\n    channels: [政府网站, 公开查阅点]\n"})
    result = run("-C", root, "explain", "city/county/town-a", "yiwu-jiaoyu", "zcwj-jyfl")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    at = lines.index("channels（公开渠道）：政府网站；公开查阅点")
    assert lines[at + 1].strip() == "city/yiwu-jiaoyu.yaml:9  定义：政府网站；两微一端"
    assert lines[at + 2].strip() == "city/county/yiwu-jiaoyu.yaml:4  修改：政府网站；公开查阅点"
    data = json.loads(run("-C", root, "explain", "city/county", "yiwu-jiaoyu", "zcwj-jyfl", "--format", "json").stdout)
    subject = next(f for f in data["fields"] if f["field"] == "subject")
    assert subject["roles"] == [{"role": "education", "name": "区教育局", "locality": "city/county"}]


def test_explain_unknown_or_excluded_item_exits_1_and_says_why(project, run):
    root = project({"city/county/yiwu-jiaoyu.yaml": "domain: yiwu-jiaoyu\nexclude:\n  - id: jygk-ml\n    reason: 不适用\n"})
    gone = run("-C", root, "explain", "city/county/town-a", "yiwu-jiaoyu", "jygk-ml")
    assert gone.exit_code == 1 and "已被某某区排除" in gone.stderr and "不适用" in gone.stderr
    typo = run("-C", root, "explain", "city", "yiwu-jiaoyu", "zcwj-jyf")
    assert typo.exit_code == 1 and "是否为“zcwj-jyfl”" in typo.stderr


def test_summary(project, run):
    result = run("-C", project(), "summary")
    assert result.exit_code == 0
    assert "某某区（city/county，县级）：1 个领域，2 项" in result.stdout


def test_installed_entry_point_runs_on_the_samples():
    # The console script as a user runs it, in a separate process, on the real sample catalogs.
    proc = subprocess.run([sys.executable, "-m", "gkcat", "-C", str(CATALOGS), "validate", "--strict"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_an_unknown_locality_is_exit_1_for_show_and_explain_but_2_for_diff(project, run):
    root = project()
    assert run("-C", root, "show", "city/nowhere").exit_code == 1
    assert run("-C", root, "explain", "city/county", "yiwu-jiaoyu", "nope").exit_code == 1
    result = run("-C", root, "diff", "city", "city/nowhere")  # 1 would mean "different"
    assert result.exit_code == 2 and "未知地区“city/nowhere”" in result.stderr


@pytest.mark.parametrize("rev", ["v1..", "..v2", ".."])
def test_an_incomplete_revision_range_is_refused(project, run, rev):
    result = run("-C", project(), "diff", "--rev", rev)
    assert result.exit_code == 2 and "版本范围" in result.stderr


def test_every_command_that_needs_a_valid_project_lists_the_errors_and_refuses(project, run, tmp_path):
    root = project({"city/county/yiwu-jiaoyu.yaml": "domain: yiwu-jiaoyu\noverride:\n  nope: {}\n"})
    for args, code in ((["show", "city"], 1), (["summary"], 1), (["build", "-o", tmp_path / "o"], 1),
                       (["diff", "city", "city/county"], 2)):
        result = run("-C", root, *args)
        assert result.exit_code == code and "GK302" in result.stderr and result.stdout == "", args


def test_the_program_ends_at_once_with_its_exit_code_and_all_it_printed(tmp_path):
    """`gkcat` (gkcat.cli:run) leaves the process without tearing the heap down: what a command printed is all
    there, and the exit code is the command's."""
    def gkcat(*args: object) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "gkcat", *map(str, args)], capture_output=True, text=True,
                              check=False)

    shown = gkcat("-C", CATALOGS, "show", "shenyang", "--format", "json")
    assert shown.returncode == 0 and json.loads(shown.stdout)["domains"]  # the whole JSON, flushed
    broken = tmp_path / "p"
    shutil.copytree(CATALOGS, broken, ignore=shutil.ignore_patterns("site", ".gkcat-cache"))
    (broken / "shenyang" / "yiwu-jiaoyu.yaml").write_text("domain: yiwu-jiaoyu\nitems: 3\n", encoding="utf-8")
    invalid = gkcat("-C", broken, "validate", "--no-cache")
    assert invalid.returncode == 1 and "yiwu-jiaoyu.yaml" in invalid.stdout + invalid.stderr
    usage = gkcat("validate", "--no-such-option")
    assert usage.returncode == 2 and usage.stderr
