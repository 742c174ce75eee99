"""The sample site in a real browser: Debian's Chromium driven by Playwright, served on 127.0.0.1
under a sub-path and opened from file://. Screenshots go to test-output/screenshots/."""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
from pathlib import Path

import pytest

from conftest import AXE, CHROMIUM, SHOTS
from conftest import CHROMIUM_ARGS as ARGS


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package"
    if not Path(CHROMIUM).exists():
        return CHROMIUM
    if not AXE.exists():
        return str(AXE)
    return None


# `make test` installs all three; outside CI a developer without them still gets the other tests.
if _missing() and not os.environ.get("CI"):
    pytest.skip(f"browser tests need {_missing()} (make test installs it)", allow_module_level=True)


@pytest.fixture(scope="module")
def browser():
    assert _missing() is None, f"make test installs {_missing()}"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def served(sample_site, tmp_path_factory):
    """The sample site under http://127.0.0.1:PORT/pub/gkcat/ (a sub-path, as on a government portal)."""
    root = tmp_path_factory.mktemp("www")
    (root / "pub").mkdir()
    shutil.copytree(sample_site, root / "pub/gkcat")
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/pub/gkcat/"
    server.shutdown()
    server.server_close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest's output clean
        pass


@pytest.fixture(params=["http", "file"])
def site(request, served, sample_site):
    return served if request.param == "http" else sample_site.as_uri() + "/"


@pytest.fixture
def page(browser, site):
    """A fresh page that records every request it makes and every script error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    pg.requests, pg.errors, pg.dialogs = [], [], []
    pg.on("request", lambda r: pg.requests.append(r.url))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    yield pg
    assert not pg.errors, pg.errors
    assert not pg.dialogs, pg.dialogs
    outside = [u for u in pg.requests if not u.startswith(site)]
    assert not outside, f"requests left the site: {outside}"
    context.close()


def _axe(pg) -> list[dict]:
    pg.add_script_tag(path=str(AXE))
    found = pg.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']}))
        .violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)}))""")
    return [v for v in found if v["impact"] in ("serious", "critical")]


def _shoot(pg, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    mode = "file" if pg.url.startswith("file:") else "http"
    for width in (390, 1280):
        pg.set_viewport_size({"width": width, "height": 900})
        pg.screenshot(path=str(SHOTS / f"{mode}-{name}-{width}.png"))
    pg.set_viewport_size({"width": 1280, "height": 900})


def test_map_locality_table_search_anchor_and_download(page, site):
    page.goto(site + "index.html")
    assert page.locator("h1").inner_text() == "公开地图"
    assert not _axe(page), _axe(page)
    _shoot(page, "map")
    page.locator("ul.tree a", has_text="辽中区").click()
    assert page.url.endswith("shenyang/liaozhong/index.html")
    assert page.locator("h1").inner_text() == "辽中区"
    assert not _axe(page), _axe(page)
    with page.expect_download() as got:
        page.locator("a", has_text="辽中区政务公开标准目录.xlsx").click()
    assert got.value.suggested_filename == "辽中区政务公开标准目录.xlsx"
    page.locator("table a", has_text="就业").first.click()
    assert page.url.endswith("shenyang/liaozhong/jiuye.html")
    assert not _axe(page), _axe(page)
    _shoot(page, "table")
    # the search box in the header leads to the search page, whose first result leads to the item's anchor
    page.fill("#gk-q", "技能培训")
    page.press("#gk-q", "Enter")
    page.wait_for_selector("#gk-results li")
    assert "找到 1 个事项" in page.locator("#gk-status").inner_text()
    assert not _axe(page), _axe(page)
    _shoot(page, "search")
    page.locator("#gk-results li a").first.click()
    assert page.url.endswith("shenyang/liaozhong/jiuye.html#lz-jnpx")
    row = page.locator("#lz-jnpx")
    assert row.is_visible() and "技能培训政策及经办流程" in row.inner_text()
    assert page.evaluate("document.querySelector(':target').id") == "lz-jnpx"


def test_search_finds_any_substring_with_filters(page, site):
    # 择业 is not in the samples; 就业创业政策项目 is, and 业创 is a substring no word splitter would index
    page.goto(site + "search.html?q=业创")
    page.wait_for_selector("#gk-results li")
    assert "就业政策法规咨询" in page.locator("#gk-results").inner_text()
    page.goto(site + "search.html?q=区教育局&loc=shenyang/shenhe&level=town")
    page.wait_for_selector("#gk-results li")
    places = page.locator("#gk-results .where a").all_inner_texts()
    assert places and set(places) <= {"大西街道", "五里河街道"}
    page.goto(site + "search.html?q=没有这样的事项")
    page.wait_for_function("document.querySelector('#gk-status').textContent.includes('没有找到')")
    assert page.locator("#gk-results li").count() == 0


def test_domain_page_and_here_only_filter(page, site):
    page.goto(site + "domains/jiuye.html")
    assert "辽中区" in page.locator("#jy-01").inner_text()
    assert not _axe(page), _axe(page)
    page.goto(site + "shenyang/yiwu-jiaoyu.html")
    passdown = page.locator("tr.passdown").first
    assert passdown.is_visible()
    page.check("#gk-here-only")
    assert not passdown.is_visible()
    # on a desktop the item names stay in view while the wide table scrolls sideways
    assert page.evaluate("getComputedStyle(document.querySelector('tbody th.sticky')).position") == "sticky"


def test_keyboard_reaches_the_search_box_and_focus_is_visible(page, site):
    page.goto(site + "index.html")
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # site title
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "gk-q"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"


def test_script_in_catalog_text_shows_as_text_and_runs_nothing(browser, project, tmp_path):
    from gkcat.publish.pipeline import build

    evil = "<script>alert(1)</script>"
    root = project({"city/county/yiwu-jiaoyu.yaml": f"""
        domain: yiwu-jiaoyu
        items:
          - id: x-1
            level1: 政策文件
            level2: '{evil}'
            content: ['<img src=x onerror=alert(2)>']
            basis: 《中华人民共和国政府信息公开条例》
            subject: [education]
            channels: [政府网站]
    """})
    build(root, tmp_path / "out", jobs=1)
    context = browser.new_context()
    pg = context.new_page()
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.goto((tmp_path / "out/city/county/yiwu-jiaoyu.html").as_uri())
    assert evil in pg.locator("#x-1").inner_text()
    pg.goto((tmp_path / "out/search.html").as_uri() + "?q=script")
    pg.wait_for_selector("#gk-results li")
    assert evil in pg.locator("#gk-results").inner_text()
    pg.wait_for_timeout(200)
    assert not dialogs
    context.close()


def test_print_stylesheet_prints_the_table_like_the_workbook(browser, sample_site):
    context = browser.new_context()
    pg = context.new_page()
    pg.goto((sample_site / "shenyang/liaozhong/jiuye.html").as_uri())
    pg.emulate_media(media="print")
    hidden = pg.evaluate("""() => ['form.quick', 'nav.crumbs', 'details.above']
        .map(s => getComputedStyle(document.querySelector(s)).display)""")
    assert hidden == ["none", "none", "none"]
    assert pg.evaluate("getComputedStyle(document.querySelector('#gk-table thead')).display") == "table-header-group"
    SHOTS.mkdir(parents=True, exist_ok=True)
    pdf = pg.pdf(path=str(SHOTS / "table-print.pdf"), prefer_css_page_size=True)
    box = re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert pdf.startswith(b"%PDF") and box is not None
    assert round(float(box.group(1))) == 842 and round(float(box.group(2))) == 595  # A4 landscape, from @page
    context.close()


def _no_sideways_scroll(pg) -> bool:
    return pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_on_a_phone_each_item_is_a_card_and_the_page_does_not_scroll_sideways(page, site):
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(site + "shenyang/yiwu-jiaoyu.html")
    assert _no_sideways_scroll(page)
    card = page.locator("#gk-table tbody tr").first
    assert page.evaluate("getComputedStyle(document.querySelector('#gk-table tbody tr')).display") == "block"
    assert page.evaluate("getComputedStyle(document.querySelector('#gk-table thead')).position") == "absolute"
    text = card.inner_text()
    # the heading, the √ columns as words, each field under its label, channels as a list
    assert "教育法律" in text and "全社会 · 主动" in text
    assert page.evaluate("""getComputedStyle(document.querySelector('#gk-table td.deadline'), '::before').content""") == '"公开时限"'
    assert page.evaluate("getComputedStyle(document.querySelector('#gk-table td.channels li')).display") == "list-item"
    assert page.locator("#gk-table td.mk").first.is_hidden()
    assert not _axe(page), _axe(page)
    # the filter and anchors still work on cards
    passdown = page.locator("tr.passdown").first
    assert passdown.is_visible()
    page.check("#gk-here-only")
    assert not passdown.is_visible()
    _shoot(page, "cards")
    page.goto(site + "shenyang/liaozhong/jiuye.html#jy-01")
    assert _no_sideways_scroll(page)
    assert page.evaluate("document.querySelector(':target').id") == "jy-01"
    # a field this level changed keeps its 本级调整 note on the card
    note = page.locator("tr.here details.above").first
    assert note.is_visible()
    for path in ("index.html", "shenyang/liaozhong/index.html", "shenyang/liaozhong/departments.html", "search.html?q=教育"):
        page.goto(site + path)
        assert _no_sideways_scroll(page), path


def test_on_a_desktop_the_national_table_stays_and_narrow_columns_do_not_wrap_per_character(page, site):
    page.goto(site + "shenyang/liaozhong/yiwu-jiaoyu.html")
    assert page.evaluate("getComputedStyle(document.querySelector('#gk-table')).display") == "table"
    assert page.locator("#gk-table thead").is_visible() and page.locator("#gk-table td.mk").first.is_visible()
    assert page.locator(".card-marks").first.is_hidden()
    widths = page.evaluate("""() => {
        const em = parseFloat(getComputedStyle(document.querySelector('#gk-table td')).fontSize);
        return ['td.deadline', 'td.subject', 'td.channels', 'tbody th.sticky', 'th.group']
          .map(s => document.querySelector('#gk-table ' + s).getBoundingClientRect().width / em); }""")
    # at least six characters a line: 公开时限 no longer wraps one or two characters per line
    assert all(w > 5.5 for w in widths), widths
    assert _no_sideways_scroll(page)  # the wide table scrolls inside its own box, never the page


def test_at_1280_px_the_last_columns_come_into_view_with_the_item_columns_kept(page, site):
    page.goto(site + "shenyang/liaozhong/shehui-jiuzhu.html")
    box = page.locator(".tablewrap")
    # the table's own scroll bar is on screen: its box is no taller than the window
    assert page.evaluate("document.querySelector('.tablewrap').getBoundingClientRect().height") <= 900
    box.evaluate("s => { s.scrollLeft = s.scrollWidth; s.scrollTop = 200; }")
    view = page.evaluate("""() => {
        const s = document.querySelector('.tablewrap').getBoundingClientRect();
        const th = [...document.querySelectorAll('#gk-table thead th')];
        const at = t => th.find(e => e.textContent.trim() === t).getBoundingClientRect();
        const row = [...document.querySelectorAll('#gk-table tbody tr')].find(r => {
            const b = r.getBoundingClientRect(); return b.top > s.top + 120 && b.top < s.bottom - 40; });
        const cell = sel => (row.querySelector(sel) || row.closest('tbody').querySelector(sel)).getBoundingClientRect();
        const shown = r => r.left >= s.left - 1 && r.right <= s.right + 1 && r.width > 0;
        const top = r => document.elementFromPoint(r.left + r.width / 2, r.top + 8);
        return {method: shown(at('公开方式')), levels: shown(at('公开层级')), links: shown(at('已公开内容链接')),
                num: [cell('td.num').left - s.left, top(cell('th.sticky')) === row.querySelector('th.sticky')
                      || row.querySelector('th.sticky').contains(top(cell('th.sticky')))],
                head: at('序号').top - s.top,
                level1: cell('th.group').left - s.left, level2: cell('th.sticky').left - s.left,
                scrolled: document.querySelector('.tablewrap').scrollLeft};
    }""")
    assert view["scrolled"] > 100 and view["method"] and view["levels"] and view["links"], view
    # 序号, 一级事项 and 二级事项 stay at the left edge, in that order, and nothing is drawn over them
    assert 0 <= view["num"][0] < 3 and view["num"][1] and 40 < view["level1"] < view["level2"] < 200, view
    assert 0 <= view["head"] < 3, view  # and the header stays at the top
    page.screenshot(path=str(SHOTS / "table-1280-scrolled.png"))


def test_departments_page_links_each_item_to_its_row(page, site):
    page.goto(site + "shenyang/liaozhong/index.html")
    page.locator("a", has_text="责任清单").first.click()
    assert page.url.endswith("shenyang/liaozhong/departments.html")
    assert page.locator("h1").inner_text() == "辽中区政务公开责任清单"
    assert not _axe(page), _axe(page)
    _shoot(page, "departments")
    page.locator("nav a", has_text="区人社局").click()
    section = page.locator("section", has=page.locator("h2", has_text="区人社局"))
    section.locator("tbody th a").first.click()
    target = page.evaluate("document.querySelector(':target') && document.querySelector(':target').id")
    assert target and page.url.endswith(f"#{target}") and page.locator(f"#{target}").is_visible()


def test_a_changed_mark_column_keeps_its_note_on_a_card(browser, project, tmp_path):
    from gkcat.publish.pipeline import build

    root = project({"city/county/yiwu-jiaoyu.yaml": """
        domain: yiwu-jiaoyu
        override:
          jygk-ml:
            method: 依申请
    """})
    build(root, tmp_path / "out", jobs=1)
    context = browser.new_context(viewport={"width": 390, "height": 800})
    pg = context.new_page()
    pg.goto((tmp_path / "out/city/county/yiwu-jiaoyu.html").as_uri())
    row = pg.locator("#jygk-ml")
    assert "全社会 · 依申请" in row.inner_text()
    note = row.locator("td.mk.noted details.above")
    assert note.is_visible()
    note.locator("summary").click()
    assert "与上级不同。测试市：主动" in note.inner_text()
    assert row.locator("td.mk:not(.noted)").first.is_hidden()
    context.close()
