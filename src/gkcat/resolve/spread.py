"""How each item of a domain fares across all localities: who defines it, who publishes it, who
changed or excluded it. Feeds the 总表 comparison sheets and the site's per-domain pages."""

from __future__ import annotations

from dataclasses import dataclass, field

from gkcat.model.fields import extra_name
from gkcat.model.files import DomainDef
from gkcat.model.project import Locality, Project
from gkcat.resolve.resolver import Entry, Exclusion, Resolver
from gkcat.source.memo import Kind

# An exclusion reason starting with one of these still waits for a person (import writes 待补充：…).
PENDING_PREFIXES = ("待补充", "待完善", "待确认", "待核实")


def pending(reason: str) -> bool:
    """Whether an exclusion's reason says it is still to be completed."""
    return reason.strip().startswith(PENDING_PREFIXES)


@dataclass(frozen=True)
class ItemAdaptation:
    """A locality's file changed an inherited item: which fields, and the entry as it became."""

    locality: Locality
    fields: tuple[str, ...]
    entry: Entry


@dataclass
class Spread:
    """One item across the project."""

    entry: Entry  # as its owner defined it (first seen)
    owner: Locality
    per_level: dict[str, int]  # level -> localities of that level publishing it
    changes: list[ItemAdaptation] = field(default_factory=list)
    exclusions: list[Exclusion] = field(default_factory=list)  # only where the exclusion was made
    publishers: list[Locality] = field(default_factory=list)  # in tree order

    @property
    def published(self) -> int:
        return sum(self.per_level.values())


def changed_fields(before: Entry, after: Entry) -> tuple[str, ...]:
    """Fields whose values differ between two states of one item, in field order; extras as extra.<key>."""
    out: list[str] = []
    for name, value in after.values.items():
        old = before.values.get(name)
        if name == "extra":
            out += [extra_name(k) for k in sorted(set(value) | set(old)) if old.get(k) != value.get(k)]
        elif old != value:
            out.append(name)
    return tuple(out)


def waiting(resolver: Resolver, loc: Locality, domain: DomainDef) -> list[Exclusion]:
    """Exclusions this locality made whose reason still says 待补充."""
    if domain.id not in loc.files:  # only its own file excludes anything here
        return []
    return [x for x in resolver.state(loc, domain).excluded if x.locality.path == loc.path and pending(x.reason)]


# A domain's spread, by the domain's fingerprint: the domain page and its 总表 sheet share it.
SPREAD: Kind[list[Spread]] = Kind("spread")


def spread(project: Project, resolver: Resolver, domain: DomainDef) -> list[Spread]:
    """Every item any locality of the project lists in this domain, in order of first appearance."""
    levels = list(project.config.levels)
    found: dict[str, Spread] = {}

    def of(entry: Entry) -> Spread:
        s = found.get(entry.id)
        if s is None:
            s = found[entry.id] = Spread(entry, project.localities[entry.owner], {lv: 0 for lv in levels})
        return s

    for loc in project.localities.values():
        if not project.reaches(domain, loc):
            continue
        state = resolver.state(loc, domain)
        for e in state.entries:
            of(e)
        for e in resolver.published(loc, domain):
            found[e.id].per_level[loc.level] += 1
            found[e.id].publishers.append(loc)
        if domain.id in loc.files and loc.parent is not None:
            above = {e.id: e for e in resolver.state(loc.parent, domain).entries}
            for e in state.entries:
                before = above.get(e.id)
                if before is not None and before is not e:
                    found[e.id].changes.append(ItemAdaptation(loc, changed_fields(before, e), e))
        for x in state.excluded:
            if x.locality.path == loc.path:
                of(x.entry).exclusions.append(x)
    return list(found.values())

