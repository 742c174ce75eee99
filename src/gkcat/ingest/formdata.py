"""A returned form's plan (what it writes, reports and refuses), and the edit of one of the locality's
domain files it makes. Pure: the data of the files, never the files.

A change goes where the format puts it: into the item itself for the locality's own items, else into
`override` (and out again when it equals the parent's value), `exclude` for 本级适用 = 否, and `items`
for a new row; each with the cell it came from, so that a check of the result names the form's cell.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gkcat.ingest.planner import local_id, roles_by_name
from gkcat.model.fields import BY_ID, extra_key
from gkcat.model.files import DomainDef
from gkcat.model.form import APPLIES, REASON, FormRow, ParsedRow
from gkcat.model.project import Locality, Project
from gkcat.model.vocabulary import LEVELS, channel_base
from gkcat.resolve.catalog import levels_from, parent_entries
from gkcat.resolve.form import SourceRow, form_row
from gkcat.resolve.resolver import Entry, Resolver
from gkcat.source.yamldoc import Path_, format_path

_REQUIRED = {"level1": "一级事项", "audience": "公开对象", "method": "公开方式"}


@dataclass(frozen=True)
class Conflict:
    """A cell both the unit and the catalog changed since the form was made, differently."""

    where: str  # the cell
    item: str  # "ywjy-03（学区划分）"
    label: str  # the column's header
    made: str  # the three values as cell text
    now: str
    unit: str
    taken: bool  # --conflicts take wrote the unit's value

    def line(self, dry_run: bool = False) -> str:
        if self.taken:
            outcome = "将按填报写入" if dry_run else "已按填报写入"
        else:
            outcome = ("将保留目录现在的值" if dry_run else "保留目录现在的值，未写入") + \
                "（与单位核实后，要写入填报的值，请加 --conflicts take 再导入这份填报表）"
        return (f"{self.where}：冲突：事项 {self.item} 的“{self.label}”制表时为“{self.made}”，现在为“{self.now}”，"
                f"填报为“{self.unit}”：{outcome}")


@dataclass
class FormPlan:
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # rel -> new data, only files that change
    origins: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # rel -> [(data path, cell)]
    report: list[str] = field(default_factory=list)
    unapplied: list[str] = field(default_factory=list)  # edits of the unit not written, each with its cell
    problems: list[str] = field(default_factory=list)  # cells that refuse the import
    conflicts: list[Conflict] = field(default_factory=list)
    applied: int = 0  # cells of the unit written (a new row counts once)
    present: int = 0  # cells of the unit already as the unit has them in the catalog (an earlier import wrote them)
    answers: dict[str, str] = field(default_factory=dict)  # "domain/id" -> the unit's row (FormRow.text) it changed
    cells: set[tuple[str, str, str, str]] = field(default_factory=set)  # (locality, domain, id, field) written

    @property
    def complete(self) -> bool:
        """Every edit of the form is in the catalog afterwards (nothing refused, unapplied or kept in a conflict)."""
        return not self.problems and not self.unapplied and all(c.taken for c in self.conflicts)


class OverlayEdit:
    """One domain file of the locality, as data being changed by a returned form."""

    def __init__(self, project: Project, resolver: Resolver, loc: Locality, domain: DomainDef, plan: FormPlan,
                 label: Callable[[str], str]):
        self.project, self.loc, self.domain, self.plan, self.label = project, loc, domain, plan, label
        self.below = levels_from(project, loc)
        self.parents = parent_entries(resolver, loc, domain)
        self.rel = f"{loc.path}/{domain.id}.yaml"
        src = loc.files.get(domain.id)
        self.old: dict[str, Any] = copy.deepcopy(src.doc.data) if src is not None else {"domain": domain.id}
        self.data = copy.deepcopy(self.old)
        self.where: list[tuple[tuple[str, str, str], str]] = []  # ((part, id, field), cell)
        self.roles = roles_by_name(loc)
        self.channel_order = {c: i for i, c in enumerate(project.config.channels)}

    def exclusion(self, src: SourceRow, parsed: ParsedRow) -> bool:
        """Apply a change of 本级适用 or its reason; True when nothing else of the row is to be applied."""
        excludes: list[dict[str, Any]] = self._list("exclude")
        found = next((x for x in excludes if isinstance(x, dict) and x.get("id") == src.id), None)
        self._written(src, "applies")
        if parsed.row.applies:
            if found is not None:
                excludes.remove(found)
                self.plan.report.append(f"{parsed.where['applies']}：恢复事项 {src.id}（{src.row.level2}），不再排除")
            elif parsed.row.reason:
                self.plan.report.append(f"{parsed.where['reason']}：“{REASON}”只在“{APPLIES}”为“否”时有效，已忽略")
            return False
        if not parsed.row.reason:
            self.plan.problems.append(f"{parsed.where['reason']}：事项 {src.id} 在“{APPLIES}”中填了“否”，"
                                      "请写明不适用的理由（理由会公开发布）")
            return True
        if found is None:
            found = {"id": src.id, "reason": parsed.row.reason}
            excludes.append(found)
        found["reason"] = parsed.row.reason
        self.where.append((("exclude", src.id, "reason"), parsed.where["reason"]))
        override = self.data.get("override") or {}
        if src.id in override:
            del override[src.id]
            self.plan.report.append(f"{parsed.where['applies']}：事项 {src.id} 排除后，它在本级的修改（override）已删去")
        return True

    def _written(self, src: SourceRow, name: str) -> None:
        self.plan.applied += 1
        self.plan.cells.add((self.loc.path, self.domain.id, src.id, name))

    def put_field(self, src: SourceRow, name: str, parsed: ParsedRow) -> None:
        """The unit's value of one field of an existing item, where the format puts it."""
        value = self._file_value(name, parsed.row, src.entry)
        if value is None:
            self.plan.problems.append(f"{parsed.where[name]}：“{self.label(name)}”不能为空")
            return
        self._written(src, name)
        key = extra_key(name)
        if src.own:
            item = next((x for x in self._list("items") if isinstance(x, dict) and x.get("id") == src.id), None)
            if item is None:  # the resolver found it in this file: only a file changed meanwhile gets here
                self.plan.problems.append(f"{parsed.where[name]}：在 {self.rel} 中找不到事项 {src.id}")
                return
            if key is not None and not value:
                _drop(item, name, key)  # an extra field emptied in an item of its own: gone
            else:
                _put(item, name, key, value)
            self.where.append((("items", src.id, name), parsed.where[name]))
            return
        parent = self.parents.get(src.id)
        override = self.data.get("override")
        if not isinstance(override, dict):
            override = self.data["override"] = {}
        patch = override.setdefault(src.id, {})
        if parent is not None and parsed.row.get(name) == form_row(self.loc, self.below, parent).get(name):
            _drop(patch, name, key)  # back to the parent's value: no override needed
        else:
            _put(patch, name, key, value)
            self.where.append((("override", src.id, name), parsed.where[name]))
        if not patch:
            del override[src.id]

    def _file_value(self, name: str, row: FormRow, entry: Entry | None) -> Any:
        """A field as the domain file writes it; None when it may not be empty."""
        value = row.get(name)
        if name in _REQUIRED and not value:
            return None
        if name == "subject":
            return [self.roles.get(s, s) for s in row.subject]
        if name == "channels":
            return sorted(row.channels, key=lambda c: self.channel_order.get(channel_base(c), len(self.channel_order)))
        if name == "levels":
            above = [lv for lv in (entry.values.levels if entry else ()) if lv not in self.below]
            levels = [lv for lv in LEVELS if lv in above or lv in row.levels]
            return levels or None
        if isinstance(value, tuple):
            return list(value)
        return value

    def add(self, row: FormRow, where: dict[str, str], ref: str, taken: set[str]) -> str:
        """A new local item from a row of empty 标识: numbered across the locality, defaults not spelled out."""
        item_id = local_id(self.loc, taken)
        item: dict[str, Any] = {"id": item_id}
        defaults = self.project.config.defaults
        for name in [f.id for f in BY_ID.values() if f.id != "extra"]:
            value = self._file_value(name, row, None)
            if value and value != getattr(defaults, name, None):  # a default is not spelled out again
                item[name] = value
        if item.get("levels") == [lv for lv in self.domain.levels if lv in self.below]:
            del item["levels"]  # the domain's levels, as a new item gets by default
        extra = dict(row.extra)
        if extra:
            item["extra"] = extra
        self._list("items").append(item)
        self.where += [(("items", item_id, ""), ref)]
        self.where += [(("items", item_id, f), cell) for f, cell in where.items()]
        self.plan.applied += 1
        return item_id

    def _list(self, key: str) -> list[Any]:
        found = self.data.get(key)
        if not isinstance(found, list):
            found = self.data[key] = []
        return found

    def finish(self) -> None:
        """The file's new data into the plan, with the cell each change came from; nothing when nothing changed."""
        for key in ("exclude", "override", "items"):
            if key in self.data and not self.data[key] and (self.old.get(key) or key not in self.old):
                del self.data[key]  # emptied here, or made here and left empty
        if self.data == self.old:
            return
        self.plan.files[self.rel] = self.data
        self.plan.origins[self.rel] = [(format_path(self._path(part, item_id, name)), cell)
                                       for (part, item_id, name), cell in self.where]

    def _path(self, part: str, item_id: str, name: str) -> Path_:
        tail: Path_ = tuple(x for x in ("extra", extra_key(name)) if x) if extra_key(name) else ((name,) if name else ())
        if part == "override":
            return ("override", item_id, *tail)
        entries = self.data.get(part) or []
        index = next((i for i, x in enumerate(entries) if isinstance(x, dict) and x.get("id") == item_id), 0)
        return (part, index, *tail)


def _put(target: dict[str, Any], name: str, key: str | None, value: Any) -> None:
    if key is None:
        target[name] = value
        return
    extra = target.get("extra")
    if not isinstance(extra, dict):
        extra = target["extra"] = {}
    extra[key] = value


def _drop(target: dict[str, Any], name: str, key: str | None) -> None:
    if key is None:
        target.pop(name, None)
        return
    extra = target.get("extra")
    if isinstance(extra, dict):
        extra.pop(key, None)
        if not extra:
            del target["extra"]
