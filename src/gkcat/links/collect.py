"""Every link of the resolved catalogs: where it is written (file:line) and which localities show it."""

from __future__ import annotations

from dataclasses import dataclass, field

from gkcat.model.project import Locality, Project
from gkcat.model.vocabulary import is_http_link
from gkcat.resolve.catalog import listed
from gkcat.resolve.provenance import Step
from gkcat.resolve.resolver import Entry, Resolver


@dataclass(frozen=True, order=True)
class Place:
    file: str
    line: int
    column: int


@dataclass
class LinkUse:
    """One URL and everywhere it appears."""

    url: str
    places: set[Place] = field(default_factory=set)
    localities: dict[str, str] = field(default_factory=dict)  # path -> name, in project order


def _place(entry: Entry, url: str) -> Place | None:
    steps = entry.history.get("links", ())
    if not steps:
        return None
    step: Step = steps[-1]  # the step that set the list the locality shows
    written = step.value()
    if isinstance(written, list) and url in written:
        step = step.at(written.index(url))
    line, column = step.doc.pos(step.path)
    return Place(step.file, line, column)


def collect_links(project: Project, resolver: Resolver, under: Locality | None = None) -> list[LinkUse]:
    """The http(s) links shown by the localities at and below `under` (all of them by default), sorted by URL."""
    found: dict[str, LinkUse] = {}
    # a locality without a file for a domain shares its parent's entries: each entry's places are found once
    places: dict[tuple[int, str], Place | None] = {}
    localities = list(under.walk()) if under is not None else list(project.localities.values())
    for loc in localities:
        for domain in project.domains:
            if not project.reaches(domain, loc):
                continue
            for entry in listed(resolver, loc, domain):  # what its table shows
                for url in entry.values.links:
                    if not is_http_link(url):
                        continue  # validation refuses other links; they are never requested
                    use = found.setdefault(url, LinkUse(url))
                    key = (id(entry), url)
                    if key not in places:
                        places[key] = _place(entry, url)
                    place = places[key]
                    if place is not None:
                        use.places.add(place)
                    use.localities.setdefault(loc.path, loc.name)
    return [found[url] for url in sorted(found)]
