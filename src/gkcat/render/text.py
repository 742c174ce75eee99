"""Resolved catalogs and item stories as readable text for the terminal."""

from __future__ import annotations

from gkcat.model.fields import BY_ID, FIELDS, label
from gkcat.model.project import Locality
from gkcat.model.vocabulary import LEVEL_ZH
from gkcat.resolve.catalog import ResolvedCatalog, ResolvedItem, Story
from gkcat.resolve.duties import Department


def field_label(name: str, extra_labels: dict[str, str]) -> str:
    """A field's Chinese name; extra.<id> is its column label from gkcat.yaml."""
    return label(name, extra_labels)


def join_value(value: object, empty: str = "（无）") -> str:
    """A value as one line of text: list items joined with ；, `empty` for nothing."""
    if isinstance(value, (list, tuple)):
        return "；".join(str(v) for v in value) if value else empty
    if isinstance(value, dict):
        return "；".join(f"{k}={v}" for k, v in value.items()) or empty
    return str(value) if value else empty


def levels_text(levels: object) -> str:
    """公开层级 as words: 县级、乡级."""
    return "、".join(LEVEL_ZH.get(str(x), str(x)) for x in levels) if isinstance(levels, (list, tuple)) else str(levels)


def heading(loc: Locality) -> str:
    return f"{loc.name}（{loc.path}，{LEVEL_ZH[loc.level]}）"


def catalog_text(cat: ResolvedCatalog) -> list[str]:
    items = cat.items
    out = [f"== {cat.domain.name}（{cat.domain.id}）：{len(items)} 项 =="]
    group = None
    for item in items:
        v = item.entry.values
        if v.level1 != group:
            group = v.level1
            out.append(f"【{group}】")
        out.append(f"  {item.id}  {v.level2 or '—'}")
        out += [f"    {line}" for line in field_lines(item, cat.extra_labels)]
    if cat.excluded:
        out.append("  不适用事项：")
        out += [f"    {x.id}（{x.locality.name}）：{x.reason}  [{x.step.file}:{x.step.line}]" for x in cat.excluded]
    if cat.withheld:
        out.append("  负面清单：")
        out += [f"    {w.id} {w.title}：{w.reason}（依据：{join_value(w.basis)}）" for w in cat.withheld]
    return out


# Shown in an item's heading (一级事项 as its group, 二级事项 beside its id), not as lines of their own.
_IN_HEADING = ("level1", "level2")


def field_lines(item: ResolvedItem, extra_labels: dict[str, str]) -> list[str]:
    """An item's fields as `label：value` lines, in registry order: a field added to the registry shows here too.
    An empty list field that is optional (links) is left out; extra fields follow, by their gkcat.yaml labels."""
    out = []
    for spec in FIELDS:
        if spec.id in _IN_HEADING:
            continue
        if spec.id == "extra":
            out += [f"{extra_labels.get(k, k)}：{value}" for k, value in sorted(item.entry.values.extras.items())]
            continue
        value = item.value(spec.id)
        if spec.many and not value and spec.empty is None and spec.id != "subject":
            continue
        out.append(f"{spec.short}：{levels_text(value) if spec.id == 'levels' else join_value(value)}")
    return out


def show_text(loc: Locality, catalogs: list[ResolvedCatalog]) -> str:
    out = [heading(loc)]
    for cat in catalogs:
        out.append("")
        out += catalog_text(cat)
    return "\n".join(out)


def story_text(story: Story) -> str:
    item = story.item
    v = item.entry.values
    where = "" if item.here else f"（本级不公开，只传给下级：公开层级为 {levels_text(v.levels)}）"
    out = [f"{heading(story.locality)} · {story.domain.name} · {item.id}（{v.level1} / {v.level2}）{where}",
           f"  定义于 {item.entry.origin.file}:{item.entry.origin.line}"]
    for f in story.fields:
        label = field_label(f.name, story.extra_labels)
        show = levels_text if f.name == "levels" else join_value
        shown = show(f.value)
        out.append(f"{f.name}（{label}）：{shown}")
        if not f.steps:
            out.append("    （未设置，无默认值）")
        for step in f.steps:
            out.append(f"    {step.file}:{step.line}  {step.action}：{show(step.value())}")
        for role, name, owner in f.roles:
            out.append(f"    {owner.path}/locality.yaml:{owner.doc.pos(('departments', role))[0] if owner.doc else 1}"
                       f"  角色 {role} → {name}")
    return "\n".join(out)


def summary_text(title: str, rows: list[tuple[Locality, list[ResolvedCatalog]]]) -> str:
    """The locality tree with how many items each publishes per domain: a disclosure map in text."""
    out = [title]
    total = 0
    for loc, cats in rows:
        count = sum(len(c.items) for c in cats)
        total += count
        empty = [c.domain.name for c in cats if not c.items]
        gap = f"；无事项的领域：{'、'.join(empty)}" if empty else ""
        out.append(f"{'  ' * loc.depth}{loc.name}（{loc.path}，{LEVEL_ZH[loc.level]}）：{len(cats)} 个领域，{count} 项{gap}")
    out.append(f"共 {len(rows)} 个地区，{total} 项公开事项。")
    return "\n".join(out)


def department_heading(dept: Department) -> str:
    """A department as duty lists name it: its name and the roles it fills, or that it is written by name."""
    roles = f"角色：{'、'.join(dept.roles)}" if dept.roles else "按名称填写的公开主体"
    return f"{dept.name}（{roles}）"


def duties_text(loc: Locality, dept: Department) -> str:
    """A department's duty list: what it publishes at the locality, by domain."""
    out = [heading(loc), f"{department_heading(dept)}：本级公开事项 {len(dept.duties)} 项"]
    domain = None
    for duty in dept.duties:
        v = duty.item.entry.values
        if duty.domain.id != domain:
            domain = duty.domain.id
            out += ["", f"== {duty.domain.name}（{duty.domain.id}）=="]
        out.append(f"  {duty.item.id}  {v.level1} / {v.level2 or '—'}")
        # a duty list says how fast, where and at which levels: those fields, under the registry's names
        out += [f"    {BY_ID[name].short}：{levels_text(v.levels) if name == 'levels' else join_value(v.get(name))}"
                for name in ("deadline", "channels", "levels")]
    if not dept.duties:
        out.append("（本级目录中暂无由该部门公开的事项）")
    return "\n".join(out)
