"""What a returned fill-in workbook asks for, as the new data of the locality's domain files. Pure.

Each cell is merged three ways: the form keeps every row as it was made (the base), the unit's cell
is what came back, the catalog is what stands now. The unit left it as made: nothing changes there.
The unit changed it and the catalog did not: the unit's value is written. Both changed it alike:
nothing to do. Both changed it differently: a conflict, listed with the three values and decided by
`--conflicts` (keep the catalog's, or take the unit's), never silently. Where each accepted change
goes in the domain file is formdata.py's. A cell that cannot be accepted refuses the whole form,
named by its cell.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from gkcat.diagnostics.diagnostic import visible
from gkcat.ingest import KEEP, TAKE
from gkcat.ingest.form import FormFile, SheetRows, sheet_rows
from gkcat.ingest.formdata import Conflict, FormPlan, OverlayEdit
from gkcat.model.files import DomainDef
from gkcat.model.form import (
    APPLIES,
    FIRST_ROW,
    ID,
    NO,
    REASON,
    YES,
    Column,
    FormRow,
    ParsedRow,
    cells,
    columns,
    fingerprint,
    read_row,
)
from gkcat.model.project import Locality, Project
from gkcat.model.vocabulary import LEVEL_ZH
from gkcat.resolve.duties import Department, duty_lists
from gkcat.resolve.form import FormSheet, SourceRow, form_sheets
from gkcat.resolve.resolver import Resolver


def plan_form(project: Project, resolver: Resolver, loc: Locality, form: FormFile, conflicts: str = KEEP,
              written: frozenset[tuple[str, str, str, str]] = frozenset(),
              earlier: dict[tuple[str, str], FormRow] | None = None) -> FormPlan:
    """The changes of every domain sheet of the form, merged three ways and checked cell by cell.

    `written`: the cells earlier forms of the same run wrote; a conflict with one of those is never
    decided by `--conflicts take` (two units' answers, not last writer wins). `earlier`: the rows this unit
    answered in an earlier return of the same form ((domain, id) -> its row): a corrected form sent again is
    merged against what the unit said before, so that correcting its own answer is no conflict with itself.
    """
    plan = FormPlan()
    cols = columns(project.config.channels, project.config.extra_fields)
    # a department's form is merged against the department's part of the catalog: a row of another department's
    # put into it is no row of this form
    dept = _department(resolver, loc, form)
    sheets = {s.domain.id: s for s in form_sheets(resolver, loc, dept)}
    # the rows the form holds (a department's form holds its own), as they are now
    current = {(d, r.id): r.row.digest() for d, s in sheets.items() for r in s.rows}
    now = fingerprint(loc.path, [(d, i, current.get((d, i), "")) for d, i in form.digests])
    if now != form.fingerprint:
        plan.report.append(f"这份填报表制于 {form.made or '（日期不明）'}，此后{loc.name}或其上级的目录已有变化："
                           "只写入单位改动过的格子，两边都改了的格子列为冲突")
    # new items get ids unique in the whole locality, not per domain
    taken: set[str] = {r.entry.id for d in sheets.values() for r in d.rows}
    taken |= {x.id for d in sheets.values() for x in resolver.state(loc, d.domain).excluded}
    taken |= {str(x.get("id")) for src in loc.files.values() if isinstance(src.doc.data, dict)
              for x in (src.doc.data.get("items") or []) if isinstance(x, dict)}
    merge = _Merge(conflicts, written, taken, earlier or {})
    plan.problems += [f"工作表“{name}”不是 gkcat 生成的（新增的，或从别处复制来的），其中的内容无法导入：请把修改填回"
                      "原来的工作表，或删除这个工作表后再交回" for name in form.foreign]
    for name, domain_id in form.sheets.items():
        grid = form.grids.get(name)
        sheet = sheets.get(domain_id)
        if grid is None or sheet is None:
            plan.report.append(f"工作表“{name}”" + ("不在文件中" if grid is None else "的领域已不延伸到本地区") + "，未导入")
            continue
        if grid.name != name:
            plan.report.append(f"工作表“{name}”已改名为“{grid.name}”：按原工作表导入")
        _Domain(project, resolver, loc, sheet, form, cols, plan, merge).run(sheet_rows(grid, cols))
    return plan


def _department(resolver: Resolver, loc: Locality, form: FormFile) -> Department | None:
    """The department a department's form is for, as the locality names it now (None for a locality's form)."""
    if form.scope != "department" or not form.department:
        return None
    return next((d for d in duty_lists(resolver, loc) if form.department in d.roles), None) or \
        Department(form.unit, (form.department,), None, ())


@dataclass
class _Merge:
    """How this import merges: the --conflicts choice, the cells of earlier forms of the run, the ids in use."""

    conflicts: str
    written: frozenset[tuple[str, str, str, str]]
    taken: set[str]
    earlier: dict[tuple[str, str], FormRow]  # this unit's rows of an earlier return


class _Domain:
    """One domain sheet against the locality's catalog and its file."""

    def __init__(self, project: Project, resolver: Resolver, loc: Locality, sheet: FormSheet, form: FormFile,
                 cols: list[Column], plan: FormPlan, merge: _Merge):
        self.project, self.loc, self.sheet, self.form, self.cols, self.plan = project, loc, sheet, form, cols, plan
        self.merge = merge
        self.domain: DomainDef = sheet.domain
        self.file = OverlayEdit(project, resolver, loc, sheet.domain, plan, self._label)
        self.taken = merge.taken
        self.fields = list(dict.fromkeys(c.field for c in cols if c.key != "id"))  # channels once

    def run(self, rows: SheetRows) -> None:
        name = rows.grid.name
        for header in rows.unknown:
            self.plan.report.append(f"{name}：表头“{header}”不是本项目的列，已忽略")
        for cell, header in rows.twice:
            self._bad(f"{cell}：表头“{header}”在表中出现了两次，无法判断哪一列是填报的值："
                      "请删除多出的一列后再交回")
        read = set(rows.index)
        for (r, c), formula in sorted(rows.grid.formulas.items()):
            # a formula's saved result may be missing (=F3 saved by a program that does not compute, a DDE link):
            # it would read as an empty value and clear the catalog's, so no formula is taken as a unit's answer
            if r >= FIRST_ROW - 1 and c in read:
                self._bad(f"{rows.grid.ref(r, c)}：这个格子是公式（{visible(formula[:40])}），不能导入：请改为直接填写的文字"
                          "（复制后“选择性粘贴”为“数值”），保存后再交回")
        current = {r.id: r for r in self.sheet.rows}
        id_col = next(i for i, c in enumerate(self.cols) if c.key == "id")
        present = {(t[id_col] or "").strip() for _, t in rows.rows}
        # rows of the form as made whose id is no longer in the sheet: deleted, or their id cleared
        missing = {_key(b): b.id for (d, i), b in self.form.bases.items() if d == self.domain.id and i not in present}
        seen: set[str] = set()
        for r, texts in rows.rows:
            item_id = (texts[id_col] or "").strip()
            if not item_id:
                cleared = missing.get(_key(read_row([t or "" for t in texts], self.cols, lambda c: "").row))
                if cleared is not None:
                    self._bad(f"{rows.ref(r, id_col)}：这一行的“{ID}”被清空了（原为 {cleared}）：标识不能修改，请填回 {cleared}")
                    seen.add(cleared)
                else:
                    self._new(rows, r, texts)
                continue
            src = current.get(item_id)
            if item_id in seen:
                self._bad(f"{rows.ref(r, id_col)}：标识“{item_id}”在表中出现了两次")
            elif src is None:
                self._gone(rows, r, texts, item_id, id_col)
            else:
                self._existing(rows, r, texts, src)
            seen.add(item_id)
        for src in self.sheet.rows:
            if src.id not in seen and (self.domain.id, src.id) in self.form.digests:
                self._bad(f"{name}：事项 {src.id}（{src.row.level2}）不在表中：不能用删除行来排除事项，"
                          f"请恢复这一行，在“{APPLIES}”填“否”并在“{REASON}”中写明理由")
        self.file.finish()

    def _gone(self, rows: SheetRows, r: int, texts: list[str | None], item_id: str, id_col: int) -> None:
        """A row whose item left the catalog since the form was made: the unit's edits of it are not written."""
        if (self.domain.id, item_id) not in self.form.digests:
            self._bad(f"{rows.ref(r, id_col)}：标识“{item_id}”不是本表的事项：标识不能修改，新增事项请把标识留空")
            return
        base = self.form.bases.get((self.domain.id, item_id))
        parsed = self._parse(rows, r, texts, base)
        if parsed is None:
            return
        edited = [f for f in self.fields if base is None or parsed.row.get(f) != base.get(f)]
        if edited:
            where = "、".join(dict.fromkeys(parsed.where[f] for f in edited))
            self.plan.unapplied.append(f"{where}：事项 {item_id} 在制表后已不在{self.loc.name}的目录中（上级删除或排除了它），"
                                       "这一行的修改未写入")

    def _bad(self, message: str) -> None:
        self.plan.problems.append(message)

    def _parse(self, rows: SheetRows, r: int, texts: list[str | None], base: FormRow | None) -> ParsedRow | None:
        shown = cells(base, self.cols) if base is not None else [""] * len(self.cols)
        filled = [t if t is not None else shown[i] for i, t in enumerate(texts)]
        parsed = read_row(filled, self.cols, lambda c: rows.ref(r, c))
        self.plan.problems.extend(parsed.problems)
        return None if parsed.problems else parsed

    # -- an existing row: merged three ways ---------------------------------------------------------

    def _existing(self, rows: SheetRows, r: int, texts: list[str | None], src: SourceRow) -> None:
        key = (self.domain.id, src.id)
        made = self.form.bases.get(key)
        if made is None and self.form.digests.get(key) == src.row.digest():
            made = src.row  # a form of gkcat's first layout whose row has not changed since: as made
        parsed = self._parse(rows, r, texts, made or src.row)
        if parsed is None:
            return
        unit, now = parsed.row, src.row
        if made is not None and any(unit.get(f) != made.get(f) for f in self.fields):
            self.plan.answers[f"{self.domain.id}/{src.id}"] = unit.text()
        base = self.merge.earlier.get(key, made)  # what the unit said last time, else the row as made
        if base is None:  # made by an older gkcat, which kept no cells, and changed since: nothing to merge with
            edited = [f for f in self.fields if unit.get(f) != now.get(f)]
            if edited:
                where = "、".join(dict.fromkeys(parsed.where[f] for f in edited))
                self.plan.unapplied.append(f"{where}：事项 {src.id}（{now.level2}）在制表后已有变化，这份填报表（早期版本）"
                                           "没有记下制表时的值，无法合并，这些修改未写入：请在新生成的填报表中填写")
            return
        edits = [f for f in self.fields if unit.get(f) != base.get(f)]
        if not edits:
            return
        locked = [f for f in edits if not src.may_change(f)]
        for f in locked:
            what = "共性要素，由上级统一规定" if f in self.project.config.common_fields or f.startswith("extra.") else \
                "事项的标识" if f == "id" else "本级新增或本级制定的事项，不能在本级排除"
            self._bad(f"{parsed.where[f]}：“{self._label(f)}”是{what}，不能修改（表中为灰色）")
        if locked:
            return
        fields = [f for f in edits if f != "reason"] + (["applies"] if "reason" in edits and "applies" not in edits else [])
        merged, write = self._merged(src, unit, base, now, fields, parsed)
        if "applies" in write:
            if self.file.exclusion(src, merged):
                return
        elif not now.applies:
            where = "、".join(dict.fromkeys(parsed.where[f] for f in write))
            if write:
                self.plan.unapplied.append(f"{where}：事项 {src.id}（{now.level2}）在本级已不适用（已排除），这些修改未写入；"
                                           f"要恢复这个事项，请把“{APPLIES}”改为“是”")
            return
        for f in write:
            if f != "applies":
                self.file.put_field(src, f, merged)

    def _merged(self, src: SourceRow, unit: FormRow, base: FormRow, now: FormRow, fields: list[str],
                parsed: ParsedRow) -> tuple[ParsedRow, list[str]]:
        """The row to write (the unit's values; channels merged tick by tick) and the fields to write."""
        write: list[str] = []
        channels = now.channels
        for f in fields:
            if f == "channels":  # each channel is a cell of its own: ticks merge, they never conflict
                u, b = set(unit.channels), set(base.channels)
                merged = (set(now.channels) | (u - b)) - (b - u)
                if merged != set(now.channels):
                    channels = tuple(sorted(merged))
                    write.append(f)
                else:
                    self.plan.present += 1
                continue
            u_value, b_value, n_value = _pair(unit, f), _pair(base, f), _pair(now, f)
            if n_value == b_value:
                write.append(f)
            elif n_value == u_value:
                self.plan.present += 1
            else:
                cell = (self.loc.path, self.domain.id, src.id, f)
                take = self.merge.conflicts == TAKE and cell not in self.merge.written
                self.plan.conflicts.append(Conflict(parsed.where[f], f"{src.id}（{now.level2}）", self._label(f),
                                                    _shown(f, b_value), _shown(f, n_value), _shown(f, u_value), take))
                if take:
                    write.append(f)
        return ParsedRow(replace(unit, channels=channels), parsed.where, parsed.problems), write

    def _label(self, name: str) -> str:
        return next((c.header for c in self.cols if c.field == name), name) if name != "channels" else "公开渠道"

    # -- a new row --------------------------------------------------------------------------------

    def _new(self, rows: SheetRows, r: int, texts: list[str | None]) -> None:
        # a department's form takes new items only in a domain it leads (domains.yaml's lead), as it was made
        if self.form.scope == "department" and self.form.department not in self.domain.lead:
            self._bad(f"{rows.ref(r, 1)}：这张表没有新增事项的空行（{self.form.unit or '本单位'}不是“{self.domain.name}”领域的牵头部门），"
                      "新增的事项请交由牵头部门填写，或与目录管理员联系")
            return
        parsed = self._parse(rows, r, texts, None)
        if parsed is None:
            return
        row = parsed.row
        if not row.level1 or not row.level2:
            self._bad(f"{parsed.where['level1' if not row.level1 else 'level2']}：新增事项须填写一级事项和二级事项")
            return
        if not row.applies:
            self._bad(f"{parsed.where['applies']}：新增事项不能填“否”：不需要的行请清空")
            return
        if not row.subject and self.form.scope == "department" and self.form.unit:
            row = replace(row, subject=(self.form.unit,))  # a department's own new item is its own to publish
            texts = [self.form.unit if c.key == "subject" else t for c, t in zip(self.cols, texts, strict=True)]
            self.plan.report.append(f"{parsed.where['subject']}：新增事项没有填写公开主体，按本表的单位“{self.form.unit}”写入")
        same = next((x for x in self.sheet.rows if _key(x.row) == _key(row)), None)
        if same is not None and (self.domain.id, same.id) in self.merge.earlier:
            # the unit's own new item of an earlier return, sent again (corrected): its answer is merged against
            # what it said then, every field of it the unit's own
            given: list[str | None] = [same.id if c.key == "id" else t for c, t in zip(self.cols, texts, strict=True)]
            self._existing(rows, r, given, replace(same, locked=frozenset({"id", "applies", "reason"})))
            return
        if same is not None:
            # above all the same form imported a second time: what it asks for is there already
            filled = [f for f in self.fields if f not in ("applies", "reason") and row.get(f)]
            if all(row.get(f) == same.row.get(f) for f in filled if f != "levels"):
                self.plan.present += 1
                self.plan.report.append(f"{rows.ref(r, 1)}：新增的“{row.level1} / {row.level2}”已在目录中（{same.id}），未重复添加")
            else:
                self.plan.unapplied.append(f"{rows.ref(r, 1)}：新增的“{row.level1} / {row.level2}”与已有事项 {same.id} 同名而内容不同，"
                                           "此行未写入：要修改那个事项，请在它的行中修改；确需另立事项，请改写二级事项")
            return
        item_id = self.file.add(row, parsed.where, rows.ref(r, 1), self.taken)
        self.plan.answers[f"{self.domain.id}/{item_id}"] = replace(row, id=item_id).text()
        self.plan.report.append(f"{rows.ref(r, 1)}：本级新增事项 {item_id}（{row.level2}）")

def _pair(row: FormRow, name: str) -> object:
    """A field's value for the merge; 本级适用 and its reason are one decision."""
    return (row.applies, row.reason if not row.applies else "") if name == "applies" else row.get(name)


def _shown(name: str, value: object) -> str:
    """A value as the cell shows it, for a conflict's message."""
    if name == "applies" and isinstance(value, tuple):
        return YES if value[0] else f"{NO}（{value[1]}）"
    if name == "levels":
        return "、".join(LEVEL_ZH.get(str(v), str(v)) for v in value) if isinstance(value, tuple) else str(value)
    return "、".join(str(v) for v in value) if isinstance(value, tuple) else str(value)


def _key(row: FormRow) -> tuple[str, str]:
    return "".join(row.level1.split()), "".join(row.level2.split())
