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
from typing import Any

from gkcat.model.project import Project
from gkcat.model.vocabulary import LEVEL_ZH
from gkcat.resolve.resolver import Entry, Resolver

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


def index_data(project: Project, resolver: Resolver) -> dict[str, Any]:
    """The index as plain data (documented in docs/site.md)."""
    locs = list(project.localities.values())
    position = {loc.path: i for i, loc in enumerate(locs)}
    levels: list[str] = list(project.config.levels)
    localities = []
    for i, loc in enumerate(locs):
        end = i + sum(1 for _ in loc.walk())
        localities.append([loc.path, loc.name, levels.index(loc.level),
                           position[loc.parent.path] if loc.parent else -1, end, dict(sorted(loc.departments.items()))])
    entries: list[list[Any]] = []
    for d_index, domain in enumerate(project.domains):
        where: dict[int, tuple[Entry, list[int]]] = {}
        for i, loc in enumerate(locs):
            for e in resolver.published(loc, domain):
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
        for e, places in merged.values():
            v = e.values
            entries.append([d_index, e.id, v.level1, v.level2, "；".join(v.content), list(v.subject),
                            _runs(sorted(places))])
    return {
        "title": project.config.title,
        "levels": [[lv, LEVEL_ZH[lv]] for lv in levels],
        "domains": [[d.id, d.name] for d in project.domains],
        "localities": localities,
        "entries": entries,
    }


def index_script(project: Project, resolver: Resolver) -> bytes:
    """The index as the script the search page loads."""
    body = json.dumps(index_data(project, resolver), ensure_ascii=False, separators=(",", ":"))
    # "</" would end the script if it were ever inlined; JSON allows "<\\/" for it
    body = body.replace("</", "<\\/")
    return f"{CALLBACK}({body});\n".encode()

