"""`gkcat build`: all or nothing, never outside OUT, and a rebuild redoes only what changed."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from conftest import CATALOGS, REPO
from gkcat.publish import workbooks
from gkcat.publish.outfolder import MANIFEST, BuildRefused
from gkcat.publish.pipeline import build
from gkcat.source import dates


def files(out: Path) -> dict[str, int]:
    return {str(p.relative_to(out)): p.stat().st_ino for p in out.rglob("*") if p.is_file()}


def expensive(out: Path, paths: list[str]) -> list[str]:
    """The outputs that carry an input fingerprint in the manifest (the rest are cheap and always rendered)."""
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]
    return [p for p in paths if manifest[p]["inputs"] is not None]


def test_invalid_project_writes_nothing(project, tmp_path, run):
    root = project({"city/county/yiwu-jiaoyu.yaml": "domain: yiwu-jiaoyu\noverride:\n  nope: {}\n"})
    result = run("-C", root, "build", "-o", tmp_path / "out")
    assert result.exit_code == 1 and "GK302" in result.stderr and "未生成任何文件" in result.stderr  # refusals: stderr
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["p"]  # no temporary folder left behind


def test_build_cli_reports_and_defaults_to_site(project, run):
    root = project()
    result = run("-C", root, "build")
    assert result.exit_code == 0
    # 4 localities with workbook (+ ASCII alias), fill-in workbook, duty-list workbook, catalog.json, page,
    # duty-list page, table page; 总表; map, search, one domain page; the search index and 3 assets
    assert "40 个文件（其中网页 15 个）" in result.stdout and "0 个输入未变、直接沿用，40 个重新生成（其中内容有变化、写入的 40 个）" \
        in result.stdout
    # a reader can add the counts up: every file was either carried over or rendered, and only rendered ones written
    (root / "city/county/yiwu-jiaoyu.yaml").write_text("domain: yiwu-jiaoyu\noverride:\n  jygk-ml:\n    channels: [政务服务中心]\n",
                                                       encoding="utf-8")
    again = run("-C", root, "build").stdout
    m = re.search(r"：(\d+) 个文件.*其中 (\d+) 个输入未变、直接沿用，(\d+) 个重新生成（其中内容有变化、写入的 (\d+) 个）", again)
    assert m, again
    files, reused, rendered, written = map(int, m.groups())
    assert files == reused + rendered == 40 and 0 < written <= rendered < files
    # no site_url in gkcat.yaml: no posters, and the build says so once
    assert result.stderr.count("site_url") == 1 and not list((root / "site").rglob("poster.html"))
    assert (root / "site" / MANIFEST).is_file() and (root / "site/总表.xlsx").is_file()
    assert run("-C", root, "build").exit_code == 0  # a rebuild over its own output is fine


@pytest.mark.parametrize("where", ["project", "parent", "root", "locality", "foreign"])
def test_refuses_dangerous_outputs(project, tmp_path, where):
    root = project()
    foreign = tmp_path / "docs"
    foreign.mkdir()
    (foreign / "报告.docx").write_text("不能删", encoding="utf-8")
    out = {"project": root, "parent": root.parent, "root": Path("/"), "locality": root / "city/county/out",
           "foreign": foreign}[where]
    with pytest.raises(BuildRefused):
        build(root, out, jobs=1)
    assert (foreign / "报告.docx").read_text(encoding="utf-8") == "不能删"


def test_refusal_exit_code(project, run):
    root = project()
    assert run("-C", root, "build", "-o", root).exit_code == 2


def test_failure_midway_leaves_the_old_output_untouched(project, tmp_path, monkeypatch):
    root = project()
    out = tmp_path / "out"
    build(root, out, jobs=1)
    before = {name: (out / name).read_bytes() for name in files(out)}
    (root / "city/county/yiwu-jiaoyu.yaml").write_text(
        "domain: yiwu-jiaoyu\noverride:\n  zcwj-jyfl:\n    channels: [公开查阅点]\n", encoding="utf-8")

    def broken(*args, **kwargs):
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(workbooks, "locality_workbook", broken)
    with pytest.raises(RuntimeError):
        build(root, out, jobs=1)
    assert {name: (out / name).read_bytes() for name in files(out)} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "p"]


def test_rebuild_after_one_town_changed_renders_only_what_shows_that_town(project, tmp_path):
    root = project()
    out = tmp_path / "out"
    first = build(root, out, jobs=1)
    cheap = [p for p in first.rendered if p not in expensive(out, first.rendered)]
    assert cheap and all(p.startswith("assets/") and p != "assets/search-index.js" for p in cheap) and not first.reused
    inodes = files(out)
    (root / "city/county/town-b/yiwu-jiaoyu.yaml").write_text(
        "domain: yiwu-jiaoyu\noverride:\n  zcwj-jyfl:\n    channels: [入户/现场]\n", encoding="utf-8")
    second = build(root, out, jobs=1)
    assert sorted(expensive(out, second.rendered)) == [
        "assets/search-index.js", "city/county/index.html",  # the county's matrix shows its towns
        "city/county/town-b/catalog.json", "city/county/town-b/departments.html", "city/county/town-b/index.html",
        "city/county/town-b/town-b-填报表.xlsx", "city/county/town-b/yiwu-jiaoyu.html", "city/county/town-b/乙街道政务公开标准目录.xlsx",
        "city/county/town-b/责任清单.xlsx",
        "domains/yiwu-jiaoyu.html", "index.html", "总表.xlsx"]
    after = files(out)
    changed = {name for name in after if after[name] != inodes.get(name)}
    assert changed == {"city/county/town-b/乙街道政务公开标准目录.xlsx", "city/county/town-b/town-b.xlsx",
                       "city/county/town-b/town-b-填报表.xlsx",
                       # the duty lists show each item's channels
                       "city/county/town-b/departments.html", "city/county/town-b/责任清单.xlsx",
                       "city/county/town-b/catalog.json", "city/county/town-b/yiwu-jiaoyu.html",
                       "domains/yiwu-jiaoyu.html",  # lists 乙街道's change
                       "assets/search-index.js",  # 乙街道's entry is now its own
                       MANIFEST}  # the pages and 总表.xlsx were rendered again, but their bytes are the same: kept
    assert sorted(second.written) == sorted(changed - {MANIFEST})
    third = build(root, out, jobs=1)  # nothing changed: nothing but the assets is rendered
    assert not expensive(out, third.rendered) and not third.written


def test_a_county_change_reaches_its_towns(project, tmp_path):
    root = project()
    out = tmp_path / "out"
    build(root, out, jobs=1)
    (root / "city/county/locality.yaml").write_text("name: 某某区\nlevel: county\ndepartments:\n  education: 区教育和体育局\n",
                                                    encoding="utf-8")
    report = build(root, out, jobs=1)
    assert sorted(p for p in report.rendered if p.endswith(".xlsx")) == sorted([
        "city/county/某某区政务公开标准目录.xlsx", "city/county/county-填报表.xlsx",
        "city/county/town-a/甲镇政务公开标准目录.xlsx", "city/county/town-a/town-a-填报表.xlsx",
        "city/county/town-b/乙街道政务公开标准目录.xlsx", "city/county/town-b/town-b-填报表.xlsx", "总表.xlsx",
        "city/county/责任清单.xlsx", "city/county/town-a/责任清单.xlsx", "city/county/town-b/责任清单.xlsx"])
    # the county's table pages and those of its towns name the new department (or the new county name)
    tables = sorted(p for p in report.rendered if p.endswith("yiwu-jiaoyu.html") and p.startswith("city/county"))
    assert tables == ["city/county/town-a/yiwu-jiaoyu.html", "city/county/town-b/yiwu-jiaoyu.html",
                      "city/county/yiwu-jiaoyu.html"]


def test_build_date_comes_from_source_date_epoch_then_git(project, monkeypatch):
    root = project()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert dates.build_time(root).isoformat() == "2026-01-01T00:00:00+00:00"
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert dates.build_time(root) == dates.FALLBACK_TIME  # not a git repository
    env = {**os.environ, "GIT_AUTHOR_DATE": "2025-06-01T08:00:00Z", "GIT_COMMITTER_DATE": "2025-06-01T08:00:00Z",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "init"]):
        subprocess.run(["git", "-C", str(root), *args], check=True, env=env)
    assert dates.build_time(root).isoformat() == "2025-06-01T08:00:00+00:00"


def _office() -> tuple[str, str] | None:
    soffice, pdftotext = shutil.which("soffice"), shutil.which("pdftotext")
    return (soffice, pdftotext) if soffice and pdftotext else None


@pytest.mark.skipif(_office() is None and not os.environ.get("CI"), reason="LibreOffice and poppler not installed")
def test_libreoffice_opens_and_prints_a_sample_workbook(tmp_path):
    assert _office() is not None, "make test installs libreoffice-calc-nogui, fonts-noto-cjk and poppler-utils"
    build(CATALOGS, tmp_path / "site", jobs=1)
    workbook = tmp_path / "site/shenyang/liaozhong/liaozhong.xlsx"
    env = {**os.environ, "HOME": str(tmp_path)}  # LibreOffice writes its profile under HOME
    subprocess.run(["soffice", "--headless", "--norestore", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(workbook)], check=True, capture_output=True, timeout=240, env=env)
    pdf = tmp_path / "liaozhong.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages >= 10
    assert "841.89 x 595.3" in info  # A4 landscape
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "辽中区义务教育领域基层政务公开标准目录" in text and "辽中区政务公开标准目录总览" in text
    assert "第 1 页 共" in text


def _copy_of_gkcat(where: Path) -> Path:
    """gkcat's source and templates laid out as in the checkout, to be changed and run from there."""
    shutil.copytree(REPO / "src", where / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    shutil.copytree(REPO / "templates", where / "templates")
    return where / "src"


def _build_with(src: Path, root: Path, out: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(src), "SOURCE_DATE_EPOCH": "1767225600"}
    proc = subprocess.run([sys.executable, "-m", "gkcat", "-C", str(root), "build", "-o", str(out), "-j", "1"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr


def test_a_changed_gkcat_leaves_nothing_stale(project, tmp_path):
    """The same project rebuilt by a gkcat whose renderer changed (same version number): every
    output that depends on the change is new, none reused from the old build."""
    root, out = project(), tmp_path / "out"
    before = _copy_of_gkcat(tmp_path / "before")
    _build_with(before, root, out)
    book = out / "city/county/county.xlsx"
    assert "县级" in _sheet_texts(book) and "县级" in (out / "city/county/yiwu-jiaoyu.html").read_text(encoding="utf-8")
    after = _copy_of_gkcat(tmp_path / "after")
    vocabulary = after / "gkcat/model/vocabulary.py"
    vocabulary.write_text(vocabulary.read_text(encoding="utf-8").replace('"county": "县级"', '"county": "区县级"'),
                          encoding="utf-8")
    _build_with(after, root, out)
    assert "区县级" in _sheet_texts(book)
    assert "区县级" in (out / "city/county/yiwu-jiaoyu.html").read_text(encoding="utf-8")


def _sheet_texts(path: Path) -> str:
    wb = openpyxl.load_workbook(path, read_only=True)
    return "\n".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value)


@pytest.mark.parametrize("files", [{}, {"a\"b/中文 页.html": ("f\\x", 12, "ab", 5), "0": (None, 0, "", 0), "z/\u3000": ("q", 1, "cd", 7)}])
def test_the_manifest_is_written_as_json_with_an_indent_writes_it(files):
    """manifest_text makes the manifest piece by piece (json's indented encoder is pure Python): byte for byte
    what json.dumps(indent=1, sort_keys=True) writes, so a published manifest diffs as it always did."""
    from gkcat.publish.outfolder import Entry, manifest_text

    entries = {p: Entry(*e) for p, e in files.items()}
    body = {"gkcat": "9.9", "files": {p: e.json() for p, e in entries.items()}}
    assert manifest_text("9.9", entries) == json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True)


@pytest.mark.parametrize("added", ["报告.docx", "city/county/报告.docx", "city/county/草稿/", "city/新文件夹/"])
def test_a_rebuild_refuses_what_no_build_wrote_inside_its_output(project, tmp_path, added):
    """A file or folder put into a built folder (at its top, or deep in a locality's folder) is refused by
    name: the swap would delete it."""
    root, out = project(), tmp_path / "out"
    build(root, out, jobs=1)
    path = out / added
    if added.endswith("/"):
        path.mkdir()
        (path / "笔记.txt").write_text("不能删", encoding="utf-8")
    else:
        path.write_text("不能删", encoding="utf-8")
    with pytest.raises(BuildRefused, match=re.escape(added)):
        build(root, out, jobs=1)
    assert path.exists()
