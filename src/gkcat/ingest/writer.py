"""`gkcat init` and `gkcat import`: the only commands that write into a project folder.

Nothing is overwritten without `force`; every file is planned first and written only when the
whole plan is sound, then the project is validated again and the result reported.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from gkcat.check.load import load_project, require_valid
from gkcat.diagnostics.codes import Severity
from gkcat.diagnostics.diagnostic import Diagnostic
from gkcat.diagnostics.report import format_text
from gkcat.errors import GkcatError
from gkcat.ingest.grids import Grid, read_html, read_xlsx
from gkcat.ingest.national import DEPARTMENTS, NATIONAL_DOMAINS, TOWNSHIP
from gkcat.ingest.planner import Plan, base_file, dump_yaml, extra_ids, guess_domain, overlay_file
from gkcat.ingest.table_reader import NotATable, ReadTable, norm, read_table
from gkcat.ingest.yamledit import edit, has_comments
from gkcat.model.project import Locality, Project
from gkcat.model.vocabulary import LEVELS, NATIONAL_CHANNELS, SLUG
from gkcat.resolve.catalog import Unknown, find_domain, find_locality
from gkcat.resolve.resolver import Resolver
from gkcat.source.tree import CONFIG_FILE, DOMAINS_FILE, read_input

GKCAT_SHEETS = ("目录总览", "不适用事项", "负面清单")  # a gkcat workbook's sheets that are not tables


class Refused(GkcatError):
    """The command cannot run as asked (exit code 2); the message says why, in Chinese."""


@dataclass
class Outcome:
    written: list[str] = field(default_factory=list)
    report: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


@contextmanager
def _uninterrupted() -> Iterator[None]:
    """Ctrl-C waits until the block is done (then interrupts as usual), where signals can be blocked."""
    can = hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread()
    if can:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        if can:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@dataclass
class Changes:
    """What an import does to the project's files, decided before anything is written."""

    write: dict[str, str] = field(default_factory=dict)  # rel -> the file's new text
    remove: list[str] = field(default_factory=list)  # overlays that became empty and hold no comment
    report: list[str] = field(default_factory=list)


def _is_empty_overlay(data: object) -> bool:
    return isinstance(data, dict) and set(data) <= {"domain"}


def planned_changes(root: Path, files: dict[str, str], force: bool, replaced: tuple[str, ...] = ()) -> Changes:
    """The smallest change that gives each planned file its content.

    An existing file is edited in place (comments, key order and list style kept; `--force` is
    needed, as before, unless it is one of `replaced`), and left alone when nothing differs. An
    overlay with nothing in it beyond `domain` is not created, and an existing one that becomes so
    is removed if it holds no comment.
    """
    out = Changes()
    refused = []
    for rel, text in files.items():
        path = root / rel
        target = yaml.safe_load(text) if rel not in replaced else None
        if not path.exists():
            if _is_empty_overlay(target):
                out.report.append(f"{rel}：与上级目录相同，不需要文件，未写入")
            else:
                out.write[rel] = text
            continue
        old = read_input(path, rel).decode("utf-8")
        if rel in replaced:
            new = text
        elif _is_empty_overlay(target) and not has_comments(old):
            refused += [] if force else [rel]
            out.remove.append(rel)
            out.report.append(f"{rel}：与上级目录已无不同，删除此文件")
            continue
        elif isinstance(target, dict):
            new = edit(old, target)
        else:  # the planner writes mappings only; anything else is replaced whole
            new = text
        if new == old:
            out.report.append(f"{rel}：没有变化，未改动")
            continue
        if rel not in replaced and not force:
            refused.append(rel)
        out.write[rel] = new
    if refused:
        raise Refused("这些文件已存在，未写入任何文件（确需写入请加 --force：只改动不同之处，保留注释）：" + "、".join(refused))
    return out


def _write(root: Path, changes: Changes) -> list[str]:
    """Write every file or none: each is staged beside its place, then all are renamed in at once.

    A Ctrl-C or a full disk while staging leaves the project as it was.
    """
    files = changes.write
    staged: list[tuple[Path, Path]] = []
    try:
        for rel, text in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.gkcat-tmp")
            staged.append((tmp, path))
            tmp.write_text(text, encoding="utf-8")
        with _uninterrupted():
            for tmp, path in staged:
                os.replace(tmp, path)
            for rel in changes.remove:
                (root / rel).unlink(missing_ok=True)
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
    return list(files) + changes.remove


# -- init -----------------------------------------------------------------------------------------


def init_project(folder: Path, name: str, level: str, root_id: str) -> Outcome:
    """A new project: gkcat.yaml, domains.yaml with the national domains, and the top locality."""
    if level not in LEVELS[:-1]:
        raise Refused(f"层级“{level}”不可用，应为 {'、'.join(LEVELS[:-1])} 之一")
    if not re.match(SLUG, root_id):
        raise Refused(f"地区文件夹名“{root_id}”不可用：只能用小写字母、数字和连字符（如 shenyang），请用 --id 指定")
    if folder.exists() and any(folder.iterdir()):
        raise Refused(f"{folder} 不是空文件夹，未写入任何文件")
    levels = list(LEVELS[LEVELS.index(level):LEVELS.index("town") + 1]) if level != "town" else ["town"]
    config = {"title": f"{name}基层政务公开标准目录", "root": root_id, "levels": levels,
              "common_fields": ["level1", "level2", "content", "basis"], "channels": list(NATIONAL_CHANNELS),
              "defaults": {"deadline": "自该政府信息形成或者变更之日起20个工作日内", "audience": "全社会", "method": "主动"}}
    domains = [{"id": i, "name": n, "levels": [lv for lv in lv_ if lv in levels], "lead": list(lead)}
               for i, n, lv_, lead in NATIONAL_DOMAINS if any(lv in levels for lv in lv_)]
    roles = sorted({r for _, _, _, lead in NATIONAL_DOMAINS for r in lead} | {"government", "township"})
    departments = {r: (TOWNSHIP if DEPARTMENTS.get(r) is None else f"{name}{DEPARTMENTS[r]}") for r in roles}
    files = {
        CONFIG_FILE: "# gkcat 项目设置：标题、顶层地区、层级、共性要素（下级不能改）、公开渠道清单、默认值\n" + dump_yaml(config),
        "domains.yaml": "# 国家 26 个试点领域及其通常延伸的层级、牵头部门（角色）\n" + dump_yaml(domains),
        f"{root_id}/locality.yaml": (f"# {name}：请把部门名称改为本地实际名称，删除不用的角色\n"
                                     + dump_yaml({"name": name, "level": level, "departments": departments})),
    }
    out = Outcome(_write(folder, planned_changes(folder, files, force=False)))
    out.diagnostics = load_project(folder).diagnostics
    out.report.append(f"已建立项目：{len(domains)} 个领域；下一步可用 gkcat import xlsx 导入 {name}的标准目录表")
    return out


# -- import ---------------------------------------------------------------------------------------


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
        if g.name == "不适用事项":
            out.sheet = out.sheet or g
            for r in _records(g, ("领域", "一级事项", "二级事项", "不适用理由", "排除单位")):
                if r["排除单位"] == loc_name:
                    out.reasons.setdefault(r["领域"], {})[(norm(r["一级事项"]), norm(r["二级事项"]))] = r["不适用理由"]
        elif g.name == "负面清单":
            out.sheet = out.sheet or g
            for r in _records(g, ("领域", "标识", "不予公开的事项", "不予公开的理由", "依据", "制定单位")):
                if r["制定单位"] == loc_name:
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


def import_file(project_dir: Path, kind: str, file: Path, locality: str, domain_id: str | None,
                sheet: str | None, force: bool) -> Outcome:
    """Read the tables of FILE into domain files of LOCALITY; write them, then validate."""
    v = require_valid(project_dir, "项目有错误，请先修正（gkcat validate）再导入", exit_code=2)
    project, resolver = v.project, v.resolver
    try:
        loc = find_locality(project, locality)
        grids = read_xlsx(file) if kind == "xlsx" else read_html(file)
    except Unknown as err:  # for import, an unknown locality means it cannot run (2)
        raise Refused(str(err)) from None
    out = Outcome()
    out.report += [note for g in grids for note in g.notes]
    tables = _tables(grids, sheet, list(project.config.channels), out.report)
    if domain_id is not None and len(tables) > 1:
        raise Refused(f"文件中有 {len(tables)} 个表（{'、'.join(t.grid.name for t in tables)}），指定领域时请用 --sheet 选一个")
    plan = Plan()
    carried = _carried(grids, loc.name)
    for table in tables:
        domain = project.domain(domain_id) if domain_id else guess_domain(project, table.title, table.grid.name)
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
            plan.files[path] = overlay_file(project, resolver, domain, loc, table, extras, reasons, withheld, plan.report)
        plan.report.insert(0, f"{table.grid.name}：{domain.name}，{len(table.items)} 项 → {path}")
        out.report += [f"{table.grid.name}：{n}" for n in table.notes]
    if sheet is None and domain_id is None:
        _untabled(project, resolver, loc, carried, plan)
    if plan.new_extras:
        plan.files[CONFIG_FILE] = add_extra_fields((project_dir / CONFIG_FILE).read_text(encoding="utf-8"),
                                                    plan.new_extras)
        out.report.append("gkcat.yaml 增加了扩展字段：" + "、".join(f"{lb}（{i}）" for lb, i in plan.new_extras.items()))
    out.report = plan.report + out.report
    # Every data row lands or the import stops, and what it would write must pass gkcat's own checks:
    # both are decided before a single file is written.
    dropped = [line for t in tables for line in t.dropped]
    if dropped:
        raise ImportRefused(f"表中有 {len(dropped)} 行未能导入，未写入任何文件：请按上面的说明修改表格后再导入",
                            details="\n".join(out.report + dropped), exit_code=1)
    changes = planned_changes(project_dir, plan.files, force, replaced=(CONFIG_FILE,))
    out.report += changes.report
    problems = _check_first(project_dir, project.config.root, changes)
    if problems:
        raise ImportRefused("导入的结果未通过检查，未写入任何文件（这是 gkcat 未能处理的表样，请把表格发给我们）",
                            details="\n".join(out.report) + "\n" + format_text(problems), exit_code=1)
    out.written = _write(project_dir, changes)
    out.diagnostics = load_project(project_dir).diagnostics
    return out


class ImportRefused(GkcatError):
    """The table cannot be imported as it is; `details` names every row and cell and why."""


def _check_first(project_dir: Path, root: str, changes: Changes) -> list[Diagnostic]:
    """The errors the project would have with the changes made: checked on a copy of its YAML files."""

    def others(folder: str, names: list[str]) -> set[str]:
        top = Path(folder).resolve() == project_dir.resolve()
        keep = {CONFIG_FILE, DOMAINS_FILE, root} if top else None
        return {n for n in names if (keep is not None and n not in keep)
                or (keep is None and not n.endswith(".yaml") and not (Path(folder) / n).is_dir())}

    with tempfile.TemporaryDirectory(prefix="gkcat-import-") as tmp:
        copy = Path(tmp) / "project"
        shutil.copytree(project_dir, copy, ignore=others, symlinks=True)
        for rel, text in changes.write.items():
            (copy / rel).parent.mkdir(parents=True, exist_ok=True)
            (copy / rel).write_text(text, encoding="utf-8")
        for rel in changes.remove:
            (copy / rel).unlink(missing_ok=True)
        return [d for d in load_project(copy).diagnostics if d.severity is Severity.ERROR]


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
