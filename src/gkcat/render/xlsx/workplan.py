"""A work plan's workbook: the 任务分解表 as the seed prints it (print-ready like the catalogs) and the 台账."""

from __future__ import annotations

from datetime import date, datetime

from gkcat.render.xlsx.layout import SheetColumn, Table, simple_table
from gkcat.render.xlsx.writer import new_workbook, save, write_table
from gkcat.resolve.workplan import ResolvedPlan, spans
from gkcat.source.memo import Memo

TASKS, LEDGER = "任务分解表", "工作台账"
_HEADER = ["事项名称", "主要任务", "牵头部门", "责任单位", "完成时限"]
_KINDS = [("text", 22), ("wide", 56), ("text", 26), ("text", 18), ("text", 14)]


def _merge_runs(table: Table, col: int, first: int, values: list[str]) -> None:
    """Merge equal neighbouring cells of one column (rows from `first`), blanking the cells merged away."""
    for i, n in enumerate(spans(values)):
        if n > 1:
            table.merges.append((first + i, col, first + i + n - 1, col))
        elif n == 0:
            table.rows[first + i - 1][col - 1] = None


def task_table(plan: ResolvedPlan) -> Table:
    """Row 1 the title, row 2 the header, then per section a merged title row and per task its lines."""
    table = Table(f"{plan.title}任务分解表", [SheetColumn(k, w) for k, w in _KINDS], header_rows=2)
    table.rows = [[table.title, None, None, None, None], list(_HEADER)]
    table.merges.append((1, 1, 1, 5))
    for title, tasks in plan.sections:
        table.rows.append([title, None, None, None, None])
        table.merges.append((len(table.rows), 1, len(table.rows), 5))
        for t in tasks:
            first = len(table.rows) + 1
            leads = [m.lead_text for m in t.main]
            units = [m.units_text for m in t.main]
            for k, m in enumerate(t.main):
                table.rows.append([f"{t.id}. {t.name}" if k == 0 else None, m.task, leads[k], units[k],
                                   t.deadline_text if k == 0 else None])
            if len(t.main) > 1:
                table.merges += [(first, 1, first + len(t.main) - 1, 1), (first, 5, first + len(t.main) - 1, 5)]
            _merge_runs(table, 3, first, leads)
            _merge_runs(table, 4, first, units)
    return table


def ledger_table(plan: ResolvedPlan, today: date) -> Table:
    rows = [[str(t.id), t.name, t.deadline_text, s.unit, s.state, s.date.isoformat() if s.date else "",
             "是" if t.unit_overdue(s, today) else "", s.note, s.link]
            for t in plan.tasks for s in t.states]
    header = ["序号", "事项名称", "完成时限", "单位", "进展", "日期", "到期未完成", "说明", "已公开内容链接"]
    kinds = [("text", 6), ("wide", 28), ("text", 14), ("text", 18), ("mark", 8), ("text", 11), ("mark", 8), ("wide", 24),
             ("text", 24)]
    return simple_table(f"{plan.locality.name} {plan.year} 年工作台账（截至 {today.isoformat()}）", header, rows, kinds)


def workplan_workbook(plan: ResolvedPlan, when: datetime, memo: Memo) -> tuple[bytes, int]:
    """The plan's workbook; the ledger is as of the build's date, as the site's."""
    wb = new_workbook(memo)
    write_table(wb, TASKS, task_table(plan))
    write_table(wb, LEDGER, ledger_table(plan, when.date()))
    return save(wb, f"{plan.title}任务分解表", when), 0
