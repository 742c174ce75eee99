"""The national standard table as rows of text: headers, merges, one row per item. No openpyxl here.

Layout of a domain sheet (as the national tables print it):
    row 1   title, merged across the table
    row 2   序号 | 公开事项 | 公开内容（要素）| 公开依据 | 公开时限 | 公开主体 | 公开渠道和载体 | 公开对象 |
            公开方式 | 公开层级 | extras | 已公开内容链接
    row 3          一级事项 二级事项                                                全社会 特定群体  主动 依申请  县级 乡级 …
    row 4…  one row per item; 序号 numbers the 一级事项 groups, and both are merged down each group
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from gkcat.model.fields import FIELDS, title
from gkcat.model.vocabulary import AUDIENCES, LEVEL_ZH, METHODS, OTHER_CHANNEL, channel_base, other_detail
from gkcat.resolve.catalog import ResolvedCatalog, ResolvedItem

CHECK = "√"
CHOSEN, NOT_CHOSEN = "■", "□"
HEADER_ROWS = 3  # title + two header rows; data starts on row 4


@dataclass(frozen=True)
class SheetColumn:
    kind: str  # text | wide | mark | link: decides width and alignment
    width: float


@dataclass
class Table:
    """A sheet's content: rows of cell text (None: nothing), merges as (row1, col1, row2, col2), 1-based."""

    title: str
    columns: list[SheetColumn]
    rows: list[list[str | None]] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    header_rows: int = HEADER_ROWS
    links: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) -> URL
    subtitle: bool = False  # row 2 is one merged line of facts, not a header
    # A fill-in sheet is protected: only its open cells can be edited, the others are locked and grey. Open cells
    # take what is typed as text (a phone number keeps its leading 0, a date stays as typed), on any sheet.
    protected: bool = False
    open_cells: set[tuple[int, int]] = field(default_factory=set)
    choices: list[Choice] = field(default_factory=list)
    hidden: bool = False
    # A workbook-level name bound to the sheet: Excel, WPS and LibreOffice update it when the sheet
    # is renamed, so a returned form's sheet is still known by it ("" for none).
    identity: str = ""


@dataclass(frozen=True)
class Choice:
    """A drop-down list on a range of cells."""

    cells: str  # an A1 range: "H3:H40"
    values: tuple[str, ...]
    strict: bool  # refuse anything else (the 其他 channel also takes a written detail)
    prompt: str = ""  # shown when the cell is selected


def checklist(chosen: tuple[str, ...], channels: list[str]) -> str:
    """The channel column as the national tables print it: every channel boxed, two to a line."""
    details = [d for d in map(other_detail, chosen) if d is not None]
    picked = {channel_base(c) for c in chosen}
    boxes = []
    for name in channels:
        label = name
        if name == OTHER_CHANNEL and details:
            label = f"{name}（{'、'.join(details)}）"
        boxes.append(f"{CHOSEN if name in picked else NOT_CHOSEN}{label}")
    return "\n".join(" ".join(boxes[i:i + 2]) for i in range(0, len(boxes), 2))


def bullets(values: tuple[str, ...]) -> str:
    return "\n".join(f"●{v}" for v in values)


# The registry's fields the national table has a column of its own for; any other field of the registry gets
# a column after the extra fields, headed by its label.
_NATIONAL = ("level1", "level2", "content", "basis", "deadline", "subject", "channels", "audience", "method", "levels",
             "links", "extra")


def domain_table(cat: ResolvedCatalog, levels: list[str], channels: list[str]) -> Table:
    """The national table of one domain at one locality (format.md section 9)."""
    extras = list(cat.extra_labels.items())
    more = [f for f in FIELDS if f.id not in _NATIONAL]
    n_levels = len(levels)
    w = {f.id: f.width for f in FIELDS}
    widths: list[tuple[str, float]] = [("text", 5), ("text", w["level1"]), ("text", w["level2"]), ("wide", w["content"]),
                                       ("wide", w["basis"]), ("text", w["deadline"]), ("text", w["subject"]),
                                       ("wide", w["channels"])]
    widths += [("mark", 6.5)] * (4 + n_levels) + [("text", 12)] * len(extras)
    widths += [("wide" if f.many else "text", f.width or 12) for f in more] + [("link", w["links"])]
    table = Table(f"{cat.locality.name}{cat.domain.name}领域基层政务公开标准目录", [SheetColumn(k, w) for k, w in widths])
    ncol = len(widths)
    link_col = ncol
    # Columns of the grouped headers, 1-based: 公开对象 9-10, 公开方式 11-12, 公开层级 13…
    lv0 = 13
    top: list[str | None] = ["序号", "公开事项", None, *(title(f) for f in ("content", "basis", "deadline", "subject", "channels")),
                             title("audience"), None, title("method"), None, title("levels")] + [None] * (n_levels - 1)
    top += [label for _, label in extras] + [f.label for f in more] + [title("links")]
    sub: list[str | None] = [None, title("level1"), title("level2")] + [None] * 5 + list(AUDIENCES) + list(METHODS)
    sub += [LEVEL_ZH[lv] for lv in levels] + [None] * (len(extras) + len(more) + 1)
    table.rows += [[table.title] + [None] * (ncol - 1), top, sub]
    table.merges.append((1, 1, 1, ncol))
    for col in [1, 4, 5, 6, 7, 8] + list(range(lv0 + n_levels, ncol + 1)):
        table.merges.append((2, col, 3, col))
    for first, last in ((2, 3), (9, 10), (11, 12), (lv0, lv0 + n_levels - 1)):
        if last > first:
            table.merges.append((2, first, 2, last))
    _item_rows(table, cat.table, levels, channels, [key for key, _ in extras], [f.id for f in more], link_col)
    return table


def _item_rows(table: Table, items: list[ResolvedItem], levels: list[str], channels: list[str],
               extras: list[str], more: list[str], link_col: int) -> None:
    group, start, number = None, 0, 0
    for item in items:
        v = item.entry.values
        row = len(table.rows) + 1
        if v.level1 != group:
            _close_group(table, start, row - 1)
            group, start, number = v.level1, row, number + 1
        cells: list[str | None] = [str(number), v.level1, v.level2, bullets(v.content), "\n".join(v.basis),
                                   v.deadline or "", "、".join(item.subject), checklist(v.channels, channels)]
        cells += [CHECK if v.audience == a else "" for a in AUDIENCES]
        cells += [CHECK if v.method == m else "" for m in METHODS]
        cells += [CHECK if lv in v.levels else "" for lv in levels]
        cells += [v.extras.get(key, "") for key in extras]
        cells += ["\n".join(value) if isinstance(value, tuple) else value or "" for value in map(v.get, more)]
        cells.append("\n".join(v.links))
        if v.links:
            table.links[(row, link_col)] = v.links[0]
        table.rows.append(cells)
    _close_group(table, start, len(table.rows))


def _close_group(table: Table, first: int, last: int) -> None:
    if first and last > first:
        table.merges += [(first, 1, last, 1), (first, 2, last, 2)]
        for r in range(first + 1, last + 1):  # merged-away cells stay empty, as Excel expects
            table.rows[r - 1][0] = table.rows[r - 1][1] = None


def _cells(values: Sequence[str]) -> list[str | None]:
    return list(values)


def simple_table(title: str, header: list[str], rows: Sequence[Sequence[str]], kinds: Sequence[tuple[str, float]],
                 subtitle: str | None = None) -> Table:
    """A titled table with one header row, and optionally a line of facts under the title."""
    width = len(header)
    table = Table(title, [SheetColumn(k, w) for k, w in kinds], header_rows=3 if subtitle else 2, subtitle=bool(subtitle))
    table.rows = [[title] + [None] * (width - 1)]
    if subtitle:
        table.rows.append([subtitle] + [None] * (width - 1))
    table.rows += [_cells(header)] + [_cells(r) for r in rows]
    if width > 1:
        table.merges.append((1, 1, 1, width))
        if subtitle:
            table.merges.append((2, 1, 2, width))
    return table
