"""Tables as grids of text, read from an XLSX sheet or an HTML table: the input of `gkcat import`.

A grid keeps, for every cell, its text and whether it is covered by a merge (and from where), so
that the table reader can tell "merged down" from "left blank". Reading files happens here only.
"""

from __future__ import annotations

import datetime
import html
import io
import re
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from gkcat.ingest.bounds import (
    MAX_CELLS,
    MAX_COLS,
    MAX_ROWS,
    Formula,
    GridError,
    check_workbook,
    read_bounded,
    too_large,
)
from gkcat.source.yamldoc import TEXT_LIMIT, utf16_length


@dataclass
class Grid:
    name: str  # sheet name, or "表格 N" for HTML
    rows: list[list[str]]
    # (row, col) of a cell covered by a merge -> (row, col) of the merge's first cell; 0-based
    merged_from: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    links: dict[tuple[int, int], str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what the import report should say about cells
    names: list[str] = field(default_factory=list)  # workbook-level names bound to this sheet
    hidden: bool = False  # the sheet is hidden
    hidden_rows: list[int] = field(default_factory=list)  # 0-based, of the rows that hold something
    hidden_cols: list[int] = field(default_factory=list)  # 0-based, of the columns the grid has
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col), 0-based -> "=F3"

    def ref(self, row: int, col: int) -> str:
        """A cell reference users can find: Sheet!C7 (1-based row, letters for the column)."""
        letters = ""
        n = col + 1
        while n:
            n, r = divmod(n - 1, 26)
            letters = chr(65 + r) + letters
        return f"{self.name}!{letters}{row + 1}"

    def cell(self, row: int, col: int) -> str:
        return self.rows[row][col] if row < len(self.rows) and col < len(self.rows[row]) else ""


def _bounded(grid: Grid) -> Grid:
    """GridError naming the first cell whose text is longer than a cell holds (TEXT_LIMIT): such a cell would go
    into the YAML and into every workbook built from it."""
    for r, row in enumerate(grid.rows):
        for c, text in enumerate(row):
            if len(text) > TEXT_LIMIT // 2 and (n := utf16_length(text)) > TEXT_LIMIT and (r, c) not in grid.merged_from:
                raise GridError(f"{grid.ref(r, c)} 的文字有 {n:,} 个字符，超过一个格子最多能容纳的 {TEXT_LIMIT:,} 个字符，"
                                "未导入：请检查是否粘贴了多余的内容，或把它拆分到几个事项中")
    return grid


def _text(value: object) -> str:
    """A cell's value as the unit saw it: a date typed into a General cell (which the program stores as a number
    with a date format) as 2026-12-15, never 2026-12-15 00:00:00; a whole number without ".0"."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat() if isinstance(value, datetime.date) else value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("\r\n", "\n").replace("\r", "\n").replace("\u3000", " ").strip()


def _formula_notes(grid: Grid, formulas: list[Formula]) -> None:
    """A formula cell is read as its saved result; say so, and say when there is none (it reads as blank)."""
    for r, col, formula in formulas:
        value = grid.cell(r, col)
        grid.notes.append(f"{grid.ref(r, col)} 是公式（{formula[:40]}），"
                          + (f"按保存的计算结果“{value[:40]}”导入" if value else
                             "文件中没有保存计算结果，按空白导入：请在 Excel 中重新计算并保存，或把公式改为数值"))


def read_xlsx(path: Path, raw: bytes | None = None) -> list[Grid]:
    """Every sheet of a workbook as a grid, merges filled in from their first cell (`raw`: its bytes, if read)."""
    import openpyxl

    raw = read_bounded(path) if raw is None else raw
    formulas = check_workbook(path.name, raw)
    try:
        # From bytes, not the path: openpyxl judges a file by its extension, a user's file by its name
        wb = openpyxl.load_workbook(io.BytesIO(raw), data_only=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, TypeError, ElementTree.ParseError) as err:
        raise GridError(f"{path.name} 不是可读取的 Excel 工作簿（.xlsx）：{err}") from None
    grids = []
    for ws in wb.worksheets:
        rows = [[_text(c.value) for c in row] for row in ws.iter_rows()]
        width = max((len(r) for r in rows), default=0)
        rows = [r + [""] * (width - len(r)) for r in rows]
        grid = Grid(ws.title, rows)
        for rng in ws.merged_cells.ranges:
            r0, c0 = rng.min_row - 1, rng.min_col - 1
            for r in range(r0, rng.max_row):
                for c in range(c0, rng.max_col):
                    if (r, c) != (r0, c0) and r < len(rows) and c < width:
                        grid.merged_from[(r, c)] = (r0, c0)
                        rows[r][c] = rows[r0][c0]
        for cells in ws.iter_rows():
            for cell in cells:
                if cell.hyperlink is not None and cell.hyperlink.target and cell.row and cell.column:
                    grid.links[(cell.row - 1, cell.column - 1)] = cell.hyperlink.target
        grid.formulas = {(r, c): f for r, c, f in formulas.get(ws.title, [])}
        _formula_notes(grid, formulas.get(ws.title, []))
        _hidden(grid, ws)
        grids.append(_bounded(grid))
    _names(grids, wb)
    return grids


def _hidden(grid: Grid, ws: Any) -> None:
    """What Excel hides in the sheet: the sheet itself, rows, columns (a column entry may cover a range)."""
    grid.hidden = ws.sheet_state != "visible"
    grid.hidden_rows = sorted(r - 1 for r, dim in ws.row_dimensions.items()
                              if dim.hidden and 0 < r <= len(grid.rows) and any(grid.rows[r - 1]))
    width = len(grid.rows[0]) if grid.rows else 0
    cols: set[int] = set()
    for dim in ws.column_dimensions.values():
        if dim.hidden and dim.min and dim.max:
            cols.update(range(dim.min - 1, min(dim.max, width)))
    grid.hidden_cols = sorted(cols)


def _names(grids: list[Grid], wb: Any) -> None:
    """Each workbook-level name that points into a sheet, on that sheet's grid."""
    by_title = {g.name: g for g in grids}
    for name, defined in sorted(wb.defined_names.items()):
        try:
            places = list(defined.destinations)
        except (ValueError, TypeError, AttributeError):  # a name of a formula or a constant, not a place
            continue
        for title, _ in places:
            if title in by_title:
                by_title[title].names.append(name)


class _Tables(HTMLParser):
    """Collects every <table>'s cells with rowspan and colspan, and the text before each table."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[tuple[str, list[list[tuple[str, int, int, str]]]]] = []
        self._stack: list[list[list[tuple[str, int, int, str]]]] = []
        self._cell: list[str] | None = None
        self._span = (1, 1)
        self._href = ""
        self._before: list[str] = []
        self._captions: list[list[str]] = []  # per open table: its <caption>, which names the table best
        self._in_caption = False
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "table":
            self._stack.append([])
            self._captions.append([])
        elif tag == "caption" and self._stack:
            self._in_caption = True
        elif tag == "tr" and self._stack:
            self._stack[-1].append([])
        elif tag in ("td", "th") and self._stack:
            self._cell, self._href = [], ""
            self._span = (_int(a.get("rowspan")), _int(a.get("colspan")))
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")
        elif tag == "a" and self._cell is not None and a.get("href"):
            self._href = self._href or a["href"]
        elif tag in ("p", "div", "li") and self._cell:
            self._cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1
        elif tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None and self._stack:
            if not self._stack[-1]:
                self._stack[-1].append([])
            text = re.sub(r"[ \t]*\n[ \t\n]*", "\n", "".join(self._cell)).strip()
            self._stack[-1][-1].append((text, *self._span, self._href))
            self._cell = None
        elif tag == "table" and self._stack:
            rows = self._stack.pop()
            caption = " ".join(" ".join(self._captions.pop()).split())
            title = caption[:200] or " ".join(" ".join(self._before).split())[-200:]
            self.tables.append((title, rows))
            self._before = []

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._in_caption and self._captions:
            self._captions[-1].append(data.strip())
        elif self._cell is not None:
            self._cell.append(data.replace("\u3000", " ").replace("\xa0", " "))
        elif not self._stack and data.strip():
            self._before.append(data.strip())


def _int(value: str | None) -> int:
    try:  # HTML caps colspan at 1000; a rowspan beyond the table is clipped when the cells are laid out
        return max(1, min(int((value or "1").strip()), 65534))
    except ValueError:
        return 1


def read_html(path: Path) -> list[Grid]:
    """Every table of an HTML page as a grid; the text just before a table becomes its first row (the title)."""
    raw = read_bounded(path)
    text = _decode(raw)
    parser = _Tables()
    parser.feed(text)
    parser.close()
    grids = []
    for n, (title, rows) in enumerate(parser.tables, 1):
        if len(rows) > MAX_ROWS:
            raise too_large(f"表格{n}的行数", len(rows), MAX_ROWS, " 行")
        grid = _place(f"表格{n}", rows)
        if title:
            grid.rows.insert(0, [html.unescape(title)] + [""] * (len(grid.rows[0]) - 1 if grid.rows else 0))
            grid.merged_from = {(r + 1, c): (fr + 1, fc) for (r, c), (fr, fc) in grid.merged_from.items()}
            grid.links = {(r + 1, c): v for (r, c), v in grid.links.items()}
        grids.append(_bounded(grid))
    return grids


def _decode(raw: bytes) -> str:
    head = raw[:2048].decode("ascii", "replace").lower()
    found = re.search(r"charset=[\"']?([a-z0-9_-]+)", head)
    for enc in ([found.group(1)] if found else []) + ["utf-8", "gb18030"]:
        try:
            return raw.decode(enc)
        except (LookupError, UnicodeDecodeError):
            continue
    return raw.decode("utf-8", "replace")


def _place(name: str, rows: list[list[tuple[str, int, int, str]]]) -> Grid:
    """Lay out cells with rowspan/colspan on a grid, as a browser does."""
    taken: dict[tuple[int, int], tuple[str, tuple[int, int]]] = {}
    links: dict[tuple[int, int], str] = {}
    for r, row in enumerate(rows):
        c = 0
        for text, rowspan, colspan, href in row:
            while (r, c) in taken:
                c += 1
            rowspan, colspan = min(rowspan, len(rows) - r), min(colspan, 1000)  # as browsers lay them out
            if c + colspan > MAX_COLS:
                raise too_large(f"{name}的列数", c + colspan, MAX_COLS, " 列")
            if len(taken) + rowspan * colspan > MAX_CELLS:
                raise too_large(f"{name}的单元格（含合并单元格）", len(taken) + rowspan * colspan, MAX_CELLS, " 个")
            for dr in range(rowspan):
                for dc in range(colspan):
                    taken[(r + dr, c + dc)] = (text, (r, c))
            if href:
                links[(r, c)] = href
            c += colspan
    height = max((r for r, _ in taken), default=-1) + 1
    width = max((c for _, c in taken), default=-1) + 1
    grid = Grid(name, [["" for _ in range(width)] for _ in range(height)], links=links)
    for (r, c), (text, origin) in taken.items():
        grid.rows[r][c] = text
        if origin != (r, c):
            grid.merged_from[(r, c)] = origin
    return grid
