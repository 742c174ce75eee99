"""Work plans for the terminal and for programs: `show --workplan` (text, JSON) and the 回头看
report of `gkcat workplan review` (text, Markdown, JSON)."""

from __future__ import annotations

from datetime import date
from typing import Any

from gkcat.render.data import locality_json
from gkcat.render.text import heading
from gkcat.resolve.workplan import PlanTask, ResolvedPlan, review


def _task_json(t: PlanTask) -> dict[str, Any]:
    due = t.deadline.due.isoformat() if t.deadline and t.deadline.due else None
    return {
        "id": t.id, "name": t.name, "deadline": t.deadline_text, "due": due,
        "ongoing": bool(t.deadline and t.deadline.ongoing), "upstream": t.upstream, "state": t.state,
        "main": [{"task": m.task, "lead": list(m.lead), "units": list(m.units)} for m in t.main],
        "progress": [{"unit": s.unit, "state": s.state, "date": s.date.isoformat() if s.date else None,
                      "link": s.link or None, "note": s.note or None} for s in t.states],
    }


def plan_json(plan: ResolvedPlan) -> dict[str, Any]:
    """`show --workplan --format json`: every section and task with units as this locality's names."""
    return {
        "locality": locality_json(plan.locality), "year": plan.year, "title": plan.title,
        "sections": [{"title": title, "tasks": [_task_json(t) for t in tasks]} for title, tasks in plan.sections],
        "declined": [{"upstream": d.upstream, "name": d.task.name if d.task else None, "reason": d.reason}
                     for d in plan.declined],
    }


def plan_text(plan: ResolvedPlan) -> str:
    out = [heading(plan.locality), f"{plan.title}（{plan.year} 年，{len(plan.tasks)} 项任务）"]
    for title, tasks in plan.sections:
        out += ["", f"== {title} =="]
        for t in tasks:
            up = f"（落实上级第 {t.upstream} 项）" if t.upstream else ""
            out.append(f"  {t.id}. {t.name}{up}  完成时限：{t.deadline_text}  进展：{t.state}")
            for m in t.main:
                out.append(f"    · {m.task}")
                out.append(f"      牵头部门：{m.lead_text or '—'}；责任单位：{m.units_text or '—'}")
    if plan.declined:
        out += ["", "不承接的上级任务："]
        out += [f"  上级第 {d.upstream} 项{('“' + d.task.name + '”') if d.task else ''}：{d.reason}" for d in plan.declined]
    return "\n".join(out)


def _dated(plan: ResolvedPlan) -> int:
    return sum(1 for t in plan.tasks if t.deadline is not None and t.deadline.due is not None)


def review_json(plan: ResolvedPlan, today: date) -> dict[str, Any]:
    found = review(plan, today)
    return {
        "locality": locality_json(plan.locality), "year": plan.year, "as_of": today.isoformat(),
        "tasks": len(plan.tasks), "dated": _dated(plan),
        "overdue": sum(1 for t in plan.tasks if t.overdue(today)),
        "by_lead": [{"department": dept, "tasks": [_task_json(t) for t in tasks]} for dept, tasks in found],
    }


def _summary(plan: ResolvedPlan, today: date) -> str:
    overdue = sum(1 for t in plan.tasks if t.overdue(today))
    return (f"{plan.locality.name} {plan.year} 年工作要点“回头看”（截至 {today.isoformat()}）：{len(plan.tasks)} 项任务中"
            f"有完成时限的 {_dated(plan)} 项，其中 {overdue} 项到期未完成；只写“长期坚持”的任务没有到期日，不列入。")


def review_text(plan: ResolvedPlan, today: date) -> str:
    out = [_summary(plan, today)]
    for dept, tasks in review(plan, today):
        out += ["", f"{dept}（{len(tasks)} 项）："]
        out += [f"  {t.id}. {t.name}（完成时限：{t.deadline_text}；进展：{t.state}）" for t in tasks]
    return "\n".join(out)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def review_markdown(plan: ResolvedPlan, today: date) -> str:
    out = [f"## {plan.locality.name} {plan.year} 年工作要点“回头看”", "", _summary(plan, today)]
    for dept, tasks in review(plan, today):
        out += ["", f"### {_md(dept)}（{len(tasks)} 项）", "", "| 序号 | 事项名称 | 完成时限 | 进展 |", "| --- | --- | --- | --- |"]
        out += [f"| {t.id} | {_md(t.name)} | {_md(t.deadline_text)} | {t.state} |" for t in tasks]
    return "\n".join(out)
