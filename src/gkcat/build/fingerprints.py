"""Fingerprints of what each output is made from, so that a rebuild renders only what changed.

An output is a pure function of its inputs; a fingerprint hashes those inputs. Entry lists are
shared between localities, so their hashes are cached by identity and a province costs little.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import gkcat
from gkcat import __version__
from gkcat.model.files import DomainDef
from gkcat.model.project import Locality, Project
from gkcat.resolve.resolver import Entry, Exclusion, Resolver, WithheldEntry
from gkcat.source.yamldoc import SourceDoc


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A hash of gkcat's own code, as installed: any change to it (an editable install, a release
    that forgot to bump the version) renders every output anew instead of reusing old ones."""
    package = Path(gkcat.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode("utf-8") + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _h(*parts: Any) -> str:
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()


class Fingerprints:
    def __init__(self, project: Project, resolver: Resolver, when: str, templates: str = ""):
        self.project, self.resolver = project, resolver
        config = project.config
        self.base = _h(__version__, code_digest(), when, config.model_dump(),
                       [d.model_dump() for d in project.domains])
        self.site = _h(self.base, templates)  # pages also depend on the templates in use
        self._memo: dict[tuple[str, int], str] = {}

    def _once(self, obj: object, make: Callable[[], str], kind: str = "") -> str:
        # Documents and the lists of a DomainState are shared by every locality that inherits them
        # unchanged; each is hashed once. (The objects outlive this instance, so ids stay unique.)
        key = (kind, id(obj))
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = make()
        return found

    def _doc(self, doc: SourceDoc) -> str:
        return self._once(doc, lambda: _h(doc.rel, doc.text))

    def _entries(self, entries: list[Entry]) -> str:
        return self._once(entries, lambda: _h([(e.id, sorted(e.values.items()), e.owner) for e in entries]))

    def _excluded(self, excluded: list[Exclusion]) -> str:
        # The 来源 column prints file:line, so the text of the file is an input.
        return self._once(excluded, lambda: _h([
            (x.id, x.reason, x.locality.name, x.step.path, self._doc(x.step.doc), sorted(x.entry.values.items()))
            for x in excluded]))

    def _withheld(self, withheld: list[WithheldEntry]) -> str:
        return self._once(withheld, lambda: _h([(w.id, w.title, w.reason, w.basis, w.locality.name) for w in withheld]))

    def locality(self, loc: Locality) -> str:
        """Everything a locality's workbook is made from."""
        parts: list[Any] = [self.base, loc.path, loc.name, loc.level, loc.code,
                            loc.parent.name if loc.parent else None,
                            sorted((role, name) for role, (name, _) in loc.roles.items())]
        for domain in self.project.domains:
            if self.project.reaches(domain, loc):
                state = self.resolver.state(loc, domain)
                parts.append((domain.id, self._entries(state.entries), self._excluded(state.excluded),
                              self._withheld(state.withheld)))
        return _h(*parts)

    def _origins(self, entries: list[Entry]) -> str:
        # Open data prints where each item was defined (file and line), so those files are inputs.
        return self._once(entries, lambda: _h([(self._doc(e.origin.doc), e.origin.path) for e in entries]), "origins")

    def _place(self, loc: Locality) -> list[Any]:
        return [(x.path, x.name, x.level, x.code, sorted((r, n) for r, (n, _) in x.roles.items())) for x in loc.chain()]

    def table(self, loc: Locality, domain: DomainDef) -> str:
        """A table page: the domain at this locality, and the entries above it (for 本级调整 notes)."""
        state = self.resolver.state(loc, domain)
        above = self._entries(self.resolver.state(loc.parent, domain).entries) if loc.parent else None
        return _h(self.site, domain.id, self._place(loc), self._entries(state.entries), above,
                  self._excluded(state.excluded), self._withheld(state.withheld))

    def open_data(self, loc: Locality) -> str:
        """A locality's catalog.json: what it publishes and where each item was defined."""
        parts: list[Any] = [self.base, "json", loc.path, loc.name, loc.level]
        for domain in self.project.domains:
            if self.project.reaches(domain, loc):
                state = self.resolver.state(loc, domain)
                parts.append((domain.id, self._entries(state.entries), self._origins(state.entries),
                              self._excluded(state.excluded), self._withheld(state.withheld)))
        return _h(*parts, sorted((r, n) for r, (n, _) in loc.roles.items()))

    # -- the cheap pages: without a fingerprint they were rendered on every build, 1,600 on a province

    def _state(self, loc: Locality, domain: DomainDef) -> str:
        """A domain at a locality, as the counts, matrices and lists of the site's pages see it."""
        if not self.project.reaches(domain, loc):
            return "-"
        state = self.resolver.state(loc, domain)
        return self._once(state, lambda: _h(self._entries(state.entries), self._excluded(state.excluded),
                                            self._withheld(state.withheld)), "state")

    def _summary(self, loc: Locality) -> str:
        """A locality in the map and the matrices: its place, roles (lead departments) and every domain's state."""
        return self._once(loc, lambda: _h(loc.path, loc.name, loc.level, loc.depth, loc.code,
                                          sorted(loc.departments.items()),
                                          sorted((r, n) for r, (n, _) in loc.roles.items()),
                                          [self._state(loc, d) for d in self.project.domains]), "summary")

    def locality_page(self, loc: Locality, history: bool) -> str:
        """A locality's page: itself, its parent and children, and their matrix."""
        return _h(self.site, "locality", history, self._place(loc), self._summary(loc),
                  [self._summary(c) for c in loc.children])

    def domain_page(self, domain: DomainDef) -> str:
        """A domain across every locality."""
        return _h(self.site, "domain", domain.id, [(loc.path, loc.name, loc.level, loc.depth, self._state(loc, domain))
                                                   for loc in self.project.localities.values()])

    def search_page(self) -> str:
        """The search page: its filters name every locality."""
        return _h(self.site, "search", [(loc.path, loc.name, loc.depth) for loc in self.project.localities.values()])

    def all_localities(self, kind: str) -> str:
        """The map and the search index: every locality's summary."""
        return _h(self.site, kind, [self._summary(loc) for loc in self.project.localities.values()])

    def everything(self, localities: dict[str, str]) -> str:
        """The project-wide outputs: made from every locality."""
        return _h(self.base, sorted(localities.items()),
                  [(loc.path, loc.depth) for loc in self.project.localities.values()])
