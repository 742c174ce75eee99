"""A returned fill-in workbook, read: which locality it is for, what it was made from, and its rows.

The hidden meta sheet (render/xlsx/form.py writes it) is what makes a workbook a form. The domain
sheets are found by the meta sheet's names and their columns by their headers, so a column an
office moved or a sheet it reordered still reads right.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gkcat.errors import GkcatError
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
    identity_digest,
    identity_domain,
    identity_text,
    row_from_text,
)
from gkcat.model.rounds import RoundFile, SentForm, round_file
from gkcat.source.cache import MachineKey


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
    cover: dict[str, str] = field(default_factory=dict)  # 填报单位, 填报人 ... as the unit wrote them
    sheets: dict[str, str] = field(default_factory=dict)  # sheet name -> domain id, in form order
    grids: dict[str, Grid] = field(default_factory=dict)  # by the sheet's name as made (it may be renamed since)
    foreign: list[str] = field(default_factory=list)  # sheets gkcat did not write (added, or copied in)
    hidden: list[Grid] = field(default_factory=list)  # the unit's sheets that hide something
    scope: str = "locality"  # "department": a department's part of the locality's catalog
    identity_text: bytes = b""  # what the form says it is (model/form.py identity_text), as read
    facts: dict[str, str] = field(default_factory=dict)  # the meta sheet's facts, as read
    records: list[list[str]] = field(default_factory=list)  # and its records (sheet, domain, id, digest, base)
    seal: str = ""  # this machine's seal of it, for a form made on its own
    meta_formulas: list[str] = field(default_factory=list)  # formula cells in the meta sheet: it was tampered with


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
                   facts.get("department", ""), scope=facts.get("scope", "locality"), seal=facts.get("seal", ""))
    records = []
    for row in meta.rows[r + 2:]:
        sheet, domain, item_id, digest = (row + [""] * 4)[:4]
        base = "".join(row[4:])  # a long row as made goes on in the cells after (model/form.py base_cells)
        if sheet and domain:
            records.append([sheet, domain, item_id, digest, base])
            out.sheets.setdefault(sheet, domain)
            if item_id:
                out.digests[(domain, item_id)] = digest
                made = row_from_text(base) if base else None
                if made is not None and made.id == item_id and made.digest() == digest:
                    out.bases[(domain, item_id)] = made
    out.identity_text, out.facts, out.records = identity_text(facts, records), facts, records
    out.meta_formulas = [meta.ref(rc, cc) for rc, cc in sorted(meta.formulas)]
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
    twice: list[tuple[str, str]] = field(default_factory=list)  # (cell, header) of a header standing a second time

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
    # a column copied beside itself: which one the unit meant cannot be told, so neither is guessed
    twice = [(grid.ref(HEADER_ROW - 1, i), h) for i, h in enumerate(headers) if h in known and headers.index(h) != i]
    rows = []
    for r in range(FIRST_ROW - 1, len(grid.rows)):
        texts = [grid.cell(r, i) if i is not None else None for i in index]
        if any(texts):
            rows.append((r, texts))
    return SheetRows(grid, index, rows, unknown, twice)


class Retargeted(GkcatError):
    """A returned form whose identity is not what went out (exit code 1): it may not write anything."""

    exit_code = 1


def vouch(form: FormFile, name: str, record: RoundFile | None, key: MachineKey, confirmed: bool,
          sent_in: str | None = None) -> SentForm | None:
    """The round's record of the form (None for a form made on its own), once the form is shown to be what it
    says: a round form against its record (locality, department, domains and rows it was sent with), a form
    made on its own by this machine's seal (or the office's `--locality`, `confirmed`). Retargeted otherwise.
    `sent_in`: a round whose record holds the form's identity, for a form that names no round."""
    if form.meta_formulas:
        raise Retargeted(f"{name}：隐藏的工作表 {META_SHEET} 中有公式（{'、'.join(form.meta_formulas[:3])}），它被改动过，未导入："
                         "请让单位在发出的原表中填写后交回")
    if form.round:
        return _against_record(form, name, record)
    if key.verify(form.seal, form.identity_text):
        return None
    if sent_in is not None:  # a round's form whose round was cleared: it may not leave its record's checks behind
        raise Retargeted(f"{name}：这份填报表是轮次“{sent_in}”发出的（{form.identity}），但隐藏工作表中的轮次名称被清空或改动了，"
                         "未导入：请让单位在发出的原表中填写后交回")
    if confirmed:
        return None
    raise Retargeted(f"{name}：无法确认这份填报表是发给谁的：它不是在这台电脑上用 gkcat form 生成的，或其隐藏的工作表被改动过。"
                     f"它写明是 {form.locality}（{form.unit or '未写单位'}）的填报表。只有确认它确是这个单位交回、未经改动的原表时，"
                     f"才加 --locality {form.locality} 再导入；用 gkcat round start 发出的填报表按轮次记录核对，不需要这一步")


def went_out_in(form: FormFile, record: RoundFile) -> bool:
    """Whether the form is one `record` sent, its round's name taken out since (its identity, round put back, is
    what the record kept)."""
    sent = record.form(form.identity)
    text = identity_text({**form.facts, "round": record.round}, form.records)
    return sent is not None and bool(sent.seal) and identity_digest(text) == sent.seal


def _against_record(form: FormFile, name: str, record: RoundFile | None) -> SentForm:
    if record is None:
        raise Retargeted(f"{name}：这份填报表属于轮次“{form.round}”，但项目中没有这个轮次的记录（{round_file(form.round)}），"
                         "无法核对它是发给谁的，未导入：请用 git 恢复轮次记录")
    sent = record.form(form.identity)
    if sent is None:
        raise Retargeted(f"{name}：轮次“{form.round}”的记录中没有这份填报表（{form.identity}）：它的隐藏工作表被改动过，"
                         "或不是本轮发出的，未导入")
    differs = []
    if form.locality != sent.locality:
        differs.append(f"地区写的是 {form.locality}，发出时是 {sent.locality}")
    if form.department != sent.department:
        differs.append(f"部门写的是“{form.department or '（整个地区）'}”，发出时是“{sent.department or '（整个地区）'}”")
    elif (form.scope == "department") != bool(sent.department):
        differs.append(f"范围写的是{'一个部门' if form.scope == 'department' else '整个地区'}，"
                       f"发出时是{'部门“' + sent.department + '”' if sent.department else '整个地区'}")
    extra = sorted(set(form.sheets.values()) - set(sent.domains))
    if extra:
        differs.append(f"多出了发出时没有的领域 {'、'.join(extra)}")
    if not differs and sent.seal and identity_digest(form.identity_text) != sent.seal:
        differs.append("表中记下的单位或事项（行）与发出时不同")
    if differs:
        raise Retargeted(f"{name}：这份填报表的隐藏信息与轮次“{form.round}”的记录不符（{'；'.join(differs)}）。"
                         f"它只能修改发给 {sent.unit}（{sent.locality}）的那些事项，未导入：请让单位在发出的原表中填写后交回")
    return sent
