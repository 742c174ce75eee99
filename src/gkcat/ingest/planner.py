"""`gkcat import`: a standard table becomes a domain file — a base file at the top locality, below it
the smallest overlay against the parent's resolved catalog. Pure: returns file texts and a report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gkcat.ingest.table_reader import RawItem, ReadTable, norm
from gkcat.model.fields import FIELDS
from gkcat.model.files import DomainDef
from gkcat.model.project import Locality, Project
from gkcat.model.vocabulary import LEVEL_ZH, LEVELS
from gkcat.resolve.catalog import levels_from
from gkcat.resolve.resolver import Entry, Resolver, resolve_subject

MISSING_REASON = "待补充：导入时缺少此事项"
KNOWN_EXTRAS = {"咨询电话": "phone", "联系电话": "phone", "五公开": "five-public", "责任科室": "office",
                "责任单位": "office", "备注": "note", "监督电话": "complaint-phone",
                "说明": "remark", "三级事项": "level3", "一级目录": "directory"}


@dataclass
class Plan:
    """What an import writes (project-relative path -> the domain file's data) and what it tells the user."""

    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    new_extras: dict[str, str] = field(default_factory=dict)  # label -> id, to add to gkcat.yaml
    report: list[str] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)  # local ids given so far: numbered across the import's domains


def guess_domain(project: Project, *texts: str) -> DomainDef | None:
    """The domain whose name the title (or sheet name) mentions; the longest name wins (社会救助 over 救助)."""
    found = [d for d in project.domains if any(norm(d.name) in norm(t) for t in texts if t)]
    return max(found, key=lambda d: len(d.name)) if found else None


def extra_ids(project: Project, labels: list[str], plan: Plan) -> dict[str, str]:
    """Column label -> extra field id: the project's, else a new one recorded in the plan."""
    known = {label: fid for fid, label in project.extra_labels.items()}
    taken = set(known.values()) | set(plan.new_extras.values())
    out = {}
    for label in labels:
        if label in known:
            out[label] = known[label]
            continue
        if label in plan.new_extras:
            out[label] = plan.new_extras[label]
            continue
        base = KNOWN_EXTRAS.get(label, "extra")
        fid, n = base, 1
        while fid in taken:
            n += 1
            fid = f"{base}-{n}"
        taken.add(fid)
        plan.new_extras[label] = out[label] = fid
    return out


def roles_by_name(loc: Locality) -> dict[str, str]:
    """Department name -> the one role naming it at `loc` (a name two roles share stays a name)."""
    by_name: dict[str, list[str]] = {}
    for role, (name, _) in sorted(loc.roles.items()):
        by_name.setdefault(name, []).append(role)
    return {name: roles[0] for name, roles in by_name.items() if len(roles) == 1}


class _Values:
    """An imported row as domain-file values, with subjects turned into roles where they match."""

    def __init__(self, project: Project, domain: DomainDef, loc: Locality, extras: dict[str, str], table: ReadTable):
        self.loc, self.extras, self.has_levels, self.table = loc, extras, table.has_levels, table
        # levels an item may have here (GK305): the project's that the domain reaches
        self.allowed = [lv for lv in project.config.levels if lv in domain.levels]
        self.roles = roles_by_name(loc)

    def of(self, raw: RawItem) -> dict[str, Any] | None:
        """The row's values; None (the row named in table.dropped) when no level of it can be kept."""
        v: dict[str, Any] = {}
        for spec in FIELDS:  # levels, links and extra below
            value = getattr(raw, spec.id)
            if spec.id == "subject":
                value = [self.roles.get(s, s) for s in value]
            # every item states what the national table always has (its 事项, content, basis, subject, channels)
            if spec.kind not in ("levels", "links", "extra") and (value or spec.required or spec.kind == "texts"):
                v[spec.id] = value
        if self.has_levels and raw.levels:
            kept = [lv for lv in LEVELS if lv in raw.levels and lv in self.allowed]
            gone = [LEVEL_ZH.get(lv, lv) for lv in LEVELS if lv in raw.levels and lv not in self.allowed]
            where = self.table.grid.ref(raw.row, self.table.level_column)
            if not kept:
                self.table.dropped.append(f"{where}：只在{'、'.join(gone)}公开，不在本项目的层级（{'、'.join(self.allowed)}）之内，"
                                          "这一行未导入")
                return None
            if gone:
                self.table.notes.append(f"{where}：公开层级{'、'.join(gone)}不在本项目或本领域的层级之内，已去掉")
            v["levels"] = kept
        if raw.links:
            v["links"] = raw.links
        extra = {self.extras[k]: val for k, val in raw.extra.items() if val}
        if extra:
            v["extra"] = extra
        return v


def _short(domain_id: str) -> str:
    return "".join(part[0] for part in domain_id.split("-") if part)


def base_file(project: Project, domain: DomainDef, loc: Locality, table: ReadTable, extras: dict[str, str],
              withheld: list[dict[str, Any]]) -> dict[str, Any]:
    """The top locality's full catalog, ids numbered in table order."""
    values = _Values(project, domain, loc, extras, table)
    items: list[dict[str, Any]] = []
    for raw in table.items:
        v = values.of(raw)
        if v is None:
            continue
        if v.get("levels") == list(domain.levels):
            del v["levels"]
        items.append({"id": f"{_short(domain.id)}-{len(items) + 1:02d}", **v})
    data: dict[str, Any] = {"domain": domain.id, "items": items}
    if withheld:
        data["withheld"] = withheld
    return data


def local_id(loc: Locality, taken: set[str], start: int = 1) -> str:
    """A new local item's id, `<folder>-NN`, not in `taken` (which then holds it)."""
    n = start
    while f"{loc.path.rsplit('/', 1)[-1]}-{n:02d}" in taken:
        n += 1
    item_id = f"{loc.path.rsplit('/', 1)[-1]}-{n:02d}"
    taken.add(item_id)
    return item_id


def _listed(entry: Entry, below: list[str]) -> bool:
    return bool(set(entry.levels) & set(below))


def overlay_file(project: Project, resolver: Resolver, domain: DomainDef, loc: Locality, table: ReadTable,
                 extras: dict[str, str], reasons: dict[tuple[str, str], str], withheld: list[dict[str, Any]],
                 report: list[str], given: set[str] | None = None) -> dict[str, Any]:
    """The smallest overlay turning the parent's catalog into the imported table; `given`: the local ids other
    domains of the same import took (a locality's new items are numbered once across its domains)."""
    assert loc.parent is not None
    below = levels_from(project, loc)
    parent = [e for e in resolver.state(loc.parent, domain).entries if _listed(e, below)]
    waiting: dict[tuple[str, str], list[Entry]] = {}
    for e in parent:
        waiting.setdefault((norm(e.values.level1), norm(e.values.level2)), []).append(e)
    values = _Values(project, domain, loc, extras, table)
    override: dict[str, dict[str, Any]] = {}
    local: list[dict[str, Any]] = []
    given = given if given is not None else set()
    taken = {e.id for e in resolver.state(loc.parent, domain).entries} | {x.id for x in resolver.state(loc.parent, domain).excluded}
    taken |= given
    common = set(project.config.common_fields)
    for raw in table.items:
        match = waiting.get((norm(raw.level1), norm(raw.level2)))
        v = values.of(raw)
        if v is None:
            continue
        if match:
            entry = match.pop(0)
            patch = _patch(loc, entry, v, below, common, table, raw, report)
            if patch:
                override[entry.id] = patch
            continue
        item_id = local_id(loc, taken)
        given.add(item_id)
        if "levels" in v and [lv for lv in domain.levels if lv in below] == v["levels"]:
            del v["levels"]  # the domain's levels, as a new item would get by default
        local.append({"id": item_id, **v})
        report.append(f"{table.grid.ref(raw.row, 0)}：上级目录中没有“{raw.level1} / {raw.level2}”，作为本级新增事项 {item_id}")
    matched = len(parent) - sum(len(group) for group in waiting.values())
    report.append(f"{table.grid.name}：与上级事项对应 {matched} 项，其中 {len(override)} 项有不同（写作修改），"
                  f"本级新增 {len(local)} 项")
    left = {id(e) for group in waiting.values() for e in group}
    exclude = [{"id": e.id, "reason": reasons.get((norm(e.values.level1), norm(e.values.level2)), MISSING_REASON)}
               for e in parent if id(e) in left]  # in the parent's order
    for x in exclude:
        if x["reason"] == MISSING_REASON:
            report.append(f"上级事项 {x['id']} 不在表中：已排除，理由写作“{MISSING_REASON}”，请核实后修改")
    data: dict[str, Any] = {"domain": domain.id}
    if exclude:
        data["exclude"] = exclude
    if override:
        data["override"] = override
    if local:
        data["items"] = local
    if withheld:
        data["withheld"] = withheld
    return data


def _patch(loc: Locality, entry: Entry, v: dict[str, Any], below: list[str], common: set[str], table: ReadTable,
           raw: RawItem, report: list[str]) -> dict[str, Any]:
    """Only the fields that differ from the parent's entry, as this locality would see them."""
    patch: dict[str, Any] = {}
    old = entry.values
    for name, value in v.items():
        if name == "subject":
            if resolve_subject(loc, tuple(value)) == resolve_subject(loc, old.subject):
                continue
        elif name == "levels":
            keep = [lv for lv in old.levels if lv not in below]
            value = keep + value
            if value == list(old.levels):
                continue
        elif name == "extra":
            changed = {k: x for k, x in value.items() if old.extras.get(k) != x}
            if changed:
                patch["extra"] = changed
            continue
        elif (list(old.get(name)) if isinstance(old.get(name), tuple) else old.get(name)) == value:
            continue
        if name in common:
            report.append(f"{table.grid.ref(raw.row, 0)}：“{name}”是共性要素，与上级不同，未导入（{entry.id}）")
            continue
        patch[name] = value
    return patch
