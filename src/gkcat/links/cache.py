"""`.gkcat-links.json`: results of earlier runs with their dates, so a rerun skips recent good links.

Only links that answered (fine or redirected) are reused: a dead link is requested again on every
run, since the point of a rerun is mostly to see whether it was fixed.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path

from gkcat.errors import InputError
from gkcat.links.probe import DEAD, Result
from gkcat.source.files import read_input

CACHE_FILE = ".gkcat-links.json"
MAX_CACHE = 200 * 2**20  # bytes: 10,000 links' results take a few MB


def read_cache(project_dir: Path) -> dict[str, Result]:
    """Earlier results by URL; an unreadable or foreign file counts as no cache."""
    path = project_dir / CACHE_FILE
    try:  # read as inputs are: a regular file (never a link out of the project, a FIFO, a device), bounded
        data = json.loads(read_input(path, CACHE_FILE, MAX_CACHE, follow=False).decode("utf-8"))
        return {url: Result(url, str(r["state"]), r.get("status"), str(r.get("final", "")), str(r.get("error", "")),
                            str(r["checked"])) for url, r in data["links"].items()}
    except (InputError, OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return {}


def fresh(cached: dict[str, Result], now: datetime, max_age_hours: float) -> dict[str, Result]:
    """The cached results younger than `max_age_hours` that need no new request."""
    limit = now - timedelta(hours=max_age_hours)
    out = {}
    for url, r in cached.items():
        try:
            when = datetime.fromisoformat(r.checked)
        except ValueError:
            continue
        if r.state != DEAD and when.tzinfo is not None and limit < when <= now:
            out[url] = r
    return out


def write_cache(project_dir: Path, results: list[Result]) -> None:
    """Every result of this run, sorted by URL, written whole (a temporary file, then renamed)."""
    body = {"gkcat": "check-links", "links": {r.url: {"state": r.state, "status": r.status, "final": r.final,
                                                      "error": r.error, "checked": r.checked}
                                              for r in sorted(results, key=lambda r: r.url)}}
    path = project_dir / CACHE_FILE
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.unlink(missing_ok=True)  # a link left there is removed, not followed: "x" creates a new file
    try:
        with tmp.open("x", encoding="utf-8") as f:
            f.write(json.dumps(body, ensure_ascii=False, indent=1) + "\n")
        os.replace(tmp, path)  # replaces a link at `path` itself, never its target
    finally:
        tmp.unlink(missing_ok=True)
