"""`gkcat build`: validate, render every output, and swap the new folder in. The only writer.

Everything is rendered into a temporary folder beside OUT and swapped in only when all of it
succeeded, so a failed build leaves the old output untouched. A manifest of input fingerprints
lets a rebuild hard-link unchanged outputs from the previous build instead of rendering them.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

from . import __version__
from .fingerprints import Fingerprints
from .validate import Validation, validate_project
from .workbooks import locality_workbook, project_workbook, workbook_paths

MANIFEST = ".gkcat-manifest.json"
PROJECT_WORKBOOK = "总表.xlsx"
FALLBACK_TIME = datetime(2020, 1, 1, tzinfo=timezone.utc)


class BuildRefused(Exception):
    """The build cannot run as asked (exit code 2): the message says why, in Chinese."""


@dataclass(frozen=True)
class Artifact:
    """One output: where it goes (first path; the others are aliases), what it is made from, how to make it."""

    paths: tuple[str, ...]
    inputs: str
    render: Callable[[], tuple[bytes, int]]  # -> (content, item rows it holds)


@dataclass
class BuildReport:
    out: Path
    files: int = 0
    rows: int = 0
    rendered: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    seconds: float = 0.0


def build_time(project_dir: Path) -> datetime:
    """SOURCE_DATE_EPOCH, else the date of the project's last commit, else a constant."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    try:
        proc = subprocess.run(["git", "-C", str(project_dir), "log", "-1", "--format=%ct"],
                              capture_output=True, text=True, timeout=20, check=False)
        if proc.returncode == 0 and proc.stdout.strip().isdigit():
            return datetime.fromtimestamp(int(proc.stdout.strip()), tz=timezone.utc)
    except (OSError, subprocess.SubprocessError):
        pass
    return FALLBACK_TIME


def check_out(project_dir: Path, out: Path, top: str | None) -> Path:
    """OUT resolved, or BuildRefused when writing there could destroy something."""
    out = out.resolve()
    project_dir = project_dir.resolve()
    if out == Path(out.anchor) or out == project_dir or out in project_dir.parents:
        raise BuildRefused(f"不能输出到 {out}：它是项目文件夹、其上级或根目录，生成时会被整体替换")
    if top and (out == project_dir / top or project_dir / top in out.parents):
        raise BuildRefused(f"不能输出到 {out}：它在地区文件夹 {top}/ 之中，会被当作地区读取")
    if out.exists() and not out.is_dir():
        raise BuildRefused(f"{out} 是一个文件，不是文件夹")
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise BuildRefused(f"{out} 不是 gkcat 生成的文件夹（其中没有 {MANIFEST}），为免误删其中的文件，请指定空文件夹或新文件夹")
    return out


def artifacts(v: Validation, when: datetime) -> list[Artifact]:
    """Every output of the project, with its input fingerprint."""
    project, resolver = v.project, v.resolver
    assert project is not None and resolver is not None
    prints = Fingerprints(project, resolver, when.isoformat())
    out: list[Artifact] = []
    by_locality: dict[str, str] = {}
    for loc in project.localities.values():
        by_locality[loc.path] = prints.locality(loc)
        out.append(Artifact(workbook_paths(loc), by_locality[loc.path],
                            lambda loc=loc: locality_workbook(project, resolver, loc, when)))
    out.append(Artifact((PROJECT_WORKBOOK,), prints.everything(by_locality),
                        lambda: (project_workbook(project, resolver, when), 0)))
    return out


# The artifacts being rendered, for worker processes: fork hands them the parent's memory.
_WORK: list[Artifact] = []


def _render(index: int) -> tuple[int, bytes, int]:
    data, rows = _WORK[index].render()
    return index, data, rows


def _collect(results: Iterable[tuple[int, bytes, int]]) -> dict[int, tuple[bytes, int]]:
    return {i: (data, rows) for i, data, rows in results}


def _render_all(work: list[Artifact], todo: list[int], jobs: int) -> dict[int, tuple[bytes, int]]:
    global _WORK
    _WORK = work
    try:
        # Workers get the resolved project by fork; where there is no fork (Windows), render here.
        if jobs <= 1 or len(todo) < 4 or "fork" not in multiprocessing.get_all_start_methods():
            return _collect(map(_render, todo))
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            return _collect(pool.imap_unordered(_render, todo, chunksize=4))
    finally:
        _WORK = []


def _previous(out: Path) -> dict[str, dict[str, object]]:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        return data["files"] if data.get("gkcat") == __version__ else {}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _place(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)  # same inode: an unchanged output is not rewritten
    except OSError:
        shutil.copy2(src, dst)


def write_outputs(work: list[Artifact], out: Path, jobs: int, report: BuildReport) -> None:
    """Render what changed into a temporary folder, reuse the rest, then swap it in as OUT."""
    previous = _previous(out) if out.is_dir() else {}
    tmp, old = out.parent / f".{out.name}.gkcat-tmp", out.parent / f".{out.name}.gkcat-old"
    for stale in (tmp, old):  # left by a build that was killed: ours by name
        if stale.exists():
            shutil.rmtree(stale)
    tmp.mkdir(parents=True)
    try:
        manifest: dict[str, dict[str, object]] = {}
        todo = []
        for i, art in enumerate(work):
            prev = previous.get(art.paths[0])
            if prev and prev.get("inputs") == art.inputs and all((out / p).is_file() for p in art.paths):
                for p in art.paths:
                    _place(out / p, tmp / p)
                manifest.update({p: prev for p in art.paths})
                report.reused.append(art.paths[0])
                report.rows += int(prev.get("rows", 0))  # type: ignore[call-overload]
            else:
                todo.append(i)
        for i, (data, rows) in sorted(_render_all(work, todo, jobs).items()):
            art = work[i]
            first = tmp / art.paths[0]
            first.parent.mkdir(parents=True, exist_ok=True)
            first.write_bytes(data)
            for alias in art.paths[1:]:
                _place(first, tmp / alias)
            entry = {"inputs": art.inputs, "rows": rows, "sha256": hashlib.sha256(data).hexdigest()}
            manifest.update({p: entry for p in art.paths})
            report.rendered.append(art.paths[0])
            report.rows += rows
        body = {"gkcat": __version__, "files": dict(sorted(manifest.items()))}
        (tmp / MANIFEST).write_text(json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        report.files = len(manifest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if out.exists():
        out.rename(old)
    tmp.rename(out)
    shutil.rmtree(old, ignore_errors=True)


def build(project_dir: Path, out: Path | None = None, jobs: int = 0) -> tuple[Validation, BuildReport | None]:
    """Validate the project; when it is valid, write all outputs to OUT (default: site/ in the project)."""
    start = time.perf_counter()
    v = validate_project(project_dir)
    if not v.ok() or v.project is None:
        return v, None
    target = check_out(v.project.root_dir, out if out is not None else v.project.root_dir / "site", v.project.config.root)
    report = BuildReport(target)
    work = artifacts(v, build_time(v.project.root_dir))
    write_outputs(work, target, jobs or os.cpu_count() or 1, report)
    report.seconds = time.perf_counter() - start
    return v, report
