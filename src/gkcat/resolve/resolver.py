"""Inheritance (format.md section 7): what each locality publishes, and where each value came from.

Resolution runs per domain from the top down. A locality without a file for a domain shares its
parent's entry list (the same object), so a province of 1,500 towns costs little more than the
files it actually has. Every field of every entry keeps its history of `Step`s (file and data
path): `gkcat explain` prints it, and diagnostics find their line from it.

Resolution is pure: it reports nothing. What a file asks for that cannot be applied (a duplicate
id, an id that is not upstream, a common field changed) is set aside by the rules here and kept
as data (`SetAside`) on the locality's state; check/ turns it into diagnostics.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Any

from gkcat.model.fields import ITEM_FIELDS, LIST_FIELDS, extra_name
from gkcat.model.files import DomainDef, DomainFile, Item, ItemDefaults, ItemPatch
from gkcat.model.project import DomainSource, Locality, Project
from gkcat.resolve.item import ItemValues
from gkcat.resolve.provenance import Step
from gkcat.source.memo import Key, Kind, Memo
from gkcat.source.yamldoc import Path_, SourceDoc


@dataclass(frozen=True, eq=False)
class Entry:
    """An item as it stands at some level: its values and the history of each field."""

    id: str
    values: ItemValues
    history: dict[str, tuple[Step, ...]]  # field (or "extra.<key>") -> steps, top first
    origin: Step  # where the item was defined
    owner: str  # path of the locality whose file defined it

    @property
    def levels(self) -> tuple[str, ...]:
        return self.values.levels


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
    reviewed: str | None = None  # YYYY-MM-DD: when it was last re-assessed


@dataclass(frozen=True)
class SetAside:
    """Something one file asks for that resolution did not apply, and why (check/ says it to the user)."""

    why: str  # one of the reasons below
    doc: SourceDoc
    path: Path_
    item_id: str
    name: str = ""  # the common field, for COMMON_FIELD
    gone: Exclusion | None = None  # who excluded the item above, for NOT_UPSTREAM


# Why something was set aside.
DUPLICATE_EXCLUDE = "duplicate-exclude"
NOT_UPSTREAM = "not-upstream"  # exclude or override of an id the parent neither publishes nor passes down
EXCLUDED_HERE = "excluded-here"  # override of an id the same file excludes
COMMON_FIELD = "common-field"  # override of a gkcat.yaml common_fields field
DUPLICATE_ITEM = "duplicate-item"  # a local item whose id is the parent's or an earlier one of the file
EXCLUDED_ID = "excluded-id"  # a local item reusing the id of an item excluded above or here
DUPLICATE_WITHHELD = "duplicate-withheld"


@dataclass
class DomainState:
    """A domain at one locality: everything it publishes or passes down."""

    entries: list[Entry]
    excluded: list[Exclusion]
    withheld: list[WithheldEntry]
    # Ids that a file here or above dropped for errors; None: unknown, skip "not upstream" checks.
    uncertain: frozenset[str] | None = frozenset()
    set_aside: tuple[SetAside, ...] = ()  # by this locality's own file only

    def exclusion(self, item_id: str) -> Exclusion | None:
        """Why an item is absent, first reason: excluded here or above (with who and why)."""
        return next((x for x in self.excluded if x.id == item_id), None)

    def entry(self, item_id: str) -> Entry | None:
        """The item as it stands here, published or only passed down (its levels say which)."""
        return next((e for e in self.entries if e.id == item_id), None)


StateKey = str
# A domain's state at a locality, by `Resolver.key`; and the entries a locality of one level publishes, by the
# key of the state whose file made its entries (`Resolver.made_key`) and the level. In the process only.
STATE: Kind[DomainState] = Kind("state")
PUBLISHED: Kind[list[Entry]] = Kind("published")


@dataclass
class Resolver:
    """Resolves domains locality by locality, through the memo (source/memo.py).

    A state is a function of the files of its locality's chain (the locality files and the domain's files,
    by content) and of gkcat.yaml and domains.yaml: `key` names exactly those. A memo handed on from an
    earlier load of the same project (gkcat serve after an edit) holds every state whose key is unchanged,
    and the resolver takes it instead of resolving again. A state taken over keeps the Locality objects of
    the load that resolved it in its exclusions, so localities are compared by path, never by identity.
    """

    project: Project
    memo: Memo = field(default_factory=Memo)
    _keys: dict[tuple[str, str], StateKey] = field(default_factory=dict)
    _states: dict[tuple[str, str], DomainState] = field(default_factory=dict)  # this load's, by place

    def key(self, loc: Locality, domain: DomainDef) -> StateKey:
        """What the state of `domain` at `loc` is made from (see the class), as a hashable value."""
        at = (loc.path, domain.id)
        found = self._keys.get(at)
        if found is None:
            if loc.parent is not None:
                above = self.key(loc.parent, domain)
            else:
                p = self.project
                above = f"{p.config_doc.digest} {p.domains_doc.digest if p.domains_doc else '-'} {domain.id}"
            src = loc.files.get(domain.id)
            # a short digest of the chain's files from the top down: fingerprints hash it again, per output
            chain = f"{above}\n{loc.path} {loc.doc.digest if loc.doc else '-'} {src.doc.digest if src else '-'}"
            found = self._keys[at] = hashlib.blake2b(chain.encode(), digest_size=20).hexdigest()
        return found

    def made_key(self, loc: Locality, domain: DomainDef) -> StateKey:
        """The key of the state whose file made the entries of `domain` at `loc`: a locality without a usable
        file for it has its parent's entries, the very same list."""
        src = loc.files.get(domain.id)
        if (src is None or src.model is None) and loc.parent is not None:
            return self.made_key(loc.parent, domain)
        return self.key(loc, domain)

    def state(self, loc: Locality, domain: DomainDef) -> DomainState:
        at = (loc.path, domain.id)
        found = self._states.get(at)
        if found is None:
            key = Key(STATE, self.key(loc, domain))
            found = self.memo.get(key)
            if found is None:
                found = self.memo.keep(key, self._resolve(loc, domain))
            elif loc.parent is not None:
                # the state it was resolved from, taken too: a state's unchanged entries are its parent's very
                # objects (spread compares them by identity), so the two must pass from load to load together
                self.state(loc.parent, domain)
            self._states[at] = found
        return found

    def _resolve(self, loc: Locality, domain: DomainDef) -> DomainState:
        parent = self.state(loc.parent, domain) if loc.parent else DomainState([], [], [])
        src = loc.files.get(domain.id)
        if src is None:
            return parent
        if src.model is None:
            return replace(parent, uncertain=None, set_aside=())
        return _Apply(self, loc, domain, src, parent).run()

    def published(self, loc: Locality, domain: DomainDef) -> list[Entry]:
        """Entries the locality itself publishes (format.md section 7, step 3)."""
        if not self.project.reaches(domain, loc):
            return []
        return self.memo.make(Key(PUBLISHED, f"{self.made_key(loc, domain)} {loc.level}"),
                              lambda: [e for e in self.state(loc, domain).entries if loc.level in e.levels])


class _Apply:
    """Applies one locality's file for one domain to its parent's state."""

    def __init__(self, resolver: Resolver, loc: Locality, domain: DomainDef, src: DomainSource, parent: DomainState):
        self.r, self.loc, self.domain, self.src, self.parent = resolver, loc, domain, src, parent
        self.doc = src.doc
        assert src.model is not None  # the resolver applies only files that fit their model
        self.model: DomainFile = src.model
        self.aside: list[SetAside] = []
        self.common = set(resolver.project.config.common_fields)
        self._fallback: dict[str, tuple[Any, Step | None]] | None = None

    def run(self) -> DomainState:
        # NOTE: the order is the contract's: exclude, then override, then local items.
        entries = {e.id: e for e in self.parent.entries}
        excluded = list(self.parent.excluded) + self._exclude(entries)
        self._override(entries, {x.id for x in excluded[len(self.parent.excluded):]})
        order = [e for e in self.parent.entries if e.id in entries]
        order = [entries[e.id] for e in order] + self._items(entries, excluded)
        up, here = self.parent.uncertain, self.src.dropped
        uncertain = None if up is None or here is None else up | here
        withheld = self._withheld()
        return DomainState(_grouped(order), excluded, withheld, uncertain, tuple(self.aside))

    def _set_aside(self, why: str, path: Path_, item_id: str, **more: Any) -> None:
        self.aside.append(SetAside(why, self.doc, path, item_id, **more))

    def _unknown(self, path: Path_, item_id: str) -> None:
        # an id that a file above dropped for its own errors is not this file's mistake
        if self.parent.uncertain is None or item_id in self.parent.uncertain:
            return
        self._set_aside(NOT_UPSTREAM, path, item_id, gone=self.parent.exclusion(item_id))

    def _exclude(self, entries: dict[str, Entry]) -> list[Exclusion]:
        out: list[Exclusion] = []
        seen: set[str] = set()  # a set, not a scan of `out`: files of 60k entries exist
        for i, ex in enumerate(self.model.exclude):
            path = ("exclude", i, "id")
            if ex.id in seen:
                self._set_aside(DUPLICATE_EXCLUDE, path, ex.id)
            elif ex.id not in entries:
                self._unknown(path, ex.id)
            else:
                step = Step(self.doc, ("exclude", i), "排除")
                seen.add(ex.id)
                out.append(Exclusion(ex.id, ex.reason, self.loc, step, entries.pop(ex.id)))
        return out

    def _override(self, entries: dict[str, Entry], excluded_here: set[str]) -> None:
        for item_id, patch in self.model.override.items():
            base: Path_ = ("override", item_id)
            if item_id in excluded_here:
                self._set_aside(EXCLUDED_HERE, base, item_id)
                continue
            entry = entries.get(item_id)
            if entry is None:
                self._unknown(base, item_id)
                continue
            given = patch_values(patch, self.common)
            for name in [n for n in given_fields(patch) if n in self.common]:  # in field order
                self._set_aside(COMMON_FIELD, base + (name,), item_id, name=name)
            if given:
                entries[item_id] = self._patched(entry, given, base)

    def _patched(self, entry: Entry, given: dict[str, Any], base: Path_) -> Entry:
        history = dict(entry.history)
        for name, value in given.items():
            if name == "extra":
                for key in value or {}:
                    history[extra_name(key)] = history.get(extra_name(key), ()) + (Step(self.doc, base + ("extra", key), "修改"),)
                continue
            history[name] = history.get(name, ()) + (Step(self.doc, base + (name,), "修改"),)
        return Entry(entry.id, entry.values.patched(given), history, entry.origin, entry.owner)

    def _items(self, entries: dict[str, Entry], excluded: list[Exclusion]) -> list[Entry]:
        out: list[Entry] = []
        seen: set[str] = set()
        gone = {x.id: x for x in excluded}
        for i, item in enumerate(self.model.items):
            path: Path_ = ("items", i)
            if item.id in entries or item.id in seen:
                self._set_aside(DUPLICATE_ITEM, path + ("id",), item.id)
                continue
            if item.id in gone:
                self._set_aside(EXCLUDED_ID, path + ("id",), item.id, gone=gone[item.id])
                continue
            seen.add(item.id)
            out.append(self._new_entry(item, path))
        return out

    def _new_entry(self, item: Item, path: Path_) -> Entry:
        given = given_fields(item)
        fallback = self._fallbacks()
        values: dict[str, Any] = {}
        history: dict[str, tuple[Step, ...]] = {}
        for name in ITEM_FIELDS:
            value = given.get(name)
            if value is not None:
                values[name] = value
                history[name] = (Step(self.doc, path + (name,), "定义"),)
                continue
            value, step = fallback[name]
            values[name] = value
            if step is not None:
                history[name] = (step,)
        for key in values["extra"]:
            history[extra_name(key)] = tuple(step.at(key) for step in history["extra"])
        return Entry(item.id, ItemValues.of(values), history, Step(self.doc, path, "定义"), self.loc.path)

    def _fallbacks(self) -> dict[str, tuple[Any, Step | None]]:
        """What an item of this file gets for a field it leaves out, and from where; worked out once per file.

        NOTE: the file's own defaults beat gkcat.yaml's (format.md section 6); then the domain's levels.
        """
        if self._fallback is not None:
            return self._fallback
        sources = []
        if self.model.defaults is not None:
            sources.append((self.model.defaults, self.doc))
        config = self.r.project.config
        if config.defaults is not None:
            sources.append((config.defaults, self.r.project.config_doc))
        out: dict[str, tuple[Any, Step | None]] = {}
        for name in ITEM_FIELDS:
            found = next(((getattr(d, name), Step(doc, ("defaults", name), "默认值")) for d, doc in sources
                          if name in _DEFAULTABLE and getattr(d, name) is not None), None)
            if found is None and name == "levels":
                project = self.r.project
                assert project.domains_doc is not None
                index = project.domain_position(self.domain.id)
                found = (self.domain.levels, Step(project.domains_doc, (index, "levels"), "领域层级"))
            out[name] = found or ({} if name == "extra" else [] if name in LIST_FIELDS else None, None)
        self._fallback = out
        return out

    def _withheld(self) -> list[WithheldEntry]:
        out = list(self.parent.withheld)
        seen = {x.id for x in out}
        for i, w in enumerate(self.model.withheld):
            if w.id in seen:
                self._set_aside(DUPLICATE_WITHHELD, ("withheld", i, "id"), w.id)
                continue
            seen.add(w.id)
            out.append(WithheldEntry(w.id, w.title, w.reason, tuple(w.basis), self.loc, Step(self.doc, ("withheld", i), "定义"),
                                     w.reviewed))
        return out


_DEFAULTABLE = frozenset(ItemDefaults.model_fields)


def given_fields(model: ItemPatch) -> dict[str, Any]:
    """The fields a file gives (its model's set fields), in registry order; like model_dump(exclude_unset=True)
    without copying every value, which is most of the resolver's time on a province."""
    given = model.model_fields_set
    return {k: getattr(model, k) for k in ITEM_FIELDS if k in given}


def patch_values(patch: ItemPatch, common: set[str]) -> dict[str, Any]:
    """What an override changes: the fields it gives, less the common fields it may not change."""
    return {k: v for k, v in given_fields(patch).items() if k not in common}


def _grouped(entries: list[Entry]) -> list[Entry]:
    """Grouped by level1 in order of first appearance; stable inside a group."""
    first: dict[str, int] = {}
    for e in entries:
        first.setdefault(e.values.level1, len(first))
    return sorted(entries, key=lambda e: first[e.values.level1])


def resolve_subject(loc: Locality, subject: tuple[str, ...]) -> list[str]:
    """Role entries become the department name they resolve to at `loc`; literals stay."""
    out = []
    for s in subject:
        found = loc.roles.get(s)
        out.append(found[0] if found else s)
    return out
