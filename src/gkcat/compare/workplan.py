"""What changed in a locality's work plans between two versions: each year's plan reads like one
more domain of `gkcat diff --rev` (tasks added, removed or changed; upstream tasks declined or no longer)."""

from __future__ import annotations

from gkcat.compare.diff import Comparison, DomainDiff, Excluded, FieldChange, ItemChange, Missing
from gkcat.model.project import Locality
from gkcat.model.workplan import NOT_STARTED, workplan_name
from gkcat.resolve.workplan import PlanTask, ResolvedPlan, resolve_plan

_PLAN_FIELDS = (("name", "事项名称"), ("main", "主要任务"), ("lead", "牵头部门"), ("units", "责任单位"),
                ("deadline", "完成时限"), ("upstream", "上级任务"), ("states", "进展"))


def _plan_values(t: PlanTask) -> dict[str, object]:
    # lead and units per line of the table, each distinct line once (a merged cell is one value)
    return {"name": t.name, "main": tuple(m.task for m in t.main),
            "lead": tuple(dict.fromkeys(m.lead_text for m in t.main)),
            "units": tuple(dict.fromkeys(m.units_text for m in t.main)), "deadline": t.deadline_text,
            "upstream": t.upstream, "states": tuple(f"{s.unit}：{s.state}" for s in t.states if s.state != NOT_STARTED)}


def _plan_diff(year: int, pa: ResolvedPlan | None, pb: ResolvedPlan | None) -> DomainDiff:
    ta = {t.id: t for t in pa.tasks} if pa else {}
    tb = {t.id: t for t in pb.tasks} if pb else {}
    changed = []
    for task_id in sorted(ta.keys() & tb.keys()):
        va, vb = _plan_values(ta[task_id]), _plan_values(tb[task_id])
        fields = tuple(FieldChange(k, va[k], vb[k], False, label=lbl) for k, lbl in _PLAN_FIELDS if va[k] != vb[k])
        if fields:
            changed.append(ItemChange(f"任务{task_id}", tb[task_id].name, fields))
    da = {d.upstream: d for d in pa.declined} if pa else {}
    db = {d.upstream: d for d in pb.declined} if pb else {}
    either = pb or pa
    owner = either.locality.name if either is not None else ""
    note = "" if pa and pb else ("新增工作要点" if pb else "删除工作要点")
    return DomainDiff(
        workplan_name(year), f"{year} 年工作要点",
        tuple(Missing(f"任务{i}", ta[i].name, "") for i in sorted(ta.keys() - tb.keys())),
        tuple(Missing(f"任务{i}", tb[i].name, "") for i in sorted(tb.keys() - ta.keys())),
        tuple(changed), (), note,
        tuple(Excluded(f"上级任务{u}", d.task.name if d.task else "", d.reason, owner) for u, d in sorted(da.items())
              if u not in db),
        tuple(Excluded(f"上级任务{u}", d.task.name if d.task else "", d.reason, owner) for u, d in sorted(db.items())
              if u not in da or da[u].reason != d.reason))


def compare_plans(a: Locality | None, b: Locality | None) -> list[DomainDiff]:
    """One locality's work plans in two versions, year by year."""
    years = sorted({*(a.workplans if a else {}), *(b.workplans if b else {})})
    return [_plan_diff(y, resolve_plan(a, y) if a else None, resolve_plan(b, y) if b else None) for y in years]


def with_plans(comparisons: list[Comparison]) -> list[Comparison]:
    """Version comparisons with each locality's work plan changes added after its domains."""
    out = []
    for c in comparisons:
        plans = compare_plans(c.a.locality if c.a else None, c.b.locality if c.b else None)
        out.append(Comparison(c.a, c.b, c.domains + tuple(d for d in plans if not d.same)))
    return out
