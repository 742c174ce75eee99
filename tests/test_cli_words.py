"""Every word the command line says is Chinese (issue 25): click's own errors and help, each error kind
with the usage line and exit code 2."""

from __future__ import annotations

import json
import re

import pytest

from gkcat.cli.commands import main

# words of click's English that must never reach a user
ENGLISH = re.compile(r"Error:|Usage:|Invalid value|Missing (argument|option|command)|No such|Got unexpected|"
                     r"Show this message|Options:|Commands:|\[default:|\[required\]|requires an argument|Try '")


@pytest.mark.parametrize("args, message", [
    (["explain"], "缺少参数 LOCALITY"),  # a missing argument
    (["validate", "--format", "xml"], "--format 的值无效：“xml”不是可选的值：可选 text、json、github"),  # a bad choice
    (["validate", "--bogus"], "没有选项 --bogus"),  # an unknown option
    (["validate", "--strit"], "没有选项 --strit，是否为 --strict？"),
    (["validate", "extra"], "多余的参数：extra"),  # an extra argument
    (["nosuch"], "没有命令“nosuch”"),  # an unknown command
    (["build", "-j", "x"], "“x”应为不小于 0 的整数"),  # a bad number
    (["serve", "--port", "99999"], "“99999”应为 0 到 65535 之间的整数"),
    (["check-links", "--timeout", "soon"], "“soon”不是数"),
    (["workplan", "review", "shenyang", "2025", "--date", "2025-13-01"], "不是日期"),
    (["workplan", "review", "shenyang", "next"], "“next”不是整数"),
    (["import", "xlsx", "/no/such/file.xlsx"], "“/no/such/file.xlsx”不存在"),  # a path that must exist
    (["validate", "--format"], "选项 --format 需要一个值"),  # an option without its value
    (["form", "x", "--force=3"], "选项 --force 不带值"),
])
def test_each_click_error_is_chinese_with_exit_2(run, args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.stderr and not ENGLISH.search(result.output), result.output
    if "不带值" not in message and "需要一个值" not in message:
        assert result.stderr.startswith("用法：gkcat") and "查看帮助：gkcat" in result.stderr


def _commands(group, path):
    for name, cmd in sorted(group.commands.items()):
        yield [*path, name]
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, [*path, name])


@pytest.mark.parametrize("path", [[], *_commands(main, [])], ids=lambda p: " ".join(p) or "gkcat")
def test_every_help_page_is_chinese(run, path):
    result = run(*path, "--help")
    assert result.exit_code == 0
    assert "用法：gkcat" in result.output and "显示本帮助并退出。" in result.output
    assert not ENGLISH.search(result.output), result.output


@pytest.mark.parametrize("args", [[], ["import"], ["workplan"]])
def test_a_group_without_its_command_shows_the_chinese_help(run, args):
    result = run(*args)
    assert result.exit_code == 2 and "用法：gkcat" in result.stderr and "命令:" in result.stderr
    assert not ENGLISH.search(result.output)


# -- names where ids work ---------------------------------------------------------------------------------


def test_localities_and_domains_by_their_chinese_names(project, run, tmp_path):
    root = project()
    by_id = run("-C", root, "show", "city/county/town-a", "yiwu-jiaoyu", "--format", "json")
    by_name = run("-C", root, "show", "甲镇", "义务教育", "--format", "json")
    assert by_id.exit_code == 0 and by_name.output == by_id.output
    assert run("-C", root, "diff", "某某区", "甲镇").output == run("-C", root, "diff", "city/county", "city/county/town-a").output
    assert run("-C", root, "form", "某某区", "-o", tmp_path / "f.xlsx").exit_code == 0
    story = run("-C", root, "explain", "某某区", "义务教育", "jygk-ml", "--format", "json")
    assert story.exit_code == 0 and json.loads(story.output)["locality"]["path"] == "city/county"


@pytest.mark.parametrize("field", ["channels", "公开渠道"])
def test_explain_shows_one_field_by_id_or_label(project, run, field):
    result = run("-C", project(), "explain", "某某区", "义务教育", "jygk-ml", field)
    assert result.exit_code == 0
    assert "channels（公开渠道）" in result.output and "basis" not in result.output and "deadline" not in result.output


def test_an_unknown_field_lists_the_fields(project, run):
    result = run("-C", project(), "explain", "某某区", "义务教育", "jygk-ml", "渠道")
    assert result.exit_code == 1 and "未知字段“渠道”" in result.stderr and "channels（公开渠道）" in result.stderr


def test_an_ambiguous_name_lists_the_candidates(project, run):
    root = project({"city/county/town-b/locality.yaml": "name: 甲镇\nlevel: town\n"})
    result = run("-C", root, "show", "甲镇")
    assert result.exit_code == 1
    assert "city/county/town-a（某某区）" in result.stderr and "city/county/town-b（某某区）" in result.stderr
