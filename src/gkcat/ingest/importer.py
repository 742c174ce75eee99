"""`gkcat import`: the tables of a workbook or a saved web page into a locality's domain files.

Every file is planned first and checked on a copy of the project; then written (writer.py) only
when every row landed and the result is valid.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gkcat.check.load import Loaded, load_project, require_valid
from gkcat.compare.diff import compare_versions
from gkcat.diagnostics.codes import Severity
from gkcat.diagnostics.diagnostic import Diagnostic, visible
from gkcat.diagnostics.report import format_text
from gkcat.errors import GkcatError
from gkcat.ingest.grids import Grid, read_html, read_xlsx
from gkcat.ingest.planner import Plan, base_file, extra_ids, guess_domain, overlay_file
from gkcat.ingest.table_reader import NotATable, ReadTable, norm, read_table
from gkcat.ingest.whole import split_domains
from gkcat.ingest.writer import (
    Changes,
    Outcome,
    Refused,
    Staged,
    check_on_copy,
    errors,
    planned_changes,
    write_changes,
)
from gkcat.model.project import Locality, Project
from gkcat.model.vocabulary import (
    EXCLUDED_BY,
    EXCLUDED_HEADER,
    EXCLUDED_SHEET,
    MADE_BY,
    OVERVIEW_SHEET,
    WITHHELD_HEADER,
    WITHHELD_SHEET,
)
from gkcat.resolve.catalog import Unknown, domain_named, find_domain, find_locality
from gkcat.resolve.resolver import Resolver
from gkcat.source.files import CONFIG_FILE, read_input
from gkcat.source.lock import project_lock
from gkcat.source.tree import find_project

GKCAT_SHEETS = (OVERVIEW_SHEET, EXCLUDED_SHEET, WITHHELD_SHEET)  # a gkcat workbook's sheets that are not tables



def _records(grid: Grid, needed: tuple[str, ...]) -> list[dict[str, str]]:
    """Rows of a simple sheet (gkcat's 不适用事项 or 负面清单) as label -> text, or [] when it is not one."""
    for h, row in enumerate(grid.rows[:5]):
        labels = [norm(c) for c in row]
        if all(norm(n) in labels for n in needed):
            return [{norm(grid.rows[h][c]): r[c] for c in range(len(r))} for r in grid.rows[h + 1:] if any(r)]
    return []


@dataclass
class _Carried:
    """What a gkcat workbook's 不适用事项 and 负面清单 sheets say for one locality, per domain name."""

    reasons: dict[str, dict[tuple[str, str], str]] = field(default_factory=dict)  # by (一级, 二级事项)
    withheld: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    sheet: Grid | None = None  # one of those sheets, for cell references

    def of(self, domain_name: str) -> tuple[dict[tuple[str, str], str], list[dict[str, Any]]]:
        return self.reasons.get(domain_name, {}), self.withheld.get(domain_name, [])


def _carried(grids: list[Grid], loc_name: str) -> _Carried:
    """Read the workbook's exclusion reasons and negative list once, keeping the rows this locality made."""
    out = _Carried()
    for g in grids:
        if g.name == EXCLUDED_SHEET:
            out.sheet = out.sheet or g
            for r in _records(g, EXCLUDED_HEADER[1:7]):
                if r[EXCLUDED_BY] == loc_name:
                    out.reasons.setdefault(r["领域"], {})[(norm(r["一级事项"]), norm(r["二级事项"]))] = r["不适用理由"]
        elif g.name == WITHHELD_SHEET:
            out.sheet = out.sheet or g
            for r in _records(g, WITHHELD_HEADER[1:]):
                if r[MADE_BY] == loc_name:
                    basis = [x for x in r["依据"].split("\n") if x.strip()]
                    out.withheld.setdefault(r["领域"], []).append(
                        {"id": r["标识"], "title": r["不予公开的事项"], "reason": r["不予公开的理由"], "basis": basis})
    return out


def _tables(grids: list[Grid], sheet: str | None, channels: list[str], report: list[str]) -> list[ReadTable]:
    if sheet is not None:
        chosen = [g for g in grids if g.name == sheet]
        if not chosen:
            raise Refused(f"没有名为“{sheet}”的工作表；有：{'、'.join(g.name for g in grids)}")
        grids = chosen
    candidates = [g for g in grids if g.name not in GKCAT_SHEETS]
    out = []
    for g in candidates:
        try:
            out.append(read_table(g, channels))
        except NotATable as err:
            if len(candidates) == 1:
                raise Refused(str(err)) from None
            report.append(f"跳过：{err}")
    if not out:
        raise Refused("文件中没有标准目录表：" + "；".join(report or [g.name for g in grids]))
    return out


def hidden_notes(grids: list[Grid], imported: list[Grid]) -> list[str]:
    """What is hidden in the workbook (sheets, rows, columns) and what the import did with it: hidden is not deleted."""
    out = []
    for g in grids:
        used = any(g is i for i in imported)
        if g.hidden:
            out.append(f"工作表“{g.name}”是隐藏的：" + ("已照常导入（如不应导入，请删除这个工作表，或用 --sheet 指定要导入的工作表）"
                                                 if used else "不是要导入的表，未导入"))
        if not used:
            continue
        if g.hidden_rows:
            rows = "、".join(str(r + 1) for r in g.hidden_rows[:20]) + (" 等" if len(g.hidden_rows) > 20 else "")
            out.append(f"工作表“{g.name}”的第 {rows} 行是隐藏的：已照常导入（隐藏不等于删除，不应导入的行请删除）")
        if g.hidden_cols:
            cols = "、".join(g.ref(0, c).split("!")[1].rstrip("1") for c in g.hidden_cols[:20])
            out.append(f"工作表“{g.name}”的 {cols} 列是隐藏的：已照常读取")
    return out


def import_file(project_dir: Path, kind: str, file: Path, locality: str | None, domain_id: str | None,
                sheet: str | None, force: bool, dry_run: bool = False, grids: list[Grid] | None = None) -> Outcome:
    """Read FILE's tables into LOCALITY's domain files; write them, then validate (`grids`: FILE, if read)."""
    if grids is None:
        grids = read_xlsx(file) if kind == "xlsx" else read_html(file)
    # From reading the project to the last write: an import running beside it would otherwise plan
    # from the files as they were and overwrite its edits.
    with project_lock(find_project(project_dir)):
        return _import_grids(project_dir, file, grids, locality, domain_id, sheet, force, dry_run)


def _import_grids(project_dir: Path, file: Path, grids: list[Grid], locality: str | None,
                  domain_id: str | None, sheet: str | None, force: bool, dry_run: bool) -> Outcome:
    v = require_valid(project_dir, "项目有错误，请先修正（gkcat validate）再导入", exit_code=2)
    if locality is None:
        raise Refused(f"{file.name} 不是 gkcat 生成的填报表：导入标准目录表时请用 --locality 指定地区")
    try:
        loc = find_locality(v.project, locality)
    except Unknown as err:  # for import, an unknown locality means it cannot run (2)
        raise Refused(str(err)) from None
    return _import_tables(project_dir, v, loc, grids, domain_id, sheet, force, dry_run)


def _import_tables(project_dir: Path, v: Loaded, loc: Locality, grids: list[Grid], domain_id: str | None,
                   sheet: str | None, force: bool, dry_run: bool) -> Outcome:
    project, resolver = v.project, v.resolver
    out = Outcome()
    out.report += [note for g in grids for note in g.notes]
    tables = []
    for table in _tables(grids, sheet, list(project.config.channels), out.report):
        parts = split_domains(table, project)
        if parts is not None and domain_id is not None:
            raise Refused(f"“{table.grid.name}”是包含多个领域的整本目录（第一个事项列是领域名称），不能用 --domain 导入到一个领域："
                          "去掉 --domain，各行按第一列导入到各自的领域")
        tables += parts or [table]
    if domain_id is not None and len(tables) > 1:
        raise Refused(f"文件中有 {len(tables)} 个表（{'、'.join(t.grid.name for t in tables)}），指定领域时请用 --sheet 选一个")
    plan = Plan()
    carried = _carried(grids, loc.name)
    for table in tables:
        domain = project.domain(table.domain_id) if table.domain_id else \
            domain_named(project, domain_id) if domain_id else guess_domain(project, table.title, table.grid.name)
        if domain is None:
            raise Refused(f"无法从“{table.grid.name}”的标题判断领域（{table.title or '无标题'}），请用 --domain 指定")
        try:
            find_domain(project, loc, domain.id)
        except Unknown as err:
            raise Refused(str(err)) from None
        path = f"{loc.path}/{domain.id}.yaml"
        if path in plan.files:
            raise Refused(f"“{domain.name}”在文件中出现了两次（{table.grid.name}），请用 --sheet 选一个")
        extras = extra_ids(project, sorted({k for i in table.items for k in i.extra}), plan)
        reasons, withheld = carried.of(domain.name)
        if loc.parent is None:
            plan.files[path] = base_file(project, domain, loc, table, extras, withheld)
        else:
            plan.files[path] = overlay_file(project, resolver, domain, loc, table, extras, reasons, withheld, plan.report,
                                            plan.ids)
        plan.report.insert(0, f"{table.grid.name}：{domain.name}，{len(table.items)} 项 → {path}")
        out.report += [f"{table.grid.name}：{n}" for n in table.notes]
    out.report += hidden_notes(grids, [t.grid for t in tables])
    if sheet is None and domain_id is None:
        _untabled(project, resolver, loc, carried, plan)
    texts: dict[str, str] = {}
    if plan.new_extras:
        texts[CONFIG_FILE] = add_extra_fields(read_input(project_dir / CONFIG_FILE, CONFIG_FILE).decode("utf-8"),
                                                    plan.new_extras)
        out.report.append("gkcat.yaml 增加了扩展字段：" + "、".join(f"{lb}（{i}）" for lb, i in plan.new_extras.items()))
    out.report = plan.report + out.report
    # Every data row lands or the import stops, and what it would write must pass gkcat's own checks:
    # both are decided before a single file is written.
    dropped = [line for t in tables for line in t.dropped]
    if dropped:
        raise ImportRefused(f"表中有 {len(dropped)} 行未能导入，未写入任何文件：请按上面的说明修改表格后再导入",
                            details="\n".join(out.report + dropped), exit_code=1)
    changes = planned_changes(project_dir, plan.files, force or dry_run, texts)
    out.report += changes.report

    def refused(problems: list[Diagnostic]) -> ImportRefused:
        return ImportRefused("导入的结果未通过检查，未写入任何文件（这是 gkcat 未能处理的表样，请把表格发给我们）",
                             details="\n".join(out.report) + "\n" + format_text(problems), exit_code=1)

    return land(project_dir, v, loc, changes, out, dry_run, refused)


def land(project_dir: Path, v: Loaded, loc: Locality, changes: Changes, out: Outcome, dry_run: bool,
         refused: Callable[[list[Diagnostic]], GkcatError], staged: Staged | None = None) -> Outcome:
    """Check the changes on a copy, say what they change (the locality and those below it, as `gkcat diff`
    would), and write them unless this is a dry run. A dry run of several forms (`staged`) goes on from what the
    forms before it would have written, as the import does from what they wrote: one plan for both."""
    after = check_on_copy(project_dir, v.project.config.root, changes, staged)
    problems = errors(after)
    if problems or after.resolver is None:
        raise refused(problems)
    out.warnings = [d for d in after.diagnostics if d.severity is Severity.WARNING and d.file in changes.write]
    found = [c for place in loc.walk()
             for c in compare_versions(v.resolver, after.resolver, "导入前", "导入后", place.path) if not c.same]
    own = [c for c in found if c.a is not None and c.a.locality.path == loc.path]
    below = [c for c in found if c not in own]
    # The localities below mostly repeat the locality's own changes: named once, unless the changes
    # reach only them (items the locality passes down without publishing them itself).
    out.changes = own or below
    if own and below:
        names = [c.a.locality.name if c.a else "" for c in below]
        out.report.append(f"下级地区的目录随之变化（{len(names)} 个）：{'、'.join(names[:12])}"
                          f"{' 等' if len(names) > 12 else ''}")
    out.dry_run = dry_run
    if dry_run and staged is not None:
        staged.update(changes.write)
        staged.update((rel, None) for rel in changes.remove)
        out.after = after
    if not dry_run:
        out.written = write_changes(project_dir, changes)
        out.after = load_project(project_dir)
        out.diagnostics = out.after.diagnostics
    return out


def at_cell(d: Diagnostic, origins: list[tuple[str, str]]) -> str:
    """A diagnostic of the changed project told at the form's cell it came from (file:line when none)."""
    found = [(path, cell) for path, cell in origins
             if d.path == path or d.path.startswith((path + ".", path + "["))]
    if found:
        cell = max(found, key=lambda pc: len(pc[0]))[1]
        return f"{cell}：{d.code} {visible(d.message)}"
    return f"{visible(d.file)}:{d.line}:{d.column}: {d.code} {visible(d.path)} {visible(d.message)}"


class ImportRefused(GkcatError):
    """The table cannot be imported as it is; `details` names every row and cell and why."""


def _untabled(project: Project, resolver: Resolver, loc: Locality, carried: _Carried, plan: Plan) -> None:
    """A gkcat workbook has no sheet for a domain whose items were all excluded (or that has only a
    negative list): its 不适用事项 and 负面清单 sheets still say so, so those become a file too."""
    if carried.sheet is None:
        return
    for domain in project.domains:
        path = f"{loc.path}/{domain.id}.yaml"
        if path in plan.files or not project.reaches(domain, loc):
            continue
        reasons, withheld = carried.of(domain.name)
        if not reasons and not withheld:
            continue
        empty = ReadTable(carried.sheet, "", [], [], [], False)
        if loc.parent is None:
            plan.files[path] = base_file(project, domain, loc, empty, {}, withheld)
        else:
            plan.files[path] = overlay_file(project, resolver, domain, loc, empty, {}, reasons, withheld, plan.report)
        plan.report.append(f"{domain.name}：表中没有事项，按“不适用事项”和“负面清单”写入 {path}")


def add_extra_fields(config: str, new: dict[str, str]) -> str:
    """gkcat.yaml with more extra_fields, its comments and layout kept."""
    entries = "".join(f"  - id: {fid}\n    label: {label}\n" for label, fid in new.items())
    lines = config.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if re.match(r"^extra_fields:\s*(\[\s*\])?\s*(#.*)?$", line):
            if "[" in line:
                lines[i] = "extra_fields:\n"
            end = i + 1
            while end < len(lines) and (lines[end].startswith((" ", "-", "\t")) or not lines[end].strip()):
                end += 1
            while end > i + 1 and not lines[end - 1].strip():
                end -= 1
            return "".join(lines[:end]) + entries + "".join(lines[end:])
    tail = "" if config.endswith("\n") or not config else "\n"
    return config + tail + "extra_fields:\n" + entries
