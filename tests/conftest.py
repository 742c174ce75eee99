"""Shared helpers: small projects written into a temporary folder, and the CLI runner."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from gkcat.cli.commands import main

REPO = Path(__file__).resolve().parent.parent
CATALOGS = REPO / "catalogs"
# Debian's Chromium, driven by Playwright (never `playwright install`); screenshots for review
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
SHOTS = REPO / "test-output/screenshots"
AXE = REPO / "tests/browser/node_modules/axe-core/axe.min.js"

# A small valid project: a city, one county with two towns, one domain reaching towns.
MINIMAL: dict[str, str] = {
    "gkcat.yaml": """
        title: 测试市基层政务公开标准目录
        root: city
        levels: [city, county, town]
        common_fields: [level1, level2, content, basis]
        defaults:
          deadline: 信息形成或者变更之日起20个工作日内
          audience: 全社会
          method: 主动
        extra_fields:
          - id: phone
            label: 咨询电话
    """,
    "domains.yaml": """
        - id: yiwu-jiaoyu
          name: 义务教育
          levels: [city, county, town]
          lead: [education]
    """,
    "city/locality.yaml": """
        name: 测试市
        level: city
        departments:
          education: 市教育局
          civil-affairs: 市民政局
    """,
    "city/yiwu-jiaoyu.yaml": """
        domain: yiwu-jiaoyu
        items:
          - id: zcwj-jyfl
            level1: 政策文件
            level2: 教育法律
            content: [《中华人民共和国教育法》, 《中华人民共和国义务教育法》]
            basis: 《中华人民共和国政府信息公开条例》
            subject: [education]
            channels: [政府网站, 两微一端]
            levels: [county, town]
          - id: jygk-ml
            level1: 教育概况
            level2: 义务教育学校名录
            content: [学校名称, 学校地址]
            basis: 《中华人民共和国政府信息公开条例》
            subject: [education]
            channels: [政府网站]
          - id: zcwj-gfx
            level1: 政策文件
            level2: 规范性文件
            content: 各类教育政策文件
            basis: 《中华人民共和国政府信息公开条例》
            subject: [education]
            channels: [政府网站]
            levels: [town]
        withheld:
          - id: ks-st
            title: 未启用的考试试题
            reason: 属于国家秘密
            basis: [《中华人民共和国保守国家秘密法》]
    """,
    "city/county/locality.yaml": """
        name: 某某区
        level: county
        departments:
          education: 区教育局
    """,
    "city/county/town-a/locality.yaml": """
        name: 甲镇
        level: town
    """,
    "city/county/town-b/locality.yaml": """
        name: 乙街道
        level: town
    """,
}


def write_project(root: Path, files: dict[str, str | bytes | None], base: dict[str, str] | None = MINIMAL) -> Path:
    """Write `base` then `files` (None deletes a base file) under `root`; returns `root`."""
    merged: dict[str, str | bytes | None] = {**(base or {}), **files}
    for rel, content in merged.items():
        if content is None:
            continue
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture(autouse=True)
def cache_outside(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's project cache in a folder of its own, outside its project and its tmp_path: tests that
    check what a command wrote see only that (tests/test_cache.py tests the cache where it normally is)."""
    folder = tmp_path_factory.mktemp("gkcat-cache")
    monkeypatch.setenv("GKCAT_CACHE_DIR", str(folder))
    # the machine key (source/cache.py) in a cache home of the test's own, never the user's
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache-home")))
    monkeypatch.delenv("GKCAT_CACHE_KEY", raising=False)
    return folder


@pytest.fixture
def project(tmp_path: Path):
    """A function writing the minimal project plus changes into a fresh folder."""

    def make(files: dict[str, str | bytes | None] | None = None, base: dict[str, str] | None = MINIMAL) -> Path:
        return write_project(tmp_path / "p", files or {}, base)

    return make


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A copy of the sample catalogs committed in a git repository of its own (some modules make their own)."""
    import shutil

    from test_diff import git
    root = tmp_path / "repo"
    shutil.copytree(CATALOGS, root, ignore=shutil.ignore_patterns("site"))
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "样例")
    return root


@pytest.fixture
def run():
    """Run the CLI in-process: run("-C", dir, "validate") -> click Result."""
    runner = CliRunner()

    def invoke(*args: object, env: dict[str, str] | None = None):
        return runner.invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)

    return invoke


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/ from the current output instead of comparing with it")


# Built once per session: the sample catalogs as a site, with a fixed build date.
SAMPLE_EPOCH = "1767225600"  # 2026-01-01


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample catalogs built into a temporary folder (read-only for the tests that use it)."""
    import os
    import shutil

    from gkcat.publish.pipeline import build

    # A copy outside git, so that the pages do not depend on this repository's history
    base = tmp_path_factory.mktemp("sample")
    shutil.copytree(CATALOGS, base / "catalogs", ignore=shutil.ignore_patterns("site"))
    out = base / "site"
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = SAMPLE_EPOCH
    try:
        build(base / "catalogs", out, jobs=1)
    finally:
        if before is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before
    return out
