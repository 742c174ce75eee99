"""`gkcat round status`: who has answered, as text, markdown or JSON."""

from __future__ import annotations

from typing import Any

from gkcat.model.project import Project
from gkcat.model.rounds import RoundFile, SentForm
from gkcat.source.dates import local_time

_HEAD = ["填报表", "单位", "地区", "交回", "导入时间", "写入的修改", "冲突", "未写入", "不能接受的格子", "填报人", "联系电话"]


def _row(f: SentForm, project: Project) -> dict[str, Any]:
    last = f.returns[-1] if f.returns else None
    loc = project.localities.get(f.locality)
    return {"file": f.file, "form": f.form, "unit": f.unit, "locality": f.locality,
            "locality_name": loc.name if loc else f.locality, "department": f.department, "domains": f.domains,
            "items": f.items, "made": f.made, "returned": last is not None,
            "imported_at": local_time(last.imported_at, project.config.timezone, iso=True) if last else None,
            "returns": len(f.returns), "refused_cells": list(last.problems) if last else [],
            "applied": sum(r.applied for r in f.returns), "conflicts": last.conflicts if last else 0,
            "refused": last.refused if last else 0, "unapplied": last.unapplied if last else 0,
            "reporter": last.cover.get("填报人", "") if last else "", "phone": last.cover.get("联系电话", "") if last else "",
            "cover": dict(last.cover) if last else {}}


def status_json(record: RoundFile, project: Project) -> dict[str, Any]:
    """{"round", "locality", "started", "forms": [...]}: each form with file, unit, locality, returned, imported_at,
    applied, conflicts, refused (docs/cli.md)."""
    return {"round": record.round, "locality": record.locality, "started": record.started,
            "forms": [_row(f, project) for f in record.forms]}


def _cells(r: dict[str, Any]) -> list[str]:
    back = ("已交回，未导入" if r["refused"] else "已交回") if r["returned"] else "未交回"
    return [r["file"], r["unit"], r["locality_name"], back, local_time(r["imported_at"]) if r["imported_at"] else "—",
            str(r["applied"]), str(r["conflicts"]), str(r["unapplied"]), str(r["refused"]), r["reporter"] or "—",
            r["phone"] or "—"]


def _headline(data: dict[str, Any]) -> str:
    forms = data["forms"]
    back = sum(1 for f in forms if f["returned"])
    return f"填报轮次“{data['round']}”（{data['locality']}，{data['started']} 开始）：已交回 {back} 份，未交回 {len(forms) - back} 份"


def status_markdown(record: RoundFile, project: Project) -> str:
    data = status_json(record, project)
    lines = [f"## {_headline(data)}", "", "| " + " | ".join(_HEAD) + " |", "|" + " --- |" * len(_HEAD)]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in _cells(r)) + " |" for r in data["forms"]]
    return "\n".join(lines)


def status_text(record: RoundFile, project: Project) -> str:
    data = status_json(record, project)
    out = [_headline(data)]
    for r in data["forms"]:
        who = f"填报人 {r['reporter'] or '未填'}，联系电话 {r['phone'] or '未填'}"
        if not r["returned"]:
            state = "未交回"
        elif r["refused"]:
            state = f"已交回（{local_time(r['imported_at'])}），未导入：{r['refused']} 处不能接受，请单位改正后再交回；{who}"
        else:
            state = f"已交回（{local_time(r['imported_at'])}）：写入 {r['applied']} 处，冲突 {r['conflicts']}，未写入 {r['unapplied']}，" \
                    f"不能接受 {r['refused']}；{who}"
        out.append(f"  {r['unit']}（{r['locality_name']}）{r['file']}：{state}")
        out += [f"    {cell}" for cell in r["refused_cells"] if r["refused"]]
    return "\n".join(out)
