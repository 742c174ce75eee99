"""The checks of work plans (workplan-<year>.yaml), run on the plans as resolved."""

from __future__ import annotations

from gkcat.check.values import unresolved_role
from gkcat.diagnostics.diagnostic import Diagnostic
from gkcat.model.project import Locality, Project
from gkcat.model.vocabulary import is_role
from gkcat.model.workplan import WorkPlanFile, read_deadline
from gkcat.resolve.workplan import ResolvedPlan, plan_above, resolve_plan
from gkcat.source.yamldoc import Path_, SourceDoc


def _roles(loc: Locality, doc: SourceDoc, plan: WorkPlanFile) -> list[Diagnostic]:
    out = []

    def one(path: Path_, entry: str) -> None:
        if is_role(entry) and entry not in loc.roles:
            out.append(doc.diag(path, "GK303", unresolved_role(entry, [loc])))

    def check(path: Path_, written: list[str] | None) -> None:
        for k, entry in enumerate(written or ()):
            one((*path, k), entry)

    for i, section in enumerate(plan.sections):
        for j, task in enumerate(section.tasks):
            base: Path_ = ("sections", i, "tasks", j)
            check((*base, "lead"), task.lead)
            check((*base, "units"), task.units)
            for m, line in enumerate(task.main):
                check((*base, "main", m, "lead"), line.lead)
                check((*base, "main", m, "units"), line.units)
            for p, entry in enumerate(task.progress):
                one((*base, "progress", p, "unit"), entry.unit)
    return out


def _tasks(doc: SourceDoc, plan: WorkPlanFile) -> list[Diagnostic]:
    out = []
    seen: set[int] = set()
    for i, section in enumerate(plan.sections):
        for j, task in enumerate(section.tasks):
            base: Path_ = ("sections", i, "tasks", j)
            if task.id in seen:
                out.append(doc.diag((*base, "id"), "GK301", f"任务序号 {task.id} 在本计划中重复"))
            seen.add(task.id)
            deadline, problem = read_deadline(task.deadline)
            if deadline is None:
                out.append(doc.diag((*base, "deadline"), "GK313", problem))
            for p, entry in enumerate(task.progress):
                if entry.date is not None and entry.date.year != plan.year:
                    out.append(doc.diag((*base, "progress", p, "date"), "GK406",
                                        f"进展日期 {entry.date.isoformat()} 不在计划年度 {plan.year} 年内"))
    return out


def _upstream(plan: ResolvedPlan, model: WorkPlanFile) -> list[Diagnostic]:
    doc, parent = plan.doc, plan.parent
    above = f"{parent.locality.name} {plan.year} 年工作要点" if parent else "上级地区同年的工作要点"
    out = []
    taken: dict[int, Path_] = {}
    for t in plan.tasks:
        if t.upstream is None:
            continue
        taken.setdefault(t.upstream, (*t.path, "upstream"))
        if parent is None or parent.task(t.upstream) is None:
            out.append(doc.diag((*t.path, "upstream"), "GK314", f"{above}中没有第 {t.upstream} 项任务"))
    for k, d in enumerate(model.declined):
        if parent is None or parent.task(d.upstream) is None:
            out.append(doc.diag(("declined", k, "upstream"), "GK314", f"{above}中没有第 {d.upstream} 项任务"))
        elif d.upstream in taken:
            line = doc.pos(taken[d.upstream])[0]
            out.append(doc.diag(("declined", k, "upstream"), "GK315",
                                f"第 {d.upstream} 项上级任务已在第 {line} 行承接（upstream），不能同时声明不承接"))
    if parent is not None:
        declined = {d.upstream for d in model.declined}
        for t in parent.tasks:
            if t.id not in taken and t.id not in declined:
                out.append(doc.diag((), "GK407", f"{above}第 {t.id} 项“{t.name}”既没有任务承接（upstream: {t.id}），"
                                                 "也没有在 declined 中写明不承接的理由"))
    return out


def check_workplans(project: Project) -> list[Diagnostic]:
    """Roles, task ids, deadlines, progress dates and the tasks taken up from the plan above."""
    out: list[Diagnostic] = []
    for loc in project.localities.values():
        for year, src in sorted(loc.workplans.items()):
            if src.model is None:
                continue
            out += _roles(loc, src.doc, src.model) + _tasks(src.doc, src.model)
            plan, above = resolve_plan(loc, year), plan_above(loc, year)
            # a plan above that gkcat cannot read has unknown tasks: nothing to compare with
            if plan is not None and (above is None or above.workplans[year].model is not None):
                out += _upstream(plan, src.model)
    return out
