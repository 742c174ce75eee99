"""The project's date: what a build stamps on its output and what "a year ago" is measured from.

SOURCE_DATE_EPOCH (reproducible-builds.org), else the date of the project's last commit, else a
constant: the same input gives the same output, and a check about dates gives the same result in CI
as on the machine that made the commit.
"""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from gkcat.errors import GkcatError

FALLBACK_TIME = datetime(2020, 1, 1, tzinfo=UTC)
# Workbooks are zip files, whose timestamps reach from 1980 to 2107; earlier dates are clamped.
_LAST_EPOCH = 4354819199  # 2107-12-31T23:59:59Z


class BadEpoch(GkcatError):
    """SOURCE_DATE_EPOCH holds something that is no date (exit code 2)."""

    exit_code = 2


def build_time(project_dir: Path) -> datetime:
    """SOURCE_DATE_EPOCH, else the date of the project's last commit, else a constant."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        # reproducible-builds.org: a malformed value must stop the build, not be silently ignored
        if not epoch.isdigit() or int(epoch) > _LAST_EPOCH:
            raise BadEpoch(f"环境变量 SOURCE_DATE_EPOCH 的值“{epoch[:40]}”无效：应为 0 到 {_LAST_EPOCH} 之间的整数"
                           "（1970 年以来的秒数，最晚到 2107 年）")
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    try:
        proc = subprocess.run(["git", "-C", str(project_dir), "log", "-1", "--format=%ct"],
                              capture_output=True, text=True, timeout=20, check=False)
        if proc.returncode == 0 and proc.stdout.strip().isdigit():
            return datetime.fromtimestamp(int(proc.stdout.strip()), tz=UTC)
    except (OSError, subprocess.SubprocessError):
        pass
    return FALLBACK_TIME


DEFAULT_ZONE = "Asia/Shanghai"
# China has kept one offset all year since 1991: where no time zone database is installed (Windows without the
# tzdata package), this is what Asia/Shanghai is
_FIXED = {"Asia/Shanghai": timezone(timedelta(hours=8), "CST"), "Asia/Chongqing": timezone(timedelta(hours=8), "CST"),
          "Asia/Urumqi": timezone(timedelta(hours=6)), "Asia/Hong_Kong": timezone(timedelta(hours=8)),
          "Asia/Macau": timezone(timedelta(hours=8)), "UTC": UTC}


def zone(name: str) -> tzinfo | None:
    """The time zone of that name (gkcat.yaml `timezone`), or None when it is no time zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return _FIXED.get(name)


def local_now(name: str = DEFAULT_ZONE) -> datetime:
    """Now, in the project's time zone: what a round's records show (the office reads local times)."""
    return datetime.now(zone(name) or _FIXED[DEFAULT_ZONE])


def local_time(stamp: str, name: str = DEFAULT_ZONE, iso: bool = False) -> str:
    """An ISO time in the project's time zone, as the office reads it (`2026-12-12 16:30`), or with `iso` as ISO
    8601 with that zone's offset; the stamp as it is when it is no time."""
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if when.tzinfo is not None:
        when = when.astimezone(zone(name) or _FIXED[DEFAULT_ZONE])
    return when.isoformat(timespec="seconds") if iso else when.strftime("%Y-%m-%d %H:%M")
