"""A locality's fill-in workbook (填报表): what a unit edits in Excel or WPS and sends back to `gkcat import`.

Sheets: 说明 (how to fill it in), one per domain that reaches the locality (model/form.py's columns;
the common fields of existing rows locked and grey; drop-down lists), and the hidden meta sheet
with the locality, the fingerprint and the digest of every row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from gkcat import __version__
from gkcat.model.form import (
    APPLIES,
    COVER,
    FIRST_ROW,
    FORMAT,
    GUIDE_IDENTITY,
    GUIDE_SHEET,
    ID,
    META_MARK,
    META_SHEET,
    NEW_MARK,
    NEW_ROWS,
    REASON,
    Column,
    base_cells,
    cells,
    columns,
    fingerprint,
    identity_digest,
    identity_text,
    sheet_identity,
)
from gkcat.model.project import Locality, Project
from gkcat.model.vocabulary import LEVEL_ZH
from gkcat.render.xlsx.layout import Choice, SheetColumn, Table, simple_table
from gkcat.render.xlsx.writer import letter, new_workbook, save, sheet_name, write_table
from gkcat.resolve.catalog import levels_from
from gkcat.resolve.duties import Department
from gkcat.resolve.form import FormSheet
from gkcat.source.memo import Memo

_WIDE = {"content", "basis", "links", "reason"}


def _kind(col: Column) -> str:
    return "mark" if col.key in ("channel", "audience", "method", "applies") and col.arg != "其他" else \
        "wide" if col.key in _WIDE else "text"


def _safe_list(values: tuple[str, ...]) -> bool:
    # A drop-down's list is one quoted, comma-separated formula of at most 255 characters.
    return bool(values) and not any("," in v or '"' in v for v in values) and len(",".join(values)) <= 250


def domain_sheet(loc: Locality, sheet: FormSheet, cols: list[Column], levels: list[str], unit: str = "") -> Table:
    """One domain's sheet: title (naming the department a department's form is for), the header row, a row per
    item, then NEW_ROWS empty rows."""
    table = Table(f"{loc.name}{sheet.domain.name}领域基层政务公开标准目录（{unit + '填报表' if unit else '填报表'}）",
                  [SheetColumn(_kind(c), c.width) for c in cols], header_rows=FIRST_ROW - 1, protected=True,
                  identity=sheet_identity(sheet.domain.id))
    ncol = len(cols)
    table.rows = [[table.title] + [None] * (ncol - 1), [c.header for c in cols]]
    table.merges.append((1, 1, 1, ncol))
    for source in sheet.rows:
        r = len(table.rows) + 1
        table.rows.append(list(cells(source.row, cols)))
        table.open_cells |= {(r, c) for c, col in enumerate(cols, 1) if source.may_change(col.field)}
    for _ in range(NEW_ROWS if sheet.new_rows else 0):
        r = len(table.rows) + 1
        table.rows.append([None] * ncol)
        table.open_cells |= {(r, c) for c, col in enumerate(cols, 1) if col.key != "id"}
    last = len(table.rows)
    shown = "、".join(LEVEL_ZH[lv] for lv in levels)
    for c, col in enumerate(cols, 1):
        where = f"{letter(c)}{FIRST_ROW}:{letter(c)}{last}"
        if _safe_list(col.choices):
            table.choices.append(Choice(where, col.choices, col.strict,
                                        "" if col.strict else "打“√”，或写其他渠道的名称（每行一个）"))
        elif col.key == "levels":  # the levels a row may take here (this one and those below), one per line
            table.choices.append(Choice(where, tuple(LEVEL_ZH[lv] for lv in levels), False, f"每行一个，可选：{shown}"))
    return table


def _guide(loc: Locality, project: Project, common: list[str], scope: FormScope) -> Table:
    fixed = "、".join(common) if common else "（本项目未设定共性要素）"
    unit = scope.unit(loc)
    whom = (f"这是发给{unit}的{loc.name}政务公开标准目录填报表：只列出{loc.name}目录中由{unit}公开的事项，"
            f"以及{unit}牵头的领域中新增事项的空行，" if scope.department else f"这是{loc.name}的政务公开标准目录填报表，")
    lines = [
        f"{whom}由 gkcat 根据当前目录生成。请在各领域的工作表中修改后交回目录管理员，"
        "由其用“gkcat import xlsx 本文件”导入。",
        f"“{ID}”列是事项的标识，不能修改；新增事项时留空，导入时自动编号。",
        f"灰色的格子不能修改：共性要素（{fixed}）由上级统一规定。如确需修改，请与目录管理员联系。",
        "每个工作表末尾留有空行，用于填写本级新增的个性事项：至少填写一级事项和二级事项。",
        "列表（公开内容、公开依据、公开主体、公开层级、已公开内容链接）每行写一项，在格子中按 Alt+Enter 换行。",
        "公开渠道各列：采用的渠道打“√”，不采用的留空；“其他”列可以写渠道名称，每行一个。",
        f"“{APPLIES}”填“否”并在“{REASON}”中写明理由，即为本级不适用的事项（理由会公开发布）；"
        f"已排除的事项显示为“否”，改为“是”即恢复。",
        "公开对象从“全社会”“特定群体”中选择，公开方式从“主动”“依申请”中选择。",
        "已公开内容链接只接受以 http:// 或 https:// 开头的网址。",
        "请不要删除行、不要修改工作表名称和表头；不需要的事项请按上面的方法填写“否”和理由。",
        "制表以后目录如有变化，导入时只写入您改动过的格子；同一个格子目录也改了、且与您填的不同时，会列出三个值（制表时、现在、"
        "您填的）请目录管理员决定，不会被悄悄覆盖。",
        f"交回前请在本表下方填写{'、'.join(COVER)}。",
    ]
    rows = [[str(i), text] for i, text in enumerate(lines, 1)]
    rows += [[label, unit if label == COVER[0] else ""] for label in COVER]
    table = simple_table(f"{loc.name}{unit if scope.department else ''}填报表填写说明（{project.config.title}）", ["序号", "说明"], rows,
                         [("text", 10), ("wide", 100)])
    table.identity = GUIDE_IDENTITY
    # the cover's answers as typed: 024-… keeps its 0, a date is not turned into a number
    first = len(table.rows) - len(COVER) + 1
    table.open_cells = {(r, 2) for r in range(first, len(table.rows) + 1)}
    return table


@dataclass(frozen=True)
class FormScope:
    """What one form is for: a locality's whole catalog, or one department's part of it, in a round or not."""

    department: Department | None = None
    round: str = ""

    def unit(self, loc: Locality) -> str:
        """Who fills it in: the department, or the locality (a town fills in its whole catalog)."""
        return self.department.name if self.department else loc.name

    def identity(self, loc: Locality) -> str:
        """The form's own identity in its round: stable for the same locality and department."""
        role = self.department.roles[0] if self.department and self.department.roles else ""
        return f"{loc.path}#{role}" if role else loc.path


def _meta(loc: Locality, sheets: list[tuple[str, FormSheet]], when: datetime, scope: FormScope,
          sign: Callable[[bytes], str] | None) -> tuple[Table, str]:
    """The hidden meta sheet, and the digest of the form's identity (the round's record keeps it)."""
    digests = [(s.domain.id, r.id, r.row.digest()) for _, s in sheets for r in s.rows]
    facts = {"version": __version__, "locality": loc.path, "name": loc.name,
             "fingerprint": fingerprint(loc.path, digests), "made": when.strftime("%Y-%m-%d"),
             "round": scope.round, "unit": scope.unit(loc), "form": scope.identity(loc),
             "department": scope.department.roles[0] if scope.department and scope.department.roles else "",
             "scope": "department" if scope.department else "locality"}
    # every sheet is listed, one without rows too (with no id): a returned form's sheets are all accounted for;
    # each row with its cells as made (the base of the three-way merge on import)
    records: list[list[str]] = []
    for name, s in sheets:
        empty = [[name, s.domain.id, "", "", NEW_MARK if s.new_rows else ""]]
        records += [[name, s.domain.id, r.id, r.row.digest(), r.row.base_text()] for r in s.rows] or empty
    identity = identity_text(facts, records)
    # a form made on its own has no round record to be checked against: this machine's seal says it made it
    seal = [["seal", sign(identity)]] if sign is not None else []
    # a row's cells as made may be longer than one cell holds (a long content list): it goes on in the cells after
    records = [[*r[:4], *base_cells(r[4])] for r in records]
    width = max(5, *(len(r) for r in records)) if records else 5
    rows: list[list[str | None]] = [[META_MARK, FORMAT, *[None] * (width - 2)]]
    rows += [[k, v, *[None] * (width - 2)] for k, v in [*facts.items(), *seal]]
    rows += [[None] * width, ["sheet", "domain", "id", "digest", "base", *[None] * (width - 5)]]
    rows += [[c or None for c in r] + [None] * (width - len(r)) for r in records]
    return Table("", [SheetColumn("text", 20)] * width, rows=rows, header_rows=0, hidden=True), identity_digest(identity)


@dataclass(frozen=True)
class MadeForm:
    """A fill-in workbook as made: its bytes, how many item rows it holds, and the digest of its identity."""

    data: bytes
    rows: int
    identity: str


def locality_form(project: Project, made: list[FormSheet], loc: Locality, when: datetime, memo: Memo,
                  scope: FormScope = FormScope(), sign: Callable[[bytes], str] | None = None) -> MadeForm:
    """The locality's fill-in workbook (or a department's part of it: `made` by resolve.form.form_sheets for
    the scope's department). `sign`: this machine's seal of the form's identity (a build's forms have none:
    its output is the same on every machine)."""
    cols = columns(project.config.channels, project.config.extra_fields)
    levels = levels_from(project, loc)
    taken = {GUIDE_SHEET, META_SHEET}
    sheets = [(sheet_name(s.domain.name, taken), s) for s in made]
    wb = new_workbook(memo)
    common = [c.header for c in cols if c.key in project.config.common_fields]
    write_table(wb, GUIDE_SHEET, _guide(loc, project, common, scope))
    for name, sheet in sheets:
        write_table(wb, name, domain_sheet(loc, sheet, cols, levels, scope.unit(loc) if scope.department else ""))
    meta, identity = _meta(loc, sheets, when, scope, sign)
    write_table(wb, META_SHEET, meta)
    title = f"{loc.name}{scope.department.name if scope.department else ''}政务公开标准目录填报表"
    return MadeForm(save(wb, title, when), sum(len(s.rows) for _, s in sheets), identity)
