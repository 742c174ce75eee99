"""`gkcat diff` between localities and between git revisions, and the site's 更新记录 and Atom feeds."""

from __future__ import annotations

import json
import os
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from gkcat.check.load import load_project
from gkcat.compare.diff import Side, compare
from gkcat.publish.pipeline import build

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.invalid", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}

COUNTY_V2 = """
domain: yiwu-jiaoyu
override:
  jygk-ml:
    channels: [政府网站, 公开查阅点]
  zcwj-jyfl:
    channels: [两微一端, 政府网站]
exclude:
  - id: zcwj-gfx
    reason: 本区规范性文件统一在区政府网站公开
items:
  - id: qu-xq
    level1: 教育概况
    level2: 学区划分
    content: [学区范围]
    basis: 《中华人民共和国政府信息公开条例》
    subject: [education]
    channels: [政府网站]
"""


def git(root: Path, *args: str, date: str = "2026-01-01T08:00:00Z") -> str:
    env = {**os.environ, **GIT_ENV, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True, env=env).stdout


@pytest.fixture
def repo(project):
    """The minimal project in git: v1 (as written), v2 (the county adapts the city's catalog), tagged."""
    root = project()
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "市级目录", date="2026-01-01T08:00:00Z")
    git(root, "tag", "v1")
    (root / "city/county/yiwu-jiaoyu.yaml").write_text(COUNTY_V2.lstrip(), encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "区级调整", date="2026-03-01T08:00:00Z")
    git(root, "tag", "-a", "v2", "-m", "第二版", date="2026-03-02T08:00:00Z")  # annotated: dated by its commit
    return root


def test_parent_child_diff_in_every_format(repo, run):
    text = run("-C", repo, "diff", "city", "city/county")
    assert text.exit_code == 1
    out = text.stdout
    assert out.startswith("--- 测试市（city）\n+++ 某某区（city/county）\n@@ 义务教育（yiwu-jiaoyu）")
    assert "- zcwj-gfx 规范性文件" not in out  # the city does not publish it either (levels: town)
    assert "+ qu-xq 学区划分：测试市的本地事项" not in out and "+ qu-xq 学区划分：某某区的本地事项" in out
    assert "+ zcwj-jyfl 教育法律：公开层级为县级、乡级，测试市不在本级公开" in out
    assert "公开渠道：政府网站 → 政府网站；公开查阅点" in out
    assert "公开主体：市教育局 → 区教育局（同一角色（education）在测试市和某某区解析为不同部门）" in out
    md = run("-C", repo, "diff", "city", "city/county", "--format", "markdown").stdout
    assert md.startswith("## 测试市（city） → 某某区（city/county）") and "| 仅某某区 | `qu-xq` | 学区划分 | 某某区的本地事项 |" in md
    data = json.loads(run("-C", repo, "diff", "city", "city/county", "--format", "json").stdout)
    (c,) = data["comparisons"]
    assert data["same"] is False and c["a"]["path"] == "city" and c["b"]["rev"] is None
    (d,) = c["domains"]
    changed = {x["id"]: {f["field"]: f for f in x["fields"]} for x in d["changed"]}
    assert changed["jygk-ml"]["channels"] == {"field": "channels", "a": ["政府网站"], "b": ["政府网站", "公开查阅点"],
                                              "moved": False, "note": "", "roles": []}
    assert changed["jygk-ml"]["subject"]["roles"] == [{"role": "education", "a": "市教育局", "b": "区教育局"}]


def test_why_an_item_is_on_one_side_only(repo):
    from gkcat.compare.diff import compare_versions
    from gkcat.compare.revisions import load_at

    v = load_project(repo)
    city, town = v.project.localities["city"], v.project.localities["city/county/town-a"]
    c = compare(Side(v.resolver, city), Side(v.resolver, town))
    assert {m.id: m.why for d in c.domains for m in d.only_b} == {
        "zcwj-jyfl": "公开层级为县级、乡级，测试市不在本级公开", "qu-xq": "某某区的本地事项"}
    (town_v1_v2,) = compare_versions(load_at(repo, "v1").resolver, v.resolver, "v1", None, "city/county/town-a")
    assert {m.id: m.why for d in town_v1_v2.domains for m in d.only_a} == {
        "zcwj-gfx": "某某区已排除：本区规范性文件统一在区政府网站公开"}


def test_identical_localities_exit_0(project, run):
    root = project()
    result = run("-C", root, "diff", "city/county/town-a", "city/county/town-b")
    assert result.exit_code == 0 and "没有差异" in result.stdout


def test_item_moves_are_moves(project):
    root = project({"city/county/yiwu-jiaoyu.yaml": "domain: yiwu-jiaoyu\nexclude:\n  - id: jygk-ml\n    reason: 测试\n"})
    v = load_project(root)
    city, county = v.project.localities["city"], v.project.localities["city/county"]
    # same published items on both sides, in another order: a move, not a change
    a = compare(Side(v.resolver, city), Side(v.resolver, city))
    assert a.same
    from gkcat.compare.diff import _moves
    from gkcat.resolve.catalog import catalog
    items = catalog(v.resolver, county, v.project.domains[0]).table[:2]
    (move,) = _moves(items, list(reversed(items)))
    assert {(move.a, move.b)} <= {(1, 2), (2, 1)}
    assert _moves(items, items) == ()


def test_rev_diff_against_working_tree_and_between_tags(repo, run):
    same = run("-C", repo, "diff", "--rev", "v2")
    assert same.exit_code == 0
    result = run("-C", repo, "diff", "--rev", "v1", "city/county")
    assert result.exit_code == 1
    assert "--- 某某区（v1）（city/county）" in result.stdout and "+ qu-xq 学区划分" in result.stdout
    assert "公开渠道：仅顺序调整（政府网站；两微一端 → 两微一端；政府网站）" in result.stdout
    data = json.loads(run("-C", repo, "diff", "--rev", "v1..v2", "--format", "json").stdout)
    paths = [c["b"]["path"] for c in data["comparisons"]]
    assert paths == ["city/county", "city/county/town-a", "city/county/town-b"]  # the city did not change
    assert data["comparisons"][0]["a"]["rev"] == "v1" and data["comparisons"][0]["b"]["rev"] == "v2"
    fields = {(x["id"], f["field"]): f for d in data["comparisons"][0]["domains"] for x in d["changed"] for f in x["fields"]}
    assert fields[("zcwj-jyfl", "channels")]["moved"] is True and fields[("jygk-ml", "channels")]["moved"] is False
    # the working tree and the index are untouched
    assert git(repo, "status", "--porcelain") == ""


def test_rev_diff_errors_exit_2(repo, project, run, tmp_path):
    unknown = run("-C", repo, "diff", "--rev", "v9")
    assert unknown.exit_code == 2 and "未知版本“v9”" in unknown.stderr
    wrong = run("-C", repo, "diff", "--rev", "v1", "city/nowhere")
    assert wrong.exit_code == 2 and "未知地区" in wrong.stderr
    assert run("-C", repo, "diff", "city", "nowhere").exit_code == 2
    (repo / "city/county/yiwu-jiaoyu.yaml").write_text("domain: yiwu-jiaoyu\noverride:\n  nope: {}\n", encoding="utf-8")
    git(repo, "commit", "-qam", "坏的修改")
    git(repo, "checkout", "-q", "v2", "--", ".")
    broken = run("-C", repo, "diff", "--rev", "HEAD")
    assert broken.exit_code == 2 and "版本 HEAD 的项目有 1 个错误" in broken.stderr
    assert "city/county/yiwu-jiaoyu.yaml:3:3: 错误 GK302" in broken.stderr
    outside = tmp_path / "plain"
    outside.mkdir()
    for rel in ("gkcat.yaml", "domains.yaml", "city/locality.yaml"):
        (outside / rel).parent.mkdir(parents=True, exist_ok=True)
        (outside / rel).write_bytes((repo / rel).read_bytes())
    not_git = run("-C", outside, "diff", "--rev", "v1")
    assert not_git.exit_code == 2 and "不在 git 仓库中" in not_git.stderr


def test_history_pages_and_feeds_from_tags(repo, tmp_path):
    (repo / "gkcat.yaml").write_text((repo / "gkcat.yaml").read_text(encoding="utf-8") + "history:\n  tags: 'v*'\n",
                                     encoding="utf-8")
    build(repo, tmp_path / "out", jobs=1)
    out = tmp_path / "out"
    page = (out / "city/county/更新记录.html").read_text(encoding="utf-8")
    assert page.index("v2（2026-03-01）") < page.index("v1（2026-01-01）")  # newest first
    assert "区级调整" in page and "学区划分" in page and "本区规范性文件统一在区政府网站公开" not in page
    assert 'href="../../city/county/yiwu-jiaoyu.html#qu-xq"' in page
    assert "首次发布" in page
    city = (out / "city/更新记录.html").read_text(encoding="utf-8")
    assert "v2" not in city and "v1（2026-01-01）" in city  # v2 did not change the city
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ET.parse(out / "city/county/feed.xml").getroot()
    titles = [e.findtext("a:title", namespaces=ns) for e in feed.findall("a:entry", ns)]
    assert titles == ["v2（2026-03-01）：新增 1 项，删除 0 项，修改 2 项", "v1（2026-01-01）：首次发布：2 项"]
    assert feed.findtext("a:updated", namespaces=ns) == "2026-03-01T08:00:00+00:00"
    whole = ET.parse(out / "feed.xml").getroot()
    assert [e.findtext("a:title", namespaces=ns)[:2] for e in whole.findall("a:entry", ns)] == ["v2", "v1"]
    locality = (out / "city/county/index.html").read_text(encoding="utf-8")
    assert 'href="../../city/county/更新记录.html"' in locality and 'type="application/atom+xml"' in locality


def test_history_without_tags_uses_recent_commits(project, tmp_path):
    root = project()
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "初稿")
    (root / "city/county/yiwu-jiaoyu.yaml").write_text(COUNTY_V2.lstrip(), encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "区级调整", date="2026-02-01T08:00:00Z")
    (root / "gkcat.yaml").write_text((root / "gkcat.yaml").read_text(encoding="utf-8") + "history:\n  commits: 1\n",
                                     encoding="utf-8")
    git(root, "commit", "-qam", "只显示最近一次", date="2026-03-01T08:00:00Z")
    build(root, tmp_path / "out", jobs=1)
    page = (tmp_path / "out/city/county/更新记录.html").read_text(encoding="utf-8")
    # the last commit changed no catalog; the one before it is only the baseline
    assert "暂无记录" in page
    build(root, tmp_path / "out2", jobs=1)


def test_no_history_outside_git(project, tmp_path):
    root = project()
    build(root, tmp_path / "out", jobs=1)
    assert not (tmp_path / "out/feed.xml").exists() and not (tmp_path / "out/city/更新记录.html").exists()
    assert "更新记录" not in (tmp_path / "out/city/index.html").read_text(encoding="utf-8")


def test_histories_skip_only_localities_whose_files_are_unchanged(repo):
    from gkcat.compare.history import Release, all_histories, locality_history
    from gkcat.compare.revisions import load_releases

    found, baseline, notes = load_releases(repo, "v*", 10)
    releases = [Release(c, v.resolver) for c, v in found]
    assert [r.name for r in releases] == ["v2", "v1"] and not baseline and not notes
    fast = all_histories(releases, baseline)
    slow = {p: locality_history(releases, p, baseline) for p in fast}
    assert {p: [(c.release.name, c.added, c.removed, c.changed) for c in v] for p, v in fast.items()} == \
        {p: [(c.release.name, c.added, c.removed, c.changed) for c in v] for p, v in slow.items()}
    assert [c.release.name for c in fast["city"]] == ["v1"]  # v2 changed only the county's file


def test_history_of_a_locality_removed_in_a_release(repo):
    import shutil

    from gkcat.compare.history import Release, all_histories
    from gkcat.compare.revisions import load_releases

    shutil.rmtree(repo / "city/county/town-b")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "撤销乙街道", date="2026-04-01T08:00:00Z")
    git(repo, "tag", "v3")
    found, baseline, _ = load_releases(repo, "v*", 10)
    changes = all_histories([Release(c, v.resolver) for c, v in found], baseline)
    gone = changes["city/county/town-b"]
    assert [(c.release.name, c.first, c.added, c.removed) for c in gone] == [
        ("v3", False, 0, 3), ("v2", False, 1, 1), ("v1", True, 3, 0)]


def test_a_district_excluding_an_item_the_city_only_passes_down_is_in_the_diff(project, run):
    # zcwj-jyfl has levels [county, town]: the city publishes it nowhere, the county excludes it
    root = project({"city/county/yiwu-jiaoyu.yaml": """
        domain: yiwu-jiaoyu
        exclude:
          - id: zcwj-jyfl
            reason: 本区教育法律统一由市教育局公开
    """})
    text = run("-C", root, "diff", "city", "city/county")
    assert text.exit_code == 1
    assert "× zcwj-jyfl 教育法律：某某区排除：本区教育法律统一由市教育局公开" in text.stdout
    md = run("-C", root, "diff", "city", "city/county", "--format", "markdown").stdout
    assert "| 某某区排除 | `zcwj-jyfl` | 教育法律 | 某某区：本区教育法律统一由市教育局公开 |" in md
    data = json.loads(run("-C", root, "diff", "city", "city/county", "--format", "json").stdout)
    [domain] = data["comparisons"][0]["domains"]
    assert domain["excluded_b"] == [{"id": "zcwj-jyfl", "level2": "教育法律", "reason": "本区教育法律统一由市教育局公开",
                                     "by": "某某区"}]
    # the other way round it is A's exclusion; and a town inheriting it has it on both sides: no line
    back = run("-C", root, "diff", "city/county", "city").stdout
    assert "× zcwj-jyfl 教育法律：仅某某区，某某区排除" in back
    same = run("-C", root, "diff", "city/county", "city/county/town-a")
    assert "zcwj-jyfl" not in same.stdout


def test_an_exclusion_of_a_published_item_is_shown_once(project, run):
    root = project({"city/county/yiwu-jiaoyu.yaml": """
        domain: yiwu-jiaoyu
        exclude:
          - id: jygk-ml
            reason: 名录由市统一公开
    """})
    out = run("-C", root, "diff", "city", "city/county").stdout
    assert out.count("jygk-ml") == 1 and "- jygk-ml 义务教育学校名录：某某区已排除：名录由市统一公开" in out
