"""A locality's work plan as renderers see it: units resolved to its department names, deadlines
read, each unit's state from the progress entries, and the parent's plan of the same year it answers to.

Pure: nothing is reported here; check/workplan.py turns what does not fit into diagnostics.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from gkcat.model.project import Locality, Project, WorkPlanSource
from gkcat.model.workplan import DONE, Deadline, Progress, Task, read_deadline
from gkcat.resolve.catalog import Unknown
from gkcat.resolve.resolver import resolve_subject
from gkcat.source.yamldoc import Path_, SourceDoc

NOT_STARTED, UNDER_WAY = "未开始", "推进中"


@dataclass(frozen=True)
class MainLine:
    """One 主要任务 with its lead departments and responsible units, as names of this locality."""

    task: str
    lead: tuple[str, ...]
    units: tuple[str, ...]


@dataclass(frozen=True)
class UnitState:
    unit: str  # resolved name
    state: str  # 未开始 | 推进中 | 已完成
    date: date | None
    link: str
    note: str


@dataclass(frozen=True)
class PlanTask:
    id: int
    name: str
    section: str
    main: tuple[MainLine, ...]
    deadline_text: str  # as printed
    deadline: Deadline | None  # None: unreadable (an error in validate)
    upstream: int | None
    states: tuple[UnitState, ...]  # every lead department, then any other unit with progress
    path: Path_  # the task in its file, for diagnostics and `show`

    @property
    def leads(self) -> tuple[str, ...]:
        """Every lead department of its main tasks, once each, in order."""
        return tuple(dict.fromkeys(n for m in self.main for n in m.lead))

    @property
    def state(self) -> str:
        """已完成 when every lead department says so; 推进中 once anyone reported progress."""
        lead = [s for s in self.states if s.unit in self.leads] or list(self.states)
        if lead and all(s.state == DONE for s in lead):
            return DONE
        return UNDER_WAY if any(s.state != NOT_STARTED for s in self.states) else NOT_STARTED

    def overdue(self, today: date) -> bool:
        """Not 已完成 although its date has passed (a task that is only 长期坚持 is never overdue)."""
        return (self.deadline is not None and self.deadline.due is not None and self.deadline.due < today
                and self.state != DONE)

    def lead_overdue(self, today: date) -> list[str]:
        """The lead departments that have not finished a task past its date."""
        if not self.overdue(today):
            return []
        done = {s.unit for s in self.states if s.state == DONE}
        return [u for u in self.leads if u not in done]


@dataclass(frozen=True)
class DeclinedTask:
    upstream: int
    reason: str
    task: PlanTask | None  # the parent's task it declines (None when the parent has no such task)


@dataclass(frozen=True)
class ResolvedPlan:
    locality: Locality
    year: int
    title: str
    doc: SourceDoc
    sections: tuple[tuple[str, tuple[PlanTask, ...]], ...]
    declined: tuple[DeclinedTask, ...]
    parent: ResolvedPlan | None  # the parent locality's plan of the same year

    @property
    def tasks(self) -> list[PlanTask]:
        return [t for _, tasks in self.sections for t in tasks]

    def task(self, task_id: int) -> PlanTask | None:
        return next((t for t in self.tasks if t.id == task_id), None)


def _names(loc: Locality, written: list[str]) -> tuple[str, ...]:
    return tuple(resolve_subject(loc, tuple(written)))


def _states(loc: Locality, leads: tuple[str, ...], progress: list[Progress]) -> tuple[UnitState, ...]:
    latest: dict[str, UnitState] = {}
    for p in progress:  # the last entry of a unit is where it stands (entries are kept in time order)
        name = _names(loc, [p.unit])[0]
        latest[name] = UnitState(name, p.state, p.date, p.link or "", p.note or "")
    out = [latest.pop(u, UnitState(u, NOT_STARTED, None, "", "")) for u in leads]
    return tuple(out + list(latest.values()))


def _task(loc: Locality, section: str, task: Task, path: Path_) -> PlanTask:
    lines = []
    for m in task.main:
        lines.append(MainLine(m.task, _names(loc, m.lead if m.lead is not None else task.lead),
                              _names(loc, m.units if m.units is not None else task.units)))
    leads = tuple(dict.fromkeys(n for m in lines for n in m.lead))
    return PlanTask(task.id, task.name, section, tuple(lines), task.deadline, read_deadline(task.deadline)[0],
                    task.upstream, _states(loc, leads, task.progress), path)


def resolve_plan(loc: Locality, year: int) -> ResolvedPlan | None:
    """The locality's plan for `year` (None without a usable file), linked to its parent's of the same year."""
    src: WorkPlanSource | None = loc.workplans.get(year)
    if src is None or src.model is None:
        return None
    parent = next((resolve_plan(p, year) for p in loc.chain()[-2::-1] if year in p.workplans), None)
    plan = src.model
    sections = tuple((s.title, tuple(_task(loc, s.title, t, ("sections", i, "tasks", j)) for j, t in enumerate(s.tasks)))
                     for i, s in enumerate(plan.sections))
    declined = tuple(DeclinedTask(d.upstream, d.reason, parent.task(d.upstream) if parent else None) for d in plan.declined)
    return ResolvedPlan(loc, year, plan.title, src.doc, sections, declined, parent)


def plans_of(loc: Locality) -> list[ResolvedPlan]:
    """The locality's usable plans, years in order."""
    return [p for p in (resolve_plan(loc, year) for year in sorted(loc.workplans)) if p is not None]


def plans(project: Project) -> list[ResolvedPlan]:
    """Every usable plan of the project: localities in tree order, years in order."""
    return [p for loc in project.localities.values() for p in plans_of(loc)]


def review(plan: ResolvedPlan, today: date) -> list[tuple[str, list[PlanTask]]]:
    """回头看: per lead department (in the plan's order), the tasks past their date that it has not finished."""
    by_lead: dict[str, list[PlanTask]] = {}
    for t in plan.tasks:
        for unit in t.lead_overdue(today):
            by_lead.setdefault(unit, []).append(t)
    return list(by_lead.items())


def find_plan(loc: Locality, year: int) -> ResolvedPlan:
    """The plan, or Unknown (exit 1) saying which years the locality has."""
    found = resolve_plan(loc, year)
    if found is None:
        years = "、".join(str(y) for y in sorted(loc.workplans)) or "无"
        raise Unknown(f"{loc.name}没有 {year} 年的工作要点（{loc.path}/workplan-{year}.yaml）；已有的年度：{years}")
    return found
