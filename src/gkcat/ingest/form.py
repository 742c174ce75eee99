"""A returned fill-in workbook, read: which locality it is for, what it was made from, and its rows.

The hidden meta sheet (render/xlsx/form.py writes it) is what makes a workbook a form. The domain
sheets are found by the meta sheet's names and their columns by their headers, so a column an
office moved or a sheet it reordered still reads right.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gkcat.ingest.grids import Grid
from gkcat.model.form import (
    COVER,
    FIRST_ROW,
    GUIDE_IDENTITY,
    GUIDE_SHEET,
    HEADER_ROW,
    META_MARK,
    META_SHEET,
    Column,
    FormRow,
    identity_domain,
    row_from_text,
)


@dataclass
class FormFile:
    locality: str
    fingerprint: str
    version: str
    made: str
    round: str = ""  # the collection round it went out in ("" for a form made on its own)
    unit: str = ""  # who fills it in: a department's name, or the locality's
    identity: str = ""  # the form's identity in its round
    department: str = ""  # the department's role, for a department's form
    digests: dict[tuple[str, str], str] = field(default_factory=dict)  # (domain, id) -> digest
    bases: dict[tuple[str, str], FormRow] = field(default_factory=dict)  # (domain, id) -> the row as made
    new_rows: set[str] = field(default_factory=set)  # domains whose sheet takes new items
    cover: dict[str, str] = field(default_factory=dict)  # 填报单位, 填报人 ... as the unit wrote them
    sheets: dict[str, str] = field(default_factory=dict)  # sheet name -> domain id, in form order
    grids: dict[str, Grid] = field(default_factory=dict)  # by the sheet's name as made (it may be renamed since)
    foreign: list[str] = field(default_factory=list)  # sheets gkcat did not write (added, or copied in)
    hidden: list[Grid] = field(default_factory=list)  # the unit's sheets that hide something


def read_form(grids: list[Grid]) -> FormFile | None:
    """The form in a workbook's grids, or None when the workbook is not a gkcat form."""
    meta = next((g for g in grids if g.name == META_SHEET and g.cell(0, 0) == META_MARK), None)
    if meta is None:
        return None
    facts: dict[str, str] = {}
    r = 1
    while r < len(meta.rows) and meta.cell(r, 0):
        facts[meta.cell(r, 0)] = meta.cell(r, 1)
        r += 1
    out = FormFile(facts.get("locality", ""), facts.get("fingerprint", ""), facts.get("version", ""),
                   facts.get("made", ""), facts.get("round", ""), facts.get("unit", ""), facts.get("form", ""),
                   facts.get("department", ""))
    whole = facts.get("scope", "locality") != "department"
    for row in meta.rows[r + 2:]:
        sheet, domain, item_id, digest, base = (row + [""] * 5)[:5]
        if sheet and domain:
            out.sheets.setdefault(sheet, domain)
            if whole or base == "new":
                out.new_rows.add(domain)
            if item_id:
                out.digests[(domain, item_id)] = digest
                made = row_from_text(base) if base else None
                if made is not None and made.id == item_id and made.digest() == digest:
                    out.bases[(domain, item_id)] = made
    _find_sheets(out, grids, meta)
    return out


def _find_sheets(form: FormFile, grids: list[Grid], meta: Grid) -> None:
    """Each domain sheet by its identity (which a rename keeps), else by its name; the rest accounted for."""
    by_identity = {domain: g for g in grids for n in g.names if (domain := identity_domain(n)) is not None}
    by_name = {g.name: g for g in grids if not any(identity_domain(n) is not None for n in g.names)}
    for name, domain in form.sheets.items():
        grid = by_identity.get(domain) or by_name.get(name)
        if grid is not None:
            form.grids[name] = grid
    known = {id(g) for g in form.grids.values()} | {id(meta)}
    guide = next((g for g in grids if GUIDE_IDENTITY in g.names), None) or \
        next((g for g in grids if g.name == GUIDE_SHEET and not g.names), None)
    if guide is not None:
        known.add(id(guide))
    form.foreign = [g.name for g in grids if id(g) not in known]
    form.hidden = [g for g in grids if g is not meta and (g.hidden or g.hidden_rows or g.hidden_cols)]
    if guide is not None:
        form.cover = {label: guide.cell(r, 1) for r in range(len(guide.rows)) if (label := guide.cell(r, 0)) in COVER}


@dataclass
class SheetRows:
    """A domain sheet's rows as cell texts in the project's column order; None where a column is missing."""

    grid: Grid
    index: list[int | None]  # column -> its position in the sheet
    rows: list[tuple[int, list[str | None]]]  # (0-based row, texts) of every row with something in it
    unknown: list[str]  # headers that are no column of the project

    def ref(self, row: int, col: int) -> str:
        pos = self.index[col]
        return self.grid.ref(row, pos if pos is not None else 0)


def sheet_rows(grid: Grid, cols: list[Column]) -> SheetRows:
    """Find the project's columns by their header text; keep every row below the headers that is not empty."""
    headers = ["".join(h.split()) for h in (grid.rows[HEADER_ROW - 1] if len(grid.rows) >= HEADER_ROW else [])]
    wanted = ["".join(c.header.split()) for c in cols]
    index = [headers.index(h) if h in headers else None for h in wanted]
    known = set(wanted)
    unknown = [h for h in headers if h and h not in known]
    rows = []
    for r in range(FIRST_ROW - 1, len(grid.rows)):
        texts = [grid.cell(r, i) if i is not None else None for i in index]
        if any(texts):
            rows.append((r, texts))
    return SheetRows(grid, index, rows, unknown)
