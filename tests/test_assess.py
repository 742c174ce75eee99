"""`gkcat assess` (issue 28): each indicator with its evidence on a small project with a git history of dated
commits, a link checker's cache, a work plan and a round; score, rank, outputs, publishing, the sample."""

from __future__ import annotations

import json
import shutil
import unicodedata
from pathlib import Path

import openpyxl
import pytest

from conftest import CATALOGS
from test_diff import git
from test_workplan import CITY_PLAN, COUNTY_PLAN

AS_OF = "2022-09-01"

FILES = {
    "domains.yaml": """
        - id: yiwu-jiaoyu
          name: 义务教育
          levels: [city, county, town]
          lead: [education]
        - id: caizheng-yujuesuan
          name: 财政预决算
          levels: [city, county]
          lead: [finance]
    """,
    "city/caizheng-yujuesuan.yaml": """
        domain: caizheng-yujuesuan
        items:
          - id: czys-01
            level1: 预算
            level2: 市级预算
            content: 预算报告
            basis: 《预算法》
            subject: [市财政局]
            channels: [政府网站]
            levels: [city]
    """,
    "city/county/yiwu-jiaoyu.yaml": """
        domain: yiwu-jiaoyu
        override:
          zcwj-jyfl:
            links: ["https://www.example.gov.cn/dead", "https://www.example.gov.cn/moved", "https://www.example.gov.cn/ok"]
        exclude:
          - id: jygk-ml
            reason: 待补充：导入时缺少此事项
        withheld:
          - id: js-kh
            title: 教师考核明细
            reason: 内部管理信息
            basis: [待补充]
          - id: xs-xx
            title: 学生个人信息
            reason: 涉及个人隐私
            basis: [《中华人民共和国个人信息保护法》]
            reviewed: 2022-03-01
    """,
    "city/county/town-a/yiwu-jiaoyu.yaml": """
        domain: yiwu-jiaoyu
        exclude:
          - id: zcwj-gfx
            reason: 不适用
    """,
    "city/workplan-2022.yaml": CITY_PLAN,
    "city/county/workplan-2022.yaml": COUNTY_PLAN,
}
CACHE = {"gkcat": "check-links", "links": {
    "https://www.example.gov.cn/dead": {"state": "dead", "status": 404, "final": "", "error": "", "checked": "2022-08-30T10:00:00+00:00"},
    "https://www.example.gov.cn/moved": {"state": "redirected", "status": 200, "final": "https://www.example.gov.cn/new",
                                         "error": "", "checked": "2022-08-30T10:00:00+00:00"},
    "https://www.example.gov.cn/ok": {"state": "ok", "status": 200, "final": "", "error": "", "checked": "2022-08-31T10:00:00+00:00"}}}


@pytest.fixture
def root(project, run, tmp_path):
    from conftest import MINIMAL

    files = dict(FILES)
    files["domains.yaml"] = FILES["domains.yaml"]
    files["city/locality.yaml"] = MINIMAL["city/locality.yaml"].replace("civil-affairs: 市民政局", "finance: 市财政局")
    r = project(files)
    (r / ".gkcat-links.json").write_text(json.dumps(CACHE, ensure_ascii=False), encoding="utf-8")
    git(r, "init", "-q", "-b", "main")
    git(r, "add", "city/county/town-b")
    git(r, "commit", "-qm", "乙街道", date="2021-03-01T08:00:00Z")  # untouched for more than a year by AS_OF
    git(r, "add", "-A")
    git(r, "commit", "-qm", "目录", date="2022-08-01T08:00:00Z")
    assert run("-C", r, "validate").exit_code == 0
    return r


def _assess(run, root: Path, *args: str) -> dict:
    result = run("-C", root, "assess", *args, "--format", "json", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    return {x["locality"]: x for x in json.loads(result.stdout)["localities"]}


def _found(report: dict, indicator: str) -> list[dict]:
    return [f for f in report["findings"] if f["indicator"] == indicator]


def test_each_indicator_counts_its_findings_with_where_they_are(root, run):
    data = _assess(run, root)
    county, town_a, town_b, city = data["city/county"], data["city/county/town-a"], data["city/county/town-b"], data["city"]
    # domains that reach the level with nothing published there
    assert [f["text"] for f in _found(county, "empty_domains")] == ["“财政预决算”领域延伸到本级，本级没有公开的事项"]
    assert county["indicators"]["empty_domains"] == 1 and city["indicators"]["empty_domains"] == 0
    # items and links
    assert county["indicators"]["items"] == 1 and county["indicators"]["items_with_links"] == 1
    assert county["indicators"]["links_checked_at"] == "2022-08-31T10:00:00+00:00"
    dead, moved = _found(county, "dead_links"), _found(county, "redirected_links")
    assert len(dead) == 1 and "https://www.example.gov.cn/dead" in dead[0]["text"] and "检查于 2022-08-30" in dead[0]["text"]
    assert dead[0]["where"] == "city/county/yiwu-jiaoyu.yaml:4" and len(moved) == 1
    assert city["indicators"]["links_checked_at"] is None  # 未检查: no link of the city's was ever checked
    # exclusions: 待补充, and a reason too short to mean anything
    assert [f["where"] for f in _found(county, "pending_exclusions")] == ["city/county/yiwu-jiaoyu.yaml:6"]
    assert [f["where"] for f in _found(town_a, "unclear_exclusions")] == ["city/county/town-a/yiwu-jiaoyu.yaml:3"]
    # the negative list: no basis; never reviewed and reviewed within the year
    assert [f["where"] for f in _found(county, "withheld_without_basis")] == ["city/county/yiwu-jiaoyu.yaml:9"]
    assert [f["where"] for f in _found(county, "withheld_not_reviewed")] == ["city/county/yiwu-jiaoyu.yaml:9"]
    # work-plan tasks overdue as workplan review counts them
    review = json.loads(run("-C", root, "workplan", "review", "city/county", "2022", "--date", AS_OF, "--format", "json").stdout)
    assert county["indicators"]["overdue_tasks"] == review["overdue"] == 1
    assert _found(county, "overdue_tasks")[0]["where"].startswith("city/county/workplan-2022.yaml:")
    # the last change in git, and a catalog untouched for a year
    assert town_b["indicators"]["last_change"] == "2021-03-01" and town_b["indicators"]["days_since_change"] == 549
    assert len(_found(town_b, "stale_catalog")) == 1 and not _found(county, "stale_catalog")
    assert county["indicators"]["last_commit"] == git(root, "rev-parse", "HEAD").strip()
    # no round yet
    assert county["indicators"]["round"] is None and county["indicators"]["forms_not_returned"] == 0


def test_the_score_ranks_localities_of_one_level(root, run):
    data = _assess(run, root)
    county = data["city/county"]
    # 5 (empty domain) + 2 (dead) + 0.5 (redirected) + 3 (待补充) + 3 (no basis) + 1 (not reviewed) + 3 (overdue)
    assert county["score"] == 100 - 17.5 and county["rank"] == 1
    a, b = data["city/county/town-a"], data["city/county/town-b"]
    assert a["score"] != b["score"] and {a["rank"], b["rank"]} == {1, 2}
    assert (a["rank"] < b["rank"]) == (a["score"] > b["score"])


def test_weights_and_caps_come_from_gkcat_yaml(root, run):
    config = root / "gkcat.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "assessment:\n  weights: {empty_domains: 50, dead_links: 1}\n"
                      "  caps: {empty_domains: 30}\n", encoding="utf-8")
    county = _assess(run, root)["city/county"]
    assert county["score"] == 100 - (30 + 1 + 0.5 + 3 + 3 + 1 + 3)


def test_an_unknown_indicator_in_gkcat_yaml_is_an_error(root, run):
    config = root / "gkcat.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "assessment:\n  weights: {broken_links: 2}\n", encoding="utf-8")
    result = run("-C", root, "validate")
    assert result.exit_code == 1 and "assessment" in result.output


def test_forms_of_the_latest_round_not_returned(root, run, tmp_path):
    assert run("-C", root, "round", "start", "第一轮", "city/county", "-o", tmp_path / "out",
               env={"SOURCE_DATE_EPOCH": "1660000000"}).exit_code == 0
    data = _assess(run, root)
    county = data["city/county"]
    assert county["indicators"]["round"] == "第一轮" and county["indicators"]["forms_not_returned"] >= 1
    finding = _found(county, "forms_not_returned")[0]
    assert finding["where"].startswith("rounds/第一轮.yaml:") and "尚未交回" in finding["text"]
    town = data["city/county/town-a"]
    assert town["indicators"]["forms"] == 1 and town["indicators"]["forms_not_returned"] == 1


def test_the_same_input_gives_the_same_report_in_every_format(root, run, tmp_path):
    first = run("-C", root, "assess", "--as-of", AS_OF).stdout
    assert first == run("-C", root, "assess", "--as-of", AS_OF).stdout
    assert "网上检查（截至 2022-09-01）" in first and "city/county/yiwu-jiaoyu.yaml:6: [理由待补充的排除]" in first
    table = first.splitlines()[2:4]  # a table: its header, then a row per locality with its figures aligned under it
    def columns(text: str) -> int:  # where a text ends on a terminal: CJK characters take two columns
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)

    assert table[0].split()[:4] == ["地区", "层级", "得分", "排名"]
    assert columns(table[0][:table[0].index("层级")]) == columns(table[1][:table[1].index("市级")])
    markdown = run("-C", root, "assess", "--as-of", AS_OF, "--format", "markdown").stdout
    assert markdown.startswith("## 网上检查（截至 2022-09-01）") and "| 某某区 | 县级 | 82.5 | 1 |" in markdown
    only = _assess(run, root, "city/county/town-a")
    assert list(only) == ["city/county/town-a"]
    # without --as-of: the project's date (SOURCE_DATE_EPOCH, else the last commit's)
    dated = json.loads(run("-C", root, "assess", "--format", "json").stdout)
    assert dated["as_of"] == "2022-08-01"


def test_the_workbook_has_an_overview_and_a_sheet_per_locality(root, run, tmp_path):
    book = tmp_path / "网上检查.xlsx"
    result = run("-C", root, "assess", "--as-of", AS_OF, "-o", book)
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["总表", "测试市", "某某区", "甲镇", "乙街道"]
    overview = wb["总表"]
    head = [c.value for c in overview[3]]
    assert head[:3] == ["序号", "地区", "层级"] and head[-2:] == ["得分", "排名"]
    county = next(row for row in overview.iter_rows(min_row=4, values_only=True) if row[1] == "某某区")
    assert county[-2:] == ("82.5", "1")
    sheet = wb["某某区"]
    wheres = [row[2] for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert "city/county/yiwu-jiaoyu.yaml:6" in wheres and overview.print_title_rows
    assert run("-C", root, "assess", "--as-of", AS_OF, "-o", book).exit_code == 0  # its own file is replaced
    other = tmp_path / "other.xlsx"
    other.write_bytes(b"not ours")
    assert run("-C", root, "assess", "-o", other).exit_code == 2 and other.read_bytes() == b"not ours"


def test_published_only_when_asked(root, run, tmp_path):
    out = tmp_path / "site"
    assert run("-C", root, "build", "-o", out, env={"SOURCE_DATE_EPOCH": "1661990400"}).exit_code == 0
    assert not (out / "assessment.html").exists()
    config = root / "gkcat.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "assessment:\n  publish: true\n", encoding="utf-8")
    assert run("-C", root, "build", "-o", out, env={"SOURCE_DATE_EPOCH": "1661990400"}).exit_code == 0
    page = (out / "assessment.html").read_text(encoding="utf-8")
    assert "网上检查" in page and "city/county/yiwu-jiaoyu.yaml:6" in page and "82.5" in page


def test_the_sample_shows_a_meaningful_report(run, tmp_path):
    sample = tmp_path / "catalogs"
    shutil.copytree(CATALOGS, sample, ignore=shutil.ignore_patterns("site"))
    result = run("-C", sample, "assess", "--format", "json", "--as-of", "2026-12-01")
    data = {x["locality"]: x for x in json.loads(result.stdout)["localities"]}
    lengzibao = data["shenyang/liaozhong/lengzibao"]
    pending = _found(lengzibao, "pending_exclusions")
    assert [f["where"] for f in pending] == ["shenyang/liaozhong/lengzibao/yanglao-fuwu.yaml:4"]
    assert data["shenyang/liaozhong"]["indicators"]["items_with_links"] >= 1
    assert _found(data["shenyang/shenhe"], "unclear_exclusions")  # reasons copied over many items
    assert all(x["indicators"]["last_change"] is None for x in data.values())  # a copy outside git


@pytest.mark.parametrize("setting, message", [
    ("weights: {dead_links: nan}", "应为数（如 2 或 0.5），实际为“nan”"),
    ("weights: {stale_catalog: -5}", "超出范围（应不小于 0"),
    ("caps: {empty_domains: 500}", "超出范围（应不大于 100"),
    ("publish: 是", "应为 true 或 false，实际为“是”"),
])
def test_assessment_settings_a_score_cannot_use_are_errors_in_chinese(root, run, setting, message):
    config = root / "gkcat.yaml"
    config.write_text(config.read_text(encoding="utf-8") + f"assessment:\n  {setting}\n", encoding="utf-8")
    result = run("-C", root, "validate")
    assert result.exit_code == 1 and message in result.output and "Input should" not in result.output
