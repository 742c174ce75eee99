"""Where each page of the site goes and what it shows: the disclosure map, locality pages and the
per-domain pages. Typed views for the templates; every href is relative to the site root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from gkcat.model.files import DomainDef
from gkcat.model.project import Locality, Project
from gkcat.model.vocabulary import LEVEL_ZH
from gkcat.render.site.urls import (
    DUTIES_WORKBOOK,
    INDEX,
    data_href,
    departments_href,
    domain_href,
    duties_workbook_path,
    form_name,
    form_path,
    locality_href,
    poster_href,
    table_href,
    workbook_paths,
    workplan_href,
)
from gkcat.render.text import field_label
from gkcat.resolve.catalog import CatalogCounts
from gkcat.resolve.resolver import Exclusion, resolve_subject
from gkcat.resolve.spread import Spread, pending
from gkcat.source.memo import Kind, fits

MATRIX_LIMIT = 300  # above this many localities the map's matrix shows the top two levels only
PUBLISHERS_LIMIT = 60  # a domain page names the localities publishing an item up to this many


@dataclass(frozen=True)
class Link:
    text: str
    href: str  # relative to the site root


@dataclass(frozen=True)
class Page:
    """What every page has: where it is, its title, the way back up."""

    path: str
    title: str
    site_title: str
    generated: str
    crumbs: tuple[Link, ...]

    @property
    def root(self) -> str:
        """The relative way from this page to the site root ("" or "../…")."""
        return "../" * self.path.count("/")


def page(project: Project, path: str, title: str, when: datetime, loc: Locality | None = None) -> Page:
    """A page's frame; its crumbs run from the map down the locality's chain."""
    crumbs = [Link("公开地图", INDEX)] + [Link(x.name, locality_href(x)) for x in (loc.chain() if loc else [])]
    return Page(path, title, project.config.title, when.strftime("%Y-%m-%d"), tuple(crumbs))


# -- the map --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    count: int | None  # None: the domain does not reach this locality
    href: str
    pending: int  # exclusions made here whose reason is still 待补充

    @property
    def gap(self) -> bool:
        return self.count == 0


@dataclass(frozen=True)
class MatrixRow:
    locality: Link
    level: str
    depth: int
    cells: tuple[Cell, ...]

    @property
    def total(self) -> int:
        return sum(c.count or 0 for c in self.cells)


@dataclass(frozen=True)
class Matrix:
    domains: tuple[Link, ...]
    rows: tuple[MatrixRow, ...]
    trimmed: bool  # lower levels left to the localities' own pages

    @property
    def totals(self) -> tuple[int, ...]:
        return tuple(sum(r.cells[i].count or 0 for r in self.rows) for i in range(len(self.domains)))


@dataclass(frozen=True)
class TreeNode:
    locality: Link
    level: str
    count: int
    gaps: int
    children: tuple[TreeNode, ...]


@dataclass(frozen=True)
class PendingItem:
    locality: str
    domain: str
    level2: str
    reason: str
    href: str


@dataclass(frozen=True)
class MapView:
    tree: TreeNode
    matrix: Matrix
    gaps: int
    pending: tuple[PendingItem, ...]
    localities: int
    domains: int
    plans: tuple[tuple[Link, tuple[Link, ...]], ...] = ()  # localities with work plans, and their plans


# A locality's row of the map's matrix, and its items waiting for a reason (待补充), by its chain's files; kept
# on disk on the site's shelf, so that a new process renders the map after an edit without resolving the province.
_ROW = (str, str, str, int, [({int, type(None)}, str, int)])
_PENDING = [(str, str, str, str, str)]
MATRIX_ROW: Kind[MatrixRow] = Kind(
    "matrix-row", shelf="site",
    dump=lambda r: [r.locality.text, r.locality.href, r.level, r.depth, [[c.count, c.href, c.pending] for c in r.cells]],
    load=lambda d: MatrixRow(Link(d[0], d[1]), d[2], d[3], tuple(Cell(*c) for c in d[4])) if fits(d, _ROW) else None)
PENDING: Kind[tuple[PendingItem, ...]] = Kind(
    "pending", shelf="site", dump=lambda items: [[p.locality, p.domain, p.level2, p.reason, p.href] for p in items],
    load=lambda d: tuple(PendingItem(*p) for p in d) if fits(d, _PENDING) else None)


def matrix_row(project: Project, loc: Locality, counts: list[tuple[int, int] | None]) -> MatrixRow:
    """A locality's row of the map: per domain (None where it does not reach the locality) how many items it
    publishes and how many of its exclusions still wait for a reason."""
    cells = [Cell(None, "", 0) if c is None else Cell(c[0], table_href(loc, d), c[1])
             for d, c in zip(project.domains, counts, strict=True)]
    return MatrixRow(Link(loc.name, locality_href(loc)), LEVEL_ZH[loc.level], loc.depth, tuple(cells))


def pending_items(loc: Locality, waiting: list[tuple[DomainDef, list[Exclusion]]]) -> tuple[PendingItem, ...]:
    """A locality's exclusions whose reason still says 待补充, domain by domain (resolve.spread.waiting)."""
    return tuple(PendingItem(loc.name, d.name, x.entry.values.level2, x.reason, f"{table_href(loc, d)}#{x.id}")
                 for d, found in waiting for x in found)


class SiteFacts:
    """The rows of the map, for the map and every locality page: `row` and `pending` give a locality's (the build
    hands them over resolved, each worked out once through its memo)."""

    def __init__(self, project: Project, row: Callable[[Locality], MatrixRow],
                 pending: Callable[[Locality], tuple[PendingItem, ...]]):
        self.project, self.row, self._pending = project, row, pending

    def matrix(self, localities: list[Locality], trimmed: bool = False) -> Matrix:
        domains = tuple(Link(d.name, domain_href(d)) for d in self.project.domains)
        return Matrix(domains, tuple(self.row(loc) for loc in localities), trimmed)

    def tree(self, loc: Locality) -> TreeNode:
        row = self.row(loc)
        return TreeNode(row.locality, row.level, row.total, sum(1 for c in row.cells if c.gap),
                        tuple(self.tree(c) for c in loc.children))

    def pending(self) -> tuple[PendingItem, ...]:
        out: list[PendingItem] = []
        for loc in self.project.localities.values():
            out += self._pending(loc)
        return tuple(out)


def map_view(facts: SiteFacts) -> MapView:
    project = facts.project
    locs = list(project.localities.values())
    trimmed = len(locs) > MATRIX_LIMIT
    shown = [loc for loc in locs if loc.depth <= 1] if trimmed else locs
    gaps = sum(1 for loc in locs for c in facts.row(loc).cells if c.gap)
    plans = tuple((Link(loc.name, locality_href(loc)), found) for loc in locs if (found := _plans(loc)))
    return MapView(facts.tree(locs[0]), facts.matrix(shown, trimmed), gaps, facts.pending(), len(locs),
                   len(project.domains), plans)


# -- a locality -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DomainLine:
    domain: Link
    table: str  # href of the table page
    published: int
    listed: int
    excluded: int
    withheld: int
    lead: str


@dataclass(frozen=True)
class LocalityView:
    name: str
    level: str
    code: str
    parent: Link | None
    children: tuple[Link, ...]
    domains: tuple[DomainLine, ...]
    matrix: Matrix
    workbook: Link
    form: Link  # the fill-in workbook (填报表)
    data: Link
    departments: Link  # the duty lists (责任清单) by department
    duties_workbook: Link
    poster: Link | None  # the A4 poster, when gkcat.yaml has a site_url
    plans: tuple[Link, ...]  # its work plans (工作要点), by year
    history: Link | None = None  # 更新记录, when the project is in git
    feed: str = ""


def locality_view(facts: SiteFacts, loc: Locality, counted: list[tuple[DomainDef, CatalogCounts]]) -> LocalityView:
    """A locality's page: its domains with their counts (resolve.catalog.counts: no catalog is built), links to
    its outputs, and its part of the map."""
    project = facts.project
    lines = tuple(DomainLine(Link(d.name, domain_href(d)), table_href(loc, d), c.published, c.listed, c.excluded,
                             c.withheld, "、".join(resolve_subject(loc, tuple(d.lead)))) for d, c in counted)
    book = workbook_paths(loc)[0]
    return LocalityView(loc.name, LEVEL_ZH[loc.level], loc.code or "",
                        Link(loc.parent.name, locality_href(loc.parent)) if loc.parent else None,
                        tuple(Link(c.name, locality_href(c)) for c in loc.children), lines,
                        facts.matrix([loc, *loc.children]), Link(book.rsplit("/", 1)[-1], book),
                        Link(form_name(loc), form_path(loc)), Link("catalog.json", data_href(loc)),
                        Link("责任清单", departments_href(loc)), Link(DUTIES_WORKBOOK, duties_workbook_path(loc)),
                        Link("海报", poster_href(loc)) if project.config.site_url else None, _plans(loc))


def _plans(loc: Locality) -> tuple[Link, ...]:
    return tuple(Link(f"{year} 年工作要点", workplan_href(loc, year)) for year in sorted(loc.workplans)
                 if loc.workplans[year].model is not None)


# -- a domain across localities -------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeLine:
    locality: Link
    fields: str  # the changed fields' names, in Chinese


@dataclass(frozen=True)
class ExclusionLine:
    locality: Link
    reason: str
    pending: bool


@dataclass(frozen=True)
class SpreadRow:
    id: str
    level1: str
    level2: str
    owner: Link  # the table page where it was defined, at the item's anchor
    local: bool  # defined below the top
    per_level: tuple[int, ...]
    publishers: tuple[Link, ...]  # the localities publishing it (empty above PUBLISHERS_LIMIT: counts only)
    changes: tuple[ChangeLine, ...]
    exclusions: tuple[ExclusionLine, ...]


@dataclass(frozen=True)
class DomainView:
    name: str
    level_labels: tuple[str, ...]
    rows: tuple[SpreadRow, ...]


def _spread_row(project: Project, domain: DomainDef, s: Spread) -> SpreadRow:
    v = s.entry.values
    changes = tuple(ChangeLine(Link(c.locality.name, f"{table_href(c.locality, domain)}#{s.entry.id}"),
                               "、".join(field_label(f, project.extra_labels) for f in c.fields)) for c in s.changes)
    exclusions = tuple(ExclusionLine(Link(x.locality.name, f"{table_href(x.locality, domain)}#{x.id}"), x.reason,
                                     pending(x.reason)) for x in s.exclusions)
    root = project.root
    publishers = () if len(s.publishers) > PUBLISHERS_LIMIT else tuple(
        Link(x.name, f"{table_href(x, domain)}#{s.entry.id}") for x in s.publishers)
    return SpreadRow(s.entry.id, v.level1, v.level2, Link(s.owner.name, f"{table_href(s.owner, domain)}#{s.entry.id}"),
                     s.owner.path != root.path, tuple(s.per_level[lv] for lv in project.config.levels), publishers, changes,
                     exclusions)


def domain_view(project: Project, domain: DomainDef, spreads: list[Spread]) -> DomainView:
    """A domain across every locality, from its spread (resolve.spread)."""
    rows = tuple(_spread_row(project, domain, s) for s in spreads)
    return DomainView(domain.name, tuple(LEVEL_ZH[lv] for lv in project.config.levels), rows)


# -- search ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    value: str
    text: str
    depth: int = 0


@dataclass(frozen=True)
class SearchView:
    localities: tuple[Option, ...]
    domains: tuple[Option, ...]
    levels: tuple[Option, ...]


def search_view(project: Project) -> SearchView:
    """The search page's filters; the index itself is loaded by the page."""
    return SearchView(tuple(Option(loc.path, loc.name, loc.depth) for loc in project.localities.values()),
                      tuple(Option(d.id, d.name) for d in project.domains),
                      tuple(Option(lv, LEVEL_ZH[lv]) for lv in project.config.levels))
