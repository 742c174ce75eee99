"""What the site's table page of one locality and domain shows: the national table's rows grouped
under 一级事项, each overridden field with the value above, the excluded items and the negative list."""

from __future__ import annotations

from dataclasses import dataclass

from gkcat.model.project import Locality
from gkcat.model.vocabulary import AUDIENCES, LEVEL_ZH, METHODS, OTHER_CHANNEL, other_detail
from gkcat.render.site.jinja import LABELS
from gkcat.render.site.urls import domain_href
from gkcat.render.text import join_value
from gkcat.resolve.catalog import ResolvedCatalog, ResolvedItem
from gkcat.resolve.item import ItemValues
from gkcat.resolve.resolver import Entry, resolve_subject
from gkcat.resolve.spread import changed_fields, pending

EMPTY = "（空）"  # a field the level above left empty


@dataclass(frozen=True)
class Above:
    """An overridden field: the level above and its value there, as text."""

    name: str
    value: str


@dataclass(frozen=True)
class Row:
    id: str
    level1: str
    level2: str
    content: tuple[str, ...]
    basis: tuple[str, ...]
    deadline: str
    subject: tuple[str, ...]
    channels: tuple[str, ...]
    audience: tuple[bool, ...]  # one mark per AUDIENCES
    method: tuple[bool, ...]  # one mark per METHODS
    levels: tuple[bool, ...]  # one mark per level column
    extras: tuple[str, ...]
    links: tuple[str, ...]
    here: bool  # published by this locality (False: only passed down)
    added: bool  # defined by this locality, not inherited
    above: dict[str, Above]  # field -> value above, for fields this locality changed
    values: ItemValues  # every field as resolved: a new field's template cell reads r.values.<id>
    marks: tuple[str, ...]  # the √ columns as words, for the phone's cards: 全社会 · 主动 · 县级

    @property
    def key(self) -> tuple[object, ...]:
        """Everything the row's HTML is made of (render/site/jinja.py renders each distinct row once)."""
        return (self.id, self.level1, self.level2, self.content, self.basis, self.deadline, self.subject, self.channels,
                self.audience, self.method, self.levels, self.extras, self.links, self.here, self.added,
                tuple(self.above.items()), self.values, self.marks)


@dataclass(frozen=True)
class Group:
    number: int
    level1: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class ExcludedRow:
    id: str
    level1: str
    level2: str
    reason: str
    by: str  # the locality that excluded it
    here: bool  # excluded by this locality itself
    pending: bool  # the reason still says it is to be completed


@dataclass(frozen=True)
class WithheldRow:
    id: str
    title: str
    reason: str
    basis: tuple[str, ...]
    by: str



@dataclass(frozen=True)
class TableView:
    title: str
    labels: dict[str, str]  # field id -> its column header, from the field registry
    audiences: tuple[str, ...]
    methods: tuple[str, ...]
    level_labels: tuple[str, ...]
    extra_labels: tuple[str, ...]
    extra_keys: tuple[str, ...]
    compare: str  # href of the domain's page across localities
    groups: tuple[Group, ...]
    published: int  # rows published here
    passed_down: int  # rows only passed down
    excluded: tuple[ExcludedRow, ...]
    withheld: tuple[WithheldRow, ...]


def _above(loc: Locality, entry: Entry, before: Entry | None) -> dict[str, Above]:
    if before is None or before is entry or loc.parent is None:
        return {}
    parent = loc.parent
    out: dict[str, Above] = {}
    for name in changed_fields(before, entry):
        if name.startswith("extra."):
            out[name] = Above(parent.name, join_value(before.values.extras.get(name[len("extra."):]), EMPTY))
            continue
        value = before.values.get(name)
        if name == "subject":
            out[name] = Above(parent.name, join_value(resolve_subject(parent, value), EMPTY))
        elif name == "levels":
            out[name] = Above(parent.name, "、".join(LEVEL_ZH[lv] for lv in value))
        else:
            out[name] = Above(parent.name, join_value(value, EMPTY))
    return out


def channel_labels(chosen: tuple[str, ...]) -> tuple[str, ...]:
    # 其他(详情) prints as 其他（详情）, as the national tables write it
    return tuple(c if other_detail(c) is None else f"{OTHER_CHANNEL}（{other_detail(c)}）" for c in chosen)


def _row(item: ResolvedItem, levels: list[str], extras: list[str], above: dict[str, Entry], loc: Locality) -> Row:
    e = item.entry
    v = e.values
    marks = (v.audience, v.method, *(LEVEL_ZH[lv] for lv in levels if lv in v.levels))
    return Row(e.id, v.level1, v.level2, v.content, v.basis, v.deadline or "", item.subject, channel_labels(v.channels),
               tuple(v.audience == a for a in AUDIENCES), tuple(v.method == m for m in METHODS),
               tuple(lv in v.levels for lv in levels), tuple(v.extras.get(k, "") for k in extras), v.links,
               item.here, e.owner == loc.path, _above(loc, e, above.get(e.id)), v, tuple(m for m in marks if m))


def table_view(cat: ResolvedCatalog, above: dict[str, Entry], levels: list[str]) -> TableView:
    """The page's content for one locality and domain (format.md section 9); `above`: the parent's entries by id
    (resolve.catalog.parent_entries), to say what this locality changed."""
    loc = cat.locality
    extras = list(cat.extra_labels)
    grouped: list[tuple[str, list[Row]]] = []
    for item in cat.table:
        level1 = item.entry.values.level1
        if not grouped or grouped[-1][0] != level1:
            grouped.append((level1, []))
        grouped[-1][1].append(_row(item, levels, extras, above, loc))
    groups = tuple(Group(i, level1, tuple(rows)) for i, (level1, rows) in enumerate(grouped, 1))
    excluded = tuple(ExcludedRow(x.id, x.entry.values.level1, x.entry.values.level2, x.reason, x.locality.name,
                                 x.locality.path == loc.path, pending(x.reason)) for x in cat.excluded)
    withheld = tuple(WithheldRow(w.id, w.title, w.reason, w.basis, w.locality.name) for w in cat.withheld)
    here = sum(1 for i in cat.table if i.here)
    return TableView(f"{loc.name}{cat.domain.name}领域基层政务公开标准目录", LABELS, AUDIENCES, METHODS,
                     tuple(LEVEL_ZH[lv] for lv in levels), tuple(cat.extra_labels.values()), tuple(extras),
                     domain_href(cat.domain), groups,
                     here, len(cat.table) - here, excluded, withheld)
