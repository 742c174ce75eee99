"""`gkcat init` and `gkcat import`: hand-made tables of every common variant, and the round trip
sample catalogs -> XLSX -> import into an empty copy -> the same resolved catalogs."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import yaml

from conftest import CATALOGS
from gkcat.check.load import load_project
from gkcat.ingest.importer import add_extra_fields, import_file
from gkcat.publish.pipeline import build
from gkcat.render.data import show_data
from gkcat.render.site.urls import workbook_paths
from gkcat.resolve.catalog import catalogs_for


def _comparable(v, loc) -> dict:
    """A locality's resolved catalogs, minus what a national table cannot carry: item ids (import numbers
    them), the order of channels (the table prints them as a checklist in the project's order) and
    levels above the locality (its table has no columns for them; they do not change what it publishes)."""
    levels = list(v.project.config.levels)
    below = levels[levels.index(loc.level):]
    data = show_data(loc, catalogs_for(v.resolver, loc))
    for d in data["domains"]:
        for i in d["items"]:
            del i["source"], i["id"]
            i["channels"] = sorted(i["channels"])
            i["levels"] = [lv for lv in i["levels"] if lv in below]
        for x in d["excluded"]:
            del x["source"], x["id"]
    return data


def test_round_trip_of_every_sample_workbook(tmp_path):
    build(CATALOGS, tmp_path / "out", jobs=1, parts=("xlsx",))
    empty = tmp_path / "p"
    shutil.copytree(CATALOGS, empty, ignore=shutil.ignore_patterns("site"))
    original = load_project(CATALOGS)
    for loc in original.project.localities.values():
        for f in (empty / loc.path).glob("*.yaml"):
            if f.name != "locality.yaml":
                f.unlink()
    for loc in original.project.localities.values():  # top down: each level imports against its parent
        out = import_file(empty, "xlsx", tmp_path / "out" / workbook_paths(loc)[0], loc.path, None, None, False)
        assert not [d for d in out.diagnostics if d.severity.value == "error"], (loc.path, out.diagnostics[:3])
    imported = load_project(empty)
    assert imported.ok()
    for loc in original.project.localities.values():
        assert _comparable(imported, imported.project.localities[loc.path]) == _comparable(original, loc), loc.path


def _sheet(path: Path, rows: list[list[object]], merges: tuple[str, ...] = (), title: str = "Sheet1") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    for m in merges:
        ws.merge_cells(m)
    wb.save(path)
    return path


def _load(root: Path, rel: str) -> dict:
    return yaml.safe_load((root / rel).read_text(encoding="utf-8"))


def test_county_table_with_two_header_rows_merges_marks_extras_and_same_as_above(project, tmp_path, run):
    root = project()
    book = _sheet(tmp_path / "区.xlsx", [
        ["某某区义务教育领域基层政务公开标准目录"] + [None] * 14,
        ["序号", "公开事项", None, "公开内容（要素）", "公开依据", "公开时限", "公开主体", "公开渠道和载体", None,
         "公开对象", None, "公开层级", None, "五公开", "咨询电话"],
        [None, "一级事项", "二级事项", None, None, None, None, "政府网站", "公开查阅点", "全社会", "特定群体", "区级", "镇街",
         None, None],
        [1, "政策文件", " 教育\u3000法律 ", "●《中华人民共和国教育法》\n●《中华人民共和国义务教育法》",
         "《中华人民共和国政府信息公开条例》",
         "20个工作日内", "区教育局", "√", "√", "√", None, "√", "√", "结果公开", "024-1234"],
        [None, None, None, None, None, None, None, None, None, None, None, None, None, None, None],
        [2, "教育概况", "义务教育学校名录（更新）", "学校名称", "同上", "同上", "区教育局、区民政局", "✓", None, None, "√",
         "√", None, "执行公开", "同上"],
    ], merges=("A1:O1", "B2:C2", "H2:I2", "J2:K2", "L2:M2", "A2:A3", "D2:D3", "E2:E3", "F2:F3", "G2:G3", "N2:N3", "O2:O3"),
        title="义务教育")
    result = run("-C", root, "import", "xlsx", book, "--locality", "city/county")
    assert result.exit_code == 0, result.output
    data = _load(root, "city/county/yiwu-jiaoyu.yaml")
    # 教育法律 matched the city's item despite the (full-width) spaces: only what differs is overridden
    assert data["override"]["zcwj-jyfl"] == {"deadline": "20个工作日内", "channels": ["政府网站", "公开查阅点"],
                                             "extra": {"five-public": "结果公开", "phone": "024-1234"}}
    # not in the table: the city's 义务教育学校名录 (the name differs) and 规范性文件 (passed down to towns)
    assert data["exclude"] == [{"id": "zcwj-gfx", "reason": "待补充：导入时缺少此事项"},
                               {"id": "jygk-ml", "reason": "待补充：导入时缺少此事项"}]
    (local,) = data["items"]
    assert local["id"] == "county-01" and local["level1"] == "教育概况"
    assert local["basis"] == ["《中华人民共和国政府信息公开条例》"] and local["deadline"] == "20个工作日内"  # 同上
    assert local["subject"] == ["education", "区民政局"]  # a department of the county becomes its role
    assert local["audience"] == "特定群体" and local["levels"] == ["county"]
    assert local["extra"] == {"five-public": "执行公开", "phone": "024-1234"}
    config = _load(root, "gkcat.yaml")
    assert {"id": "five-public", "label": "五公开"} in config["extra_fields"]
    assert "gkcat.yaml 增加了扩展字段：五公开（five-public）" in result.output
    assert "检查通过" in result.output and "与上级事项对应 1 项，其中 1 项有不同（写作修改），本级新增 1 项" in result.output


def test_one_header_row_blank_level1_and_channel_lists(project, tmp_path, run):
    root = project()
    book = _sheet(tmp_path / "t.xlsx", [
        ["一级事项", "二级事项", "公开内容", "公开依据", "公开主体", "公开渠道", "公开方式", "公开层级"],
        ["政策文件", "教育法律", "法律", "《中华人民共和国政府信息公开条例》", "市教育局", "政府网站，两微一端；公开查阅点", "主动",
         "县级、乡级"],
        [None, "规范性文件", "文件", "《条例》", "市教育局", "■政府网站 □两微一端\n■其他（校园公告栏）", "依申请公开", "乡级"],
        [None, None, None, None, None, None, None, None],
        ["注：本表由市教育局负责解释", None, None, None, None, None, None, None],
    ])
    out = import_file(root, "xlsx", book, "city", "yiwu-jiaoyu", None, force=True)
    data = _load(root, "city/yiwu-jiaoyu.yaml")
    a, b = data["items"]
    assert (a["id"], b["id"]) == ("yj-01", "yj-02") and b["level1"] == "政策文件"  # blank: the one above
    assert a["channels"] == ["政府网站", "两微一端", "公开查阅点"] and a["levels"] == ["county", "town"]
    assert b["channels"] == ["政府网站", "其他(校园公告栏)"] and b["method"] == "依申请" and b["subject"] == ["education"]
    assert any("说明文字" in line for line in out.report)


def test_refuses_to_overwrite_without_force_and_explains_a_sheet_that_is_not_a_table(project, tmp_path, run):
    root = project()
    book = _sheet(tmp_path / "t.xlsx", [["一级事项", "二级事项", "公开内容", "公开依据", "公开主体"],
                                        ["政策文件", "教育法律", "法律", "《条例》", "市教育局"]], title="义务教育目录")
    refused = run("-C", root, "import", "xlsx", book, "--locality", "city")
    assert refused.exit_code == 2 and "city/yiwu-jiaoyu.yaml" in refused.stderr and "--force" in refused.stderr
    assert "zcwj-jyfl" in (root / "city/yiwu-jiaoyu.yaml").read_text(encoding="utf-8")  # untouched
    assert run("-C", root, "import", "xlsx", book, "--locality", "city", "--force").exit_code == 0
    other = _sheet(tmp_path / "o.xlsx", [["姓名", "电话"], ["张三", "123"]], title="通讯录")
    result = run("-C", root, "import", "xlsx", other, "--locality", "city")
    assert result.exit_code == 2 and "工作表“通讯录”" in result.stderr and "表头" in result.stderr
    unknown = _sheet(tmp_path / "u.xlsx", [["一级事项", "二级事项", "公开内容", "公开依据"], ["a", "b", "c", "d"]], title="表1")
    result = run("-C", root, "import", "xlsx", unknown, "--locality", "city/county")
    assert result.exit_code == 2 and "--domain" in result.stderr


def test_html_table_with_rowspan_and_colspan(project, tmp_path):
    root = project()
    page = tmp_path / "page.html"
    page.write_text("""<html><head><meta charset="utf-8"></head><body><h2>某某区义务教育领域基层政务公开标准目录</h2>
    <table border=1>
    <tr><th rowspan=2>序号</th><th colspan=2>公开事项</th><th rowspan=2>公开内容</th><th rowspan=2>公开依据</th>
        <th rowspan=2>公开主体</th><th rowspan=2>公开渠道和载体</th><th colspan=2>公开方式</th></tr>
    <tr><th>一级事项</th><th>二级事项</th><th>主动</th><th>依申请</th></tr>
    <tr><td rowspan=2>1</td><td rowspan=2>政策文件</td><td>教育法律</td><td>法律<br>法规</td><td>《条例》</td>
        <td>区教育局</td><td>政府网站、两微一端</td><td>√</td><td></td></tr>
    <tr><td>规范性文件</td><td>文件</td><td>《条例》</td><td>区教育局</td><td>政府网站</td><td></td><td>√</td></tr>
    <tr><td>2</td><td>教育概况</td><td>义务教育学校名录</td><td>学校名称<br>学校地址</td><td>《条例》</td><td>区教育局</td>
        <td>政府网站</td><td>√</td><td></td></tr>
    </table></body></html>""", encoding="utf-8")
    out = import_file(root, "html", page, "city/county", None, None, False)
    assert not [d for d in out.diagnostics if d.severity.value == "error"]
    data = _load(root, "city/county/yiwu-jiaoyu.yaml")
    assert "exclude" not in data and "items" not in data
    assert data["override"]["zcwj-gfx"] == {"method": "依申请"}
    assert "zcwj-jyfl" not in data["override"]  # the same as the city's


def test_add_extra_fields_keeps_comments():
    config = "title: 测试\n# 扩展列\nextra_fields:\n  - id: phone\n    label: 咨询电话\n\nlevels: [city]\n"
    out = add_extra_fields(config, {"五公开": "five-public"})
    assert out == ("title: 测试\n# 扩展列\nextra_fields:\n  - id: phone\n    label: 咨询电话\n"
                   "  - id: five-public\n    label: 五公开\n\nlevels: [city]\n")
    assert add_extra_fields("title: x\n", {"备注": "note"}) == "title: x\nextra_fields:\n  - id: note\n    label: 备注\n"


def test_init_starts_a_project_that_validates(tmp_path, run):
    result = run("init", tmp_path / "mm", "--name", "某某县", "--level", "county", "--id", "moumou")
    assert result.exit_code == 0 and "检查通过" in result.output
    config = _load(tmp_path / "mm", "gkcat.yaml")
    assert config["levels"] == ["county", "town"] and config["root"] == "moumou"
    domains = _load(tmp_path / "mm", "domains.yaml")
    assert len(domains) == 26 and all(set(d["levels"]) <= {"county", "town"} for d in domains)
    departments = _load(tmp_path / "mm", "moumou/locality.yaml")["departments"]
    assert departments["education"] == "某某县教育局"
    again = run("init", tmp_path / "mm", "--name", "某某县")
    assert again.exit_code == 2 and "不是空文件夹" in again.stderr


def test_merged_down_groups_other_marks_and_full_width_punctuation(project, tmp_path):
    root = project({"city/yiwu-jiaoyu.yaml": """
        domain: yiwu-jiaoyu
        items:
          - id: a
            level1: 政策文件
            level2: 教育法律(修订)
            content: 法律
            basis: 《条例》
            subject: [education]
            channels: [政府网站]
    """})
    book = _sheet(tmp_path / "m.xlsx", [
        ["序号", "一级事项", "二级事项", "公开内容", "公开依据", "公开主体", "公开渠道", "全社会", "特定群体"],
        [1, "政策文件", "教育法律（修订）", "法律", "《条例》", "区教育局", "政府网站", "●", None],
        [None, None, "教育法规", "法规", "《条例》", "区教育局", "政府网站", None, "是"],
        [2, "教育概况", "学校名录", "名称", "《条例》", "区教育局", "政府网站", "√", None],
    ], merges=("A2:A3", "B2:B3"), title="义务教育")
    import_file(root, "xlsx", book, "city/county", None, None, False)
    data = _load(root, "city/county/yiwu-jiaoyu.yaml")
    assert "override" not in data and "exclude" not in data  # （修订） matched (修订): nothing differs
    first, second = data["items"]
    assert first["level1"] == "政策文件" and first["level2"] == "教育法规" and first["audience"] == "特定群体"
    assert second["level1"] == "教育概况" and second["audience"] == "全社会"
