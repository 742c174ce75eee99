"""Workbooks in the national table layout, as bytes: print-ready, formula-safe and deterministic.

The sheets are written as XML text, not through openpyxl. Everything but the rows is fixed or
small (styles, print setup, widths, merges), and a row's XML depends only on its cells: a row
omits its `r` attributes (Excel, LibreOffice and openpyxl number rows and cells in order), so the
same row is the same bytes in every workbook that shows it, and is made once per process through
the build's memo (a town's table repeats most of its county's rows). Measured on the benchmark
province, this writer is several times faster than openpyxl's own write-only mode without any
formatting (README, 性能); openpyxl still reads every workbook back in the tests and in `gkcat import`.

Text is written as inline strings, never as a formula, and without the control characters XML 1.0
cannot hold. The zip has fixed timestamps, so identical input gives identical bytes.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from xml.sax.saxutils import escape, quoteattr

from gkcat.render.xlsx.layout import CHECK, Table
from gkcat.source.memo import Kind, Memo
from gkcat.source.yamldoc import TEXT_LIMIT, utf16_length

FONT = "宋体"  # what Chinese offices print with; viewers without it substitute a CJK font
_FORBIDDEN_SHEET = re.compile(r"[\[\]:*?/\\]")
# Characters XML 1.0 cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE): dropped from cell text.
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
LINE_HEIGHT = 13.5  # points per line of 10-point 宋体
MAX_ROW_HEIGHT = 409.5  # points: the tallest row Excel, WPS and LibreOffice accept
_A4 = 9  # the paperSize code of A4

# Cell formats (cellXfs), by index. Format 0, which every cell without `s` uses, is the table body's:
# 宋体 10, thin borders, wrapped and vertically centred, so most cells need no attribute at all.
BODY, TITLE, HEADER, MARK, SUBTITLE, LINK, OPEN, OPEN_MARK, LOCKED, LOCKED_MARK = range(10)
_XF = (
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">{wrap}</xf>',
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="1" xfId="0" applyAlignment="1">{centre}</xf>',
    '<xf numFmtId="0" fontId="2" fillId="2" borderId="0" xfId="0" applyAlignment="1">{centre}</xf>',
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">{centre}</xf>',
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="1" xfId="0" applyAlignment="1">{wrap}</xf>',
    '<xf numFmtId="0" fontId="3" fillId="0" borderId="0" xfId="0" applyAlignment="1">{wrap}</xf>',
    # fill-in sheets: open cells take text as typed (a phone number keeps its leading 0); locked ones are grey
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyAlignment="1" '
    'applyProtection="1">{wrap}<protection locked="0"/></xf>',
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyAlignment="1" '
    'applyProtection="1">{centre}<protection locked="0"/></xf>',
    '<xf numFmtId="0" fontId="0" fillId="3" borderId="0" xfId="0" applyAlignment="1">{wrap}</xf>',
    '<xf numFmtId="0" fontId="0" fillId="3" borderId="0" xfId="0" applyAlignment="1">{centre}</xf>',
)
_WRAP = '<alignment vertical="center" wrapText="1"/>'
_CENTRE = '<alignment horizontal="center" vertical="center" wrapText="1"/>'
_FONT = f'<name val="{FONT}"/><family val="3"/><charset val="134"/>'
STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    f'<fonts count="4"><font><sz val="10"/>{_FONT}</font><font><b/><sz val="14"/>{_FONT}</font>'
    f'<font><b/><sz val="10"/>{_FONT}</font><font><u/><sz val="10"/><color rgb="FF0563C1"/>{_FONT}</font></fonts>'
    '<fills count="4"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFE7E6E6"/><bgColor indexed="64"/></patternFill></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFD9D9D9"/><bgColor indexed="64"/></patternFill></fill></fills>'
    '<borders count="2"><border><left style="thin"/><right style="thin"/><top style="thin"/><bottom style="thin"/>'
    '<diagonal/></border><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    # the Normal style carries the body's alignment too: LibreOffice formats unstyled cells by it
    f'<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" applyAlignment="1">{_WRAP}</xf>'
    f'</cellStyleXfs><cellXfs count="{len(_XF)}">'
    + "".join(x.format(wrap=_WRAP, centre=_CENTRE) for x in _XF)
    + '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '<dxfs count="0"/><tableStyles count="0"/></styleSheet>'
)
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_R_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


# A data row's XML, by its cells and columns, kept in the build's memo: the same rows recur in every workbook of a
# chain. (Keeping each text's line count too made the heavy benchmark's workbooks slower, not faster.)
SHEET_ROW: Kind[str] = Kind("sheet-row", bound=32768)


@dataclass
class Workbook:
    """The sheets of one workbook, in order, until save() turns them into bytes. Its rows are made through
    `memo`: a build's, so that a row is made once for all the workbooks that show it, or the workbook's own."""

    memo: Memo = field(default_factory=Memo)
    sheets: list[tuple[str, Table]] = field(default_factory=list)


def new_workbook(memo: Memo | None = None) -> Workbook:
    return Workbook(memo if memo is not None else Memo())


def write_table(wb: Workbook, name: str, table: Table) -> None:
    wb.sheets.append((name, table))


def sheet_name(name: str, taken: set[str]) -> str:
    """A name Excel accepts (31 characters, none of []:*?/\\), unique in the workbook."""
    base = _FORBIDDEN_SHEET.sub("_", name).strip("'")[:31] or "Sheet"
    candidate, n = base, 2
    while candidate.lower() in {t.lower() for t in taken}:
        suffix = f"({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate)
    return candidate


_CUT = "……（内容过长，表格中只列出前面部分，全文见网站）"


def clean(text: str) -> str:
    """Text that can go into a cell: control characters the XML cannot hold are dropped, and what a cell cannot
    hold (TEXT_LIMIT, Excel's 32,767 UTF-16 units) is cut with a note, never written whole."""
    text = _ILLEGAL.sub("", text)
    if len(text) > TEXT_LIMIT // 2 and utf16_length(text) > TEXT_LIMIT:
        units = text.encode("utf-16-le")[: 2 * (TEXT_LIMIT - len(_CUT))]
        text = units.decode("utf-16-le", "ignore") + _CUT  # "ignore": a pair cut in half goes whole
    return text


def _lines(text: str, width: float) -> int:
    """How many lines `text` takes in a column `width` characters wide, once wrapped."""
    usable = max(width - 1.5, 1.0)
    # GBK byte length is the display width in columns: 2 for a Chinese character, 1 for ASCII.
    return sum(max(1, math.ceil(len(line.encode("gbk", "replace")) / usable)) for line in text.split("\n"))


def row_height(widths: tuple[float, ...], values: tuple[str | None, ...]) -> float:
    """Rows are sized here: spreadsheet programs do not re-fit wrapped rows when they open a file."""
    most = 1
    for value, width in zip(values, widths, strict=True):
        if value:
            most = max(most, _lines(value[:TEXT_LIMIT], width))
    return min(most * LINE_HEIGHT + 4, MAX_ROW_HEIGHT)


def letter(col: int) -> str:
    """The column letters of a 1-based column number: 1 -> A, 28 -> AB."""
    out = ""
    while col:
        col, r = divmod(col - 1, 26)
        out = chr(65 + r) + out
    return out


def _cell(value: str | None, style: int) -> str:
    s = f' s="{style}"' if style else ""
    if not value:
        return f"<c{s}/>"
    text = clean(value)
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c{s} t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'


def _row(cells: str, points: float) -> str:
    return f'<row ht="{points:g}" customHeight="1">{cells}</row>'


def _body_row(values: tuple[str | None, ...], kinds: tuple[str, ...], widths: tuple[float, ...],
              tall: frozenset[int], link: int, opened: frozenset[int] | None, locked: bool = True) -> str:
    """One data row's XML. `tall`: columns merged down over several rows (left out of the height);
    `link`: the column holding a hyperlink (0: none); `opened`: the columns a unit fills in (text as typed), the
    others of a protected sheet (`locked`) grey."""
    parts = []
    for c, (value, kind) in enumerate(zip(values, kinds, strict=True), 1):
        mark = kind == "mark"
        if opened is not None and (c in opened or locked):
            style = (OPEN_MARK if mark else OPEN) if c in opened else (LOCKED_MARK if mark else LOCKED)
        else:
            style = LINK if c == link else MARK if mark and value == CHECK else BODY
        parts.append(_cell(value, style))
    sized = tuple(None if c in tall else v for c, v in enumerate(values, 1))
    return _row("".join(parts), row_height(widths, sized))


def _rows(table: Table, memo: Memo) -> str:
    kinds = tuple(c.kind for c in table.columns)
    widths = tuple(c.width for c in table.columns)
    down: dict[int, set[int]] = {}
    for r1, c1, r2, c2 in table.merges:
        if r2 > r1 and c1 == c2:
            for r in range(r1, r2 + 1):
                down.setdefault(r, set()).add(c1)
    links = {r: c for r, c in table.links}
    out = []
    for r, values in enumerate(table.rows, 1):
        if r == 1 and table.title:
            out.append(_row(_cell(values[0], TITLE), 30))
        elif r == 2 and table.subtitle:
            out.append(_row(_cell(values[0], SUBTITLE), 2 * LINE_HEIGHT))
        elif r <= table.header_rows:
            out.append(_row("".join(_cell(v, HEADER) for v in values), row_height(widths, tuple(values))))
        else:
            opened = frozenset(c for c in range(1, len(values) + 1) if (r, c) in table.open_cells) \
                if table.protected or table.open_cells else None
            args = (tuple(values), kinds, widths, frozenset(down.get(r, ())), links.get(r, 0), opened, table.protected)
            out.append(memo.call(SHEET_ROW, args, _body_row, *args))
    return "".join(out)


def _validations(table: Table) -> str:
    items = []
    for ch in table.choices:
        attrs = f' type="list" allowBlank="1" showInputMessage="{int(bool(ch.prompt))}" showErrorMessage="{int(ch.strict)}"'
        if ch.strict:
            attrs += f' errorTitle="填写有误" error={quoteattr("请从下拉列表中选择：" + "、".join(ch.values))}'
        if ch.prompt:
            attrs += f' promptTitle="填写说明" prompt={quoteattr(ch.prompt)}'
        formula = escape('"' + ",".join(ch.values) + '"')
        items.append(f'<dataValidation{attrs} sqref="{ch.cells}"><formula1>{formula}</formula1></dataValidation>')
    return f'<dataValidations count="{len(items)}">{"".join(items)}</dataValidations>' if items else ""


def sheet_xml(table: Table, memo: Memo) -> tuple[str, list[str]]:
    """A worksheet's XML and the targets of its hyperlinks (relationship rId1, rId2 … in order)."""
    ncol = max((len(r) for r in table.rows), default=1) or 1
    nrow = max(len(table.rows), 1)
    frozen = table.header_rows >= 2
    pane = (f'<pane ySplit="{table.header_rows}" topLeftCell="A{table.header_rows + 1}" activePane="bottomLeft" '
            f'state="frozen"/><selection pane="bottomLeft" activeCell="A{table.header_rows + 1}" '
            f'sqref="A{table.header_rows + 1}"/>') if frozen else ""
    cols = "".join(f'<col min="{i}" max="{i}" width="{c.width:g}" customWidth="1"/>' for i, c in enumerate(table.columns, 1))
    protect = ('<sheetProtection sheet="1" objects="1" scenarios="1" formatColumns="0" formatRows="0" insertRows="0"/>'
               if table.protected else "")
    merges = "".join(f'<mergeCell ref="{letter(c1)}{r1}:{letter(c2)}{r2}"/>' for r1, c1, r2, c2 in table.merges)
    links = sorted(table.links.items())
    hyper = "".join(f'<hyperlink ref="{letter(c)}{r}" r:id="rId{i}"/>' for i, ((r, c), _) in enumerate(links, 1))
    xml = (f'{_HEAD}<worksheet {_NS} {_R_NS}><sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
           f'<dimension ref="A1:{letter(ncol)}{nrow}"/>'
           f'<sheetViews><sheetView workbookViewId="0">{pane}</sheetView></sheetViews>'
           f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>{_rows(table, memo)}</sheetData>{protect}'
           + (f'<mergeCells count="{len(table.merges)}">{merges}</mergeCells>' if merges else "")
           + _validations(table)
           + (f"<hyperlinks>{hyper}</hyperlinks>" if hyper else "")
           + '<printOptions horizontalCentered="1"/>'
           '<pageMargins left="0.4" right="0.4" top="1" bottom="1" header="0.5" footer="0.5"/>'
           f'<pageSetup paperSize="{_A4}" fitToWidth="1" fitToHeight="0" orientation="landscape"/>'
           f'<headerFooter><oddFooter>{escape(f"&C&{chr(34)}{FONT}{chr(34)}第 &P 页 共 &N 页")}</oddFooter></headerFooter>'
           "</worksheet>")
    return xml, [url for _, url in links]


def _workbook_xml(wb: Workbook) -> str:
    hidden = ' state="hidden"'
    sheets = "".join(f'<sheet name={quoteattr(name)} sheetId="{i}"{hidden if t.hidden else ""} r:id="rId{i}"/>'
                     for i, (name, t) in enumerate(wb.sheets, 1))
    names = "".join(f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">'
                    f"{escape(_quoted(name))}!$2:${t.header_rows}</definedName>"
                    for i, (name, t) in enumerate(wb.sheets) if t.header_rows >= 2)
    names += "".join(f'<definedName name="{t.identity}" hidden="1">{escape(_quoted(name))}!$A$1</definedName>'
                     for name, t in wb.sheets if t.identity)
    return (f'{_HEAD}<workbook {_NS} {_R_NS}><workbookPr/><bookViews><workbookView activeTab="0"/></bookViews>'
            f"<sheets>{sheets}</sheets>" + (f"<definedNames>{names}</definedNames>" if names else "")
            + '<calcPr calcId="124519"/></workbook>')


def _quoted(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _rels(items: list[tuple[str, str, bool]]) -> str:
    """A relationships part: (type, target, external) as rId1, rId2 …"""
    rels = "".join(f'<Relationship Id="rId{i}" Type="{kind}" Target={quoteattr(target)}'
                   + (' TargetMode="External"' if external else "") + "/>"
                   for i, (kind, target, external) in enumerate(items, 1))
    return f'{_HEAD}<Relationships xmlns="{_PKG_REL}">{rels}</Relationships>'


def _content_types(n: int) -> str:
    sheet = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    parts = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{sheet}"/>' for i in range(1, n + 1))
    return (f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml" '
            f'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>{parts}</Types>')


def _core(title: str, when: datetime) -> str:
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (f'{_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{escape(clean(title))}</dc:title><dc:creator>gkcat</dc:creator>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified></cp:coreProperties>')


_APP = (f'{_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Application>gkcat</Application></Properties>")


def save(wb: Workbook, title: str, when: datetime) -> bytes:
    """The workbook's bytes, identical for identical content: fixed timestamps in core.xml and the zip."""
    n = len(wb.sheets)
    parts = [("[Content_Types].xml", _content_types(n)),
             ("_rels/.rels", _rels([(f"{_REL}/officeDocument", "xl/workbook.xml", False),
                                    (f"{_PKG_REL}/metadata/core-properties", "docProps/core.xml", False),
                                    (f"{_REL}/extended-properties", "docProps/app.xml", False)])),
             ("docProps/core.xml", _core(title, when)), ("docProps/app.xml", _APP), ("xl/workbook.xml", _workbook_xml(wb)),
             ("xl/_rels/workbook.xml.rels", _rels([(f"{_REL}/worksheet", f"worksheets/sheet{i}.xml", False)
                                                   for i in range(1, n + 1)] + [(f"{_REL}/styles", "styles.xml", False)])),
             ("xl/styles.xml", STYLES)]
    for i, (_, table) in enumerate(wb.sheets, 1):
        xml, links = sheet_xml(table, wb.memo)
        parts.append((f"xl/worksheets/sheet{i}.xml", xml))
        if links:
            parts.append((f"xl/worksheets/_rels/sheet{i}.xml.rels", _rels([(f"{_REL}/hyperlink", url, True) for url in links])))
    return _zipped(parts, (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second))


def _zipped(parts: list[tuple[str, str]], date_time: tuple[int, int, int, int, int, int]) -> bytes:
    buf = io.BytesIO()
    z = zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=6)
    try:
        for name, text in parts:
            entry = zipfile.ZipInfo(name, date_time=date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            z.writestr(entry, text.encode("utf-8"))
    except BaseException:
        # Ctrl-C inside an entry's write leaves the archive with an open writing handle: closing it would raise
        # ValueError ("Can't close the ZIP file ...") in place of the interruption. The bytes are dropped anyway.
        z._writing = False  # type: ignore[attr-defined]  # zipfile's own flag for that handle, so close() passes
        with contextlib.suppress(ValueError, OSError):
            z.close()
        raise
    z.close()
    return buf.getvalue()
