"""What `gkcat import` reads at most, checked before any parser sees a file.

Real standard tables have a few hundred rows and about 20 columns. A small hostile or broken file
can claim far more (a merged range over a whole sheet, a zip that inflates a thousandfold, spans
that cover millions of cells), and openpyxl builds an object for every cell it is told of. So the
sizes are read from the zip directory and a streamed scan of each sheet first, and refused beyond
these bounds with a message saying what was too large.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import IO
from xml.etree import ElementTree

from gkcat.errors import GkcatError, InputError, os_error_message
from gkcat.source.files import read_input


class GridError(GkcatError):
    """The file cannot be read as a table; the message says which file or sheet and why, in Chinese."""


# Far above real tables, and low enough that any import stays well under 500 MB of memory.
MAX_FILE = 50 * 2**20  # bytes of the file as given
MAX_UNPACKED = 100 * 2**20  # bytes of a workbook's parts once inflated
MAX_ROWS = 10_000
MAX_COLS = 256
MAX_CELLS = 200_000  # of a whole workbook or page, merged areas included (measured: ~300 MB to import)
_MIB = 2**20


def too_large(what: str, found: int, limit: int, unit: str = "") -> GridError:
    return GridError(f"{what}过大（{found:,}{unit}，最多 {limit:,}{unit}），未导入：标准目录表通常只有几百行、约 20 列，"
                     "请检查是否选错了文件，或删去表格以外的内容后再导入")


def read_bounded(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE:
            raise too_large(f"文件 {path.name} ", size // _MIB, MAX_FILE // _MIB, " MB")
        return read_input(path, str(path))
    except InputError as err:
        raise GridError(str(err)) from None
    except OSError as err:
        raise GridError(os_error_message(err)) from None


_CELL_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of .xls, .doc and .et files


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _ref(ref: str) -> tuple[int, int]:
    """(row, column), 1-based, of "C7"; (0, 0) when it is not a cell reference."""
    m = _CELL_REF.match(ref.upper().replace("$", ""))
    return (int(m.group(2)), _col_number(m.group(1))) if m else (0, 0)


Formula = tuple[int, int, str]  # 0-based row and column of a formula cell, and its formula


def _scan_sheet(stream: IO[bytes], sheet: str, budget: int) -> tuple[list[Formula], int]:
    """Stream one sheet's XML and refuse it beyond the bounds (`budget`: cells the workbook has left).

    Returns its formula cells (seen here anyway, so the workbook is not parsed again for them) and
    how many cells it takes (merged areas included).

    openpyxl makes an object for every cell of a merged range and keeps the whole sheet in memory,
    so the sizes have to be known before it reads anything.
    """
    rows = cols = cells = merged = 0
    formulas: list[Formula] = []
    row = col = 0  # the current row, and the last column in it (`r` may be left out of either, as openpyxl reads it)
    for event, elem in ElementTree.iterparse(stream, events=("start", "end")):
        tag = elem.tag.rsplit("}", 1)[-1]
        if event == "start":
            if tag == "row":  # a row's number is known when it starts: its cells come before its end
                given = elem.get("r") or ""
                row, col = (int(given) if given.isdigit() else row + 1), 0
            continue
        if tag == "c":
            r, c = _ref(elem.get("r", ""))
            r, col = r or row, c or col + 1
            cells += 1
            parts = {child.tag.rsplit("}", 1)[-1] for child in elem}
            # only a cell that holds something makes the sheet that large: a row or a cell that is only formatted
            # (LibreOffice saves a sheet whose row was deleted as reaching row 1,048,576, its last row empty) does not
            if parts & {"v", "is", "f"}:
                rows, cols = max(rows, r), max(cols, col)
            f = next((child for child in elem if child.tag.endswith("}f")), None)
            if f is not None:
                formulas.append((r - 1, col - 1, f"={f.text or ''}"))
            elem.clear()
        elif tag == "row":
            elem.clear()
        elif tag == "mergeCell":
            first, _, last = (elem.get("ref") or "").partition(":")
            (r0, c0), (r1, c1) = _ref(first), _ref(last or first)
            rows, cols = max(rows, r1), max(cols, c1)
            merged += max(0, r1 - r0 + 1) * max(0, c1 - c0 + 1)
        if rows > MAX_ROWS:
            raise too_large(f"工作表“{sheet}”的行数", rows, MAX_ROWS, " 行")
        if cols > MAX_COLS:
            raise too_large(f"工作表“{sheet}”的列数", cols, MAX_COLS, " 列")
        if max(cells, merged) > budget:
            raise too_large("工作簿的单元格（含合并单元格）", MAX_CELLS - budget + max(cells, merged), MAX_CELLS, " 个")
    return formulas, max(cells, merged)


def _sheet_names(z: zipfile.ZipFile) -> dict[str, str]:
    """Part name -> the sheet's name as users see it, for messages (empty when the workbook does not say)."""
    try:
        rels = {r.get("Id"): r.get("Target", "") for r in ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))}
        out = {}
        for sheet in ElementTree.fromstring(z.read("xl/workbook.xml")).iter():
            if sheet.tag.endswith("}sheet"):
                rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
                target = rels.get(rid, "").lstrip("/")
                out[target if target.startswith("xl/") else f"xl/{target}"] = sheet.get("name", "")
        return out
    except (KeyError, ElementTree.ParseError):
        return {}


class OtherFormat(GridError):
    """A spreadsheet saved in a format gkcat does not read (.ods, .xls, .et): the unit saves it again as .xlsx.
    Exit code 1 in a batch of returned forms: a return that is not imported, the others are."""

    exit_code = 1


SAVE_AS = "请在 LibreOffice、WPS 或 Excel 中“另存为”Excel 工作簿（*.xlsx，“Excel 2007-365”）后再导入"


def check_workbook(name: str, raw: bytes) -> dict[str, list[Formula]]:
    """Refuse what is not a workbook or too large to read; the formula cells, by sheet name."""
    if raw.startswith(_OLE2):
        raise OtherFormat(f"{name} 是旧版 Excel 文件（.xls）或 WPS 表格文件（.et），gkcat 只能读取 .xlsx：{SAVE_AS}")
    if not raw.startswith(b"PK"):
        if name.lower().endswith((".xls", ".et", ".csv", ".ods")):
            raise OtherFormat(f"{name} 不是 Excel 工作簿（.xlsx）：{SAVE_AS}")
        raise GridError(f"{name} 不是 Excel 工作簿（.xlsx）")
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            if "mimetype" in z.namelist() and z.read("mimetype").startswith(b"application/vnd.oasis.opendocument"):
                # what LibreOffice saves by default (and WPS can): an OpenDocument spreadsheet, not an Office one
                raise OtherFormat(f"{name} 是 OpenDocument 表格（.ods，LibreOffice 默认的保存格式），gkcat 只能读取 .xlsx："
                                  f"{SAVE_AS}")
            infos = z.infolist()
            unpacked = sum(i.file_size for i in infos)  # declared sizes: zipfile never inflates past them
            if unpacked > MAX_UNPACKED:
                raise too_large(f"{name} 解压后", unpacked // _MIB, MAX_UNPACKED // _MIB, " MB")
            names = _sheet_names(z)
            formulas: dict[str, list[Formula]] = {}
            budget = MAX_CELLS
            for info in infos:
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    sheet = names.get(info.filename, info.filename)
                    with z.open(info) as stream:
                        found, used = _scan_sheet(stream, sheet, budget)
                    formulas[sheet], budget = found, budget - used
            return formulas
    except (zipfile.BadZipFile, ElementTree.ParseError, EOFError, RuntimeError) as err:
        raise GridError(f"{name} 不是可读取的 Excel 工作簿（.xlsx）：{err}") from None
