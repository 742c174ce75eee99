"""`gkcat import` of small hostile files: refused quickly, with exit 2 and a message saying what was
too large, and never more than 500 MB of memory (each import runs in its own bounded process).

The fixtures are made here, each a few KB to a few MB, like the ones that once ran out of memory.
"""

from __future__ import annotations

import io
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

PEAK_LIMIT_KB = 500 * 1024
# The child reports its own peak: RUSAGE_CHILDREN would include every process this session ran.
CHILD = """
import resource, sys
from gkcat.cli import main
try:
    main(sys.argv[1:])
finally:
    print("PEAK_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def _cap_memory() -> None:  # a regression fails fast instead of taking the machine down
    resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))


def import_bounded(project: Path, kind: str, file: Path) -> tuple[int, str, int]:
    proc = subprocess.run([sys.executable, "-c", CHILD, "-C", str(project), "import", kind, str(file), "--locality", "moumou"],
                          capture_output=True, text=True, timeout=120, preexec_fn=_cap_memory)
    peak = int(proc.stderr.rsplit("PEAK_KB", 1)[1].split()[0])
    return proc.returncode, proc.stderr, peak


@pytest.fixture
def fresh(tmp_path: Path, run) -> Path:
    root = tmp_path / "proj"
    assert run("init", root, "--name", "某某市", "--id", "moumou").exit_code == 0
    return root


def _table() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "义务教育"
    ws.append(["义务教育领域基层政务公开标准目录"])
    ws.append(["序号", "公开事项", None, "公开内容（要素）"])
    ws.merge_cells("A1:D1")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _with_sheet(raw: bytes, change) -> bytes:
    """The workbook with xl/worksheets/sheet1.xml rewritten by `change(zip_out, info, xml)`."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                change(dst, info, data)
            else:
                dst.writestr(info, data)
    return out.getvalue()


def merged_over_the_sheet() -> bytes:
    return _with_sheet(_table(), lambda d, i, x: d.writestr(i, x.replace(b'ref="A1:D1"', b'ref="AA1:XFD1048576"')))


def inflating(size_mb: int = 300) -> bytes:
    def change(dst: zipfile.ZipFile, info: zipfile.ZipInfo, xml: bytes) -> None:
        head, tail = xml.split(b"</sheetData>")
        entry = zipfile.ZipInfo(info.filename)
        entry.compress_type = zipfile.ZIP_DEFLATED
        block = (b'<row><c t="inlineStr"><is><t>' + b"x" * 1000 + b"</t></is></c></row>") * 1000
        with dst.open(entry, "w", force_zip64=True) as w:
            w.write(head)
            for _ in range(size_mb):
                w.write(block)
            w.write(b"</sheetData>" + tail)

    return _with_sheet(_table(), change)


def many_rows(rows: int = 30_000) -> bytes:
    row = b'<row><c t="inlineStr"><is><t>a</t></is></c></row>'  # rows without `r`, as some writers do
    return _with_sheet(_table(), lambda d, i, x: d.writestr(i, x.replace(b"</sheetData>", row * rows + b"</sheetData>")))


def huge_spans() -> str:
    cells = '<td rowspan="65534" colspan="1000">x</td>' * 250
    return f"<p>义务教育领域基层政务公开标准目录</p><table><tr>{cells}</tr>{'<tr><td>a</td></tr>' * 40}</table>"


def many_spanned_cells() -> str:
    row = '<td rowspan="1000" colspan="40">x</td>' * 6  # 240 columns over 1,000 rows: 240,000 cells
    return f"<p>义务教育</p><table><tr>{row}</tr>{'<tr></tr>' * 999}</table>"


CASES = {
    "merge.xlsx": (merged_over_the_sheet, "行数过大"),
    "inflate.xlsx": (inflating, "解压后过大"),
    "rows.xlsx": (many_rows, "行数过大"),
    "spans.html": (huge_spans, "列数过大"),
    "cells.html": (many_spanned_cells, "单元格（含合并单元格）过大"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_files_are_refused_quickly_in_bounded_memory(fresh, tmp_path, name):
    make, message = CASES[name]
    data = make()
    path = tmp_path / name
    path.write_bytes(data) if isinstance(data, bytes) else path.write_text(data, encoding="utf-8")
    assert path.stat().st_size < 10 * 2**20
    code, stderr, peak = import_bounded(fresh, "html" if name.endswith(".html") else "xlsx", path)
    assert code == 2 and message in stderr and "Traceback" not in stderr, stderr
    assert peak < PEAK_LIMIT_KB, f"{name}: {peak // 1024} MB"
    assert not (fresh / "moumou/yiwu-jiaoyu.yaml").exists()


def test_old_excel_files_and_files_without_extension(fresh, tmp_path, run):
    xls = tmp_path / "目录.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    result = run("-C", fresh, "import", "xlsx", xls, "--locality", "moumou")
    assert result.exit_code == 2 and ".xls" in result.stderr and "另存为" in result.stderr
    bare = tmp_path / "目录"
    bare.write_bytes(_table())  # a real workbook: read by its content, not refused for its name
    result = run("-C", fresh, "import", "xlsx", bare, "--locality", "moumou")
    assert result.exit_code == 2 and "表头" in result.stderr  # got as far as looking for the table's header
    text = tmp_path / "目录.csv"
    text.write_text("序号,一级事项\n", encoding="utf-8")
    result = run("-C", fresh, "import", "xlsx", text, "--locality", "moumou")
    assert result.exit_code == 2 and "不是 Excel 工作簿" in result.stderr


HEADER = ["一级事项", "二级事项", "公开内容", "公开依据", "公开主体", "公开渠道", "公开方式", "公开层级"]


def _national(path: Path, *rows: list[object]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "义务教育"
    for row in (HEADER, *rows):
        ws.append(row)
    wb.save(path)
    return path


def test_formula_cells_are_named_in_the_report(fresh, tmp_path, run):
    # openpyxl saves a formula without its computed result, as some tools do: it reads as blank
    book = _national(tmp_path / "公式.xlsx", ["政策文件", "教育法律", '=CONCATENATE("教育","法")', "《条例》", "市教育局", "政府网站",
                                              "主动", "市级"])
    result = run("-C", fresh, "import", "xlsx", book, "--locality", "moumou", "--domain", "yiwu-jiaoyu")
    assert "义务教育!C2 是公式" in result.output and "没有保存计算结果" in result.output, result.output


def test_ctrl_c_during_import_writes_nothing(fresh, tmp_path, run, monkeypatch):
    book = _national(tmp_path / "目录.xlsx", ["政策文件", "教育法律", "教育法", "《条例》", "市教育局", "政府网站", "主动", "市级"])
    before = {p: p.read_bytes() for p in fresh.rglob("*") if p.is_file()}
    real = Path.write_text

    def interrupted(self: Path, *args, **kwargs):
        real(self, *args, **kwargs)
        raise KeyboardInterrupt  # as if Ctrl-C came right after the first file was staged

    monkeypatch.setattr(Path, "write_text", interrupted)
    result = run("-C", fresh, "import", "xlsx", book, "--locality", "moumou", "--domain", "yiwu-jiaoyu")
    assert result.exit_code == 2 and "已中断" in result.stderr
    assert {p: p.read_bytes() for p in fresh.rglob("*") if p.is_file()} == before  # no file, no staged copy
