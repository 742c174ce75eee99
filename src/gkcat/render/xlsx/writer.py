"""Workbooks in the national table layout, as bytes: print-ready, formula-safe and deterministic.

openpyxl's write-only mode streams rows and keeps little in memory. Per-cell styles are what
make it slow, so the workbook's default cell format is the table body's (CJK font, thin borders,
wrapped text, vertically centred) and only titles, headers and √ marks carry a style of their own.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from datetime import datetime
from functools import lru_cache
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.datavalidation import DataValidation

from gkcat.render.xlsx.layout import CHECK, Table

FONT = "宋体"  # what Chinese offices print with; viewers without it substitute a CJK font
_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_A4 = 9  # the paperSize code of A4
_FORBIDDEN_SHEET = re.compile(r"[\[\]:*?/\\]")


class _Styles:
    """The few per-cell formats, prepared once per workbook as style arrays (cheap to copy)."""

    def __init__(self, wb: Workbook, ws: WriteOnlyWorksheet):
        def make(**kw: object) -> StyleArray:
            cell = WriteOnlyCell(ws)
            for key, value in kw.items():
                setattr(cell, key, value)
            return cell._style  # type: ignore[attr-defined]  # openpyxl 3.1 internals, pinned in pyproject

        centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
        self.title = make(font=Font(name=FONT, sz=14, bold=True), alignment=centre, border=Border())
        self.header = make(font=Font(name=FONT, sz=10, bold=True), alignment=centre,
                           fill=PatternFill("solid", fgColor="FFE7E6E6"), border=_BORDER)
        self.mark = make(alignment=centre, border=_BORDER)
        self.blank = make(border=_BORDER, alignment=Alignment(vertical="center", wrap_text=True))
        self.subtitle = make(alignment=Alignment(vertical="center", wrap_text=True), border=Border())
        self.link = make(font=Font(name=FONT, sz=10, color="FF0563C1", underline="single"), border=_BORDER,
                         alignment=Alignment(vertical="center", wrap_text=True))
        # A fill-in sheet: open cells take text as typed (a phone number keeps its leading 0), the
        # locked ones are grey. (kind is "mark") -> style
        wrap = Alignment(vertical="center", wrap_text=True)
        grey = PatternFill("solid", fgColor="FFD9D9D9")
        free = Protection(locked=False)
        self.form = {
            (True, False): make(border=_BORDER, alignment=wrap, protection=free, number_format="@"),
            (True, True): make(border=_BORDER, alignment=centre, protection=free, number_format="@"),
            (False, False): make(border=_BORDER, alignment=wrap, fill=grey),
            (False, True): make(border=_BORDER, alignment=centre, fill=grey),
        }


def _defaults(wb: Workbook) -> None:
    # Style 0 is what every unstyled cell uses: make it the table body's. The alignment of style 0
    # is not written by openpyxl; normalize() adds it to styles.xml.
    wb._fonts[0] = Font(name=FONT, sz=10)  # type: ignore[attr-defined]  # openpyxl 3.1 internals, pinned
    wb._borders[0] = _BORDER  # type: ignore[attr-defined]


def sheet_name(name: str, taken: set[str]) -> str:
    """A name Excel accepts (31 characters, none of []:*?/\\), unique in the workbook."""
    base = _FORBIDDEN_SHEET.sub("_", name).strip("'")[:31] or "Sheet"
    candidate, n = base, 2
    while candidate.lower() in {t.lower() for t in taken}:
        suffix = f"({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate)
    return candidate


@lru_cache(maxsize=65536)
def clean(text: str) -> str:
    """Text that can go into a cell: control characters the XML cannot hold are dropped."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _formula_like(value: str | None) -> bool:
    # openpyxl stores a string starting with "=" as a formula; catalog text never is one.
    return bool(value) and value[0] == "="  # type: ignore[index]


def _cell(ws: WriteOnlyWorksheet, value: str | None, style: StyleArray | None) -> Cell:
    cell = WriteOnlyCell(ws, value=clean(value) if value else None)
    if _formula_like(value):
        cell.data_type = "s"
    if style is not None:
        cell._style = StyleArray(style)  # type: ignore[attr-defined]  # openpyxl 3.1 internals, pinned
    return cell


class _Reused:
    """Cells that are the same wherever they appear. A write-only sheet serialises each row inside
    append(), so one cell object can stand in every row and column it is appended to."""

    def __init__(self, ws: WriteOnlyWorksheet, styles: _Styles):
        self.mark = _cell(ws, CHECK, styles.mark)
        # A cell under a merge: no value, but its own border so that Excel draws the merged edges.
        self.blank = _cell(ws, None, styles.blank)


def _row(ws: WriteOnlyWorksheet, styles: _Styles, reused: _Reused, table: Table, r: int, values: list[str | None]) -> list[object]:
    if r == 1 and table.title:
        return [_cell(ws, values[0], styles.title)]
    if r == 2 and table.subtitle:
        return [_cell(ws, values[0], styles.subtitle)]
    if r <= table.header_rows:
        return [_cell(ws, value, styles.header) for value in values]
    if table.protected:
        return [_cell(ws, value, styles.form[((r, c) in table.open_cells, table.columns[c - 1].kind == "mark")])
                for c, value in enumerate(values, 1)]
    out: list[object] = []
    for c, value in enumerate(values, 1):
        if value is None:
            out.append(reused.blank)
        elif (r, c) in table.links:
            cell = _cell(ws, value, styles.link)
            cell.hyperlink = table.links[(r, c)]
            out.append(cell)
        elif value == CHECK and table.columns[c - 1].kind == "mark":
            out.append(reused.mark)
        elif _formula_like(value):
            out.append(_cell(ws, value, None))
        else:
            out.append(clean(value))
    return out


LINE_HEIGHT = 13.5  # points per line of 10-point 宋体


@lru_cache(maxsize=65536)
def _lines(text: str, width: float) -> int:
    """How many lines `text` takes in a column `width` characters wide, once wrapped."""
    usable = max(width - 1.5, 1.0)
    # GBK byte length is the display width in columns: 2 for a Chinese character, 1 for ASCII.
    return sum(max(1, math.ceil(len(line.encode("gbk", "replace")) / usable)) for line in text.split("\n"))


def row_height(table: Table, values: list[str | None]) -> float:
    """Rows are sized here: spreadsheet programs do not re-fit wrapped rows when they open a file."""
    most = 1
    for value, col in zip(values, table.columns, strict=True):
        if value:
            most = max(most, _lines(value, col.width))
    return most * LINE_HEIGHT + 4


def _setup(ws: Any, table: Table) -> None:
    # Any: a write-only sheet forwards page setup and dimensions to a worksheet it holds, which
    # openpyxl's type stubs do not describe.
    for i, col in enumerate(table.columns, 1):
        ws.column_dimensions[get_column_letter(i)].width = col.width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = _A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    if table.header_rows >= 2:
        ws.print_title_rows = f"2:{table.header_rows}"
        ws.freeze_panes = f"A{table.header_rows + 1}"
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"
    ws.oddFooter.center.font = FONT
    ws.page_margins.left = ws.page_margins.right = 0.4


def _height(points: float) -> dict[str, str]:
    # Write-only sheets read row_dimensions only as `attrs.update(row_dimensions.get(row, {}))`;
    # plain attribute dicts spare openpyxl's slow RowDimension objects (a tenth of the build time).
    return {"ht": f"{points:g}", "customHeight": "1"}


def write_table(wb: Workbook, name: str, table: Table) -> None:
    ws = wb.create_sheet(name)
    styles = _Styles(wb, ws)
    reused = _Reused(ws, styles)
    _setup(ws, table)
    merged_down = {(r, c1) for r1, c1, r2, c2 in table.merges if r2 > r1 and c1 == c2 for r in range(r1, r2 + 1)}
    heights: dict[int, dict[str, str]] = {}
    ws.row_dimensions = heights
    for r, values in enumerate(table.rows, 1):
        if r == 1 and table.title:
            heights[r] = _height(30)
        elif r == 2 and table.subtitle:
            heights[r] = _height(2 * LINE_HEIGHT)
        else:
            # a cell merged down several rows (一级事项) may take their combined height: leave it out
            sized = [None if (r, c) in merged_down else v for c, v in enumerate(values, 1)]
            heights[r] = _height(row_height(table, sized))
        ws.append(_row(ws, styles, reused, table, r, values))
    for r1, c1, r2, c2 in table.merges:
        ws.merged_cells.add(CellRange(min_row=r1, min_col=c1, max_row=r2, max_col=c2))
    _protect(ws, table)


def _protect(ws: Any, table: Table) -> None:
    """Sheet protection without a password (it guards against slips; import checks every value again),
    drop-down lists, and hiding. Any: as in _setup."""
    if table.hidden:
        ws.sheet_state = "hidden"
    for choice in table.choices:
        dv = DataValidation(type="list", formula1='"' + ",".join(choice.values) + '"', allow_blank=True,
                            showErrorMessage=choice.strict, showInputMessage=bool(choice.prompt))
        if choice.strict:
            dv.error, dv.errorTitle = f"请从下拉列表中选择：{'、'.join(choice.values)}", "填写有误"
        if choice.prompt:
            dv.prompt, dv.promptTitle = choice.prompt, "填写说明"
        dv.add(choice.cells)
        ws.data_validations.append(dv)
    if table.protected:
        p = ws.protection
        p.sheet = True
        # column widths, row heights and new rows stay possible; deleting a row of locked cells does not
        p.formatColumns = p.formatRows = p.insertRows = False


def new_workbook() -> Workbook:
    wb = Workbook(write_only=True)
    _defaults(wb)
    return wb


def save(wb: Workbook, title: str, when: datetime) -> bytes:
    """The workbook's bytes, identical for identical content (see normalize)."""
    wb.properties.creator = "gkcat"
    wb.properties.title = title
    buf = io.BytesIO()
    wb.save(buf)
    return normalize(buf.getvalue(), when)


# The default cell format, as openpyxl writes it, and with wrapped, vertically centred text. Both the
# Normal style (cellStyleXfs, which LibreOffice uses for unstyled cells) and cell format 0 (cellXfs,
# which Excel uses) get the alignment.
_DEFAULTS = (
    ('<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" /></cellStyleXfs>',
     '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" applyAlignment="1">'
     '<alignment vertical="center" wrapText="1" /></xf></cellStyleXfs>'),
    ('"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" pivotButton="0" quotePrefix="0" xfId="0" />',
     '"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" applyAlignment="1" pivotButton="0" quotePrefix="0" '
     'xfId="0"><alignment vertical="center" wrapText="1" /></xf>'),
)
_STAMP = re.compile(r"(<dcterms:(created|modified) [^>]*>)[^<]*(</dcterms:\2>)")


def normalize(data: bytes, when: datetime) -> bytes:
    """Fixed timestamps (save() stamps the current time into core.xml and every zip entry), and
    wrapped, vertically centred text as the default cell alignment."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    date_time = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _STAMP.sub(lambda m: f"{m.group(1)}{stamp}{m.group(3)}", body.decode("utf-8")).encode("utf-8")
            elif info.filename == "xl/styles.xml":
                body = _wrap_by_default(body.decode("utf-8")).encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, body)
    return out.getvalue()


def _wrap_by_default(styles: str) -> str:
    for plain, wrapped in _DEFAULTS:
        if plain not in styles:  # openpyxl changed how it writes styles: fail loudly, not silently unwrapped
            raise RuntimeError(f"styles.xml: default cell format not found: {plain}")
        styles = styles.replace(plain, wrapped, 1)
    return styles
