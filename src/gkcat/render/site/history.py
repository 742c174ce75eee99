"""The site's 更新记录 pages and Atom feeds: per release, what was added, removed and changed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from gkcat.compare.diff import DomainDiff
from gkcat.compare.history import Release, ReleaseChange
from gkcat.model.project import Locality, Project
from gkcat.render.diff import field_line
from gkcat.render.site.urls import HISTORY_PAGE, INDEX, feed_href, history_href, table_page


@dataclass(frozen=True)
class Line:
    id: str
    level2: str
    text: str  # why (added/removed) or the changed fields
    href: str  # the item on this locality's table page, or ""


@dataclass(frozen=True)
class DomainChanges:
    name: str
    added: tuple[Line, ...]
    removed: tuple[Line, ...]
    changed: tuple[Line, ...]


@dataclass(frozen=True)
class HistoryEntry:
    """One release at one locality, for the page and the feed."""

    uid: str  # stable Atom id
    release: str
    date: str  # YYYY-MM-DD
    updated: str  # ISO 8601
    subject: str  # the commit's message
    first: bool
    added: int
    removed: int
    changed: int
    domains: tuple[DomainChanges, ...]

    @property
    def summary(self) -> str:
        return _summary(self.first, self.added, self.removed, self.changed)


def _summary(first: bool, added: int, removed: int, changed: int) -> str:
    if first:
        return f"首次发布：{added} 项"
    return f"新增 {added} 项，删除 {removed} 项，修改 {changed} 项"


def _urn(*parts: str) -> str:
    """A stable Atom id: the same locality and release give the same id in every build."""
    return uuid.uuid5(uuid.NAMESPACE_URL, ":".join(("gkcat", *parts))).urn


@dataclass(frozen=True)
class HistoryView:
    """A locality's 更新记录 page and its feed (feed.xml beside the page)."""

    name: str
    path: str
    feed: str  # href of the Atom feed, from the site root
    entries: tuple[HistoryEntry, ...]
    updated: str  # newest entry's time, or the build's

    @property
    def title(self) -> str:
        return f"{self.name}政务公开标准目录更新记录"

    @property
    def page_href(self) -> str:
        return HISTORY_PAGE  # from the feed, which sits beside the page

    @property
    def feed_id(self) -> str:
        return _urn(self.path)


def _domain(d: DomainDiff, loc: Locality, extra: dict[str, str]) -> DomainChanges:
    href = f"{table_page(loc, d.id)}#"
    return DomainChanges(
        d.name,
        tuple(Line(m.id, m.level2, m.why, href + m.id) for m in d.only_b),
        tuple(Line(m.id, m.level2, m.why, "") for m in d.only_a),
        tuple(Line(c.id, c.level2, "；".join(field_line(f, extra) for f in c.fields), href + c.id) for c in d.changed),
    )


def _entry(project: Project, loc: Locality, change: ReleaseChange) -> HistoryEntry:
    extra = project.extra_labels
    r: Release = change.release
    uid = _urn(loc.path, r.commit.sha)
    domains = () if change.comparison is None else tuple(_domain(d, loc, extra) for d in change.comparison.domains)
    return HistoryEntry(uid, r.name, r.date, r.commit.date, r.commit.subject, change.first, change.added, change.removed,
                 change.changed, domains)


def history_view(project: Project, loc: Locality, changes: list[ReleaseChange], when: str) -> HistoryView:
    entries = tuple(_entry(project, loc, c) for c in changes)
    return HistoryView(loc.name, loc.path, feed_href(loc), entries, entries[0].updated if entries else when)


@dataclass(frozen=True)
class ProjectFeed:
    """The project-wide feed: one entry per release, listing the localities it changed."""

    title: str
    entries: tuple[HistoryEntry, ...]
    updated: str
    page_href: str  # the disclosure map, from feed.xml at the site root
    feed_id: str


def project_feed(project: Project, releases: list[Release], baseline: bool, changes: dict[str, list[ReleaseChange]],
                 when: str) -> ProjectFeed:
    root = project.root
    by_release: dict[str, list[tuple[Locality, ReleaseChange]]] = {}
    for loc in project.localities.values():
        for c in changes.get(loc.path, []):
            by_release.setdefault(c.release.commit.sha, []).append((loc, c))
    entries = []
    for r in releases[:-1] if baseline else releases:
        found = by_release.get(r.commit.sha)
        if not found:
            continue
        # one line per locality it changed, with that locality's counts: no need for the item lines
        lines = tuple(DomainChanges(loc.name, (), (), (Line("", _summary(c.first, c.added, c.removed, c.changed), "",
                                                             history_href(loc)),)) for loc, c in found)
        entries.append(HistoryEntry(_urn(root.path, "*", r.commit.sha), r.name, r.date, r.commit.date, r.commit.subject, False,
                             sum(c.added for _, c in found), sum(c.removed for _, c in found),
                             sum(c.changed for _, c in found), lines))
    return ProjectFeed(f"{project.config.title}更新记录", tuple(entries), entries[0].updated if entries else when, INDEX,
                       _urn(root.path, "*"))
