"""The site of a build: the map, search, the domains' pages, and per locality its page, tables, duty list,
poster, open data, work plans and history. Each page's render function resolves what it shows (the
project-wide pages' parts through the memo), then hands it to render/site."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial

from gkcat.compare.history import Release, ReleaseChange
from gkcat.model.files import DomainDef
from gkcat.model.project import Locality, Project
from gkcat.model.workplan import workplan_name
from gkcat.publish.artifact import Artifact, Reuse, domain_spread, published_counts
from gkcat.publish.fingerprints import Fingerprints
from gkcat.render.data import show_data
from gkcat.render.site.duties import duties_view
from gkcat.render.site.history import history_view, project_feed
from gkcat.render.site.jinja import HtmlRenderer
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
    SEARCH,
    SEARCH_INDEX,
    data_href,
    departments_href,
    domain_href,
    feed_href,
    history_href,
    locality_href,
    poster_href,
    table_href,
    workplan_href,
)
from gkcat.render.site.workplan import workplan_view
from gkcat.resolve.catalog import catalog, catalogs_for, counts, levels_from, parent_entries
from gkcat.resolve.duties import duty_lists
from gkcat.resolve.resolver import Resolver
from gkcat.resolve.spread import waiting
from gkcat.resolve.workplan import ResolvedPlan, plans_of


def _bytes(data: bytes) -> Callable[[], tuple[bytes, int]]:
    return lambda: (data, 0)


def _matrix_row(project: Project, resolver: Resolver, loc: Locality) -> MatrixRow:
    return matrix_row(project, loc, [None if n is None else (n, len(waiting(resolver, loc, d)))
                                     for d, n in zip(project.domains, published_counts(project, resolver, loc), strict=True)])


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
        published = [(d.name, n) for d, n in zip(project.domains, published_counts(project, resolver, loc), strict=True)
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
    return html.render("domain.html", page_, domain_view(project, d, domain_spread(project, resolver, d, kept))), 0


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
