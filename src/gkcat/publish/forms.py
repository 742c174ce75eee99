"""Fill-in forms handed out: `gkcat form` (one locality, or one department there) and `gkcat round start`
(every form of a collection round, the register 登记表.xlsx, and the round's record in the project).

In the seeds a district sends each department the domains it is responsible for and each town its
catalog, waits about two weeks, collects, and sends the next level down. A round is that, in one go.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from gkcat.check.load import Loaded, require_valid
from gkcat.ingest.rounds import check_name, round_text, same_name
from gkcat.model.project import Locality
from gkcat.model.rounds import REGISTER, REGISTER_SHEET, RoundFile, SentForm, round_file
from gkcat.model.vocabulary import file_name
from gkcat.publish.deliver import check_target, deliver_round, is_assessment, write_file
from gkcat.publish.outfolder import BuildRefused
from gkcat.render.site.urls import form_name
from gkcat.render.xlsx.form import FormScope, locality_form
from gkcat.render.xlsx.layout import simple_table
from gkcat.render.xlsx.writer import new_workbook, save, write_table
from gkcat.resolve.catalog import find_locality
from gkcat.resolve.duties import Department, duty_lists, find_department
from gkcat.resolve.form import form_sheets
from gkcat.source.cache import machine_key
from gkcat.source.dates import build_time, local_now, zone
from gkcat.source.lock import project_lock

WHOLE_LEVELS = ("town", "village")
UNSENT_SHEET = "未发出的事项"  # a town (and a village) fills in its whole catalog; above it, each department


def _department(v: Loaded, loc: Locality, given: str | None) -> Department | None:
    return find_department(duty_lists(v.resolver, loc), given) if given else None


def write_form(project_dir: Path, locality: str, out: Path | None = None, force: bool = False,
               department: str | None = None) -> Path:
    """`gkcat form`: a locality's fill-in workbook, or one department's part of it, written whole or not at all."""
    v = require_valid(project_dir)
    loc = find_locality(v.project, locality)
    dept = _department(v, loc, department)
    default = form_name(loc, (dept.roles or ("部门",))[0] if dept is not None else "")
    target = check_target(v.project.root_dir, v.project.config.root, out or Path(default), force)
    key = machine_key(v.project.root_dir)  # the seal that lets this machine's import trust what the form says it is
    made = locality_form(v.project, form_sheets(v.resolver, loc, dept), loc, build_time(v.project.root_dir),
                         v.memo, FormScope(dept), key.sign if key.secret is not None else None)
    write_file(target, made.data, replace=force)
    return target


@dataclass
class Started:
    """What `gkcat round start` wrote."""

    folder: Path
    record: str  # rounds/<name>.yaml
    forms: list[SentForm] = field(default_factory=list)
    uncovered: list[str] = field(default_factory=list)  # subjects written by name: no department gets their items
    unsent: list[Unsent] = field(default_factory=list)  # departments' items sent to nobody in this round


FILE_NAME_LIMIT = 80  # characters of a form's file name: Windows' paths reach 260, and the folder takes its share


def _file_name(loc: Locality, dept: Department | None, taken: set[str]) -> str:
    """A form's file name, valid on Windows (where the units are): names' `: * ? " < > |` in their full-width
    forms (as the build's workbooks), at most FILE_NAME_LIMIT characters, unique without regard to case."""
    place = file_name(loc.name) or loc.path.rsplit("/", 1)[-1]
    unit = (file_name(dept.name) or (dept.roles[0] if dept.roles else "部门")) if dept is not None else ""
    base = (f"{place}-{unit}-填报表" if dept is not None else f"{place}-填报表")
    base = base[: FILE_NAME_LIMIT - len("-99.xlsx")].rstrip(" .")
    name, n = f"{base}.xlsx", 2
    while name.casefold() in taken:  # two towns of one name in different counties
        name, n = f"{base}-{n}.xlsx", n + 1
    taken.add(name.casefold())
    return name


@dataclass(frozen=True)
class Unsent:
    """A department's items that get no form of their own in this round, and why (listed in 登记表)."""

    locality: Locality
    department: Department
    why: str


ABOVE = "上级部门负责的事项"  # its department is named above the round's locality: not this round's to ask
SHARED = "各乡镇（街道）在各自的填报表中填写"  # a role every town names itself: each town's part of its own form


def _units(v: Loaded, top: Locality, unsent: list[Unsent]) -> list[tuple[Locality, Department | None]]:
    """Who gets a form: each department with items at each locality above town level, each town whole; a
    department named above the round's locality (a district's round asks no city bureau) and the towns' shared
    role (各镇人民政府: each town answers for itself, on its own form) get none, their items listed in `unsent`."""
    out: list[tuple[Locality, Department | None]] = []
    for loc in top.walk():
        if loc.level in WHOLE_LEVELS:
            out.append((loc, None))
            continue
        towns = [c for c in loc.children if c.level in WHOLE_LEVELS]
        for d in duty_lists(v.resolver, loc):
            if not (d.roles and d.duties):
                continue
            by = d.named_by
            if by is not None and by.path != top.path and not by.path.startswith(top.path + "/"):
                unsent.append(Unsent(loc, d, ABOVE))
            elif d.name.startswith("各") and towns and all(any(r in t.departments for r in d.roles) for t in towns):
                # "各镇人民政府（街道办事处）": the towns together, as the district names them; each town names the role
                # itself (刘二堡镇人民政府), and answers for it on its own form
                unsent.append(Unsent(loc, d, SHARED))
            else:
                out.append((loc, d))
    return out


def start_round(project_dir: Path, name: str, locality: str, out: Path | None = None) -> Started:
    """Every form of one round for LOCALITY's subtree, the register, and the round's record in the project: all
    made first, staged in a folder beside the one asked for, then put in place with the record in one step."""
    name = check_name(name)
    v = require_valid(project_dir)
    root = v.project.root_dir
    top = find_locality(v.project, locality)
    record_rel = round_file(name)
    other = same_name(root, name)
    if other is not None:
        raise BuildRefused(f"轮次“{name}”已经存在（{round_file(other)}，名称只差大小写时在 Windows 和 macOS 上是同一个文件）："
                           f"请换一个名称；查看交回情况用 gkcat round status {other}")
    folder = (out or Path(name)).resolve()
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BuildRefused(f"不能写入 {folder}：它已存在且不是空文件夹，为免覆盖其中的文件，请指定新文件夹（-o）")
    # a round's dates are the day it went out (SOURCE_DATE_EPOCH fixes them, as for a build)
    zone_name = v.project.config.timezone  # the day it went out as the office counts days
    when = build_time(root).astimezone(zone(zone_name)) if os.environ.get("SOURCE_DATE_EPOCH", "").strip() \
        else local_now(zone_name)
    started = Started(folder, record_rel)
    files = _made(v, name, top, folder, when, started)
    files[REGISTER] = _register(v, name, started, when)
    record = RoundFile(round=name, locality=top.path, started=when.strftime("%Y-%m-%d"), forms=started.forms)
    with project_lock(root):
        if (root / record_rel).exists():
            raise BuildRefused(f"轮次“{name}”已经存在（{record_rel}）：它刚刚被另一个命令建立")
        deliver_round(root, folder, files, record_rel, round_text(record))
    return started


def _made(v: Loaded, name: str, top: Locality, folder: Path, when: datetime, started: Started) -> dict[str, bytes]:
    """Every form of the round, by file name; each recorded in `started` with what went out."""
    root = v.project.root_dir
    key = machine_key(root)
    sign = key.sign if key.secret is not None else None
    taken: set[str] = {REGISTER.casefold()}
    files: dict[str, bytes] = {}
    for loc, dept in _units(v, top, started.unsent):
        file = _file_name(loc, dept, taken)
        check_target(root, v.project.config.root, folder / file, False)  # never into the project's inputs or a .git
        scope = FormScope(dept, name)
        sheets = form_sheets(v.resolver, loc, dept)
        made = locality_form(v.project, sheets, loc, when, v.memo, scope, sign)
        files[file] = made.data
        # the form as it went out: an import of these very bytes is no return, and one whose identity differs
        # from what went out is refused
        started.forms.append(SentForm(form=scope.identity(loc), file=file, unit=scope.unit(loc), locality=loc.path,
                                      department=dept.roles[0] if dept else "", domains=[s.domain.id for s in sheets],
                                      items=made.rows, made=when.strftime("%Y-%m-%d"),
                                      sha256=hashlib.sha256(made.data).hexdigest(), seal=made.identity))
    started.uncovered = sorted({d.name for loc in top.walk() if loc.level not in WHOLE_LEVELS
                                for d in duty_lists(v.resolver, loc) if not d.roles and d.duties})
    return files


def _register(v: Loaded, name: str, started: Started, when: datetime) -> bytes:
    """登记表.xlsx: one row per form (单位、地区、领域、事项数、文件名、制表时间), print-ready like the other workbooks;
    then the items no form of this round holds (上级部门负责的事项, the towns' shared role), each with why."""
    names = {d.id: d.name for d in v.project.domains}
    localities = v.project.localities
    forms = started.forms
    rows = [[str(i), f.unit, localities[f.locality].name, "、".join(names.get(d, d) for d in f.domains), str(f.items),
             f.file, f.made] for i, f in enumerate(forms, 1)]
    header = ["序号", "单位", "地区", "领域", "事项数", "文件名", "制表时间"]
    kinds = [("text", 6.0), ("text", 18.0), ("text", 12.0), ("wide", 40.0), ("text", 8.0), ("wide", 30.0), ("text", 12.0)]
    table = simple_table(f"{v.project.config.title}：填报轮次“{name}”登记表", header, rows, kinds)
    wb = new_workbook()
    write_table(wb, REGISTER_SHEET, table)
    if started.unsent:
        unsent = [(u, duty.domain.name, duty.item.entry.values) for u in started.unsent for duty in u.department.duties]
        items = [[str(n), u.locality.name, domain, f"{values.level1} / {values.level2}", u.department.name, u.why]
                 for n, (u, domain, values) in enumerate(unsent, 1)]
        write_table(wb, UNSENT_SHEET, simple_table(
            f"填报轮次“{name}”未发出填报表的事项", ["序号", "地区", "领域", "事项", "公开主体", "原因"], items,
            [("text", 6.0), ("text", 12.0), ("text", 14.0), ("wide", 36.0), ("text", 22.0), ("wide", 30.0)]))
    return save(wb, f"填报轮次“{name}”登记表", when)


def write_assessment(project_dir: Path, top: str, out: Path, data: bytes) -> Path:
    """`gkcat assess -o FILE.xlsx`: a new file, or one an earlier assessment wrote (replaced)."""
    target = check_target(project_dir, top, out, True, is_assessment, "gkcat 网上检查工作簿")
    write_file(target, data, replace=target.exists())
    return target
