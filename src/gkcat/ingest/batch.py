"""`gkcat import xlsx FILE...`: returned forms, one or many, each merged three ways on its own.

Forms come back in batches while the catalog moves on. Each form of a run is judged on its own: a
refused form does not stop the others. They are applied one after the other in the order of their
paths (a folder: every .xlsx in it), each against the catalog as the forms before it left it, so two
forms that change the same cell differently are a conflict, not last writer wins. Each return is
recorded in its round's file. The run's exit code is the worst form's.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from gkcat.check.load import Loaded, Validation, load_project, valid
from gkcat.compare.diff import Comparison
from gkcat.diagnostics.diagnostic import Diagnostic, visible
from gkcat.errors import GkcatError
from gkcat.ingest import KEEP
from gkcat.ingest.bounds import GridError, OtherFormat, read_bounded
from gkcat.ingest.form import FormFile, read_form, vouch, went_out_in
from gkcat.ingest.formdata import FormPlan
from gkcat.ingest.formplan import plan_form
from gkcat.ingest.grids import Grid, read_xlsx
from gkcat.ingest.importer import ImportRefused, at_cell, hidden_notes, import_file, land
from gkcat.ingest.rounds import (
    UnknownRound,
    add_return,
    earlier_answers,
    read_round,
    returned_before,
    round_text,
    rounds_of,
    save_round,
)
from gkcat.ingest.writer import Outcome, Refused, Staged, planned_changes
from gkcat.model.form import APPLIES, ID, META_SHEET
from gkcat.model.project import Locality, Project
from gkcat.model.rounds import REGISTER_SHEET, Return, RoundFile, SentForm, round_file
from gkcat.resolve.catalog import Unknown, find_locality
from gkcat.source.cache import MachineKey, machine_key
from gkcat.source.dates import local_now, local_time
from gkcat.source.lock import project_lock
from gkcat.source.tree import find_project


class Skipped(GkcatError):
    """A file in a folder of forms that is no form and needs no import (the round's register)."""

    exit_code = 0


SPREADSHEETS = (".xlsx", ".ods", ".xls", ".et", ".xlsm")  # what a unit may save a form as; only .xlsx is read


def expand(paths: list[Path]) -> list[Path]:
    """The files to import, in the stated order: every spreadsheet of a folder, each path once, sorted by path.

    Excel's and WPS's lock files (~$名称.xlsx) and hidden files are not forms.
    """
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            # a spreadsheet saved in another format is a return too: named in the summary (it cannot be read)
            found += [f for f in p.iterdir() if f.suffix.lower() in SPREADSHEETS and f.is_file()
                      and not f.name.startswith(("~$", "."))]
        else:
            found.append(p)
    return sorted(dict.fromkeys(found), key=lambda f: str(f))


@dataclass
class FormResult:
    """What became of one returned form."""

    file: Path
    unit: str = ""
    locality: str = ""
    round: str = ""
    applied: int = 0  # cells written
    conflicts: int = 0
    refused: int = 0  # cells that refused the form
    unapplied: int = 0  # edits not written (conflicts kept, items gone ...)
    exit_code: int = 0
    lines: list[str] = field(default_factory=list)
    changes: list[Comparison] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    cells: set[tuple[str, str, str, str]] = field(default_factory=set)
    state: str = ""  # 已写入、没有变化、未导入 ...


@dataclass
class Batch:
    results: list[FormResult]
    dry_run: bool

    @property
    def exit_code(self) -> int:
        return max((r.exit_code for r in self.results), default=0)

    def summary(self) -> list[str]:
        """The table that ends the run: form, unit, edits applied, conflicts, refused cells."""
        head = ["| 填报表 | 单位 | 结果 | 写入的修改 | 冲突 | 未写入 | 不能接受的格子 |", "| --- | --- | --- | ---: | ---: | ---: | ---: |"]
        return head + [f"| {visible(r.file.name)} | {r.unit or '—'} | {r.state} | {r.applied} | {r.conflicts} | "
                       f"{r.unapplied} | {r.refused} |" for r in self.results]

    def commit_message(self) -> str:
        """A suggested commit message for what was written: 本轮 NAME：某单位交回的填报表，改动 N 处."""
        done = [r for r in self.results if r.written]
        if not done or self.dry_run:
            return ""
        by_round: dict[str, list[FormResult]] = {}
        for r in done:
            by_round.setdefault(r.round, []).append(r)
        parts = []
        for name, rs in by_round.items():
            units = "、".join(dict.fromkeys(r.unit for r in rs))
            parts.append(f"{f'本轮 {name}：' if name else ''}{units}交回的填报表，改动 {sum(r.applied for r in rs)} 处")
        return "；".join(parts)


@dataclass(frozen=True)
class Workbook:
    """A workbook given to import, read once: its bytes (for its digest) and its grids."""

    raw: bytes
    grids: list[Grid]

    @staticmethod
    def read(f: Path) -> Workbook:
        raw = read_bounded(f)
        return Workbook(raw, read_xlsx(f, raw))


def is_register(grids: list[Grid]) -> bool:
    """The round's 登记表.xlsx (round start writes it beside the forms): no form, and nothing to import."""
    return bool(grids) and grids[0].name == REGISTER_SHEET and REGISTER_SHEET in grids[0].cell(0, 0)


def looks_like_form_sheet(grids: list[Grid]) -> bool:
    """A sheet with a form's columns but no meta sheet: a form's sheet copied into a new workbook."""
    return any(ID in g.rows[1] and APPLIES in g.rows[1] for g in grids if len(g.rows) > 1)


def import_workbooks(project_dir: Path, paths: list[Path], locality: str | None, domain_id: str | None,
                     sheet: str | None, force: bool, dry_run: bool, conflicts: str) -> Outcome | Batch:
    """`gkcat import xlsx`: one national table (with --locality), or returned forms, one or many."""
    files = expand(paths)
    given: dict[Path, Workbook] = {}
    if len(files) == 1 and not paths[0].is_dir():
        try:
            given[files[0]] = book = Workbook.read(files[0])
        except GridError as err:
            raise Refused(str(err)) from None
        if read_form(book.grids) is None:
            if looks_like_form_sheet(book.grids):
                _form(files[0], book)  # refused with the reason
            return import_file(project_dir, "xlsx", files[0], locality, domain_id, sheet, force, dry_run, book.grids)
    if domain_id or sheet or force:
        raise Refused("--domain、--sheet、--force 只用于导入标准目录表；填报表自带地区和领域，导入时按单元格合并")
    if not files:
        raise Refused("给出的文件夹中没有 .xlsx 文件")
    return import_forms(project_dir, files, dry_run, conflicts, locality, given)


def import_forms(project_dir: Path, paths: list[Path], dry_run: bool = False, conflicts: str = KEEP,
                 locality: str | None = None, given: dict[Path, Workbook] | None = None) -> Batch:
    """Import every returned form of `paths`, one after the other, under the project's lock.

    `given`: workbooks already read. Each form starts from the project as the last one left it: the load
    the last one made after writing, else the project loaded anew.
    """
    root = find_project(project_dir)
    results: list[FormResult] = []
    key = machine_key(root)  # what seals a form made on its own (ingest/form.py vouch)
    # a dry run goes on from what the forms before it would have written, as the import from what they wrote
    staged: Staged | None = {} if dry_run else None
    with project_lock(root):
        written: set[tuple[str, str, str, str]] = set()
        now: Validation | None = None
        for f in expand(paths):
            res = FormResult(f)
            try:
                book = (given or {}).get(f) or Workbook.read(f)
                now = _one(root, f, book, res, dry_run, conflicts, frozenset(written), locality, now, key, staged)
            except OtherFormat as err:  # saved as .ods, .xls: named, and the others imported
                res.lines.append(str(err))
                res.exit_code, res.state = 1, f"未导入（{f.suffix.lower()} 文件，请另存为 .xlsx）"
            except GridError as err:  # a file that cannot be read: that file cannot be imported at all
                res.lines.append(str(err))
                res.exit_code, res.state = 2, "无法读取"
            except Skipped as err:
                res.lines.append(str(err))
                res.state = "跳过"
            except GkcatError as err:
                res.lines += [*(err.details.splitlines() if err.details else []), str(err)]
                res.exit_code = max(res.exit_code, err.exit_code or 1)
                res.state = res.state or "未导入"
            results.append(res)
            written |= res.cells
    return Batch(results, dry_run)


def _form(f: Path, book: Workbook) -> FormFile:
    """The form in a workbook; Skipped for the round's register, Refused (with the reason) for anything else."""
    grids = book.grids
    form = read_form(grids)
    if form is None:
        if is_register(grids):
            raise Skipped(f"{f.name} 是填报轮次的登记表，不是填报表：跳过")
        if looks_like_form_sheet(grids):
            raise Refused(f"{f.name} 有填报表的列（{ID}、{APPLIES}），但缺少隐藏的工作表 {META_SHEET}：它可能是从填报表中复制出来的"
                          "工作表。请交回 gkcat 生成的原文件（可以在原文件中修改），不要用 --locality 把它当作标准目录表导入",
                          exit_code=1)
        raise Refused(f"{f.name} 不是 gkcat 生成的填报表：导入标准目录表请单独导入它，并用 --locality 指定地区", exit_code=1)
    return form


def _one(root: Path, f: Path, book: Workbook, res: FormResult, dry_run: bool, conflicts: str,
         written: frozenset[tuple[str, str, str, str]], locality: str | None, now: Validation | None,
         key: MachineKey, staged: Staged | None) -> Validation | None:
    """Import one form; the project as it is afterwards when this form wrote it and loaded it again (else None)."""
    form = _form(f, book)
    sha = hashlib.sha256(book.raw).hexdigest()
    loaded = now if now is not None else load_project(root)
    v = valid(loaded, "项目有错误，请先修正（gkcat validate）再导入", exit_code=2)
    if locality is not None and _named(v.project, locality) != form.locality:
        raise Refused(f"{f.name} 是“{form.locality}”的填报表，不是“{locality}”的：请去掉 --locality 或改正")
    record = None
    if form.round:
        with contextlib.suppress(UnknownRound):
            record = read_round(root, form.round)
    # what the form may change is what it went out for: checked before anything is read from its sheets
    origin = None if form.round else next((r.round for r in rounds_of(root) if went_out_in(form, r)), None)
    sent = vouch(form, f.name, record, key, confirmed=locality is not None, sent_in=origin)
    loc = v.project.localities.get(form.locality)
    if loc is None:
        raise Refused(f"{f.name} 是“{form.locality}”的填报表，本项目中没有这个地区")
    res.unit, res.locality, res.round = sent.unit if sent else form.unit or loc.name, loc.path, form.round
    if sent is not None and sent.sha256 == sha:  # the very file that went out, put back unfilled
        res.lines.append(f"{f.name}：这是发出时的原样文件（{res.unit}尚未交回），未导入，也不记作交回")
        res.state = "未交回（原样文件）"
        return loaded
    before = returned_before(record, sha) if record is not None else None
    earlier = earlier_answers(sent, sha) if sent is not None else {}
    plan = plan_form(v.project, v.resolver, loc, form, conflicts, written, earlier)
    round_word = f"，轮次 {form.round}" if form.round else ""
    res.lines.append(f"{f.name}：{res.unit}（{loc.path}）的填报表{round_word}，制于 {form.made}（gkcat {form.version}）")
    zone_name = v.project.config.timezone
    if before is not None:
        res.lines.append(f"这个文件已于 {local_time(before[1].imported_at, zone_name)} 导入过")
    elif earlier:
        res.lines.append(f"{res.unit}此前已交回过这份填报表：按它上次填报的值合并（更正自己填的值不算冲突）")
    res.lines += plan.report + hidden_notes(form.hidden, list(form.grids.values()))
    res.lines += [c.line(dry_run) for c in plan.conflicts] + [f"{'将不写入' if dry_run else '未写入'}：{line}" for line in plan.unapplied]
    res.conflicts = len(plan.conflicts)
    res.unapplied = len(plan.unapplied) + sum(1 for c in plan.conflicts if not c.taken)
    returned = _Returned(record, sent, sha, form, before is None, zone_name, root) \
        if record is not None and sent is not None else None
    try:
        if plan.problems:
            res.refused = len(plan.problems)
            raise ImportRefused(f"{f.name}：有 {len(plan.problems)} 处不能接受，这份填报表未写入任何文件：请按上面的说明修改后再交回",
                                details="\n".join(plan.problems), exit_code=1)
        after = _land(root, v, loc, plan, res, dry_run, returned, staged)
    except ImportRefused as err:
        res.state = "未导入"
        if returned is not None and not dry_run and before is None:  # returned, and refused: the round says so
            res.written.append(returned.refused(res, err.details.splitlines()))
        raise
    res.exit_code = 0 if plan.complete else 1
    res.state = ("试运行" if dry_run else "已写入" if res.written else "没有变化") + ("，有未写入的修改" if not plan.complete else "")
    return after if after is not None else loaded


@dataclass(frozen=True)
class _Returned:
    """The return of a round's form to record, with the edits it brought, in the same write as those edits."""

    record: RoundFile
    sent: SentForm
    sha256: str
    form: FormFile
    first: bool  # this file was never recorded (an import whose record was lost is recorded now: repaired)
    zone: str  # the project's time zone: the office reads local times
    root: Path

    def _return(self, res: FormResult, **counts: object) -> Return:
        # what the unit typed and how it named the file, kept as one safe line each: a control character in the record
        # would make the record itself unreadable (GK112), and a long one has no business there
        return Return(imported_at=local_now(self.zone).isoformat(timespec="seconds"), file=visible(res.file.name)[:200],
                      sha256=self.sha256, cover={k: visible(v)[:200] for k, v in self.form.cover.items() if v}, **counts)

    def record_text(self, res: FormResult, plan: FormPlan, edits: bool) -> tuple[str, str] | None:
        """(the record's path, its new text) when this import is a return to record, else None."""
        if not (edits or self.first):
            return None
        ret = self._return(res, applied=plan.applied + plan.present, conflicts=res.conflicts, refused=0,
                           unapplied=res.unapplied, answers=plan.answers)
        return round_file(self.record.round), round_text(add_return(self.record, self.sent.form, ret))

    def refused(self, res: FormResult, problems: list[str]) -> str:
        """Record a return refused for its cells (nothing else is written): its path."""
        ret = self._return(res, refused=res.refused, problems=[visible(p)[:300] for p in problems[:200]],
                           conflicts=res.conflicts)
        return save_round(self.root, add_return(self.record, self.sent.form, ret))


def _named(project: Project, given: str) -> str:
    try:
        return find_locality(project, given).path
    except Unknown as err:
        raise Refused(str(err)) from None


def _land(root: Path, v: Loaded, loc: Locality, plan: FormPlan, res: FormResult, dry_run: bool,
          returned: _Returned | None, staged: Staged | None) -> Validation | None:
    """Check the form's changes on a copy and write them (unless a dry run) together with the round's record of
    the return, in one write: both land or neither does. What it wrote and changed, and the project loaded again
    after writing (None when nothing was written)."""
    changes = planned_changes(root, plan.files, True, staged=staged)
    edits = bool(changes.write or changes.remove)
    recorded = returned.record_text(res, plan, edits) if returned is not None and not dry_run else None
    if recorded is not None:
        changes.write[recorded[0]] = recorded[1]

    def refused(problems: list[Diagnostic]) -> ImportRefused:
        lines = [at_cell(d, plan.origins.get(d.file, [])) for d in problems]
        res.refused, res.state = len(lines), "未导入"
        return ImportRefused(f"{res.file.name}：有 {len(lines)} 处未通过检查，这份填报表未写入任何文件：请按上面的说明修改后再交回",
                             details="\n".join(lines), exit_code=1)

    out = land(root, v, loc, changes, Outcome(), dry_run, refused, staged)
    res.changes, res.written, res.diagnostics = out.changes, out.written, out.diagnostics
    res.lines += out.report
    # what the unit's rows lack for CI (validate --strict), said at their cells now, before CI fails on them
    origins = {rel: plan.origins.get(rel, []) for rel in changes.write}
    res.lines += [f"注意（validate --strict 时是错误）：{line}" for d in out.warnings
                  if not (line := at_cell(d, origins.get(d.file, []))).startswith(d.file)]
    res.applied = plan.applied if (edits and (out.written or dry_run)) else 0
    res.cells = set(plan.cells) if edits and (out.written or dry_run) else set()
    return out.after
