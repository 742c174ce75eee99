"""`gkcat check-links`: collect the links, reuse recent results, request the rest, keep the results."""

from __future__ import annotations

import math
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
from gkcat.source.lock import project_lock


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


MAX_TIMEOUT = 600.0  # seconds for one link
MAX_JOBS = 64
MAX_AGE = 24.0 * 366 * 10  # hours: ten years


def _check_options(options: LinkOptions) -> None:
    """CannotCheck for a number the run cannot use: nan, inf, or out of its range."""
    for flag, value, low, high, what in (("--timeout", options.timeout, 0.0, MAX_TIMEOUT, "秒"),
                                         ("--max-age", options.max_age, 0.0, MAX_AGE, "小时"),
                                         ("--jobs", float(options.jobs), 1.0, float(MAX_JOBS), "个")):
        low_ok = value > low if flag == "--timeout" else value >= low
        if not math.isfinite(value) or not low_ok or value > high:
            bound = f"大于 {low:g}" if flag == "--timeout" else f"至少为 {low:g}"
            raise CannotCheck(f"{flag} 的值“{value:g}”不可用：应{bound}、不超过 {high:g} {what}的数")


def check_links(directory: Path, options: LinkOptions, now: Callable[[], datetime] = lambda: datetime.now(UTC),
                progress: Callable[[Result], None] = lambda r: None) -> LinkReport:
    """Every link of the catalogs (of one locality and those below it), checked or taken from the cache."""
    _check_options(options)
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
    # a run over one locality keeps what the cache knew of the others (as the cache is now: another run
    # may have written it meanwhile); a run over all keeps only current links
    with project_lock(root):
        kept = read_cache(root) if under is not None else {}
        kept.update({c.result.url: c.result for c in checked})
        write_cache(root, list(kept.values()))
    return LinkReport(checked)
