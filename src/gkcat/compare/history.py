"""A locality's change history across releases (git tags, or recent commits), for 更新记录 and Atom feeds."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from gkcat.compare.diff import Comparison, Side, compare
from gkcat.compare.revisions import Commit
from gkcat.resolve.resolver import Resolver


@dataclass(frozen=True)
class Release:
    """One published version: a tagged commit, or a commit that changed the project."""

    commit: Commit
    resolver: Resolver

    @property
    def name(self) -> str:
        return "、".join(self.commit.tags) if self.commit.tags else self.commit.sha[:8]

    @property
    def date(self) -> str:
        return self.commit.date[:10]


@dataclass(frozen=True)
class ReleaseChange:
    """What one release changed at one locality (against the release before it)."""

    release: Release
    comparison: Comparison | None  # None: the locality's first release, where everything is new (only counted)
    added: int
    removed: int
    changed: int

    @property
    def first(self) -> bool:
        return self.comparison is None


def source_keys(resolver: Resolver) -> dict[str, str]:
    """Per locality, a hash of every file its catalogs are resolved from (project files, its own and its
    ancestors' locality and domain files). Equal keys in two versions: identical catalogs, no need to compare."""
    project = resolver.project
    docs = [d.text for d in (project.config_doc, project.domains_doc) if d is not None]
    base = hashlib.sha256("\0".join(docs).encode("utf-8")).hexdigest()
    keys: dict[str, str] = {}
    for loc in project.localities.values():
        parts = [keys[loc.parent.path] if loc.parent else base, loc.doc.text if loc.doc else ""]
        parts += [f"{d}\0{src.doc.text}" for d, src in sorted(loc.files.items())]
        keys[loc.path] = hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()
    return keys


def all_histories(releases: list[Release], baseline: bool = False) -> dict[str, list[ReleaseChange]]:
    """Every locality's history (see locality_history), comparing only where some source file differs."""
    keys = [source_keys(r.resolver) for r in releases]
    paths = list(dict.fromkeys(p for r in releases for p in r.resolver.project.localities))
    return {p: locality_history(releases, p, baseline, keys) for p in paths}


def locality_history(releases: list[Release], path: str, baseline: bool = False,
                     keys: list[dict[str, str]] | None = None) -> list[ReleaseChange]:
    """Newest first: each release at which the locality's published catalogs differ from the release before.

    With `baseline`, the last release is only the starting point and is not listed itself.
    """
    out = []
    for i, release in enumerate(releases[:-1] if baseline else releases):
        before = releases[i + 1] if i + 1 < len(releases) else None
        if keys and before is not None and keys[i].get(path) is not None and keys[i].get(path) == keys[i + 1].get(path):
            continue  # the same files: the same catalogs
        b = _side(release, path)
        a = _side(before, path) if before else None
        if b is None:
            if a is not None:  # the locality was removed in this release
                c = compare(a, None)
                out.append(ReleaseChange(release, c, 0, sum(len(d.only_a) for d in c.domains), 0))
            continue
        if a is None:
            project, loc = release.resolver.project, b.locality
            count = sum(len(release.resolver.published(loc, d)) for d in project.domains if project.reaches(d, loc))
            if count:
                out.append(ReleaseChange(release, None, count, 0, 0))
            continue
        c = compare(a, b)
        if not c.same:
            out.append(ReleaseChange(release, c, sum(len(d.only_b) for d in c.domains), sum(len(d.only_a) for d in c.domains),
                              sum(len(d.changed) for d in c.domains)))
    return out


def _side(release: Release, path: str) -> Side | None:
    loc = release.resolver.project.localities.get(path)
    return Side(release.resolver, loc, release.name) if loc is not None else None
