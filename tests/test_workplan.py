"""The yearly work plan (workplan-<year>.yaml): deadlines, states, the sample from seed 003, the site
page, the workbook, `show --workplan`, `workplan review` and `diff --rev`."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import date

import openpyxl
import pytest

from conftest import CATALOGS, REPO
from gkcat.check.load import require_valid
from gkcat.model.workplan import read_deadline
from gkcat.publish.pipeline import build
from gkcat.resolve.workplan import resolve_plan, review
from htmlscan import scan
from test_build import _office
from test_diff import git

SEED = REPO.parent / "shared/seeds/003_69cf3694f199daec.txt"

CITY_PLAN = """
    title: 测试市 2022 年政务公开工作要点
    year: 2022
    sections:
      - title: 一、加强政府信息公开
        tasks:
          - id: 1
            name: 助企纾困信息公开
            lead: [education]
            units: [市政府有关部门, 各区、县]
            main:
              - task: 集中发布助企纾困政策措施。
            deadline: 2022年6月底前
          - id: 2
            name: 就业稳岗信息公开
            lead: [市人社局]
            main:
              - task: 动态公开技能培训政策规定及经办流程。
            deadline: 长期坚持
"""
COUNTY_PLAN = """
    title: 某某区 2022 年政务公开工作要点
    year: 2022
    sections:
      - title: 一、加强政府信息公开
        tasks:
          - id: 1
            name: 助企纾困信息公开
            upstream: 1
            units: [区政府有关部门]
            main:
              - task: 开设助企纾困专题。
                lead: [education, 区财政局]
              - task: 集中发布本地区政策措施。
                lead: [education, 区财政局]
              - task: 做好政策解读。
                lead: [区发改局]
            deadline: 2022 年 6 月底前，长期坚持
            progress:
              - unit: education
                state: 已完成
                date: 2022-06-20
                link: https://www.example.gov.cn/zqjk/
                note: 专题已上线
              - unit: 区财政局
                state: 推进中
                date: 2022-06-25
          - id: 3
            name: 民生实事信息公开
            lead: [区发改局]
            main:
              - task: 公开民生实事进展。
            deadline: 2022年12月底前
            progress:
              - unit: 区发改局
                state: 已完成
                date: 2022-12-10
    declined:
      - upstream: 2
        reason: 本区就业稳岗政策由市人社局统一发布
"""


@pytest.fixture
def root(project):
    return project({"city/workplan-2022.yaml": CITY_PLAN, "city/county/workplan-2022.yaml": COUNTY_PLAN})


@pytest.mark.parametrize(("text", "due", "ongoing"), [
    ("2022年6月底前", date(2022, 6, 30), False), ("2022 年 12 月底前", date(2022, 12, 31), False),
    ("长期坚持", None, True), ("2022年6月底前，长期坚持", date(2022, 6, 30), True),
    ("2022 年 12 月底", date(2022, 12, 31), False), ("2024年2月底前", date(2024, 2, 29), False),
    ("2022年3月15日前", date(2022, 3, 15), False), ("2022年底前", date(2022, 12, 31), False),
])
def test_deadlines_as_printed_are_read(text, due, ongoing):
    found, problem = read_deadline(text)
    assert problem == "" and found is not None and (found.due, found.ongoing) == (due, ongoing)


@pytest.mark.parametrize(("text", "why"), [("2022年13月底前", "月份 13 不存在"), ("2022年2月30日前", "不是真实的日期"),
                                           ("尽快", "无法识别"), ("", "没有日期")])
def test_unreadable_deadlines_say_why(text, why):
    found, problem = read_deadline(text)
    assert found is None and why in problem


def test_units_resolve_per_line_and_states_come_from_progress(root):
    v = require_valid(root)
    plan = resolve_plan(v.project.localities["city/county"], 2022)
    assert plan is not None and plan.parent is not None and plan.parent.locality.path == "city"
    t = plan.task(1)
    assert [m.lead for m in t.main] == [("区教育局", "区财政局"), ("区教育局", "区财政局"), ("区发改局",)]
    assert t.main[0].units == ("区政府有关部门",)  # the task's, as a merged cell
    assert t.leads == ("区教育局", "区财政局", "区发改局")
    assert t.state == "推进中"  # one lead department done, one under way, one not started
    assert [(s.unit, s.state) for s in t.states] == [("区教育局", "已完成"), ("区财政局", "推进中"), ("区发改局", "未开始")]
    assert t.overdue(date(2022, 7, 1)) and not t.overdue(date(2022, 6, 30))
    assert plan.task(3).state == "已完成" and not plan.task(3).overdue(date(2023, 1, 1))
    assert plan.parent.task(2).overdue(date(2030, 1, 1)) is False  # 长期坚持 alone has no date
    assert review(plan, date(2022, 7, 1)) == [("区财政局", [t]), ("区发改局", [t])]
    assert [(d.upstream, d.task.name if d.task else None) for d in plan.declined] == [(2, "就业稳岗信息公开")]


def test_an_upstream_task_left_out_is_a_warning_and_an_error_under_strict(project, run):
    county = COUNTY_PLAN.replace("    declined:\n      - upstream: 2\n        reason: 本区就业稳岗政策由市人社局统一发布\n", "")
    root = project({"city/workplan-2022.yaml": CITY_PLAN, "city/county/workplan-2022.yaml": county})
    result = run("-C", root, "validate")
    assert result.exit_code == 0 and "GK407" in result.stdout and "第 2 项“就业稳岗信息公开”" in result.stdout
    assert run("-C", root, "validate", "--strict").exit_code == 1


def test_unknown_fields_and_a_progress_unit_that_is_no_role_here_are_reported_where_written(project, run):
    county = COUNTY_PLAN.replace("            upstream: 1\n", "            upstream: 1\n            owner: 区财政局\n")
    county = county.replace("              - unit: 区财政局\n", "              - unit: finance\n")
    root = project({"city/workplan-2022.yaml": CITY_PLAN, "city/county/workplan-2022.yaml": county})
    result = run("-C", root, "validate")
    lines = (root / "city/county/workplan-2022.yaml").read_text(encoding="utf-8").splitlines()
    owner = next(i for i, t in enumerate(lines, 1) if "owner:" in t)
    unit, column = next((i, t.index("finance") + 1) for i, t in enumerate(lines, 1) if "unit: finance" in t)
    assert result.exit_code == 1
    assert f"city/county/workplan-2022.yaml:{owner}:" in result.stdout and "GK201" in result.stdout
    assert f"city/county/workplan-2022.yaml:{unit}:{column}: 错误 GK303" in result.stdout and "“finance”" in result.stdout


def _seed_table() -> list[tuple[int, str, list[str]]]:
    """(id, 事项名称, 主要任务 lines) of the 任务分解表 printed at the end of seed 003."""
    text = SEED.read_text(encoding="utf-8")
    out: list[tuple[int, str, list[str]]] = []
    for line in text[text.index("任务分解表\n"):].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("|") or line.startswith("|--") or len(cells) != 5 or cells[0] == "事项名称" or not cells[1]:
            continue
        if cells[0]:
            number, name = re.match(r"^(\d+)\.\s*(.*)$", cells[0]).groups()  # type: ignore[union-attr]
            out.append((int(number), name, []))
        out[-1][2].append(cells[1])
    return out


@pytest.mark.skipif(not SEED.exists(), reason="the seeds are beside the checkout only in the development layout")
def test_the_sample_plan_is_the_seed_table_task_by_task():
    v = require_valid(CATALOGS)
    plan = resolve_plan(v.project.localities["shenyang/liaozhong"], 2022)
    assert plan is not None
    assert [(t.id, t.name, [m.task for m in t.main]) for t in plan.tasks] == _seed_table()
    assert len(plan.tasks) == 26 and sum(len(t.main) for t in plan.tasks) == 43
    assert [title for title, _ in plan.sections] == ["一、加强政府信息公开，夯实一流基础", "二、加强公开平台建设，实现一流管理",
                                                     "三、规范执行公开制度，提供一流服务", "四、加强工作指导监督，建设一流队伍"]
    assert not any(s.state != "未开始" for t in plan.tasks for s in t.states)  # the seed prints no progress
    three = plan.task(3)
    assert [m.lead for m in three.main] == [("区政府办", "区发改局"), ("区商务局", "区营商局", "近海经济区管委会", "区市民服务中心"),
                                            ("区市场监管局",)]


def test_site_page_has_the_merged_task_table_the_ledger_and_the_declined_tasks(root, tmp_path):
    os.environ["SOURCE_DATE_EPOCH"] = "1656720000"  # 2022-07-02: task 1 is past its date
    try:
        build(root, tmp_path / "out", jobs=1)
    finally:
        del os.environ["SOURCE_DATE_EPOCH"]
    site = tmp_path / "out"
    page = (site / "city/county/workplan-2022.html").read_text(encoding="utf-8")
    assert '<th scope="rowgroup" rowspan="3">1. 助企纾困信息公开' in page
    assert '<td rowspan="2">区教育局、区财政局</td>' in page and "<td>区发改局</td>" in page  # equal neighbours merged
    assert '<td rowspan="3">区政府有关部门</td>' in page and '<td rowspan="3" class="deadline">2022 年 6 月底前，长期坚持</td>' in page
    hrefs = scan(site / "city/county/workplan-2022.html").attrs("href")
    assert "落实测试市第 1 项" in page and "../../city/workplan-2022.html#task-1" in hrefs
    assert "截至 2022-07-02" in page and page.count("到期未完成</span>") == 2  # 区财政局 and 区发改局 on task 1
    assert "本区就业稳岗政策由市人社局统一发布" in page and "上级第 2 项“就业稳岗信息公开”" in page
    assert "https://www.example.gov.cn/zqjk/" in page
    assert "../../city/county/workplan-2022.html" in scan(site / "city/county/index.html").attrs("href")
    assert "city/county/workplan-2022.html" in scan(site / "index.html").attrs("href")


def test_workbook_reads_back_with_the_same_merges(root, tmp_path):
    build(root, tmp_path / "out", jobs=1)
    wb = openpyxl.load_workbook(tmp_path / "out/city/county/workplan-2022.xlsx")
    assert wb.sheetnames == ["任务分解表", "工作台账"]
    ws = wb["任务分解表"]
    assert ws["A1"].value == "某某区 2022 年政务公开工作要点任务分解表"
    assert [c.value for c in ws[2]] == ["事项名称", "主要任务", "牵头部门", "责任单位", "完成时限"]
    assert ws["A3"].value == "一、加强政府信息公开" and "A3:E3" in ws.merged_cells
    assert ws["A4"].value == "1. 助企纾困信息公开" and ws["B6"].value == "做好政策解读。"
    merges = {str(r) for r in ws.merged_cells.ranges}
    assert {"A4:A6", "E4:E6", "C4:C5", "D4:D6"} <= merges and "C6" not in {m.split(":")[0] for m in merges}
    assert ws["C6"].value == "区发改局" and ws["E4"].value == "2022 年 6 月底前，长期坚持"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9 and ws.print_title_rows == "$2:$2"
    ledger = [[c.value for c in r] for r in wb["工作台账"].iter_rows(min_row=3)]
    assert ledger[0][:6] == ["1", "助企纾困信息公开", "2022 年 6 月底前，长期坚持", "区教育局", "已完成", "2022-06-20"]


@pytest.mark.skipif(_office() is None and not os.environ.get("CI"), reason="LibreOffice and poppler not installed")
def test_libreoffice_prints_the_sample_task_table(tmp_path):
    build(CATALOGS, tmp_path / "site", jobs=1)
    book = tmp_path / "workplan-2022.xlsx"
    shutil.copy(tmp_path / "site/shenyang/liaozhong/workplan-2022.xlsx", book)
    env = {**os.environ, "HOME": str(tmp_path)}
    subprocess.run(["soffice", "--headless", "--norestore", "--convert-to", "pdf", "--outdir", str(tmp_path), str(book)],
                   check=True, capture_output=True, timeout=240, env=env)
    pdf = tmp_path / "workplan-2022.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "841.89 x 595.3" in info  # A4 landscape
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "沈阳市辽中区 2022 年政务公开工作要点任务分解表" in text and "一、加强政府信息公开，夯实一流基础" in text
    assert re.search(r"第\s*1\s*页\s*共", text) and "工作台账" in text


def test_show_workplan_text_and_json(root, run):
    text = run("-C", root, "show", "city/county", "--workplan", "2022").stdout
    assert "1. 助企纾困信息公开（落实上级第 1 项）  完成时限：2022 年 6 月底前，长期坚持  进展：推进中" in text
    assert "牵头部门：区教育局、区财政局；责任单位：区政府有关部门" in text
    data = json.loads(run("-C", root, "show", "city/county", "--workplan", "2022", "--format", "json").stdout)
    task = data["sections"][0]["tasks"][0]
    assert task["due"] == "2022-06-30" and task["ongoing"] and task["upstream"] == 1
    assert task["progress"][0] == {"unit": "区教育局", "state": "已完成", "date": "2022-06-20",
                                   "link": "https://www.example.gov.cn/zqjk/", "note": "专题已上线"}
    assert data["declined"] == [{"upstream": 2, "name": "就业稳岗信息公开", "reason": "本区就业稳岗政策由市人社局统一发布"}]
    missing = run("-C", root, "show", "city/county", "--workplan", "2021")
    assert missing.exit_code == 1 and "没有 2021 年的工作要点" in missing.stderr and "2022" in missing.stderr


def test_review_lists_overdue_tasks_by_lead_department(root, run):
    out = run("-C", root, "workplan", "review", "city/county", "2022", "--date", "2022-07-01").stdout
    assert "2 项任务中有完成时限的 2 项，其中 1 项到期未完成" in out
    assert "区财政局（1 项）：\n  1. 助企纾困信息公开" in out and "区发改局（1 项）" in out
    assert "区教育局（" not in out  # it finished its part
    md = run("-C", root, "workplan", "review", "city/county", "2022", "--date", "2022-07-01", "--format", "markdown").stdout
    assert "### 区财政局（1 项）" in md and "| 1 | 助企纾困信息公开 | 2022 年 6 月底前，长期坚持 | 推进中 |" in md
    data = json.loads(run("-C", root, "workplan", "review", "city/county", "2022", "--date", "2023-01-05",
                          "--format", "json").stdout)
    assert data["as_of"] == "2023-01-05" and data["overdue"] == 1
    assert [(g["department"], [t["id"] for t in g["tasks"]]) for g in data["by_lead"]] == [("区财政局", [1]), ("区发改局", [1])]
    early = json.loads(run("-C", root, "workplan", "review", "city/county", "2022", "--date", "2022-06-01",
                           "--format", "json").stdout)
    assert early["by_lead"] == [] and early["overdue"] == 0


def test_diff_rev_covers_work_plans(root, run):
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "v1")
    git(root, "tag", "v1")
    plan = root / "city/county/workplan-2022.yaml"
    text = plan.read_text(encoding="utf-8").replace("deadline: 2022年12月底前", "deadline: 2022年11月底前")
    text = text.replace("    declined:", "").replace("      - upstream: 2\n        reason: 本区就业稳岗政策由市人社局统一发布\n", "")
    text = text.replace("declined:\n  - upstream: 2\n    reason: 本区就业稳岗政策由市人社局统一发布\n", "")
    text += ("  - title: 二、加强公开平台建设\n    tasks:\n      - id: 4\n        name: 强化信息发布审核\n"
             "        lead: [区政府办]\n        main:\n          - task: 坚持“三审制”。\n        deadline: 长期坚持\n")
    plan.write_text(text, encoding="utf-8")
    result = run("-C", root, "diff", "--rev", "v1", "city/county")
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert "@@ 2022 年工作要点（workplan-2022）" in out
    assert "~ 任务3 民生实事信息公开" in out and "完成时限：2022年12月底前 → 2022年11月底前" in out
    assert "+ 任务4 强化信息发布审核" in out
    assert "上级任务2 就业稳岗信息公开" in out  # the declined task is no longer declined
    data = json.loads(run("-C", root, "diff", "--rev", "v1", "city/county", "--format", "json").stdout)
    plans = [d for d in data["comparisons"][0]["domains"] if d["id"] == "workplan-2022"]
    assert plans and plans[0]["only_b"][0]["id"] == "任务4"
