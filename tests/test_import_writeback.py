"""Importing into an overlay that exists: the smallest edit (comments, key order, list style kept),
nothing written when nothing differs, no file for a domain without differences."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import openpyxl
import pytest

from conftest import CATALOGS
from gkcat.check.load import load_project
from gkcat.ingest.importer import import_file
from gkcat.publish.pipeline import build
from gkcat.render.site.urls import workbook_paths

LIAOZHONG = "shenyang/liaozhong"
JIUYE = f"{LIAOZHONG}/jiuye.yaml"


@pytest.fixture
def sample(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the sample whose 辽中区 overlays were written by importing its published workbook, and that workbook.

    The national layout carries no item ids, so an import renumbers local items: the overlays under
    test are the ones an import wrote (and a person then commented), as in an office's second round.
    """
    root = tmp_path / "p"
    shutil.copytree(CATALOGS, root, ignore=shutil.ignore_patterns("site"))
    build(root, tmp_path / "out", jobs=1, parts=("xlsx",))
    loc = load_project(root).project.localities[LIAOZHONG]  # type: ignore[union-attr]
    book = tmp_path / "out" / workbook_paths(loc)[0]
    for f in (root / LIAOZHONG).glob("*.yaml"):
        if f.name != "locality.yaml":
            f.unlink()
    out = import_file(root, "xlsx", book, LIAOZHONG, None, None, False)
    assert out.written
    text = (root / JIUYE).read_text(encoding="utf-8")
    (root / JIUYE).write_text("# 辽中区就业目录：2026 年 3 月区人社局核定\n" + text.replace(
        "override:\n", "override:\n  # 以下渠道按区政务服务中心实际情况调整\n", 1), encoding="utf-8")
    return root, book


def _changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def _tick(book: Path, sheet: str, box: str) -> None:
    """Tick one more channel in the first channel cell of `sheet` that has it unticked."""
    wb = openpyxl.load_workbook(book)
    cell = next(c for row in wb[sheet].iter_rows() for c in row if isinstance(c.value, str) and f"□{box}" in c.value)
    cell.value = cell.value.replace(f"□{box}", f"■{box}")
    wb.save(book)


def test_the_same_table_imported_again_changes_nothing(sample, run):
    root, book = sample
    before = {p: p.read_bytes() for p in root.rglob("*.yaml")}
    result = run("-C", root, "import", "xlsx", book, "--locality", LIAOZHONG, "--force")
    assert result.exit_code == 0, result.output
    assert "没有变化" in result.output
    assert {p: p.read_bytes() for p in root.rglob("*.yaml")} == before  # byte for byte, comments and all


def test_one_ticked_box_is_one_changed_line_and_the_comments_stay(sample, run):
    root, book = sample
    _tick(book, "就业", "两微一端")
    before = (root / JIUYE).read_text(encoding="utf-8")
    result = run("-C", root, "import", "xlsx", book, "--locality", LIAOZHONG, "--force")
    assert result.exit_code == 0, result.output
    after = (root / JIUYE).read_text(encoding="utf-8")
    changed = _changed_lines(before, after)
    assert len(changed) in (1, 2, 3) and all("channels" in line or line.strip(" +-").endswith(":") for line in changed), changed
    assert [line for line in before.splitlines() if "#" in line] == [line for line in after.splitlines() if "#" in line]
    assert load_project(root).ok()


def test_without_force_an_existing_overlay_that_would_change_is_refused(sample, run):
    root, book = sample
    _tick(book, "就业", "两微一端")
    before = (root / JIUYE).read_bytes()
    result = run("-C", root, "import", "xlsx", book, "--locality", LIAOZHONG)
    assert result.exit_code == 2 and JIUYE in result.stderr and "--force" in result.stderr
    assert (root / JIUYE).read_bytes() == before


def test_no_file_for_a_domain_without_differences_and_an_emptied_one_goes(sample, run):
    root, book = sample
    plain = root / LIAOZHONG / "shehui-jiuzhu.yaml"
    assert not plain.exists()  # 辽中区 keeps the city's 社会救助 as it is: the import wrote no overlay for it
    plain.write_text("domain: shehui-jiuzhu\noverride: {}\n", encoding="utf-8")
    result = run("-C", root, "import", "xlsx", book, "--locality", LIAOZHONG, "--force")
    assert result.exit_code == 0, result.output
    assert not plain.exists() and "删除此文件" in result.output
    plain.write_text("# 本区社会救助与市级目录一致，保留此文件备查\ndomain: shehui-jiuzhu\noverride: {}\n", encoding="utf-8")
    run("-C", root, "import", "xlsx", book, "--locality", LIAOZHONG, "--force")
    assert plain.read_text(encoding="utf-8").startswith("# 本区社会救助与市级目录一致")


def test_dry_run_says_what_would_change_in_diff_words_and_writes_nothing(sample, run):
    root, book = sample
    _tick(book, "就业", "两微一端")
    before = {p: p.read_bytes() for p in root.rglob("*.yaml")}
    result = run("-C", root, "import", "xlsx", book, "--locality", LIAOZHONG, "--dry-run")  # no --force needed
    assert result.exit_code == 0, result.output
    assert "@@ 就业（jiuye）" in result.output and "公开渠道：" in result.output and "两微一端" in result.output
    assert "未写入任何文件" in result.output
    assert {p: p.read_bytes() for p in root.rglob("*.yaml")} == before
