"""Workbooks read back with openpyxl: the national layout, print settings, safety, determinism."""

from __future__ import annotations

import zipfile

import pytest
from openpyxl import load_workbook

from gkcat.publish.pipeline import build
from gkcat.render.xlsx.writer import sheet_name

EPOCH = "1767225600"  # 2026-01-01T00:00:00Z

OVERLAY = {
    "city/county/yiwu-jiaoyu.yaml": """
        domain: yiwu-jiaoyu
        override:
          zcwj-jyfl:
            channels: [政府网站, 公开查阅点, 其他(教育局门户网站)]
            links: [https://www.example.gov.cn/jyj/, https://www.example.gov.cn/b/]
            extra: {phone: "=HYPERLINK(\\"http://evil\\")"}
        exclude:
          - id: jygk-ml
            reason: 本区由市教育局统一公开
        items:
          - id: lz-jd
            level1: 政策文件
            level2: "+政策解读"
            content: ["@本区教育政策解读", "-要素二"]
            basis: 《中华人民共和国政府信息公开条例》
            subject: [education, 各学校]
            channels: [政府网站]
            audience: 特定群体
            method: 依申请
        withheld:
          - id: xs-xx
            title: 学生个人信息
            reason: 涉及个人隐私
            basis: [《中华人民共和国政府信息公开条例》第十五条]
    """,
}


@pytest.fixture
def built(project, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    root = project(OVERLAY)
    build(root, tmp_path / "out", jobs=1)
    return tmp_path / "out"


def test_outputs_and_ascii_alias(built):
    chinese = built / "city/county/某某区政务公开标准目录.xlsx"
    ascii_name = built / "city/county/county.xlsx"
    assert chinese.read_bytes() == ascii_name.read_bytes()
    assert (built / "总表.xlsx").is_file() and (built / "city/county/town-a/甲镇政务公开标准目录.xlsx").is_file()


def test_sheets_of_a_locality(built):
    wb = load_workbook(built / "city/county/county.xlsx")
    assert wb.sheetnames == ["目录总览", "义务教育", "不适用事项", "负面清单"]


def test_domain_sheet_headers_and_merges(built):
    ws = load_workbook(built / "city/county/county.xlsx")["义务教育"]
    assert ws["A1"].value == "某某区义务教育领域基层政务公开标准目录"
    row2 = [c.value for c in ws[2]]
    row3 = [c.value for c in ws[3]]
    assert row2 == ["序号", "公开事项", None, "公开内容（要素）", "公开依据", "公开时限", "公开主体", "公开渠道和载体",
                    "公开对象", None, "公开方式", None, "公开层级", None, "咨询电话", "已公开内容链接"]
    assert row3 == [None, "一级事项", "二级事项", None, None, None, None, None,
                    "全社会", "特定群体", "主动", "依申请", "县级", "乡级", None, None]
    merges = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:P1", "A2:A3", "B2:C2", "D2:D3", "I2:J2", "K2:L2", "M2:N2", "O2:O3", "P2:P3"} <= merges


def test_groups_are_numbered_and_merged(built):
    ws = load_workbook(built / "city/county/county.xlsx")["义务教育"]
    # 政策文件: zcwj-jyfl, zcwj-gfx (passed down to towns), lz-jd (local); jygk-ml was excluded
    assert [ws.cell(r, 3).value for r in range(4, 7)] == ["教育法律", "规范性文件", "+政策解读"]
    assert ws["A4"].value == "1" and ws["B4"].value == "政策文件"
    assert {"A4:A6", "B4:B6"} <= {str(r) for r in ws.merged_cells.ranges}
    assert ws.max_row == 6


def test_item_row_cells(built):
    ws = load_workbook(built / "city/county/county.xlsx")["义务教育"]
    row = [c.value for c in ws[4]]
    assert row[3] == "●《中华人民共和国教育法》\n●《中华人民共和国义务教育法》"
    assert row[6] == "区教育局"
    assert row[7].splitlines()[0] == "■政府网站 □政府公报"
    assert "■公开查阅点" in row[7] and row[7].splitlines()[-1] == "■其他（教育局门户网站）"
    assert row[8:14] == ["√", None, "√", None, "√", "√"]
    assert row[15] == "https://www.example.gov.cn/jyj/\nhttps://www.example.gov.cn/b/"
    assert ws.cell(4, 16).hyperlink.target == "https://www.example.gov.cn/jyj/"
    gfx = [c.value for c in ws[5]]
    assert gfx[12:14] == [None, "√"]  # passed down: published by towns only
    local = [c.value for c in ws[6]]
    assert local[8:12] == [None, "√", None, "√"] and local[6] == "区教育局、各学校"


def test_formula_looking_text_is_stored_as_text(built):
    ws = load_workbook(built / "city/county/county.xlsx")["义务教育"]
    phone = ws.cell(4, 15)
    assert phone.value == '=HYPERLINK("http://evil")' and phone.data_type == "s"
    assert ws.cell(6, 3).value == "+政策解读" and ws.cell(6, 3).data_type == "s"
    with zipfile.ZipFile(built / "city/county/county.xlsx") as z:
        sheets = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in sheets


def test_print_settings(built):
    ws = load_workbook(built / "city/county/county.xlsx")["义务教育"]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$2:$3"
    assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert ws.freeze_panes == "A4"
    assert ws.column_dimensions["D"].width == 30
    body = ws["D4"]
    assert body.font.name == "宋体" and body.border.left.style == "thin"
    assert body.alignment.wrap_text and ws.row_dimensions[4].height > 13.5


def test_levels_columns_follow_the_locality(built):
    ws = load_workbook(built / "city/county/town-a/town-a.xlsx")["义务教育"]
    assert [c.value for c in ws[3]][12:] == ["乡级", None, None]
    city = load_workbook(built / "city/city.xlsx")["义务教育"]
    assert [c.value for c in city[3]][12:15] == ["市级", "县级", "乡级"]


def test_overview_exclusions_and_negative_list(built):
    wb = load_workbook(built / "city/county/county.xlsx")
    overview = wb["目录总览"]
    assert "上级地区：测试市" in overview["A2"].value and "生成日期：2026-01-01" in overview["A2"].value
    assert [c.value for c in overview[4]] == ["1", "义务教育", "2", "3", "1", "2", "区教育局"]
    excluded = [c.value for c in wb["不适用事项"][3]]
    assert excluded[:7] == ["1", "义务教育", "jygk-ml", "教育概况", "义务教育学校名录", "本区由市教育局统一公开", "某某区"]
    assert excluded[7].startswith("city/county/yiwu-jiaoyu.yaml:")
    withheld = [[c.value for c in row] for row in wb["负面清单"].iter_rows(min_row=3)]
    assert [r[2] for r in withheld] == ["ks-st", "xs-xx"] and withheld[1][6] == "某某区"


def test_project_workbook(built):
    wb = load_workbook(built / "总表.xlsx")
    assert wb.sheetnames == ["公开地图", "义务教育"]
    rows = [[c.value for c in r] for r in wb["公开地图"].iter_rows(min_row=3)]
    assert rows[0] == ["测试市", "市级", "1", "1"]
    assert rows[1] == ["\u3000某某区", "县级", "2", "2"]
    compare = {r[1]: r for r in ([c.value for c in row] for row in wb["义务教育"].iter_rows(min_row=3))}
    assert compare["jygk-ml"][5:] == ["1", "1", "0", "0", "1"]  # city only; excluded by the county
    assert compare["lz-jd"][4] == "某某区"


def test_sheet_names_respect_excel_rules():
    taken: set[str] = set()
    assert sheet_name("a/b:c*d?[e]", taken) == "a_b_c_d__e_"
    long = "国" * 40
    first, second = sheet_name(long, taken), sheet_name(long, taken)
    assert len(first) == 31 and len(second) == 31 and first != second


def test_identical_input_gives_identical_bytes(project, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    root = project(OVERLAY)
    build(root, tmp_path / "a", jobs=1)
    build(root, tmp_path / "b", jobs=2)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert files and all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)
    with zipfile.ZipFile(tmp_path / "a/总表.xlsx") as z:
        assert {i.date_time for i in z.infolist()} == {(2026, 1, 1, 0, 0, 0)}
        assert "2026-01-01T00:00:00Z" in z.read("docProps/core.xml").decode()
