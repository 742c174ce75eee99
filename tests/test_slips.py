"""The slips people really make (issue 34): YAML typed on a Chinese keyboard, and what users call things."""

from __future__ import annotations

import pytest

from gkcat.source.slips import keyboard_slips


@pytest.mark.parametrize("text, pos, words", [
    ("items:\n  - id: jy-02\n    level1：就业信息服务", (3, 11), "写作“level1: 就业信息服务”"),
    ("override:\n  jy-02：\n    channels: [政府网站]\n", (2, 8), "键“jy-02”"),
    ("override:\n  jy-02:\n\u3000\u3000channels: [政府网站]\n", (3, 1), "全角空格"),
    ("channels:\n  -\u3000政府网站\n", (2, 4), "列表符号“-”后面有全角空格"),
    ("items:\n  - id: a\n    level1:招生管理\n", (3, 11), "写作“level1: 招生管理”"),
    ("domain：yiwu-jiaoyu\n", (1, 7), "全角冒号“：”"),
])
def test_each_slip_is_said_where_it_is_with_its_fix(text, pos, words):
    [(found, message)] = keyboard_slips(text)
    assert found == pos and words in message


@pytest.mark.parametrize("text", [
    "content: 招生范围：本区\n",
    "content:\n  - 招生范围：本区\n  - 对象：适龄儿童\n",
    "basis: 《条例》\n  第一条：规定\n",  # a plain scalar going on on the next line
    "deadline: |\n  说明：每学期\n  level1:abc\n",  # a block scalar holds any text
    "links: [https://www.example.gov.cn/a]\nlinks2:\n  - https://x.gov.cn/\n",
    "deadline: 每天8:30前\n",
    "# 说明：注释中的全角冒号\nname: 某镇\n",
])
def test_chinese_text_is_left_alone(text):
    assert keyboard_slips(text) == []


def test_init_takes_a_level_by_its_chinese_name(run, tmp_path):
    result = run("init", tmp_path / "新项目", "--name", "某某县", "--level", "县级", "--id", "moumou")
    assert result.exit_code == 0, result.output
    assert "levels: [county, town]" in (tmp_path / "新项目/gkcat.yaml").read_text(encoding="utf-8")
    assert "level: county" in (tmp_path / "新项目/moumou/locality.yaml").read_text(encoding="utf-8")
    wrong = run("init", tmp_path / "另一个", "--name", "某某县", "--level", "区县")
    assert wrong.exit_code == 2 and "县级" in wrong.output  # the choices are shown with their Chinese names


def test_a_level_written_in_chinese_is_its_id_everywhere(project, run):
    root = project({"city/county/town-a/locality.yaml": "name: 甲镇\nlevel: 乡镇级\n",
                    "city/county/locality.yaml": "name: 某某区\nlevel: 区级\ndepartments:\n  education: 区教育局\n"})
    assert run("-C", root, "validate", "--strict").exit_code == 0
    wrong = project({"city/county/locality.yaml": "name: 某某区\nlevel: 乡级\n"})
    result = run("-C", wrong, "validate")
    assert result.exit_code == 1 and "GK304" in result.stdout
