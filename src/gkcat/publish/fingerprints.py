"""Fingerprints of what each output is made from, so that a rebuild renders only what changed.

An output is a pure function of its inputs; a fingerprint hashes those inputs.
"""

from __future__ import annotations

import hashlib
from typing import Any

from gkcat import __version__
from gkcat.model.files import DomainDef
from gkcat.model.project import Locality, Project
from gkcat.resolve.resolver import Resolver
from gkcat.source.cache import code_digest
from gkcat.source.yamldoc import SourceDoc


def _h(*parts: Any) -> str:
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()


class Fingerprints:
    """Fingerprints from the source files each output is made from, not from the resolved catalogs.

    An output of a locality is a function of gkcat.yaml, domains.yaml, the templates, gkcat's code,
    the build date, and the files of its locality's chain: the locality.yaml and domain files of
    the locality and of each level above it (inheritance, roles and names come from nowhere else).
    Hashing those is a few milliseconds for a province, where hashing a million resolved rows took
    seconds; a file changed without changing what it resolves to only costs one more rendering
    (the pipeline then keeps the old file, whose bytes are the same).
    """

    def __init__(self, project: Project, resolver: Resolver, when: str, templates: str = ""):
        self.project, self.resolver = project, resolver
        config = project.config
        self.base = _h(__version__, code_digest(), when, config.model_dump(),
                       [d.model_dump() for d in project.domains])
        self.site = _h(self.base, templates)  # pages also depend on the templates in use
        self._memo: dict[tuple[str, str, str], str] = {}

    @staticmethod
    def _doc(doc: SourceDoc | None) -> str:
        return "-" if doc is None else doc.digest

    def chain(self, loc: Locality, domain: DomainDef | None = None) -> str:
        """The files of the locality's chain: every domain's (domain=None), or one domain's and the locality files.

        One domain's is the resolver's key of the state (resolve/resolver.py), which names exactly
        those files by content: worked out once per load, not once more per output.
        """
        if domain is not None:
            return self.resolver.key(loc, domain)
        key = ("chain", loc.path, "")
        found = self._memo.get(key)
        if found is None:
            above = self.chain(loc.parent) if loc.parent else ""
            # the work plans go with every domain's chain: locality pages and the map list them
            plans = [(year, self._doc(src.doc)) for year, src in sorted(loc.workplans.items())]
            found = self._memo[key] = _h(above, loc.path, self._doc(loc.doc),
                                         [self.resolver.key(loc, d) for d in self.project.domains], plans)
        return found

    def locality(self, loc: Locality) -> str:
        """Everything a locality's workbook (and its fill-in workbook) is made from."""
        return _h(self.base, "xlsx", self.chain(loc))

    def table(self, loc: Locality, domain: DomainDef) -> str:
        """A table page: the domain at this locality (the entries above it come with the chain)."""
        # the one fingerprint made 41,000 times in a province, so not hashed once more: the chain's key
        # names the domain and its files already; the site's digest is cut to keep the manifest small
        return f"t{self.site[:23]}{self.chain(loc, domain)}"

    def open_data(self, loc: Locality) -> str:
        """A locality's catalog.json."""
        return _h(self.base, "json", self.chain(loc))

    def group(self, loc: Locality, history: bool) -> str:
        """Everything a locality's own outputs are made from (each of them uses a part of it: locality,
        table, open_data, locality_part), and so its page: itself, its parent and children, their matrix."""
        return _h(self.site, "group", history, self.chain(loc), [self.chain(c) for c in loc.children])

    def locality_part(self, loc: Locality, kind: str) -> str:
        """A page made from the locality's own catalogs only (its duty lists, its poster)."""
        return _h(self.site, kind, self.chain(loc))

    def domain(self, domain: DomainDef) -> str:
        """A domain across every locality, whatever it is rendered as (a 总表 sheet, the search index's part)."""
        key = ("domain", domain.id, "")
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = _h(self.base, "domain", domain.id,
                                         [self.chain(loc, domain) for loc in self.project.localities.values()])
        return found

    def domain_page(self, domain: DomainDef) -> str:
        """A domain across every locality."""
        return _h(self.site, "domain", self.domain(domain))

    def search_page(self) -> str:
        """The search page: its filters name every locality."""
        return _h(self.site, "search", [(loc.path, loc.name, loc.depth) for loc in self.project.localities.values()])

    def all_localities(self, kind: str) -> str:
        """The map and the search index: every locality."""
        return _h(self.site, kind, [self.chain(loc) for loc in self.project.localities.values()])

    def everything(self, localities: dict[str, str]) -> str:
        """The project-wide outputs: made from every locality."""
        return _h(self.base, sorted(localities.items()),
                  [(loc.path, loc.depth) for loc in self.project.localities.values()])
