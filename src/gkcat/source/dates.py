"""The project's date: what a build stamps on its output and what "a year ago" is measured from.

SOURCE_DATE_EPOCH (reproducible-builds.org), else the date of the project's last commit, else a
constant: the same input gives the same output, and a check about dates gives the same result in CI
as on the machine that made the commit.
"""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

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
