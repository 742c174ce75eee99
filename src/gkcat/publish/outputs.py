"""Every output of a build: its paths, what it is made from, how to render it. Nothing is written here.

An artifact with an input fingerprint is reused from the previous build when the fingerprint is
unchanged (it is not even rendered); one without is cheap, so it is always rendered and the
pipeline keeps the old file when the bytes are the same.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import NamedTuple, TypeVar

from gkcat.assess.compute import assess
from gkcat.check.load import Loaded
from gkcat.compare.history import Release, ReleaseChange
from gkcat.model.files import DomainDef
from gkcat.model.project import Locality, Project
from gkcat.model.workplan import workplan_name
from gkcat.publish.fingerprints import Fingerprints
from gkcat.render.data import show_data
from gkcat.render.site.assessment import ASSESSMENT_PAGE, assessment_view
from gkcat.render.site.duties import duties_view
from gkcat.render.site.history import history_view, project_feed
from gkcat.render.site.jinja import HtmlRenderer, Templates
from gkcat.render.site.pages import (
    MATRIX_ROW,
    PENDING,
    Link,
    MatrixRow,
    PendingItem,
    SiteFacts,
    domain_view,
    locality_view,
    map_view,
    matrix_row,
    page,
    pending_items,
    search_view,
)
from gkcat.render.site.poster import poster_view
from gkcat.render.site.search import SEARCH_PART, domain_json, index_script, published_in
from gkcat.render.site.tables import table_view
from gkcat.render.site.urls import (
    ASSETS,
    FEED,
    INDEX,
    PROJECT_WORKBOOK,
    SEARCH,
    SEARCH_INDEX,
    data_href,
    departments_href,
    domain_href,
    duties_workbook_path,
    feed_href,
    form_path,
    history_href,
    locality_href,
    poster_href,
    table_href,
    workbook_paths,
    workplan_href,
    workplan_workbook_path,
)
from gkcat.render.site.workplan import workplan_view
from gkcat.render.xlsx.form import locality_form
from gkcat.render.xlsx.layout import Table
from gkcat.render.xlsx.workbooks import COMPARISON, MAP_ROW, comparison_table, duties_workbook, locality_workbook, map_row, project_workbook
from gkcat.render.xlsx.workplan import workplan_workbook
from gkcat.resolve.catalog import catalog, catalogs_for, counts, levels_from, parent_entries
from gkcat.resolve.duties import duty_lists
from gkcat.resolve.form import form_sheets
from gkcat.resolve.resolver import Resolver
from gkcat.resolve.spread import SPREAD, Spread, spread, waiting
from gkcat.resolve.workplan import ResolvedPlan, plans_of
from gkcat.source.memo import Key, Kind, Memo
from gkcat.source.tree import STATIC, read_input


class Artifact(NamedTuple):
    """One output: where it goes (first path; the others are aliases), what it is made from, how to make it.

    A named tuple, not a frozen dataclass: a province has 52,000 and each build lists them all again.
    """

    paths: tuple[str, ...]
    inputs: str | None  # fingerprint of its inputs; None: render every time and compare bytes
    render: Callable[[], tuple[bytes, int]]  # -> (content, item rows it holds)
    # rendered by the building process itself, not a worker: it keeps parts in the build's memo
    local: bool = False
    group: str = ""  # the locality whose own outputs it is one of (its chain's files make them all), or ""


# A locality's own outputs as a session's build listed them, by the fingerprint of what they are all made from
# (Fingerprints.group: its chain's files, its children's, everything project-wide they show).
GROUP: Kind[tuple[tuple[str, ...], ...]] = Kind("group")
# The templates compiled (render/site/jinja.py), by their files' digest and their folders.
COMPILED: Kind[Templates] = Kind("templates")


class Groups:
    """Which localities' outputs a session's build carries over unlisted, through the memo.

    A locality whose group fingerprint is in the memo (a build of the session listed its outputs under it,
    into the session's own folder) has every output as that build left it: its outputs are not even listed
    again, their manifest entries are carried over (`carried`). After an edit that is all but the few
    localities the edit reaches, of a province's 1,500. `carry` is False where the folder is not as the
    memo says (a session's first build, a build of some parts only): the groups are then only recorded.
    """

    def __init__(self, memo: Memo, prints: Fingerprints, history: bool, carry: bool):
        self.memo, self.prints, self.history, self.carry = memo, prints, history, carry
        self.keys: dict[str, Key[tuple[tuple[str, ...], ...]]] = {}  # each locality's, asked once
        self.carried: list[tuple[str, ...]] = []  # the paths of each output carried over
        self._kept: set[str] = set()

    def _key(self, loc: Locality) -> Key[tuple[tuple[str, ...], ...]]:
        key = self.keys.get(loc.path)
        if key is None:
            key = self.keys[loc.path] = Key(GROUP, self.prints.group(loc, self.history))
            found = self.memo.get(key) if self.carry else None
            if found is not None:
                self._kept.add(loc.path)
                self.carried += found
        return key

    def unchanged(self, loc: Locality) -> bool:
        """Whether the locality's own outputs are as the last build left them; if so, they are carried."""
        self._key(loc)
        return loc.path in self._kept

    def record(self, project: Project, work: list[Artifact]) -> None:
        """Keep the groups listed in `work`, for the session's next build."""
        listed: dict[str, list[tuple[str, ...]]] = {}
        for art in work:
            if art.group:
                listed.setdefault(art.group, []).append(art.paths)
        for path, paths in listed.items():
            self.memo.keep(self._key(project.localities[path]), tuple(paths))


T = TypeVar("T")


@dataclass(frozen=True)
class Reuse:
    """How publish asks the memo for a part of a project-wide output before it hands the part to the renderer:
    the part as made before from the same inputs, or made now. A locality's parts are keyed by its chain's
    files, a domain's by its fingerprint."""

    memo: Memo
    prints: Fingerprints

    def locality(self, loc: Locality, kind: Kind[T], make: Callable[[], T]) -> T:
        return self.memo.make(Key(kind, self.prints.chain(loc)), make)

    def domain(self, d: DomainDef, kind: Kind[T], make: Callable[[], T]) -> T:
        return self.memo.make(Key(kind, self.prints.domain(d)), make)


def _bytes(data: bytes) -> Callable[[], tuple[bytes, int]]:
    return lambda: (data, 0)


def _workbook(project: Project, resolver: Resolver, loc: Locality, when: datetime, memo: Memo) -> tuple[bytes, int]:
    return locality_workbook(project, catalogs_for(resolver, loc), loc, when, memo)


def _form(project: Project, resolver: Resolver, loc: Locality, when: datetime, memo: Memo) -> tuple[bytes, int]:
    return locality_form(project, form_sheets(resolver, loc, None), loc, when, memo)


def _duties(resolver: Resolver, loc: Locality, when: datetime, memo: Memo) -> tuple[bytes, int]:
    return duties_workbook(duty_lists(resolver, loc), loc, when, memo)


def workbook_artifacts(project: Project, resolver: Resolver, prints: Fingerprints, when: datetime,
                       kept: Reuse, unchanged: Callable[[Locality], bool]) -> list[Artifact]:
    out: list[Artifact] = []
    by_locality: dict[str, str] = {}
    memo = kept.memo  # in a worker, its forked copy: the rows it makes are kept there
    for loc in project.localities.values():
        by_locality[loc.path] = made = prints.locality(loc)
        if unchanged(loc):
            continue
        group = loc.path
        # resolved when rendered (in a worker), then handed to the renderer
        out.append(Artifact(workbook_paths(loc), made, partial(_workbook, project, resolver, loc, when, memo),
                            group=group))
        # the fill-in workbook is made from the same inputs as the published one
        out.append(Artifact((form_path(loc),), made, partial(_form, project, resolver, loc, when, memo), group=group))
        out.append(Artifact((duties_workbook_path(loc),), made, partial(_duties, resolver, loc, when, memo),
                            group=group))
        for plan in plans_of(loc):
            out.append(Artifact((workplan_workbook_path(loc, plan.year),), made, partial(workplan_workbook, plan, when, memo),
                                group=group))

    out.append(Artifact((PROJECT_WORKBOOK,), prints.everything(by_locality),
                        partial(_project_workbook, project, resolver, when, kept), local=True))
    return out


# The project-wide outputs' parts: resolved here, through the memo (a part whose inputs did not change is not
# worked out again), then handed to the renderer.


def _project_workbook(project: Project, resolver: Resolver, when: datetime, kept: Reuse) -> tuple[bytes, int]:
    rows = [kept.locality(loc, MAP_ROW, partial(_map_row, project, resolver, loc)) for loc in project.localities.values()]
    sheets = [kept.domain(d, COMPARISON, partial(_comparison, project, resolver, d, kept)) for d in project.domains]
    return project_workbook(project, rows, sheets, when, kept.memo), 0


def _published(project: Project, resolver: Resolver, loc: Locality) -> list[int | None]:
    """How many items the locality publishes in each domain (None where the domain does not reach it)."""
    return [len(resolver.published(loc, d)) if project.reaches(d, loc) else None for d in project.domains]


def _map_row(project: Project, resolver: Resolver, loc: Locality) -> list[str]:
    return map_row(loc, _published(project, resolver, loc))


def _spread(project: Project, resolver: Resolver, d: DomainDef, kept: Reuse) -> list[Spread]:
    """A domain's spread, shared by its page and its 总表 sheet."""
    return kept.domain(d, SPREAD, partial(spread, project, resolver, d))


def _comparison(project: Project, resolver: Resolver, d: DomainDef, kept: Reuse) -> Table:
    return comparison_table(project, d, _spread(project, resolver, d, kept))


def _matrix_row(project: Project, resolver: Resolver, loc: Locality) -> MatrixRow:
    return matrix_row(project, loc, [None if n is None else (n, len(waiting(resolver, loc, d)))
                                     for d, n in zip(project.domains, _published(project, resolver, loc), strict=True)])


def _pending(project: Project, resolver: Resolver, loc: Locality) -> tuple[PendingItem, ...]:
    return pending_items(loc, [(d, waiting(resolver, loc, d)) for d in project.domains if project.reaches(d, loc)])


def _search_index(project: Project, resolver: Resolver, kept: Reuse) -> tuple[bytes, int]:
    parts = [kept.domain(d, SEARCH_PART, partial(_search_part, project, resolver, i, d)) for i, d in enumerate(project.domains)]
    return index_script(project, parts), 0


def _search_part(project: Project, resolver: Resolver, i: int, d: DomainDef) -> str:
    return domain_json(i, published_in(project, resolver.published, d))


@dataclass(frozen=True)
class History:
    """The releases the site's 更新记录 and feeds show (none outside git)."""

    releases: list[Release]
    baseline: bool  # the last release is only the starting point
    changes: dict[str, list[ReleaseChange]] = field(default_factory=dict)  # per locality, computed once before rendering


def _history_pages(html: HtmlRenderer, project: Project, loc: Locality, history: History,
                   when: datetime) -> list[Artifact]:
    def render(template: str) -> tuple[bytes, int]:
        # the page and its feed show the same view; the feed links the page beside it
        view = history_view(project, loc, history.changes.get(loc.path, []), when.isoformat())
        return html.render(template, page(project, history_href(loc), f"{loc.name}更新记录", when, loc), view), 0

    return [Artifact((history_href(loc),), None, lambda: render("history.html")),
            Artifact((feed_href(loc),), None, lambda: render("feed.xml"))]


def _locality_pages(html: HtmlRenderer, facts: SiteFacts, resolver: Resolver, prints: Fingerprints, loc: Locality,
                    when: datetime, history: History) -> list[Artifact]:
    project = facts.project
    levels = levels_from(project, loc)

    def locality_page() -> tuple[bytes, int]:
        view = locality_view(facts, loc, [(d, counts(resolver, loc, d)) for d in project.domains if project.reaches(d, loc)])
        if history.releases:
            view = replace(view, history=Link("更新记录", history_href(loc)), feed=feed_href(loc))
        return html.render("locality.html", page(project, locality_href(loc), loc.name, when, loc), view), 0

    def table_page(domain_id: str) -> tuple[bytes, int]:
        domain = project.domain(domain_id)
        assert domain is not None
        view = table_view(catalog(resolver, loc, domain), parent_entries(resolver, loc, domain), levels)
        return html.render("table.html", page(project, table_href(loc, domain), domain.name, when, loc), view), 0

    def departments_page() -> tuple[bytes, int]:
        view = duties_view(duty_lists(resolver, loc), loc)
        return html.render("departments.html", page(project, departments_href(loc), view.title, when, loc), view), 0

    def poster_page(site_url: str) -> tuple[bytes, int]:
        published = [(d.name, n) for d, n in zip(project.domains, _published(project, resolver, loc), strict=True)
                     if n is not None]
        view = poster_view(loc, published, site_url)
        return html.render("poster.html", page(project, poster_href(loc), f"{loc.name}政务公开海报", when, loc), view), 0

    def data() -> tuple[bytes, int]:
        # compact: at province scale the open data is a third of the site; the shape is `gkcat show`'s
        body = json.dumps(show_data(loc, catalogs_for(resolver, loc)), ensure_ascii=False, separators=(",", ":"))
        return (body + "\n").encode("utf-8"), 0

    group = loc.path
    # the locality page is made from exactly what the group's key names: itself, its children, the history's presence
    out = [Artifact((locality_href(loc),), prints.group(loc, bool(history.releases)), locality_page, group=group),
           Artifact((data_href(loc),), prints.open_data(loc), data, group=group),
           Artifact((departments_href(loc),), prints.locality_part(loc, "departments"), departments_page, group=group)]
    if project.config.site_url:
        out.append(Artifact((poster_href(loc),), prints.locality_part(loc, "poster"),
                            partial(poster_page, project.config.site_url), group=group))
    for d in project.domains:
        if project.reaches(d, loc):
            out.append(Artifact((table_href(loc, d),), prints.table(loc, d), partial(table_page, d.id), group=group))
    for plan in plans_of(loc):
        out.append(Artifact((workplan_href(loc, plan.year),), prints.locality_part(loc, workplan_name(plan.year)),
                            partial(_workplan_page, html, project, plan, when), group=group))
    return out


def _workplan_page(html: HtmlRenderer, project: Project, plan: ResolvedPlan, when: datetime) -> tuple[bytes, int]:
    view = workplan_view(plan, when.date())  # the build's date: the same page for the same input
    return html.render("workplan.html", page(project, workplan_href(plan.locality, plan.year), view.title, when,
                                             plan.locality), view), 0


def _domain_page(html: HtmlRenderer, project: Project, resolver: Resolver, d: DomainDef, when: datetime,
                 kept: Reuse) -> tuple[bytes, int]:
    page_ = page(project, domain_href(d), f"{d.name}：各地区公开情况", when)
    return html.render("domain.html", page_, domain_view(project, d, _spread(project, resolver, d, kept))), 0


def site_artifacts(project: Project, resolver: Resolver, prints: Fingerprints, when: datetime,
                   html: HtmlRenderer, assets: dict[str, bytes], history: History, kept: Reuse,
                   unchanged: Callable[[Locality], bool]) -> list[Artifact]:
    """The static site: map, search, per-domain pages, and per locality its page, tables and open data."""
    facts = SiteFacts(project, lambda loc: kept.locality(loc, MATRIX_ROW, partial(_matrix_row, project, resolver, loc)),
                      lambda loc: kept.locality(loc, PENDING, partial(_pending, project, resolver, loc)))
    out = [Artifact((f"{ASSETS}/{name}",), None, _bytes(data)) for name, data in sorted(assets.items())]
    # rendered here, not in a worker, so that the memo keeps its per-locality rows for the next build
    out.append(Artifact((INDEX,), prints.all_localities("map"),
                        lambda: (html.render("map.html", page(project, INDEX, "公开地图", when), map_view(facts)), 0),
                        local=True))
    out.append(Artifact((SEARCH,), prints.search_page(),
                        lambda: (html.render("search.html", page(project, SEARCH, "搜索", when), search_view(project)), 0)))
    out.append(Artifact((SEARCH_INDEX,), prints.all_localities("search-index"),
                        partial(_search_index, project, resolver, kept), local=True))
    for d in project.domains:
        path = domain_href(d)
        out.append(Artifact((path,), prints.domain_page(d), partial(_domain_page, html, project, resolver, d, when,
                                                                    kept)))
    if history.releases:
        out.append(Artifact((FEED,), None, lambda: (html.render("feed.xml", page(project, FEED, "更新记录", when), project_feed(
            project, history.releases, history.baseline, history.changes, when.isoformat())), 0)))
    for loc in project.localities.values():
        if history.releases:  # rendered on every build (they show the git history): never carried over
            out += _history_pages(html, project, loc, history, when)
        if not unchanged(loc):
            out += _locality_pages(html, facts, resolver, prints, loc, when, history)
    return out


@dataclass(frozen=True)
class BuildInputs:
    """What every output format is made from, gathered once before anything is rendered."""

    project: Project
    resolver: Resolver
    prints: Fingerprints
    when: datetime
    html: HtmlRenderer
    assets: dict[str, bytes]  # the site's static assets, the project's templates/assets over gkcat's
    history: History
    kept: Reuse
    groups: Groups | None  # a build session's; None: a build on its own lists every output

    def unchanged(self, loc: Locality) -> bool:
        """Whether the locality's own outputs are carried over from the session's last build, unlisted."""
        return self.groups is not None and self.groups.unchanged(loc)


def _workbooks(i: BuildInputs) -> list[Artifact]:
    return workbook_artifacts(i.project, i.resolver, i.prints, i.when, i.kept, i.unchanged)


def _site(i: BuildInputs) -> list[Artifact]:
    return site_artifacts(i.project, i.resolver, i.prints, i.when, i.html, i.assets, i.history, i.kept, i.unchanged)


def _assessment(i: BuildInputs) -> list[Artifact]:
    """网上检查, on the site only when gkcat.yaml asks for it (`assessment: publish: true`): assessment is internal."""
    config = i.project.config.assessment
    if config is None or not config.publish:
        return []
    project, when, html = i.project, i.when, i.html

    def render() -> tuple[bytes, int]:
        found = assess(Loaded(project, i.resolver, []), None, when.date())
        return html.render("assessment.html", page(project, ASSESSMENT_PAGE, "网上检查", when), assessment_view(found)), 0

    # no fingerprint: it reads the git history and the link checker's results, so it is made on every build
    return [Artifact((ASSESSMENT_PAGE,), None, render, local=True)]


def _static_file(path: Path, rel: str) -> tuple[bytes, int]:
    return read_input(path, f"{STATIC}/{rel}"), 0


def _static(i: BuildInputs) -> list[Artifact]:
    """The project's static/ folder, published at the same paths."""
    return [Artifact((rel,), None, partial(_static_file, f, rel)) for rel, f in sorted(i.project.static.items())]


# The output registry: (part, what it makes). A new output format is one function and one entry
# here; `gkcat build` makes every part, the benchmark can ask for one (build(parts=...)).
OUTPUTS: tuple[tuple[str, Callable[[BuildInputs], list[Artifact]]], ...] = (
    ("xlsx", _workbooks),
    ("site", _site),
    ("site", _static),
    ("site", _assessment),
)
PARTS: tuple[str, ...] = tuple(dict.fromkeys(part for part, _ in OUTPUTS))
