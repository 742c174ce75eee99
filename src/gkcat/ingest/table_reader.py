"""A standard table read off a grid: which row is the header, what each column holds, one item per row.

Tolerates the variants offices produce: title rows or none; one or two header rows; 一级事项 merged
down, repeated or left blank below the first; channels as a ■/□ checklist, as a list, or as ✓
columns; √ ● 是 marks; 公开层级 columns named 县级, 区级, 镇街, 村级…; “同上” for the value above;
extra columns (五公开, 咨询电话, 责任科室…) kept under their own label.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gkcat.errors import GkcatError
from gkcat.ingest.channels import boxes_as_bullets, read_channels
from gkcat.ingest.grids import Grid
from gkcat.model.fields import BY_ID, FIELDS, FieldSpec, registry_class
from gkcat.model.vocabulary import AUDIENCE_ALIASES, METHOD_ALIASES, TICKS

SAME = "同上"


def norm(text: str) -> str:
    """For matching labels and names: full-width folded, no spaces or punctuation."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s\W_]+", "", text)


def level_of(label: str) -> str | None:
    """A 公开层级 column's level: 县级, 区级 -> county; 乡级, 镇街, 街道 -> town; 村级, 社区 -> village."""
    t = norm(label)
    for prefix, level in (("省", "province"), ("市", "city"), ("县", "county"), ("区", "county"), ("乡", "town"),
                          ("镇", "town"), ("街", "town"), ("村", "village"), ("社区", "village")):
        if t.startswith(prefix):
            return level
    return None


@dataclass
class TableColumn:
    index: int
    kind: str  # number level1 level2 content basis deadline subject channels audience method levels links extra
    value: str = ""  # for mark columns: the audience, method, level or channel it marks; for extra: the label


@dataclass
class _DeclaredRaw:
    """One row of an imported table as read, as mypy reads it. At run time its fields between `row` and
    `remarks` are the registry's (below): a field added to the registry is read without being declared here."""

    row: int  # 0-based grid row
    level1: str = ""
    level2: str = ""
    content: list[str] = field(default_factory=list)
    basis: list[str] = field(default_factory=list)
    deadline: str = ""
    subject: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    audience: str = ""
    method: str = ""
    levels: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)
    remarks: list[str] = field(default_factory=list)  # what the report says about this row's cells


def _raw_field(spec: FieldSpec) -> tuple[str, Any, Any]:
    return spec.id, Any, field(default_factory=dict if spec.kind == "extra" else list) if spec.many or \
        spec.kind == "extra" else field(default="")


if TYPE_CHECKING:
    RawItem = _DeclaredRaw
else:
    RawItem = registry_class("RawItem", _DeclaredRaw, [("row", int), *map(_raw_field, FIELDS),
                                                       ("remarks", list, field(default_factory=list))])


@dataclass
class ReadTable:
    grid: Grid
    title: str
    columns: list[TableColumn]
    items: list[RawItem]
    notes: list[str]  # what was guessed or could not be read, with cell references
    has_levels: bool
    dropped: list[str] = field(default_factory=list)  # data rows not imported, each with its cell and why
    domain_id: str | None = None  # the domain of a part of a whole catalog in one table (ingest/whole.py)
    bulleted: bool = False  # its channel cells print boxes, none of them ever ticked: boxes as bullets

    @property
    def level_column(self) -> int:
        """Where a row's 公开层级 is, for the report (the first level column)."""
        return next((c.index for c in self.columns if c.kind in ("level_mark", "levels")), 0)


class NotATable(GkcatError):
    """The grid is not a standard table; the message names the sheet and what is missing."""


# What a header starts with -> its column kind; the fields' headers come from the registry, in its order.
_TOP = [("序号", "number")] + [(f.header, f.id) for f in FIELDS if f.header] + [("公开事项", "item"), ("事项名称", "item")]


def _kind(label: str) -> str | None:
    t = norm(label)
    for key, kind in _TOP:
        if t.startswith(key) or (kind == "links" and key in t):
            return kind
    return None


def _header_row(grid: Grid) -> int:
    for r in range(min(len(grid.rows), 20)):
        kinds = {_kind(c) for c in grid.rows[r] if c}
        if len(kinds & {"level1", "level2", "content", "basis", "subject", "channels", "item", "deadline"}) >= 3:
            return r
    raise NotATable(f"工作表“{grid.name}”前 20 行中没有找到标准目录的表头（应有“公开事项”“公开内容”“公开依据”“公开主体”等列）")


def _columns(grid: Grid, h: int, channels: list[str]) -> tuple[list[TableColumn], int]:
    """Each column's meaning, and how many header rows there are."""
    width = len(grid.rows[h])
    second = grid.rows[h + 1] if h + 1 < len(grid.rows) else [""] * width
    # A second header row sits under a group header spanning several columns (公开事项, 公开对象…)
    two = any(s and s != grid.rows[h][c] and _spans(grid, h, c) for c, s in enumerate(second))
    cols = []
    for c in range(width):
        top, sub = grid.rows[h][c], second[c] if two else ""
        group = _kind(top)
        if two and sub and sub != top:
            cols.append(_sub_column(c, group, top, sub, channels))
        elif group == "item":
            cols.append(TableColumn(c, "level2"))
        elif group is not None:
            cols.append(TableColumn(c, group))
        elif top:
            cols.append(_bare_mark(c, top, channels) or TableColumn(c, "extra", top.replace("\n", "")))
    return cols, h + (2 if two else 1)


def channel_named(label: str, channels: list[str]) -> str | None:
    """The channel a column header names (纸质载体, 村居/企事业单位公示栏 …), or None."""
    cell = read_channels(label, channels)
    named = cell.channels[0] if len(cell.channels) == 1 else None
    return named if named and not named.startswith("其他(") else None


def _bare_mark(c: int, label: str, channels: list[str]) -> TableColumn | None:
    """A mark column whose group header is missing: 全社会, 主动, 县级, 政府网站… on their own."""
    t = norm(label)
    if t in AUDIENCE_ALIASES:
        return TableColumn(c, "audience_mark", AUDIENCE_ALIASES[t])
    if t in METHOD_ALIASES:
        return TableColumn(c, "method_mark", METHOD_ALIASES[t])
    if t.endswith("级") or t in ("镇街", "乡镇", "街道"):
        level = level_of(label)
        return TableColumn(c, "level_mark", level) if level else None
    found = channel_named(label, channels)
    return TableColumn(c, "channel_mark", found) if found else None


def _spans(grid: Grid, h: int, c: int) -> bool:
    """Whether the header cell at (h, c) is merged with a neighbour on its row."""
    origin = grid.merged_from.get((h, c), (h, c))
    right = grid.merged_from.get((h, c + 1))
    return (origin[0] == h and origin != (h, c)) or (right is not None and right[0] == h)


def _sub_column(c: int, group: str | None, top: str, sub: str, channels: list[str]) -> TableColumn:
    s = norm(sub)
    if s.startswith("三级"):  # kept under its own label, never in place of 二级事项
        return TableColumn(c, "extra", LEVEL3_LABEL)
    if s.startswith("一级目录"):  # a grouping above 一级事项 in some tables: kept, not taken for it
        return TableColumn(c, "extra", "一级目录")
    if group == "item" or s in ("一级事项", "二级事项"):
        return TableColumn(c, "level1" if s.startswith("一级") else "level2")
    if group == "audience":
        return TableColumn(c, "audience_mark", AUDIENCE_ALIASES.get(s, sub))
    if group == "method":
        return TableColumn(c, "method_mark", METHOD_ALIASES.get(s, sub))
    if group == "levels":
        return TableColumn(c, "level_mark", level_of(sub) or sub)
    if group == "channels":
        return TableColumn(c, "channel_mark", channel_named(sub, channels) or sub)
    return TableColumn(c, group or "extra", (top if group else sub).replace("\n", ""))


def _lines(text: str) -> list[str]:
    return [x.strip() for x in text.split("\n") if x.strip()]


def _bullets(text: str) -> list[str]:
    parts = re.split(r"[\n●•·▪]+", text)
    return [p.strip().rstrip("；;") for p in parts if p.strip()]


def _basis(text: str) -> list[str]:
    out = []
    for line in _lines(text):
        out += [p.strip() for p in re.split(r"(?<=》)[、，,；;\s]*(?=《)", line) if p.strip()]
    return out


def _names(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[、，,；;\n]+", text) if p.strip()]


NOTE_LABEL = "说明"  # the extra column a note printed inside a channel cell goes to
LEVEL3_LABEL = "三级事项"
# Outline numbers offices put before names: "1.1教育法律", "2、政策文件" (not "12345热线": a dot or 、 is needed).


def _name(text: str) -> str:
    """A 一级/二级事项 name: one line, without an outline number in front."""
    line = " ".join(_lines(text))
    m = re.match(r"^\s*(\d+(?:[.．]\d+)+|\d+[.．、])\s*(?=[\u4e00-\u9fff《（(])", line)
    return line[m.end():] if m else line


_READERS = {"name": _name, "lines": lambda text: "\n".join(_lines(text)), "bullets": _bullets, "basis": _basis,
            "names": _names}


def read_table(grid: Grid, channels: list[str]) -> ReadTable:
    """The standard table on a grid; NotATable when there is none."""
    h = _header_row(grid)
    columns, start = _columns(grid, h, channels)
    kinds = {c.kind for c in columns}
    if "level2" not in kinds or "content" not in kinds:
        raise NotATable(f"工作表“{grid.name}”第 {h + 1} 行的表头缺少“二级事项”或“公开内容”列")
    # a merged title fills every cell of its row: each distinct text once
    title = " ".join(dict.fromkeys(x for r in range(h) for x in grid.rows[r] if x))
    table = ReadTable(grid, title, columns, [], [],
                      bool(kinds & {"level_mark", "levels"}))
    channel_col = next((c.index for c in columns if c.kind == "channels"), None)
    if channel_col is not None:
        table.bulleted = boxes_as_bullets([grid.cell(r, channel_col) for r in range(start, len(grid.rows))], channels)
        if table.bulleted:
            table.notes.append(f"{grid.ref(start, channel_col)}：公开渠道列只印了方框、从未勾选：方框按列表符号读，框后的渠道都算采用")
    previous: RawItem | None = None
    for r in range(start, len(grid.rows)):
        item = _item(table, r, previous, channels)
        if item is not None:
            table.items.append(item)
            previous = item
    return table


def _item(table: ReadTable, r: int, previous: RawItem | None, channels: list[str]) -> RawItem | None:
    grid = table.grid
    cells = {c.index: grid.cell(r, c.index) for c in table.columns}
    first = next((v for v in grid.rows[r] if v), "")
    if first.startswith(("注：", "注:", "说明：", "备注：")):
        table.notes.append(f"{grid.ref(r, 0)}：说明文字，未导入")
        return None
    if not any(cells[c.index] for c in table.columns if c.kind not in ("number", "level1")):
        return None  # an empty row (or one only carrying a merged 一级事项)
    if previous is not None and _continues(table, r):
        _carry_on(table, r, previous, channels)
        table.notes.append(f"{grid.ref(r, 0)}：接续上一行（同一事项印成两行），已并入上一事项")
        return None
    item = RawItem(r)
    for col in table.columns:
        text = cells[col.index]
        if text == SAME and previous is not None:
            _copy(item, previous, col)
            continue
        _fill(item, col, text, channels, grid.links.get((r, col.index)), table.bulleted)
    if not item.level1:
        if previous is None:
            table.notes.append(f"{grid.ref(r, 0)}：没有一级事项，以二级事项代替")
            item.level1 = item.level2
        else:
            item.level1 = previous.level1
    if not item.level2:
        table.dropped.append(f"{grid.ref(r, 0)}：没有二级事项，这一行未导入")
        return None
    channel_col = next((c.index for c in table.columns if c.kind == "channels"), 0)
    table.notes += [f"{grid.ref(r, channel_col)}：{x}" for x in item.remarks]
    return item


def _continues(table: ReadTable, r: int) -> bool:
    """A row that goes on with the item above: no 序号 of its own and no 二级事项 of its own (empty, or the
    item's merged down), in a table that numbers its rows."""
    grid = table.grid
    number = next((c.index for c in table.columns if c.kind == "number"), None)
    level2 = next((c.index for c in table.columns if c.kind == "level2"), None)
    if number is None or level2 is None:
        return False
    own_number = grid.cell(r, number) and (r, number) not in grid.merged_from
    own_level2 = grid.cell(r, level2) and grid.merged_from.get((r, level2), (r, level2))[0] == r
    return not own_number and not own_level2


def _carry_on(table: ReadTable, r: int, previous: RawItem, channels: list[str]) -> None:
    """The cells of a continuation row added to the item above (lists extended, text joined)."""
    more = RawItem(r)
    for col in table.columns:
        if col.kind in ("number", "level1", "level2") or (r, col.index) in table.grid.merged_from:
            continue
        _fill(more, col, table.grid.cell(r, col.index), channels, table.grid.links.get((r, col.index)), table.bulleted)
    for spec in FIELDS:  # (a continuation row has no 事项 of its own: level1 and level2 stay as they are)
        mine, theirs = getattr(previous, spec.id), getattr(more, spec.id)
        if spec.many:
            mine.extend(x for x in theirs if x not in mine)
        elif spec.kind == "text":
            setattr(previous, spec.id, "\n".join(x for x in (mine, theirs) if x))
        elif spec.kind == "choice":
            setattr(previous, spec.id, mine or theirs)
    for key, value in more.extra.items():
        previous.extra[key] = "\n".join(x for x in (previous.extra.get(key, ""), value) if x)


def _mark(text: str) -> tuple[bool, str]:
    """Whether a mark column's cell is ticked, and the text written beside the tick (√ 辖区居民)."""
    t = text.strip()
    if t in TICKS:
        return True, ""
    if t and t[0] in TICKS and len(t) > 1:
        return True, t[1:].strip(" ：:（）()")
    return False, ""


def _copy(item: RawItem, previous: RawItem, col: TableColumn) -> None:
    if col.kind == "extra":
        item.extra[col.value] = previous.extra.get(col.value, "")
    elif col.kind.endswith("_mark"):
        name = {"audience_mark": "audience", "method_mark": "method", "level_mark": "levels",
                "channel_mark": "channels"}[col.kind]
        setattr(item, name, getattr(previous, name))
    elif hasattr(item, col.kind):
        value = getattr(previous, col.kind)
        setattr(item, col.kind, list(value) if isinstance(value, list) else value)


def _fill(item: RawItem, col: TableColumn, text: str, channels: list[str], link: str | None, bulleted: bool = False) -> None:
    kind = col.kind
    marked, beside = _mark(text) if kind.endswith("_mark") else (text.strip() in TICKS, "")
    if beside:  # a tick with words: the tick counts, the words are kept as a note
        item.extra[NOTE_LABEL] = "\n".join(x for x in (item.extra.get(NOTE_LABEL, ""), f"{col.value}：{beside}") if x)
        item.remarks.append(f"“{text.strip()[:30]}”按打勾导入，文字“{beside[:20]}”记入{NOTE_LABEL}")
    spec = BY_ID.get(kind)
    if spec is not None and spec.read:  # a plain field: read by the kind of text the registry says it holds
        setattr(item, kind, _READERS[spec.read](text))
    elif kind == "channels":
        cell = read_channels(text, channels, bulleted)
        item.channels = cell.channels
        if cell.note:
            item.extra[NOTE_LABEL] = cell.note
        item.remarks += [f"“{m}”按相近的渠道名导入" for m in cell.mapped]
        if cell.unticked:
            item.remarks.append("渠道清单中没有勾选的渠道")
    elif kind == "audience" and text:
        item.audience = AUDIENCE_ALIASES.get(norm(text), text)
    elif kind == "method" and text:
        item.method = METHOD_ALIASES.get(norm(text), text)
    elif kind == "levels" and text:
        item.levels = [lv for lv in (level_of(p) for p in _names(text)) if lv]
    elif kind == "audience_mark" and marked:
        item.audience = item.audience or col.value
    elif kind == "method_mark" and marked:
        item.method = item.method or col.value
    elif kind == "level_mark" and marked:
        item.levels.append(col.value)
    elif kind == "channel_mark" and marked:
        item.channels.append(col.value)
    elif kind == "links":
        item.links = _lines(text) or ([link] if link else [])
    elif kind == "extra" and text:
        item.extra[col.value] = text
