"""A locality's work plan as renderers see it: units resolved to its department names, deadlines
read, each unit's state from the progress entries, and the parent's plan of the same year it answers to.

Pure: nothing is reported here; check/workplan.py turns what does not fit into diagnostics.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from gkcat.model.project import Locality, Project, WorkPlanSource
from gkcat.model.workplan import DONE, NOT_STARTED, UNDER_WAY, Deadline, Progress, Task, read_deadline, workplan_name
from gkcat.resolve.catalog import Unknown
from gkcat.resolve.resolver import resolve_subject
from gkcat.source.yamldoc import Path_, SourceDoc


@dataclass(frozen=True)
class MainLine:
    """One 主要任务 with its lead departments and responsible units, as names of this locality."""

    task: str
    lead: tuple[str, ...]
    units: tuple[str, ...]

    @property
    def lead_text(self) -> str:
        """The 牵头部门 cell as the table prints it."""
        return "、".join(self.lead)

    @property
    def units_text(self) -> str:
        """The 责任单位 cell: units joined by ，, since a collective unit such as 各镇、街 holds a 、 itself."""
        return "，".join(self.units)


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
        return _leads(self.main)

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

    def unit_overdue(self, unit: UnitState, today: date) -> bool:
        """One unit has not finished a task past its date (the 台账's 到期未完成)."""
        return self.overdue(today) and unit.state != DONE

    def lead_overdue(self, today: date) -> list[str]:
        """The lead departments that have not finished a task past its date."""
        by_unit = {s.unit: s for s in self.states}
        return [u for u in self.leads if self.unit_overdue(by_unit[u], today)]


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


def _leads(lines: tuple[MainLine, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(n for m in lines for n in m.lead))


def spans(cells: list[str]) -> list[int]:
    """Rows each cell covers when equal neighbours are merged, as the table prints them; 0: merged into the one above."""
    out = [0] * len(cells)
    start = 0
    for i in range(1, len(cells) + 1):
        if i == len(cells) or cells[i] != cells[start]:
            out[start] = i - start
            start = i
    return out


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
    lines = tuple(MainLine(m.task, _names(loc, m.lead if m.lead is not None else task.lead),
                           _names(loc, m.units if m.units is not None else task.units)) for m in task.main)
    return PlanTask(task.id, task.name, section, lines, task.deadline, read_deadline(task.deadline)[0],
                    task.upstream, _states(loc, _leads(lines), task.progress), path)


def plan_above(loc: Locality, year: int) -> Locality | None:
    """The nearest locality above with a plan for `year` (usable or not): the plan `upstream` refers to."""
    return next((above for above in loc.chain()[-2::-1] if year in above.workplans), None)


def resolve_plan(loc: Locality, year: int) -> ResolvedPlan | None:
    """The locality's plan for `year` (None without a usable file), linked to its parent's of the same year."""
    src: WorkPlanSource | None = loc.workplans.get(year)
    if src is None or src.model is None:
        return None
    above = plan_above(loc, year)
    parent = resolve_plan(above, year) if above is not None else None
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
        raise Unknown(f"{loc.name}没有 {year} 年的工作要点（{loc.path}/{workplan_name(year)}.yaml）；已有的年度：{years}")
    return found
