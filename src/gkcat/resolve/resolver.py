"""Inheritance (format.md section 7): what each locality publishes, and where each value came from.

Resolution runs per domain from the top down. A locality without a file for a domain shares its
parent's entry list (the same object), so a province of 1,500 towns costs little more than the
files it actually has. Every field of every entry keeps its history of `Step`s (file and data
path): `gkcat explain` prints it, and diagnostics find their line from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from gkcat.check.values import ValueChecker
from gkcat.diagnostics.diagnostic import Diagnostic, did_you_mean
from gkcat.model.files import ITEM_FIELDS, DomainDef, DomainFile, Item, ItemDefaults
from gkcat.model.project import DomainSource, Locality, Project
from gkcat.resolve.provenance import Step
from gkcat.source.yamldoc import Path_, SourceDoc

LIST_FIELDS = ("content", "basis", "subject", "channels", "levels", "links")


@dataclass(frozen=True, eq=False)
class Entry:
    """An item as it stands at some level: its values and the history of each field."""

    id: str
    values: dict[str, Any]  # every item field; lists as tuples, extra as a dict
    history: dict[str, tuple[Step, ...]]  # field (or "extra.<key>") -> steps, top first
    origin: Step  # where the item was defined
    owner: str  # path of the locality whose file defined it

    @property
    def levels(self) -> tuple[str, ...]:
        return self.values["levels"]


@dataclass(frozen=True)
class Exclusion:
    id: str
    reason: str
    locality: Locality
    step: Step
    entry: Entry  # the item as it stood before it was excluded


@dataclass(frozen=True)
class WithheldEntry:
    id: str
    title: str
    reason: str
    basis: tuple[str, ...]
    locality: Locality
    step: Step


@dataclass
class DomainState:
    """A domain at one locality: everything it publishes or passes down."""

    entries: list[Entry]
    excluded: list[Exclusion]
    withheld: list[WithheldEntry]
    # Ids that a file here or above dropped for errors; None: unknown, skip "not upstream" checks.
    uncertain: frozenset[str] | None = frozenset()


@dataclass
class Resolver:
    """Resolves domains locality by locality, memoised; `diagnostics` collects what it found."""

    project: Project
    diagnostics: list[Diagnostic] = field(default_factory=list)
    _states: dict[tuple[str, str], DomainState] = field(default_factory=dict)
    _published: dict[tuple[int, str], list[Entry]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.checker = ValueChecker(self.project, self.diagnostics)

    def state(self, loc: Locality, domain: DomainDef) -> DomainState:
        key = (loc.path, domain.id)
        found = self._states.get(key)
        if found is None:
            parent = self.state(loc.parent, domain) if loc.parent else DomainState([], [], [])
            src = loc.files.get(domain.id)
            if src is None:
                found = parent
            elif src.model is None:
                found = replace(parent, uncertain=None)
            else:
                found = _Apply(self, loc, domain, src, parent).run()
            self._states[key] = found
        return found

    def published(self, loc: Locality, domain: DomainDef) -> list[Entry]:
        """Entries the locality itself publishes (format.md section 7, step 3)."""
        if not self.project.reaches(domain, loc):
            return []
        entries = self.state(loc, domain).entries
        key = (id(entries), loc.level)
        found = self._published.get(key)
        if found is None:
            found = self._published[key] = [e for e in entries if loc.level in e.levels]
        return found


class _Apply:
    """Applies one locality's file for one domain to its parent's state."""

    def __init__(self, resolver: Resolver, loc: Locality, domain: DomainDef, src: DomainSource, parent: DomainState):
        self.r, self.loc, self.domain, self.src, self.parent = resolver, loc, domain, src, parent
        self.doc = src.doc
        self.model: DomainFile = src.model  # type: ignore[assignment]
        self.diags = resolver.diagnostics
        self.common = set(resolver.project.config.common_fields)

    def run(self) -> DomainState:
        # NOTE: the order is the contract's: exclude, then override, then local items.
        entries = {e.id: e for e in self.parent.entries}
        excluded = list(self.parent.excluded) + self._exclude(entries)
        self._override(entries, {x.id for x in excluded[len(self.parent.excluded):]})
        order = [e for e in self.parent.entries if e.id in entries]
        order = [entries[e.id] for e in order] + self._items(entries, excluded)
        up, here = self.parent.uncertain, self.src.dropped
        uncertain = None if up is None or here is None else up | here
        return DomainState(_grouped(order), excluded, self._withheld(), uncertain)

    def _unknown(self, path: Path_, item_id: str, what: str) -> None:
        if self.parent.uncertain is None or item_id in self.parent.uncertain:
            return
        gone = next((x for x in self.parent.excluded if x.id == item_id), None)
        if gone is not None:
            msg = f"{what}的事项“{item_id}”已被{gone.locality.name}排除（{gone.step.file}:{gone.step.line}），无法再{what}"
        else:
            ids = [e.id for e in self.parent.entries]
            msg = f"上级目录中没有事项“{item_id}”{did_you_mean(item_id, ids)}"
        self.diags.append(self.doc.diag(path, "GK302", msg, key=what == "修改"))

    def _exclude(self, entries: dict[str, Entry]) -> list[Exclusion]:
        out: list[Exclusion] = []
        seen: set[str] = set()  # a set, not a scan of `out`: files of 60k entries exist
        for i, ex in enumerate(self.model.exclude):
            path = ("exclude", i, "id")
            if ex.id in seen:
                self.diags.append(self.doc.diag(path, "GK301", f"事项“{ex.id}”重复排除"))
            elif ex.id not in entries:
                self._unknown(path, ex.id, "排除")
            else:
                step = Step(self.doc, ("exclude", i), "排除")
                seen.add(ex.id)
                out.append(Exclusion(ex.id, ex.reason, self.loc, step, entries.pop(ex.id)))
        return out

    def _override(self, entries: dict[str, Entry], excluded_here: set[str]) -> None:
        for item_id, patch in self.model.override.items():
            base: Path_ = ("override", item_id)
            if item_id in excluded_here:
                self.diags.append(self.doc.diag(base, "GK312", f"事项“{item_id}”在本文件中已被排除，不能再修改", key=True))
                continue
            entry = entries.get(item_id)
            if entry is None:
                self._unknown(base, item_id, "修改")
                continue
            given = patch.model_dump(exclude_unset=True)
            for name in [n for n in given if n in self.common]:
                msg = f"“{name}”是共性要素（gkcat.yaml common_fields），下级不能修改；如确有不同，请联系上级修改"
                self.diags.append(self.doc.diag(base + (name,), "GK309", msg, key=True))
                del given[name]
            if given:
                entries[item_id] = self._patched(entry, given, base)

    def _patched(self, entry: Entry, given: dict[str, Any], base: Path_) -> Entry:
        values, history = dict(entry.values), dict(entry.history)
        for name, value in given.items():
            if name == "extra":
                values["extra"] = {**values["extra"], **(value or {})}
                for key in value or {}:
                    history[f"extra.{key}"] = history.get(f"extra.{key}", ()) + (Step(self.doc, base + ("extra", key), "修改"),)
                continue
            values[name] = tuple(value) if name in LIST_FIELDS else value
            history[name] = history.get(name, ()) + (Step(self.doc, base + (name,), "修改"),)
        self.r.checker.check(self.loc, self.domain, self.doc, base, values, given, defined=False)
        return Entry(entry.id, values, history, entry.origin, entry.owner)

    def _items(self, entries: dict[str, Entry], excluded: list[Exclusion]) -> list[Entry]:
        out: list[Entry] = []
        seen: set[str] = set()
        gone = {x.id: x for x in excluded}
        for i, item in enumerate(self.model.items):
            path: Path_ = ("items", i)
            if item.id in entries or item.id in seen:
                where = "上级目录" if item.id in entries else "本文件"
                hint = "；修改上级事项请用 override" if item.id in entries else ""
                self.diags.append(self.doc.diag(path + ("id",), "GK301", f"事项标识“{item.id}”与{where}中的事项重复{hint}"))
                continue
            if item.id in gone:
                x = gone[item.id]
                msg = f"事项标识“{item.id}”与{x.locality.name}已排除的事项相同：请换一个标识"
                self.diags.append(self.doc.diag(path + ("id",), "GK301", msg))
                continue
            seen.add(item.id)
            out.append(self._new_entry(item, path))
        return out

    def _new_entry(self, item: Item, path: Path_) -> Entry:
        given = item.model_dump(exclude_unset=True)
        values: dict[str, Any] = {}
        history: dict[str, tuple[Step, ...]] = {}
        for name in ITEM_FIELDS:
            value, step = self._value(name, given, path)
            values[name] = tuple(value) if name in LIST_FIELDS else value
            if step is not None:
                history[name] = (step,)
        for key in values["extra"]:
            history[f"extra.{key}"] = tuple(step.at(key) for step in history["extra"])
        values["extra"] = dict(values["extra"])
        self.r.checker.check(self.loc, self.domain, self.doc, path, values, given, defined=True, history=history)
        return Entry(item.id, values, history, Step(self.doc, path, "定义"), self.loc.path)

    def _value(self, name: str, given: dict[str, Any], path: Path_) -> tuple[Any, Step | None]:
        if name in given and given[name] is not None:
            return given[name], Step(self.doc, path + (name,), "定义")
        for defaults, doc in self._defaults():
            value = getattr(defaults, name, None) if name in ItemDefaults.model_fields else None
            if value is not None:
                return value, Step(doc, ("defaults", name), "默认值")
        if name == "levels":
            project = self.r.project
            assert project.domains_doc is not None
            index = project.domain_position(self.domain.id)
            return self.domain.levels, Step(project.domains_doc, (index, "levels"), "领域层级")
        if name == "extra":
            return {}, None
        return ([] if name in LIST_FIELDS else None), None

    def _defaults(self) -> list[tuple[ItemDefaults, SourceDoc]]:
        # NOTE: the file's own defaults beat gkcat.yaml's (format.md section 6).
        out = []
        if self.model.defaults is not None:
            out.append((self.model.defaults, self.doc))
        config = self.r.project.config
        if config.defaults is not None:
            out.append((config.defaults, self.r.project.config_doc))
        return out

    def _withheld(self) -> list[WithheldEntry]:
        out = list(self.parent.withheld)
        seen = {x.id for x in out}
        for i, w in enumerate(self.model.withheld):
            if w.id in seen:
                self.diags.append(self.doc.diag(("withheld", i, "id"), "GK301", f"负面清单标识“{w.id}”重复"))
                continue
            seen.add(w.id)
            out.append(WithheldEntry(w.id, w.title, w.reason, tuple(w.basis), self.loc, Step(self.doc, ("withheld", i), "定义")))
        return out


def _grouped(entries: list[Entry]) -> list[Entry]:
    """Grouped by level1 in order of first appearance; stable inside a group."""
    first: dict[str, int] = {}
    for e in entries:
        first.setdefault(e.values["level1"], len(first))
    return sorted(entries, key=lambda e: first[e.values["level1"]])


def resolve_subject(loc: Locality, subject: tuple[str, ...]) -> list[str]:
    """Role entries become the department name they resolve to at `loc`; literals stay."""
    out = []
    for s in subject:
        found = loc.roles.get(s)
        out.append(found[0] if found else s)
    return out
