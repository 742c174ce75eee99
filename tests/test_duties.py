"""Duty lists (责任清单): per department, the items it publishes, in `show`, on the site and in a workbook."""

from __future__ import annotations

import json
import re

import openpyxl
import pytest

from gkcat.publish.pipeline import build
from htmlscan import scan

# The county gives one item a second subject written by name: a department of its own in the lists.
OVERLAY = {"city/county/yiwu-jiaoyu.yaml": """
    domain: yiwu-jiaoyu
    override:
      jygk-ml:
        subject: [education, 区档案馆]
"""}


@pytest.fixture
def root(project):
    return project(OVERLAY)


def test_show_department_by_role_lists_what_it_publishes_here(root, run):
    result = run("-C", root, "show", "city/county", "--department", "education")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "区教育局（角色：education）：本级公开事项 2 项" in out
    assert "zcwj-jyfl  政策文件 / 教育法律" in out and "jygk-ml  教育概况 / 义务教育学校名录" in out
    assert "公开渠道：政府网站；两微一端" in out and "公开层级：县级、乡级" in out
    assert "zcwj-gfx" not in out  # published only by the towns: not the county's duty


def test_show_department_json_by_name_literal_and_inherited(root, run):
    data = json.loads(run("-C", root, "show", "city/county", "--department", "区教育局", "--format", "json").stdout)
    assert data["department"] == {"name": "区教育局", "roles": ["education"], "named_by": "city/county"}
    assert [(i["domain"]["id"], i["id"]) for i in data["items"]] == [("yiwu-jiaoyu", "zcwj-jyfl"), ("yiwu-jiaoyu", "jygk-ml")]
    assert data["items"][0]["deadline"] == "信息形成或者变更之日起20个工作日内"
    assert data["items"][0]["source"]["file"] == "city/yiwu-jiaoyu.yaml"
    literal = json.loads(run("-C", root, "show", "city/county", "--department", "区档案馆", "--format", "json").stdout)
    assert literal["department"] == {"name": "区档案馆", "roles": [], "named_by": None}
    assert [i["id"] for i in literal["items"]] == ["jygk-ml"]
    # a town without its own education bureau: the county's, with what the town publishes
    town = json.loads(run("-C", root, "show", "city/county/town-a", "--department", "education", "--format", "json").stdout)
    assert town["department"]["named_by"] == "city/county"
    assert [i["id"] for i in town["items"]] == ["zcwj-jyfl", "zcwj-gfx", "jygk-ml"]  # the table's order


def test_show_unknown_department_suggests_the_nearest(root, run):
    result = run("-C", root, "show", "city/county", "--department", "区教育")
    assert result.exit_code == 1
    assert "本地区没有部门“区教育”，是否为“区教育局”？" in result.stderr


def test_departments_page_lists_each_department_with_links_to_the_rows(root, tmp_path):
    build(root, tmp_path / "out", jobs=1)
    site = tmp_path / "out"
    page = (site / "city/county/departments.html").read_text(encoding="utf-8")
    scanned = scan(site / "city/county/departments.html")
    assert "某某区政务公开责任清单" in page
    assert {"dept-education"} <= scanned.ids
    assert any(i.startswith("dept-n") for i in scanned.ids)  # the literal department, by a safe id
    # nothing a reader cannot understand: no role ids; a department with nothing to publish has no section
    text = re.sub(r"<[^>]+>", " ", page)  # what a reader sees (ids in attributes are no words)
    assert "职责角色" not in text and "education" not in text and "目录中按名称填写的公开主体" in text
    sections = page.split("<section")[1:]
    assert sections and all("<table" in sec for sec in sections)
    assert "本级目录中暂无由该部门公开的事项" not in page
    hrefs = scanned.attrs("href")
    table = "yiwu-jiaoyu.html"  # beside the duty list: the same row HTML in every locality
    assert f"{table}#zcwj-jyfl" in hrefs and f"{table}#jygk-ml" in hrefs
    assert f"{table}#zcwj-gfx" not in hrefs
    table_ids = scan(site / "city/county/yiwu-jiaoyu.html").ids
    assert {"zcwj-jyfl", "jygk-ml"} <= table_ids
    # the town's list names the county's department as inherited
    town_page = (site / "city/county/town-a/departments.html").read_text(encoding="utf-8")
    assert "某某区的部门，本级沿用" in town_page and "职责角色" not in town_page
    locality = scan(site / "city/county/index.html").attrs("href")
    assert "../../city/county/departments.html" in locality and "../../city/county/责任清单.xlsx" in locality


def test_duty_workbook_has_a_print_ready_sheet_per_department(root, tmp_path):
    build(root, tmp_path / "out", jobs=1)
    wb = openpyxl.load_workbook(tmp_path / "out/city/county/责任清单.xlsx")
    assert wb.sheetnames == ["部门总览", "区教育局", "区档案馆"]
    overview = wb["部门总览"]
    assert overview["A1"].value == "某某区政务公开责任清单：部门总览"
    assert [c.value for c in overview[3]] == ["序号", "部门", "职责角色", "本级公开事项数", "涉及领域"]
    assert [c.value for c in overview[4]] == ["1", "区教育局", "education", "2", "义务教育"]
    ws = wb["区教育局"]
    assert ws["A1"].value == "某某区区教育局政务公开责任清单"
    assert [c.value for c in ws[3]][:5] == ["序号", "领域", "一级事项", "二级事项", "公开时限"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=4)]
    assert [r[3] for r in rows] == ["教育法律", "义务教育学校名录"]
    assert rows[0][5] == "政府网站、两微一端" and rows[0][6] == "县级、乡级" and rows[0][8] == "zcwj-jyfl"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.print_title_rows == "$2:$3"
    assert "&P" in ws.oddFooter.center.text


def test_a_department_with_nothing_to_publish_here_still_has_its_sheet(project, tmp_path):
    root = project({"city/county/locality.yaml": "name: 某某区\nlevel: county\ndepartments:\n  education: 区教育局\n"
                                                 "  civil-affairs: 区民政局\n"})
    build(root, tmp_path / "out", jobs=1)
    wb = openpyxl.load_workbook(tmp_path / "out/city/county/责任清单.xlsx")
    assert wb.sheetnames == ["部门总览", "区教育局", "区民政局"]
    empty = wb["区民政局"]
    assert "本级公开事项 0 项（本级目录中暂无由该部门公开的事项）" in empty["A2"].value and empty.max_row == 3
    assert [c.value for c in wb["部门总览"][5]][:4] == ["2", "区民政局", "civil-affairs", "0"]
