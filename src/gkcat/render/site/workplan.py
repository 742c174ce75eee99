"""What a locality's work plan page shows: the 任务分解表 in the seed's layout (a task's main tasks
under one merged 事项名称, equal neighbouring lead and unit cells merged), then the 台账: each task's
state per unit and what is overdue as of the build's date, and the upstream tasks declined."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from gkcat.model.workplan import DONE
from gkcat.render.site.pages import Link
from gkcat.render.site.urls import workplan_href, workplan_workbook_path
from gkcat.resolve.workplan import MainLine, PlanTask, ResolvedPlan, spans


@dataclass(frozen=True)
class Cell:
    text: str
    span: int  # rows it covers; 0: covered by the cell above (not written)


@dataclass(frozen=True)
class PlanRow:
    task: PlanTask
    first: bool  # the task's first line carries its 事项名称 and 完成时限 cells
    span: int  # the task's number of lines
    line: MainLine
    lead: Cell
    units: Cell
    upstream: Link | None  # the parent's task it carries out


@dataclass(frozen=True)
class LedgerRow:
    task: PlanTask
    unit: str
    state: str
    date: str
    link: str
    note: str
    overdue: bool


@dataclass(frozen=True)
class DeclinedRow:
    upstream: Link | None
    number: int
    name: str
    reason: str


@dataclass(frozen=True)
class WorkPlanView:
    title: str
    year: int
    as_of: str
    sections: tuple[tuple[str, tuple[PlanRow, ...]], ...]
    ledger: tuple[LedgerRow, ...]
    declined: tuple[DeclinedRow, ...]
    tasks: int
    lines: int
    done: int
    overdue: int
    workbook: Link
    parent: Link | None  # the plan above


def merged(values: list[str]) -> list[Cell]:
    """Equal neighbours as one cell spanning them, as the table prints merged cells."""
    return [Cell(v, n) for v, n in zip(values, spans(values), strict=True)]


def _upstream(plan: ResolvedPlan, number: int | None) -> Link | None:
    parent = plan.parent
    if number is None or parent is None or parent.task(number) is None:
        return None
    return Link(f"落实{parent.locality.name}第 {number} 项", f"{workplan_href(parent.locality, parent.year)}#task-{number}")


def _rows(plan: ResolvedPlan, tasks: tuple[PlanTask, ...]) -> tuple[PlanRow, ...]:
    out = []
    for t in tasks:
        leads = merged([m.lead_text for m in t.main])
        units = merged([m.units_text for m in t.main])
        for k, line in enumerate(t.main):
            out.append(PlanRow(t, k == 0, len(t.main), line, leads[k], units[k], _upstream(plan, t.upstream)))
    return tuple(out)


def workplan_view(plan: ResolvedPlan, today: date) -> WorkPlanView:
    ledger = tuple(LedgerRow(t, s.unit, s.state, s.date.isoformat() if s.date else "", s.link, s.note,
                             t.unit_overdue(s, today))
                   for t in plan.tasks for s in t.states)
    declined = tuple(DeclinedRow(_upstream(plan, d.upstream), d.upstream, d.task.name if d.task else "", d.reason)
                     for d in plan.declined)
    parent = plan.parent
    book = workplan_workbook_path(plan.locality, plan.year)
    return WorkPlanView(
        f"{plan.title}任务分解表", plan.year, today.isoformat(),
        tuple((title, _rows(plan, tasks)) for title, tasks in plan.sections), ledger, declined,
        len(plan.tasks), sum(len(t.main) for t in plan.tasks), sum(1 for t in plan.tasks if t.state == DONE),
        sum(1 for t in plan.tasks if t.overdue(today)), Link(book.rsplit("/", 1)[-1], book),
        Link(f"{parent.locality.name} {parent.year} 年工作要点", workplan_href(parent.locality, parent.year)) if parent else None)
