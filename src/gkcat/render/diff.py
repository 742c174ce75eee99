"""`gkcat diff` output: text (coloured like git on a terminal), Markdown for review comments, JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from gkcat.compare.diff import Comparison, DomainDiff, FieldChange, ItemChange, Side
from gkcat.render.text import field_label, join_value

Style = Callable[[str, str], str]  # (text, colour) -> text


def _plain(text: str, colour: str) -> str:
    return text


def _side(side: Side | None) -> str:
    return "（无此地区）" if side is None else f"{side.label}（{side.locality.path}）"


def _extra_labels(c: Comparison) -> dict[str, str]:
    out: dict[str, str] = {}
    for side in (c.a, c.b):
        if side is not None:
            out.update(side.extra_labels)
    return out


def field_line(f: FieldChange, extra: dict[str, str]) -> str:
    label = f.label or field_label(f.field, extra)
    if f.moved:
        return f"{label}：仅顺序调整（{join_value(f.a)} → {join_value(f.b)}）"
    return f"{label}：{join_value(f.a)} → {join_value(f.b)}" + (f"（{f.note}）" if f.note else "")


def _split(d: DomainDiff) -> tuple[list[ItemChange], list[ItemChange]]:
    """Changed items, and those whose only change is a role resolving to another department (summarised)."""
    role_only = [ch for ch in d.changed if all(f.role_only for f in ch.fields)]
    return [ch for ch in d.changed if ch not in role_only], role_only


def _roles(changes: list[ItemChange]) -> str:
    seen = dict.fromkeys((r, a, b) for ch in changes for f in ch.fields for r, a, b in f.roles)
    return "；".join(f"{r}：{a} → {b}" for r, a, b in seen)


def comparison_text(c: Comparison, style: Style = _plain) -> str:
    """One comparison as git-like text: - only in A, + only in B, × excluded on one side only, ~ changed, ↕ moved."""
    extra = _extra_labels(c)
    lines = [style(f"--- {_side(c.a)}", "red"), style(f"+++ {_side(c.b)}", "green")]
    if c.same:
        lines.append("没有差异")
    for d in c.domains:
        lines.append(style(f"@@ {d.name}（{d.id}）", "cyan"))
        if d.note:  # every item of the domain is on one side for the same reason: say it once
            lines.append(style(f"{'-' if d.only_a else '+'} {d.note}（{len(d.only_a) + len(d.only_b)} 项）",
                               "red" if d.only_a else "green"))
            continue
        lines += [style(f"- {m.id} {m.level2}" + (f"：{m.why}" if m.why else ""), "red") for m in d.only_a]
        lines += [style(f"+ {m.id} {m.level2}" + (f"：{m.why}" if m.why else ""), "green") for m in d.only_b]
        lines += [style(f"× {x.id} {x.level2}：{x.by}排除：{x.reason}", "red") for x in d.excluded_b]
        a_name = c.a.label if c.a else "A"
        lines += [style(f"× {x.id} {x.level2}：仅{a_name}，{x.by}排除：{x.reason}", "red") for x in d.excluded_a]
        real, role_only = _split(d)
        for ch in real:
            lines.append(style(f"~ {ch.id} {ch.level2}", "yellow"))
            lines += [f"    {field_line(f, extra)}" for f in ch.fields]
        if role_only:
            lines.append(style(f"~ 另有 {len(role_only)} 项只是公开主体的部门角色在两地解析不同：{_roles(role_only)}", "yellow"))
        lines += [f"↕ {m.id} {m.level2}：位置 {m.a} → {m.b}" for m in d.moved]
    return "\n".join(lines)


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_domain(d: DomainDiff, c: Comparison, extra: dict[str, str]) -> list[str]:
    a = c.a.label if c.a else "A"
    b = c.b.label if c.b else "B"
    out = [f"### {d.name}（`{d.id}`）", ""]
    if d.note:
        return out + [f"{d.note}（{len(d.only_a) + len(d.only_b)} 项）", ""]
    rows = [("仅" + a, m.id, m.level2, m.why) for m in d.only_a] + [("仅" + b, m.id, m.level2, m.why) for m in d.only_b]
    rows += [(f"{b}排除", x.id, x.level2, f"{x.by}：{x.reason}") for x in d.excluded_b]
    rows += [(f"{a}排除", x.id, x.level2, f"{x.by}：{x.reason}") for x in d.excluded_a]
    real, role_only = _split(d)
    rows += [("修改", ch.id, ch.level2, "；".join(field_line(f, extra) for f in ch.fields)) for ch in real]
    if role_only:
        rows.append(("角色", "", f"{len(role_only)} 项", f"只是公开主体的部门角色在两地解析不同：{_roles(role_only)}"))
    rows += [("移动", m.id, m.level2, f"位置 {m.a} → {m.b}") for m in d.moved]
    if rows:
        out += ["| 差异 | 事项标识 | 二级事项 | 说明 |", "| --- | --- | --- | --- |"]
        out += [f"| {k} | {f'`{i}`' if i else ''} | {_md_cell(n)} | {_md_cell(w)} |" for k, i, n, w in rows]
        out.append("")
    return out


def comparison_markdown(c: Comparison) -> str:
    extra = _extra_labels(c)
    out = [f"## {_side(c.a)} → {_side(c.b)}", ""]
    if c.same:
        out += ["没有差异。", ""]
    for d in c.domains:
        out += _md_domain(d, c, extra)
    return "\n".join(out)


def _json_value(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


def _side_json(side: Side | None) -> dict[str, Any] | None:
    if side is None:
        return None
    loc = side.locality
    return {"path": loc.path, "name": loc.name, "level": loc.level, "rev": side.rev}


def comparison_json(c: Comparison) -> dict[str, Any]:
    return {
        "a": _side_json(c.a),
        "b": _side_json(c.b),
        "same": c.same,
        "domains": [{
            "id": d.id, "name": d.name, "note": d.note,
            "only_a": [{"id": m.id, "level2": m.level2, "why": m.why} for m in d.only_a],
            "only_b": [{"id": m.id, "level2": m.level2, "why": m.why} for m in d.only_b],
            "changed": [{"id": ch.id, "level2": ch.level2, "fields": [
                {"field": f.field, "a": _json_value(f.a), "b": _json_value(f.b), "moved": f.moved, "note": f.note,
                 "roles": [{"role": r, "a": x, "b": y} for r, x, y in f.roles]}
                for f in ch.fields]} for ch in d.changed],
            "moved": [{"id": m.id, "level2": m.level2, "a": m.a, "b": m.b} for m in d.moved],
            "excluded_a": [{"id": x.id, "level2": x.level2, "reason": x.reason, "by": x.by} for x in d.excluded_a],
            "excluded_b": [{"id": x.id, "level2": x.level2, "reason": x.reason, "by": x.by} for x in d.excluded_b],
        } for d in c.domains],
    }


def diff_output(comparisons: list[Comparison], fmt: str, style: Style = _plain) -> str:
    """All comparisons in one format; JSON is one object with a list of comparisons."""
    if fmt == "json":
        body = {"same": all(c.same for c in comparisons), "comparisons": [comparison_json(c) for c in comparisons]}
        return json.dumps(body, ensure_ascii=False, indent=2)
    if fmt == "markdown":
        return "\n".join(comparison_markdown(c) for c in comparisons).rstrip("\n")
    return "\n\n".join(comparison_text(c, style) for c in comparisons)
