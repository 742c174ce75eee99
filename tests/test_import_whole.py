"""A town's whole catalog in one table (issue 26): the first 事项 column names the domain, printed names map
to the project's domains, a row that names no domain is refused by its row, --domain never pours it into
one domain; a row printed over two table rows is one item; a tick with words in a 公开对象 column."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from conftest import CATALOGS

LZ = "shenyang/liaozhong"
HEADER = ["序号", "公开事项", None, None, "公开内容（要素）", "公开依据", "公开时限", "公开主体", "公开渠道和载体",
          "公开对象", None, "公开方式", None]
SUB = [None, "领域", "一级事项", "二级事项", None, None, None, None, None, "全社会", "特定群体", "主动", "依申请"]


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    shutil.copytree(CATALOGS, root, ignore=shutil.ignore_patterns("site"))
    # the county's table replaces its whole catalog; what its towns adapted of it is not the point here
    for overlay in (root / LZ).glob("*/*.yaml"):
        if overlay.name != "locality.yaml" and not overlay.name.startswith("workplan-"):
            overlay.unlink()
    return root


def _book(path: Path, rows: list[list[str | None]], merges: list[str] = ()) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "目录"
    ws.append(["辽中区基层政务公开标准目录"] + [None] * 12)
    ws.append(HEADER)
    ws.append(SUB)
    for row in rows:
        ws.append(row)
    for cells in ("B2:D2", "J2:K2", "L2:M2", "A2:A3", "E2:E3", "F2:F3", "G2:G3", "H2:H3", "I2:I3", *merges):
        ws.merge_cells(cells)
    wb.save(path)
    return path


def _row(n: str | None, domain: str | None, l1: str | None, l2: str | None, content: str = "文件", tick: str = "√",
         audience: int = 9) -> list[str | None]:
    row: list[str | None] = [n, domain, l1, l2, content, "《条例》", "20个工作日内", "区民政局", "政府网站", None, None, "√", None]
    row[audience] = tick
    return row


WHOLE = [
    _row("1", "社会救助", "最低生活保障", "政策法规文件"),
    _row("2", None, "最低生活保障", "办事指南"),  # 社会救助 merged down over its rows
    _row("3", "城乡规划", "规划计划", "国土空间总体规划"),
    _row("4", "重大项目建设", "批准服务信息", "审批结果"),
    _row("5", "食品监管", "监管信息", "抽检信息"),
    _row("6", "农业补贴", "补贴政策", "补贴标准"),
]


def _shown(run, root: Path) -> dict[str, list[dict]]:
    data = json.loads(run("-C", root, "show", LZ, "--format", "json").stdout)
    return {d["id"]: d["items"] for d in data["domains"]}


def test_each_row_goes_to_the_domain_its_first_column_names(sample, run, tmp_path):
    book = _book(tmp_path / "whole.xlsx", WHOLE, ["B4:B5"])
    result = run("-C", sample, "import", "xlsx", book, "--locality", LZ, "--force")
    assert result.exit_code == 0, result.output
    for printed, name in (("重大项目建设", "重大建设项目"), ("食品监管", "食品药品监管"), ("农业补贴", "涉农补贴")):
        assert f"“{printed}”按领域“{name}”导入" in result.output
    shown = {d: [(i["level1"], i["level2"]) for i in items] for d, items in _shown(run, sample).items()}
    # each domain holds what its rows give (what the district's table leaves out it excludes, 待补充)
    assert shown["shehui-jiuzhu"] == [("最低生活保障", "政策法规文件"), ("最低生活保障", "办事指南")]
    assert shown["guotu-kongjian-guihua"] == [("规划计划", "国土空间总体规划")]
    assert shown["zhongda-jianshe-xiangmu"] == [("批准服务信息", "审批结果")]
    assert shown["shipin-yaopin-jianguan"] == [("监管信息", "抽检信息")] and shown["shenong-butie"] == [("补贴政策", "补贴标准")]
    assert not (sample / "gkcat.yaml").read_text(encoding="utf-8").count("领域")  # the domain column is no extra field
    new = [i["id"] for items in _shown(run, sample).values() for i in items if i["id"].startswith("liaozhong-")]
    assert len(new) == 4 and len(set(new)) == 4  # numbered across the locality's domains, not 01 in each


def test_a_row_whose_first_column_is_no_domain_is_named_and_nothing_is_written(sample, run, tmp_path):
    book = _book(tmp_path / "whole.xlsx", [*WHOLE, _row("7", "党务公开", "组织建设", "党员名册")])
    before = {p: p.read_bytes() for p in sample.rglob("*.yaml")}
    result = run("-C", sample, "import", "xlsx", book, "--locality", LZ, "--force")
    assert result.exit_code == 1
    assert "目录!B10：第一列“党务公开”不是本项目的领域，这一行未导入" in result.output
    assert {p: p.read_bytes() for p in sample.rglob("*.yaml")} == before


def test_with_domain_a_whole_catalog_is_refused(sample, run, tmp_path):
    book = _book(tmp_path / "whole.xlsx", WHOLE)
    result = run("-C", sample, "import", "xlsx", book, "--locality", LZ, "--domain", "社会救助", "--force")
    assert result.exit_code == 2 and "包含多个领域的整本目录" in result.output


def test_a_row_printed_over_two_rows_is_one_item(sample, run, tmp_path):
    rows = [_row("1", "社会救助", "临时救助", "本区救助标准", "第一条文件"),
            [None, None, None, None, "第二条文件", "《办法》", None, None, None, None, None, None, None],
            _row("2", "社会救助", "最低生活保障", "办事指南"),
            _row("3", "城乡规划", "规划计划", "国土空间总体规划")]
    book = _book(tmp_path / "whole.xlsx", rows)
    result = run("-C", sample, "import", "xlsx", book, "--locality", LZ, "--force")
    assert result.exit_code == 0, result.output
    assert "接续上一行" in result.output
    items = _shown(run, sample)["shehui-jiuzhu"]
    assert sorted(i["level2"] for i in items) == ["办事指南", "本区救助标准"]  # two items, not three
    mine = next(i for i in items if i["level2"] == "本区救助标准")
    assert mine["content"] == ["第一条文件", "第二条文件"] and mine["basis"] == ["《条例》", "《办法》"]


def test_a_tick_with_words_in_an_audience_column_is_a_tick_and_a_note(sample, run, tmp_path):
    rows = [_row("1", "社会救助", "最低生活保障", "政策法规文件", tick="√（辖区低保对象）", audience=10),
            _row("2", "城乡规划", "规划计划", "国土空间总体规划")]
    book = _book(tmp_path / "whole.xlsx", rows)
    result = run("-C", sample, "import", "xlsx", book, "--locality", LZ, "--force")
    assert result.exit_code == 0, result.output
    item = _shown(run, sample)["shehui-jiuzhu"][0]
    assert item["audience"] == "特定群体"
    assert any("特定群体：辖区低保对象" in v for v in item["extra"].values()), item["extra"]


def test_printed_names_map_both_ways_and_unknown_ones_do_not(sample):
    from gkcat.ingest.whole import match_domain
    from gkcat.model.project import build_project
    from gkcat.source.tree import load_sources

    project, _ = build_project(load_sources(sample))
    assert project is not None
    for printed, domain in (("城乡规划", "guotu-kongjian-guihua"), ("国土空间规划", "guotu-kongjian-guihua"),
                            ("重大项目建设", "zhongda-jianshe-xiangmu"), ("食品安全", "shipin-yaopin-jianguan"),
                            ("惠农补贴", "shenong-butie"), ("社会救助", "shehui-jiuzhu"), ("shehui-jiuzhu", "shehui-jiuzhu")):
        found = match_domain(project, printed)
        assert found is not None and found.id == domain, printed
    for printed in ("党务公开", "其他", ""):
        assert match_domain(project, printed) is None, printed


def test_a_whole_catalog_with_only_the_two_item_columns_has_the_domain_in_the_first(sample, run, tmp_path):
    """Issue 34: 一级事项 names the domain (城乡规划, 重大项目建设 …), 二级事项 the item: a whole catalog too."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "目录"
    ws.append(["辽中区基层政务公开标准目录"] + [None] * 7)
    ws.append(["序号", "一级事项", "二级事项", "公开内容（要素）", "公开依据", "公开时限", "公开主体", "公开渠道和载体"])
    for n, domain, item in (("1", "城乡规划", "国土空间总体规划"), ("2", "重大项目建设", "审批结果"), ("3", "社会救助", "最低生活保障")):
        ws.append([n, domain, item, "文件", "《条例》", "20个工作日内", "区民政局", "政府网站"])
    wb.save(tmp_path / "整本.xlsx")
    result = run("-C", sample, "import", "xlsx", tmp_path / "整本.xlsx", "--locality", LZ, "--force", "--dry-run")
    assert "无法从标题判断领域" not in result.output, result.output
    assert result.exit_code == 0 and "一级事项列写的是领域名称" in result.output, result.output
    for domain in ("guotu-kongjian-guihua", "zhongda-jianshe-xiangmu", "shehui-jiuzhu"):
        assert f"{LZ}/{domain}.yaml" in result.output


def test_a_table_that_never_ticks_a_box_prints_its_boxes_as_bullets(sample, run, tmp_path):
    """Issue 34: ☐县政府门户网站 alone in a cell is that channel, in a table whose boxes are never ticked."""
    book = _book(tmp_path / "方框.xlsx", [
        _row("1", "社会救助", "最低生活保障", "政策法规文件"),
        _row("2", "社会救助", "最低生活保障", "办事指南"),
    ])
    wb = openpyxl.load_workbook(book)
    ws = wb.active
    ws["I4"], ws["I5"] = "☐县政府门户网站", "☐政务服务中心\n☐便民服务站"
    wb.save(book)
    result = run("-C", sample, "import", "xlsx", book, "--locality", LZ, "--domain", "shehui-jiuzhu", "--force", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "方框按列表符号读" in result.output and "没有勾选" not in result.output
    from gkcat.ingest.grids import read_xlsx
    from gkcat.ingest.table_reader import read_table
    from gkcat.model.vocabulary import NATIONAL_CHANNELS
    table = read_table(read_xlsx(book)[0], list(NATIONAL_CHANNELS))
    assert [i.channels for i in table.items] == [["政府网站"], ["政务服务中心", "便民服务站"]]
