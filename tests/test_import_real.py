"""Import of tables as counties and towns publish them: one small page per quirk seen in real tables.

Each test imports into a fresh `gkcat init` project and checks what `gkcat show --format json`
then says, the report's lines and the exit code. Rules: every data row lands or is named with its
cell and why (and then nothing is written, exit 1); what is written always validates.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

TWO_ROW_HEAD = """
<tr><th rowspan="2">序号</th><th colspan="2">公开事项</th><th rowspan="2">公开内容（要素）</th><th rowspan="2">公开依据</th>
<th rowspan="2">公开时限</th><th rowspan="2">公开主体</th><th rowspan="2">公开渠道和载体</th>
<th colspan="2">公开对象</th><th colspan="2">公开方式</th><th colspan="2">公开层级</th></tr>
<tr><th>一级事项</th><th>二级事项</th><th>全社会</th><th>特定群体</th><th>主动</th><th>依申请</th><th>县级</th><th>乡级</th></tr>
"""


def page(caption: str, head: str, rows: list[list[str]]) -> str:
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<html><body><p>{caption}</p><table>{head}{body}</table></body></html>"


def row(n: str, l1: str, l2: str, channels: str, marks: tuple[str, ...] = ("√", "", "√", "", "√", "√")) -> list[str]:
    return [n, l1, l2, "相关政策文件", "《中华人民共和国政府信息公开条例》", "20个工作日内", "县教育局", channels, *marks]


@pytest.fixture
def fresh(tmp_path: Path, run):
    def make(level: str = "county") -> Path:
        root = tmp_path / f"proj-{level}"
        assert run("init", root, "--name", "某某县" if level == "county" else "某某镇", "--id", "moumou",
                   "--level", level).exit_code == 0
        return root

    return make


def imported(run, root: Path, tmp_path: Path, html: str, *more: str):
    path = tmp_path / "table.html"
    path.write_text(html, encoding="utf-8")
    return run("-C", root, "import", "html", path, "--locality", "moumou", *more)


def items(run, root: Path, domain: str = "yiwu-jiaoyu") -> list[dict]:
    data = json.loads(run("-C", root, "show", "moumou", domain, "--format", "json").stdout)
    return data["domains"][0]["items"]


def test_a_bare_channel_with_a_slash_is_one_channel(fresh, run, tmp_path):
    root = fresh()
    result = imported(run, root, tmp_path, page("义务教育领域基层政务公开标准目录", TWO_ROW_HEAD,
                                                 [row("1", "政策文件", "教育法律", "入户/现场、政府网站")]))
    assert result.exit_code == 0, result.output
    assert items(run, root)[0]["channels"] == ["入户/现场", "政府网站"]


def test_a_ticked_other_channel_and_a_note_in_the_cell(fresh, run, tmp_path):
    root = fresh()
    cell = "■政府网站 □政府公报 ■其他法律服务网 注：以上渠道以实际公开为准"
    result = imported(run, root, tmp_path, page("公共法律服务领域基层政务公开标准目录", TWO_ROW_HEAD,
                                                 [row("1", "法律服务", "法律援助", cell)]))
    assert result.exit_code == 0, result.output
    [item] = items(run, root, "gonggong-falv-fuwu")
    assert item["channels"] == ["政府网站", "其他(法律服务网)"]
    assert list(item["extra"].values()) == ["注：以上渠道以实际公开为准"]  # kept as the item's text, under 说明
    assert "说明" in (root / "gkcat.yaml").read_text(encoding="utf-8")


def test_an_empty_third_level_column_is_kept_apart_from_the_second(fresh, run, tmp_path):
    root = fresh()
    head = TWO_ROW_HEAD.replace('<th colspan="2">公开事项</th>', '<th colspan="3">公开事项</th>').replace(
        "<th>二级事项</th>", "<th>二级事项</th><th>三级事项</th>")
    rows = [[*r[:3], "", *r[3:]] for r in (row("1", "政策文件", "教育法律", "政府网站"), row("2", "政策文件", "规范性文件", "政府网站"))]
    rows[1][3] = "地方性法规"
    result = imported(run, root, tmp_path, page("义务教育领域基层政务公开标准目录", head, rows))
    assert result.exit_code == 0, result.output
    got = items(run, root)
    assert [i["level2"] for i in got] == ["教育法律", "规范性文件"]
    assert got[0]["extra"] == {} and list(got[1]["extra"].values()) == ["地方性法规"]


def test_a_towns_table_with_county_and_town_columns_into_a_town_project(fresh, run, tmp_path):
    root = fresh("town")
    result = imported(run, root, tmp_path, page("义务教育领域基层政务公开标准目录", TWO_ROW_HEAD,
                                                 [row("1", "政策文件", "教育法律", "政府网站")]))
    assert result.exit_code == 0, result.output
    assert items(run, root)[0]["levels"] == ["town"]
    assert "公开层级县级不在本项目或本领域的层级之内，已去掉" in result.output
    assert run("-C", root, "validate").exit_code == 0


def test_a_row_published_only_above_the_project_stops_the_import(fresh, run, tmp_path):
    root = fresh("town")
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    marks = ("√", "", "√", "", "√", "")  # 县级 only
    result = imported(run, root, tmp_path, page("义务教育领域基层政务公开标准目录", TWO_ROW_HEAD,
                                                 [row("1", "政策文件", "教育法律", "政府网站"),
                                                  row("2", "政策文件", "规范性文件", "政府网站", marks)]))
    assert result.exit_code == 1 and "表格1!M4" in result.stderr and "只在县级公开" in result.stderr
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("cell, expected", [
    ("☑政府网站 ☐政府公报 ☑公开查阅点", ["政府网站", "公开查阅点"]),
    ("☒政府网站 ☐两微一端", ["政府网站"]),
    ("■政府网站 口政府公报 ■便民服务站", ["政府网站", "便民服务站"]),  # 口: a box of a PDF turned into text
    ("R政府网站 £政府公报 R精准推送", ["政府网站", "精准推送"]),  # Wingdings 2 letters
    ("√政府网站 □纸质媒体", ["政府网站"]),
])
def test_boxes_drawn_with_other_characters(fresh, run, tmp_path, cell, expected):
    root = fresh()
    result = imported(run, root, tmp_path, page("义务教育领域基层政务公开标准目录", TWO_ROW_HEAD,
                                                 [row("1", "政策文件", "教育法律", cell)]))
    assert result.exit_code == 0, result.output
    assert items(run, root)[0]["channels"] == expected


def test_header_variants_near_misses_same_as_above_and_outline_numbers(fresh, run, tmp_path):
    root = fresh()
    head = """
<tr><th rowspan="2">序号</th><th rowspan="2">一级目录</th><th rowspan="2">一级事项</th><th rowspan="2">二级事项</th>
<th rowspan="2">公开内容</th><th rowspan="2">公开依据</th><th rowspan="2">公开时限</th><th rowspan="2">公开主体</th>
<th colspan="3">公开渠道</th><th colspan="2">公开对象</th><th colspan="2">公开方式</th><th colspan="2">公开层级</th></tr>
<tr><th>政府网站</th><th>村居/企事业单位公示栏</th><th>纸质载体</th><th>全社会</th><th>特定群众</th><th>主动</th><th>依申请公开</th>
<th>区级</th><th>镇(街)级</th></tr>"""
    rows = [["1", "教育", "1.政策文件", "1.1教育法律", "法律", "《条例》", "20日", "县教育局", "√", "√", "", "", "√", "", "√", "√", "√"],
            ["2", "教育", "同上", "1.2规范性文件", "文件", "《条例》", "20日", "县教育局", "√", "", "√", "√", "", "√", "", "√", ""]]
    result = imported(run, root, tmp_path, page("义务教育领域基层政务公开标准目录", head, rows))
    assert result.exit_code == 0, result.output
    a, b = items(run, root)
    assert (a["level1"], a["level2"], b["level1"], b["level2"]) == ("政策文件", "教育法律", "政策文件", "规范性文件")
    assert a["channels"] == ["政府网站", "社区/企事业单位/村公示栏(电子屏)"] and b["channels"] == ["政府网站", "纸质媒体"]
    assert (a["audience"], a["method"], a["levels"]) == ("特定群体", "依申请", ["county", "town"])
    assert (b["audience"], b["method"], b["levels"]) == ("全社会", "主动", ["county"])
    assert list(a["extra"].values()) == ["教育"]  # 一级目录 kept under its own label


def test_a_near_miss_channel_is_mapped_and_said(fresh, run, tmp_path):
    root = fresh()
    result = imported(run, root, tmp_path, page("义务教育领域基层政务公开标准目录", TWO_ROW_HEAD,
                                                 [row("1", "政策文件", "教育法律", "政府网站、政府服务中心、12345热线")]))
    assert result.exit_code == 0, result.output
    assert items(run, root)[0]["channels"] == ["政府网站", "政务服务中心", "其他(12345热线)"]
    assert "“政府服务中心 → 政务服务中心”按相近的渠道名导入" in result.output


def test_several_domains_on_one_page_under_captions(fresh, run, tmp_path):
    root = fresh()
    tables = "".join(f"<table><caption>{name}领域基层政务公开标准目录</caption>{TWO_ROW_HEAD}"
                     + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row("1", "政策文件", "政策", "政府网站")) + "</tr>")
                     + "</table>" for name in ("义务教育", "社会救助"))
    path = tmp_path / "page.html"
    path.write_text(f"<html><body><p>某某县政务公开目录</p>{tables}</body></html>", encoding="utf-8")
    result = run("-C", root, "import", "html", path, "--locality", "moumou")
    assert result.exit_code == 0, result.output
    assert (root / "moumou/yiwu-jiaoyu.yaml").is_file() and (root / "moumou/shehui-jiuzhu.yaml").is_file()


def test_a_dropped_row_never_exits_0_and_nothing_is_written(fresh, run, tmp_path):
    root = fresh()
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    result = imported(run, root, tmp_path, page("义务教育领域基层政务公开标准目录", TWO_ROW_HEAD,
                                                 [row("1", "政策文件", "教育法律", "政府网站"),
                                                  row("2", "政策文件", "", "政府网站")]))
    assert result.exit_code == 1 and "表格1!A5：没有二级事项，这一行未导入" in result.stderr
    assert "未写入任何文件" in result.stderr
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


def test_the_same_quirks_in_a_workbook(fresh, run, tmp_path):
    import openpyxl

    root = fresh()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "义务教育"
    ws.append(["某某县义务教育领域基层政务公开标准目录"])
    ws.append(["序号", "公开事项", None, None, "公开内容（要素）", "公开依据", "公开时限", "公开主体", "公开渠道和载体",
               "公开对象", None, "公开方式", None, "公开层级", None])
    ws.append([None, "一级事项", "二级事项", "三级事项", None, None, None, None, None,
               "全社会", "特定对象", "主动", "依申请公开", "县级", "乡级"])
    ws.append(["1", "1.政策文件", "1.1教育法律", None, "法律", "《条例》", "20日", "县教育局",
               "☑政府网站 ☐政府公报 ☑其他（12345热线） 说明：热线工作日接听", "√", None, "√", None, "√", None])
    ws.append([None, None, "1.2规范性文件", "地方性法规", "文件", "《条例》", "20日", "县教育局", "入户/现场",
               "√", None, "√", None, "√", "√"])
    for rng in ("A1:O1", "B2:D2", "J2:K2", "L2:M2", "N2:O2", "A4:A5", "B4:B5",
                "A2:A3", "E2:E3", "F2:F3", "G2:G3", "H2:H3", "I2:I3"):
        ws.merge_cells(rng)
    book = tmp_path / "表.xlsx"
    wb.save(book)
    result = run("-C", root, "import", "xlsx", book, "--locality", "moumou")
    assert result.exit_code == 0, result.output
    a, b = items(run, root)
    assert (a["level1"], a["level2"], b["level1"], b["level2"]) == ("政策文件", "教育法律", "政策文件", "规范性文件")
    assert a["channels"] == ["政府网站", "其他(12345热线)"] and b["channels"] == ["入户/现场"]
    assert sorted(a["extra"].values()) == ["说明：热线工作日接听"] and list(b["extra"].values()) == ["地方性法规"]
    assert b["levels"] == ["county", "town"] and a["levels"] == ["county"]
