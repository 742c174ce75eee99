"""`gkcat diff`: what one locality's resolved catalogs have that another's (or an older revision's) do not.

Both sides are what the locality itself publishes (`gkcat show`), domain by domain. An item on one
side only says why when the reason is known (excluded with a reason, not published at this level,
a local item of a locality above the other side). Lists are compared as lists, but values that
only changed order are a move, not a change; subjects compare by resolved name.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from gkcat.model.fields import ITEM_FIELDS
from gkcat.model.files import DomainDef
from gkcat.model.project import Locality
from gkcat.model.vocabulary import LEVEL_ZH
from gkcat.resolve.catalog import ResolvedCatalog, ResolvedItem, catalog
from gkcat.resolve.resolver import Resolver


@dataclass(frozen=True)
class Side:
    """One locality as resolved in one version of the project."""

    resolver: Resolver
    locality: Locality
    rev: str | None = None  # None: the working tree

    @property
    def label(self) -> str:
        return f"{self.locality.name}（{self.rev}）" if self.rev else self.locality.name

    @property
    def extra_labels(self) -> dict[str, str]:
        """The column labels of the extra fields in this version (what the diff's renderer names them by)."""
        return self.resolver.project.extra_labels


@dataclass(frozen=True)
class FieldChange:
    field: str  # an item field, or extra.<key>
    a: object
    b: object
    moved: bool  # the same values in another order
    note: str = ""
    roles: tuple[tuple[str, str, str], ...] = ()  # subject only: (role, name in A, name in B) that differ
    label: str = ""  # a field that is not an item field (a work plan's 完成时限): its name in Chinese

    @property
    def role_only(self) -> bool:
        """A subject that differs only because the same roles name other departments."""
        return bool(self.roles)


@dataclass(frozen=True)
class ItemChange:
    id: str
    level2: str
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True)
class Missing:
    id: str
    level2: str
    why: str  # "" when the reason is not known


@dataclass(frozen=True)
class Excluded:
    """An item excluded on one side only, with the reason and who excluded it: the review's first question."""

    id: str
    level2: str
    reason: str
    by: str  # the locality that excluded it


@dataclass(frozen=True)
class Move:
    id: str
    level2: str
    a: int  # 1-based position among the items of the domain
    b: int


@dataclass(frozen=True)
class DomainDiff:
    id: str
    name: str
    only_a: tuple[Missing, ...]
    only_b: tuple[Missing, ...]
    changed: tuple[ItemChange, ...]
    moved: tuple[Move, ...]
    note: str = ""  # the domain reaches one side only
    # Exclusions on one side only that the lists above do not already show: above all an item the
    # parent only passes down (so publishes nowhere on A's side) that the child excluded.
    excluded_a: tuple[Excluded, ...] = ()
    excluded_b: tuple[Excluded, ...] = ()

    @property
    def same(self) -> bool:
        return not (self.only_a or self.only_b or self.changed or self.moved or self.note
                    or self.excluded_a or self.excluded_b)


@dataclass(frozen=True)
class Comparison:
    a: Side | None  # None: the locality does not exist on that side
    b: Side | None
    domains: tuple[DomainDiff, ...]

    @property
    def same(self) -> bool:
        return all(d.same for d in self.domains)


def _values(item: ResolvedItem) -> dict[str, object]:
    out: dict[str, object] = {}
    for name in ITEM_FIELDS:
        if name == "extra":
            out.update({f"extra.{k}": v for k, v in sorted(item.entry.values.extras.items())})
        else:
            out[name] = item.value(name)
    return out


def _field_changes(a: ResolvedItem, b: ResolvedItem, sa: Side, sb: Side) -> tuple[FieldChange, ...]:
    va, vb = _values(a), _values(b)
    out = []
    for name in [*va, *(k for k in vb if k not in va)]:
        x, y = va.get(name), vb.get(name)
        if x == y:
            continue
        moved = isinstance(x, tuple) and isinstance(y, tuple) and sorted(x) == sorted(y)
        note = ""
        roles: tuple[tuple[str, str, str], ...] = ()
        same_roles = a.entry.values.subject == b.entry.values.subject
        if name == "subject" and same_roles and isinstance(x, tuple) and isinstance(y, tuple):
            roles = tuple((r, n, m) for r, n, m in zip(a.entry.values.subject, x, y, strict=True) if n != m)
            note = f"同一角色（{'、'.join(r for r, _, _ in roles)}）在{sa.label}和{sb.label}解析为不同部门"
        out.append(FieldChange(name, x, y, moved, note, roles))
    return tuple(out)


def _why(side: Side | None, domain: DomainDef, item_id: str, other: ResolvedItem, other_side: Side | None) -> str:
    """Why `side` does not publish an item the other side publishes, when that is known."""
    if side is None:
        return "该版本中没有这个地区"
    loc = side.locality
    project = side.resolver.project
    target = project.domain(domain.id)
    if target is None or not project.reaches(target, loc):
        return f"“{domain.name}”不延伸到{loc.name}"
    state = side.resolver.state(loc, target)
    gone = state.exclusion(item_id)
    if gone is not None:
        return f"{gone.locality.name}已排除：{gone.reason}"
    entry = state.entry(item_id)
    if entry is not None:
        return f"公开层级为{'、'.join(LEVEL_ZH.get(lv, lv) for lv in entry.levels)}，{loc.name}不在本级公开"
    owner = other_side.resolver.project.localities.get(other.entry.owner) if other_side else None
    if owner is not None and owner.path not in {x.path for x in loc.chain()}:
        return f"{owner.name}的本地事项"
    return ""


def _moves(a: list[ResolvedItem], b: list[ResolvedItem]) -> tuple[Move, ...]:
    common = {i.id for i in a} & {i.id for i in b}
    ia, ib = [i.id for i in a if i.id in common], [i.id for i in b if i.id in common]
    kept: set[str] = set()
    for block in difflib.SequenceMatcher(None, ia, ib, autojunk=False).get_matching_blocks():
        kept.update(ia[block.a:block.a + block.size])
    pos_a = {x: n for n, x in enumerate((i.id for i in a), 1)}
    pos_b = {x: n for n, x in enumerate((i.id for i in b), 1)}
    names = {i.id: i.entry.values.level2 for i in b}
    return tuple(Move(x, names[x], pos_a[x], pos_b[x]) for x in ib if x not in kept)


def _domain(domain: DomainDef, ca: ResolvedCatalog | None, cb: ResolvedCatalog | None,
            sa: Side | None, sb: Side | None) -> DomainDiff:
    a = ca.items if ca else []
    b = cb.items if cb else []
    by_a, by_b = {i.id: i for i in a}, {i.id: i for i in b}
    only_a = tuple(Missing(i.id, i.entry.values.level2, _why(sb, domain, i.id, i, sa)) for i in a if i.id not in by_b)
    only_b = tuple(Missing(i.id, i.entry.values.level2, _why(sa, domain, i.id, i, sb)) for i in b if i.id not in by_a)
    changed = []
    for i in a:
        if i.id in by_b:
            fields = _field_changes(i, by_b[i.id], sa, sb)  # type: ignore[arg-type]
            if fields:
                changed.append(ItemChange(i.id, by_b[i.id].entry.values.level2, fields))
    note = ""
    if sa is not None and sb is not None and (ca is None) != (cb is None):
        note = f"“{domain.name}”只延伸到{(sa if cb is None else sb).label}"
    shown = {m.id for m in only_a + only_b}
    return DomainDiff(domain.id, domain.name, only_a, only_b, tuple(changed), _moves(a, b), note,
                      _excluded_only(ca, cb, shown), _excluded_only(cb, ca, shown))


def _excluded_only(this: ResolvedCatalog | None, other: ResolvedCatalog | None, shown: set[str]) -> tuple[Excluded, ...]:
    """Exclusions of `this` side that the other side does not have, and that no other line explains."""
    if this is None:
        return ()
    theirs = {x.id for x in other.excluded} if other else set()
    return tuple(Excluded(x.id, x.entry.values.level2, x.reason, x.locality.name)
                 for x in this.excluded if x.id not in theirs and x.id not in shown)


def _catalogs(side: Side | None) -> dict[str, ResolvedCatalog]:
    if side is None:
        return {}
    project = side.resolver.project
    return {d.id: catalog(side.resolver, side.locality, d) for d in project.domains if project.reaches(d, side.locality)}


def compare(a: Side | None, b: Side | None, domain_id: str | None = None) -> Comparison:
    """Domain by domain (A's domains.yaml order, then B's new ones): what differs between two sides."""
    cats_a, cats_b = _catalogs(a), _catalogs(b)
    order: dict[str, DomainDef] = {}
    for side in (a, b):
        if side is not None:
            order.update({d.id: d for d in side.resolver.project.domains if d.id not in order})
    out = []
    for d_id, domain in order.items():
        if domain_id is not None and d_id != domain_id:
            continue
        ca, cb = cats_a.get(d_id), cats_b.get(d_id)
        if ca is None and cb is None:
            continue
        out.append(_domain(domain, ca, cb, a, b))
    return Comparison(a, b, tuple(d for d in out if not d.same))


def compare_versions(ra: Resolver, rb: Resolver, rev_a: str | None, rev_b: str | None,
                     path: str | None = None) -> list[Comparison]:
    """The same localities in two versions of a project (all of them, or `path`), in A's order then B's new ones."""
    la, lb = ra.project.localities, rb.project.localities
    paths = [path] if path is not None else list(dict.fromkeys([*la, *lb]))
    return [compare(Side(ra, la[p], rev_a) if p in la else None, Side(rb, lb[p], rev_b) if p in lb else None)
            for p in paths]
