"""What every output of a build is (an `Artifact`), and how publish asks the memo for what it reuses: a
locality's group of outputs (`Groups`) and the parts of project-wide outputs (`Reuse`).

An artifact with an input fingerprint is reused from the previous build when the fingerprint is
unchanged (it is not even rendered); one without is cheap, so it is always rendered and the
pipeline keeps the old file when the bytes are the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import NamedTuple, TypeVar

from gkcat.model.files import DomainDef
from gkcat.model.project import Locality, Project
from gkcat.publish.fingerprints import Fingerprints
from gkcat.resolve.resolver import Resolver
from gkcat.resolve.spread import SPREAD, Spread, spread
from gkcat.source.memo import Key, Kind, Memo


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


def published_counts(project: Project, resolver: Resolver, loc: Locality) -> list[int | None]:
    """How many items the locality publishes in each domain (None where the domain does not reach it)."""
    return [len(resolver.published(loc, d)) if project.reaches(d, loc) else None for d in project.domains]


def domain_spread(project: Project, resolver: Resolver, d: DomainDef, kept: Reuse) -> list[Spread]:
    """A domain's spread, shared by its page and its 总表 sheet."""
    return kept.domain(d, SPREAD, partial(spread, project, resolver, d))
