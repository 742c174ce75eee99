"""`gkcat check-links`: collect the links, reuse recent results, request the rest, keep the results."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from gkcat.check.load import require_valid
from gkcat.errors import GkcatError
from gkcat.links.cache import fresh, read_cache, write_cache
from gkcat.links.collect import LinkUse, collect_links
from gkcat.links.probe import DEAD, REDIRECTED, Result, check_urls
from gkcat.resolve.catalog import Unknown, find_locality


class CannotCheck(GkcatError):
    """check-links cannot run as asked (exit 2)."""

    exit_code = 2


@dataclass(frozen=True)
class Checked:
    use: LinkUse
    result: Result
    cached: bool  # taken from .gkcat-links.json, not requested now


@dataclass(frozen=True)
class LinkReport:
    links: list[Checked]  # sorted by URL

    def count(self, state: str) -> int:
        return sum(1 for c in self.links if c.result.state == state)

    @property
    def dead(self) -> list[Checked]:
        return [c for c in self.links if c.result.state == DEAD]

    @property
    def redirected(self) -> list[Checked]:
        return [c for c in self.links if c.result.state == REDIRECTED]


@dataclass(frozen=True)
class LinkOptions:
    locality: str | None = None
    timeout: float = 10.0
    jobs: int = 8
    max_age: float = 24.0  # hours; 0: request every link


def check_links(directory: Path, options: LinkOptions, now: Callable[[], datetime] = lambda: datetime.now(UTC),
                progress: Callable[[Result], None] = lambda r: None) -> LinkReport:
    """Every link of the catalogs (of one locality and those below it), checked or taken from the cache."""
    if options.timeout <= 0 or options.jobs < 1 or options.max_age < 0:
        raise CannotCheck("--timeout 应大于 0，--jobs 至少为 1，--max-age 不能为负数")
    v = require_valid(directory, exit_code=2)
    try:
        under = find_locality(v.project, options.locality) if options.locality else None
    except Unknown as err:  # exit 1 means dead links here
        raise CannotCheck(str(err)) from None
    uses = collect_links(v.project, v.resolver, under)
    root = v.project.root_dir
    cached = read_cache(root)
    reuse = fresh(cached, now(), options.max_age) if options.max_age > 0 else {}
    todo = [u.url for u in uses if u.url not in reuse]
    results = {r.url: r for r in check_urls(todo, options.timeout, options.jobs, now, progress)}
    checked = [Checked(u, results.get(u.url) or reuse[u.url], u.url not in results) for u in uses]
    # a run over one locality keeps what the cache knew of the others; a run over all keeps only current links
    kept = dict(cached) if under is not None else {}
    kept.update({c.result.url: c.result for c in checked})
    write_cache(root, list(kept.values()))
    return LinkReport(checked)
