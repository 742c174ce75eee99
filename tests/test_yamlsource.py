"""Loading one YAML file: text-only scalars, every load-level problem at its line and column."""

from __future__ import annotations

import pytest

from gkcat.source.yamldoc import format_path, parse


def load(text: str | bytes):
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return parse("f.yaml", raw)


def codes(diags) -> list[tuple[int, int, str]]:
    return [(d.line, d.column, d.code) for d in diags]


def test_every_scalar_is_text():
    doc, diags = load("id: 0102\ncode: 210115\nflag: yes\nno: on\ntime: 1:20\nnum: 1e3\nnull: ~\nlist: [true, 0o17]\n")
    assert diags == []
    assert doc.data == {"id": "0102", "code": "210115", "flag": "yes", "no": "on", "time": "1:20", "num": "1e3",
                        "null": "~", "list": ["true", "0o17"]}


def test_plain_empty_value_is_none_but_quoted_empty_is_text():
    doc, _ = load('a:\nb: ""\nc: []\n')
    assert doc.data == {"a": None, "b": "", "c": []}


def test_duplicate_key_reports_both_lines():
    doc, diags = load("name: 甲\nlevel: town\nname: 乙\n")
    assert not doc.ok
    assert codes(diags) == [(3, 1, "GK103"), (1, 1, "GK103")]
    assert "第 1 行" in diags[0].message and "第 3 行" in diags[1].message


def test_duplicate_key_in_nested_mapping():
    _, diags = load("items:\n  - id: a\n    id: b\n")
    assert sorted(codes(diags)) == [(2, 5, "GK103"), (3, 5, "GK103")]


def test_anchor_and_alias_are_refused_at_their_place():
    _, diags = load("a: &x [1]\nb: *x\n")
    assert codes(diags) == [(1, 4, "GK106"), (2, 4, "GK106")]
    assert "&x" in diags[0].message and "*x" in diags[1].message


def test_tab_in_indentation():
    _, diags = load("items:\n\t- id: a\n")
    assert codes(diags) == [(2, 1, "GK102")]


def test_tab_after_spaces_in_indentation_points_at_the_tab():
    _, diags = load("a:\n  b: 1\n  \tc: 2\n")
    assert codes(diags) == [(3, 3, "GK102")]


def test_tab_inside_a_value_is_fine():
    doc, diags = load("a: x\ty\n")
    assert diags == [] and doc.data == {"a": "x\ty"}


def test_empty_and_comment_only_files():
    for text in ("", "\n\n", "# 只有注释\n"):
        doc, diags = load(text)
        assert codes(diags) == [(1, 1, "GK104")], text
        assert not doc.ok


def test_bom_is_tolerated():
    doc, diags = load("\ufeffname: 沈阳市\n".encode("utf-8"))
    assert diags == [] and doc.data == {"name": "沈阳市"}


def test_gbk_file_is_recognised_with_advice():
    _, diags = load("name: 辽中区\nlevel: county\n".encode("gbk"))
    assert [d.code for d in diags] == ["GK105"]
    assert diags[0].line == 1 and diags[0].column == 7
    assert "GBK" in diags[0].message and "iconv" in diags[0].message


def test_bytes_that_are_neither_utf8_nor_gbk():
    _, diags = load(b"a: \xff\xfe\xff\n")
    assert [d.code for d in diags] == ["GK105"] and "GBK" not in diags[0].message


def test_several_documents():
    _, diags = load("a: 1\n---\nb: 2\n")
    assert codes(diags) == [(2, 1, "GK110")]


def test_syntax_error_has_position_and_chinese_message():
    _, diags = load("items:\n  - id: a\n    level1: 政策: 文件\n")
    assert [d.code for d in diags] == ["GK101"]
    assert diags[0].line == 3
    assert "YAML 语法错误" in diags[0].message


def test_unclosed_flow_list():
    _, diags = load("channels: [政府网站, 两微一端\nx: 1\n")
    assert [d.code for d in diags] == ["GK101"]


def test_mapping_as_key_is_refused():
    _, diags = load("? [a, b]\n: 1\n")
    assert [d.code for d in diags] == ["GK111"]


def test_positions_are_computed_lazily_and_point_at_values_or_keys():
    doc, diags = load("domain: x\nitems:\n  - id: a\n    channels: [政府网站, 政府网]\n")
    assert diags == []
    assert doc._composed is False  # the fast path keeps no positions
    assert doc.pos(("items", 0, "channels", 1)) == (4, 22)  # columns count characters
    assert doc.pos(("items", 0, "channels"), key=True) == (4, 5)
    assert doc._composed is True
    # a path that does not exist points at the deepest node that does
    assert doc.pos(("items", 0, "missing")) == (3, 5)


@pytest.mark.parametrize("path,shown", [(("items", 3, "channels", 1), "items[3].channels[1]"),
                                        (("override", "a.b", "levels"), "override.a.b.levels"), ((0, "id"), "[0].id")])
def test_format_path(path, shown):
    assert format_path(path) == shown
