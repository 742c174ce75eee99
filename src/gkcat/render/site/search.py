"""The site's search index: each distinct item once, with the localities that publish it.

A province publishes some 600k item rows, but towns share their county's entries (the resolver
hands them the same objects), so the index holds each entry once and lists its localities as runs
of pre-order positions: a county and all its towns are one run. Subjects stay as written (roles or
names); the page resolves roles per locality from each locality's own departments, as
`resolve_subject` does. The index is a script calling `gkcatIndex(...)`, because a page opened
from file:// may load a script but may not fetch a JSON file.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from gkcat.model.files import DomainDef
from gkcat.model.project import Locality, Project
from gkcat.model.vocabulary import LEVEL_ZH
from gkcat.resolve.resolver import Entry
from gkcat.source.memo import Kind

CALLBACK = "gkcatIndex"


def _runs(positions: list[int]) -> list[int]:
    """Sorted positions as [gap, length, gap, length, ...]; each gap counts from the end of the last run."""
    out: list[int] = []
    end = 0
    i = 0
    while i < len(positions):
        start = j = positions[i]
        while i + 1 < len(positions) and positions[i + 1] == j + 1:
            i, j = i + 1, j + 1
        out += [start - end, j - start + 1]
        end = j + 1
        i += 1
    return out


def _header(project: Project) -> dict[str, Any]:
    locs = list(project.localities.values())
    position = {loc.path: i for i, loc in enumerate(locs)}
    levels: list[str] = list(project.config.levels)
    localities = []
    for i, loc in enumerate(locs):
        end = i + sum(1 for _ in loc.walk())
        localities.append([loc.path, loc.name, levels.index(loc.level),
                           position[loc.parent.path] if loc.parent else -1, end, dict(sorted(loc.departments.items()))])
    return {
        "title": project.config.title,
        "levels": [[lv, LEVEL_ZH[lv]] for lv in levels],
        "domains": [[d.id, d.name] for d in project.domains],
        "localities": localities,
    }


def domain_entries(d_index: int, published: list[list[Entry]]) -> list[list[Any]]:
    """The index entries of one domain (what each locality publishes in it, in the project's order): each
    distinct item once, with where it is published."""
    where: dict[int, tuple[Entry, list[int]]] = {}
    for i, here in enumerate(published):
        for e in here:
            found = where.get(id(e))
            if found is None:
                found = where[id(e)] = (e, [])
            found[1].append(i)
    # Equal items are one entry even where a locality's file made its own copy (an override that
    # repeats the value above): the index then depends on content only, as its fingerprint does.
    merged: dict[tuple[str, object], tuple[Entry, list[int]]] = {}
    for e, places in where.values():
        found = merged.setdefault((e.id, e.values), (e, []))
        found[1].extend(places)
    entries: list[list[Any]] = []
    for e, places in merged.values():
        v = e.values
        entries.append([d_index, e.id, v.level1, v.level2, "；".join(v.content), list(v.subject), _runs(sorted(places))])
    return entries


def index_data(project: Project, published: Published) -> dict[str, Any]:
    """The index as plain data (documented in docs/site.md), from what each locality publishes in each domain."""
    entries = [e for i, d in enumerate(project.domains) for e in domain_entries(i, published_in(project, published, d))]
    return {**_header(project), "entries": entries}


# what a locality publishes in a domain (Resolver.published, or entries the caller has)
Published = Callable[[Locality, DomainDef], list[Entry]]


def published_in(project: Project, published: Published, domain: DomainDef) -> list[list[Entry]]:
    """What each locality publishes in `domain`, in the project's order."""
    return [published(loc, domain) for loc in project.localities.values()]


def _dumps(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def domain_json(d_index: int, published: list[list[Entry]]) -> str:
    """A domain's entries of the index as JSON, without the brackets (`index_script` joins the domains')."""
    return _dumps(domain_entries(d_index, published))[1:-1]


# A domain's entries of the search index as JSON, by the domain's fingerprint.
SEARCH_PART: Kind[str] = Kind("search-part", shelf="site", dump=lambda text: text,
                               load=lambda d: d if isinstance(d, str) else None)


def index_script(project: Project, parts: list[str]) -> bytes:
    """The index as the script the search page loads: index_data's JSON, written domain by domain (a
    `domain_json` per domain: the build keeps each by the domain's fingerprint)."""
    chunks = [part for part in parts if part]
    body = _dumps(_header(project))[:-1] + ',"entries":[' + ",".join(chunks) + "]}"
    # "</" would end the script if it were ever inlined; JSON allows "<\\/" for it
    body = body.replace("</", "<\\/")
    return f"{CALLBACK}({body});\n".encode()
