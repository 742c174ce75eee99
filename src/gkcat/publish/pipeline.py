"""`gkcat build`: validate, render every output, and swap the new folder in. The only writer.

Everything is rendered into a temporary folder beside OUT and swapped in only when all of it
succeeded, so a failed build leaves the old output untouched. A manifest of input fingerprints
lets a rebuild hard-link unchanged outputs from the previous build instead of rendering them.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import multiprocessing
import os
import shutil
import signal
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from gkcat import __version__
from gkcat.check.load import Loaded, Validation, load_project, valid
from gkcat.compare.history import Release, all_histories
from gkcat.compare.revisions import load_releases
from gkcat.model.files import HistoryConfig
from gkcat.model.project import Project
from gkcat.publish.fingerprints import Fingerprints
from gkcat.publish.outfolder import MANIFEST, BuildRefused, Entry, Manifest, check_foreign, check_out, lock, read_manifest, safe_path
from gkcat.publish.outputs import OUTPUTS, PARTS, RENDERER, Artifact, BuildInputs, Groups, History, reuse
from gkcat.render.site.jinja import HtmlRenderer, TemplateFailure, builtin_templates, template_dirs
from gkcat.render.site.urls import ASSETS, LOCALITY_PAGES
from gkcat.source.dates import build_time
from gkcat.source.lock import project_lock
from gkcat.source.memo import Key
from gkcat.source.tree import STATIC, TEMPLATES, find_project, read_input


@dataclass
class BuildReport:
    out: Path
    files: int = 0
    rows: int = 0
    rendered: list[str] = field(default_factory=list)  # rendered anew (first paths)
    reused: list[str] = field(default_factory=list)  # inputs unchanged: not rendered
    written: list[str] = field(default_factory=list)  # files whose bytes are new or changed
    size: int = 0  # bytes of all files
    manifest_paths: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the user should know (versions left out of the history)
    seconds: float = 0.0
    checked: float = 0.0  # of which reading and checking the project (`gkcat validate`'s work)
    carried: int = 0  # of `reused`: outputs of unchanged localities, not even listed (a build session's)
    # files (not outputs: an output may be written at several paths), so that the summary adds up
    rendered_files: int = 0
    reused_files: int = 0

    def summary(self) -> str:
        """The one line `gkcat build` prints when it is done."""
        pages = sum(1 for p in self.manifest_paths if p.endswith(".html"))
        # each count said once, and they add up: files = reused + rendered; written is part of rendered
        return (f"已生成到 {self.out}：{self.files} 个文件（其中网页 {pages} 个），共 {self.size / 1048576:.1f} MB，"
                f"工作簿中事项 {self.rows} 行；其中 {self.reused_files} 个输入未变、直接沿用，{self.rendered_files} 个重新生成"
                f"（其中内容有变化、写入的 {len(self.written)} 个）；用时 {self.seconds:.1f} 秒")


def _site_inputs(project: Project) -> tuple[list[Path], dict[str, bytes], str]:
    """Template folders in use, the static assets they provide (the project's win), and a digest of all of it."""
    dirs = template_dirs(project.root_dir)
    builtin = builtin_templates()
    # a wheel's template folder is a package too: its __init__.py is code (hashed with the code), not a template
    packaged = (p for p in sorted(builtin.rglob("*")) if p.is_file() and p.suffix != ".py" and "__pycache__" not in p.parts)
    layers = [{p.relative_to(builtin).as_posix(): p for p in packaged}, project.templates]
    digest = hashlib.sha256()
    assets: dict[str, bytes] = {}
    for layer, files in enumerate(layers):  # gkcat's first, so that the project's files replace them
        for rel, f in sorted(files.items()):
            data = read_input(f, f"{TEMPLATES}/{rel}")
            # not the folder's absolute path: the manifest must be the same in every checkout
            digest.update(f"{layer}\0{rel}\0".encode() + hashlib.sha256(data).digest())
            if rel.startswith(f"{ASSETS}/"):
                assets[rel[len(ASSETS) + 1:]] = data
    return dirs, assets, digest.hexdigest()


def artifacts(v: Loaded, when: datetime, parts: tuple[str, ...] = PARTS,
              history: History | None = None, carry: bool | None = None) -> tuple[list[Artifact], Groups | None]:
    """Every output of the project, from the output registry (or only the parts asked for), and the groups of a
    session's build (`carry` given): with carry=True, not those of localities whose outputs are carried over."""
    project, resolver, memo = v.project, v.resolver, v.memo
    _no_page_names(project)
    dirs, assets, digest = _site_inputs(project)
    prints = Fingerprints(project, resolver, when.isoformat(), digest)
    # the same templates: a session's next build keeps their compiled code and its rendered rows
    html = memo.make(Key(RENDERER, f"{digest} {[str(d) for d in dirs]}"), lambda: HtmlRenderer(dirs, project.root_dir))
    if "site" in parts:
        html.prepare()  # here, before any worker forks
    past = history or History([], False)
    groups = None if carry is None else Groups(memo, prints, bool(past.releases), carry)
    inputs = BuildInputs(project, resolver, prints, when, html, assets, past, reuse(memo, prints), groups)
    out = [art for part, make in OUTPUTS if part in parts for art in make(inputs)]
    _no_clashes(out, groups.carried if groups else [])
    return out, groups


def _no_page_names(project: Project) -> None:
    """A domain's table page is `<locality>/<domain id>.html`: an id may not be one of a locality's own pages."""
    for d in project.domains:
        if d.id in LOCALITY_PAGES:
            raise BuildRefused(f"领域标识“{d.id}”与每个地区自带的网页 {d.id}.html 同名：请在 domains.yaml 中改用别的标识"
                               f"（{'、'.join(LOCALITY_PAGES)} 已被占用）")


def _no_clashes(work: list[Artifact], carried: list[tuple[str, ...]]) -> None:
    """Every output path once: a static/ file may not take the place of a generated page."""
    taken = {MANIFEST}
    for paths in itertools.chain((art.paths for art in work), carried):
        for p in paths:
            if p in taken:
                raise BuildRefused(f"“{p}”与 gkcat 生成的文件同名：请改名（{STATIC}/ 中的文件按原路径发布到网站）")
            taken.add(safe_path(p))


def releases(project: Project, notes: list[str]) -> History:
    """The git versions the site's 更新记录 shows (gkcat.yaml `history`); none outside git."""
    config = project.config.history or HistoryConfig()
    found, baseline, skipped = load_releases(project.root_dir, config.tags, config.commits)
    notes += skipped
    chosen = [Release(c, v.resolver) for c, v in found]
    # computed here, once: every history page, feed and the project feed read it (workers by fork)
    return History(chosen, baseline, all_histories(chosen, baseline))


class _Worker:
    """A build worker's artifacts: handed over once, by fork, when the worker starts (never pickled; the
    parent keeps no such state). Only worker processes ever fill `work`."""

    work: list[Artifact] = []

    @staticmethod
    def start(work: list[Artifact]) -> None:
        # A worker inherits the process's SIGTERM handler (gkcat serve installs one); the pool ends its
        # workers with SIGTERM, which must end them at once, whatever they are waiting for.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        _Worker.work = work

    @staticmethod
    def render(index: int) -> tuple[int, bytes, int]:
        data, rows = _Worker.work[index].render()
        return index, data, rows


def _render_all(work: list[Artifact], todo: list[int], jobs: int) -> dict[int, tuple[bytes, int]]:
    def here(index: int) -> tuple[int, bytes, int]:
        data, rows = work[index].render()
        return index, data, rows

    local = [i for i in todo if work[i].local]
    away = [i for i in todo if not work[i].local]
    # Workers get the resolved project by fork; where there is no fork (Windows), render here.
    if jobs <= 1 or len(away) < 4 or "fork" not in multiprocessing.get_all_start_methods():
        return {i: (data, rows) for i, data, rows in map(here, todo)}
    with multiprocessing.get_context("fork").Pool(jobs, initializer=_Worker.start, initargs=(work,)) as pool:
        results = pool.imap_unordered(_Worker.render, away, chunksize=4)
        # the local ones meanwhile, here: what they keep in the memo stays in this process
        done = {i: (data, rows) for i, data, rows in map(here, local)}
        done.update((i, (data, rows)) for i, data, rows in results)
        return done


def _place(src: str, dst: str) -> None:
    try:
        os.link(src, dst)  # same inode: an unchanged output is not rewritten
    except FileNotFoundError:  # its folder is not there yet (once per folder): make it, then link once more
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _write(data: bytes, dst: str, in_use: bool) -> None:
    """Write one output; in a folder in use (in_use), so that the new bytes appear whole or not at all."""
    path = Path(dst)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not in_use:
        path.write_bytes(data)
        return
    part = path.with_name(f"{path.name}.gkcat-part")
    try:
        part.write_bytes(data)
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


class _Swap:
    """Writing into a new folder beside OUT, swapped in whole at the end; unchanged files hard-linked over."""

    def __init__(self, out: Path):
        self.out, self.root, self.dest = out, str(out), str(_fresh_tmp(out))

    def there(self, paths: tuple[str, ...]) -> bool:
        return all(os.path.isfile(f"{self.root}/{p}") for p in paths)  # OUT may have lost a file since

    def keep(self, paths: tuple[str, ...]) -> None:
        for p in paths:
            _place(f"{self.root}/{p}", f"{self.dest}/{p}")

    def write(self, data: bytes, paths: tuple[str, ...]) -> None:
        _write(data, f"{self.dest}/{paths[0]}", False)
        for p in paths[1:]:  # an alias: the same file again
            _place(f"{self.dest}/{paths[0]}", f"{self.dest}/{p}")

    def close(self, files: dict[str, Entry], previous: dict[str, Entry]) -> None:
        body = {"gkcat": __version__, "files": {p: e.json() for p, e in files.items()}}
        Path(self.dest, MANIFEST).write_text(json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                             encoding="utf-8")
        old = self.out.parent / f".{self.out.name}.gkcat-old"
        if self.out.exists():
            self.out.rename(old)
        Path(self.dest).rename(self.out)
        shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        shutil.rmtree(self.dest, ignore_errors=True)


class _InPlace:
    """Writing straight into gkcat serve's own folder, file by file: it holds what the session's manifest says."""

    def __init__(self, out: Path):
        self.root = str(out)
        (out / MANIFEST).unlink(missing_ok=True)  # the folder's manifest is the session's now, not a file

    def there(self, paths: tuple[str, ...]) -> bool:
        return True

    def keep(self, paths: tuple[str, ...]) -> None:
        pass

    def write(self, data: bytes, paths: tuple[str, ...]) -> None:
        for p in paths:
            _write(data, f"{self.root}/{p}", True)

    def close(self, files: dict[str, Entry], previous: dict[str, Entry]) -> None:
        for gone in sorted(previous.keys() - files.keys()):  # an output no longer made (a locality removed)
            Path(self.root, gone).unlink(missing_ok=True)
            with contextlib.suppress(OSError):  # and its folder, once empty (never OUT: it holds the map)
                os.removedirs(os.path.dirname(f"{self.root}/{gone}"))

    def abort(self) -> None:
        pass  # the folder may be half updated: the session's next build trusts nothing in it


def write_outputs(work: list[Artifact], out: Path, jobs: int, report: BuildReport, last: Manifest,
                  in_place: bool = False, carried: list[tuple[str, ...]] | None = None) -> Manifest:
    """Render what changed and write it: into a temporary folder swapped in as OUT, reusing the rest by
    hard links; or, with in_place (gkcat serve's own folder), straight into OUT, file by file.

    `carried` (in_place only): outputs not listed in `work`, kept as the last manifest has them.
    Returns the new manifest.
    """
    # reuse is keyed on the version too: a gkcat release may render the same inputs differently
    previous = last.files if last.version == __version__ else {}
    folder: _Swap | _InPlace = _InPlace(out) if in_place else _Swap(out)
    manifest: dict[str, Entry] = {}
    try:
        todo = []
        for i, art in enumerate(work):  # 52,000 times in a province, on every rebuild of gkcat serve: kept lean
            prev = previous.get(art.paths[0])
            if prev and art.inputs is not None and prev.inputs == art.inputs and folder.there(art.paths):
                folder.keep(art.paths)
                _reused(manifest, report, art.paths, prev)
            else:
                todo.append(i)
        for paths in carried or ():
            assert in_place, "only a session's own folder has outputs carried over unlisted"
            # a KeyError is a bug: the session's groups and manifest go together
            _reused(manifest, report, paths, previous[paths[0]], {p: previous[p] for p in paths})
        report.carried = len(carried or ())
        for i, (data, rows) in sorted(_render_all(work, todo, jobs).items()):
            art = work[i]
            entry = Entry(art.inputs, rows, hashlib.sha256(data).hexdigest(), len(data))
            prev = previous.get(art.paths[0])
            if prev and prev.sha256 == entry.sha256 and folder.there(art.paths):
                folder.keep(art.paths)  # same bytes as before: keep the old file rather than rewrite it
            else:
                folder.write(data, art.paths)
                report.written += art.paths
            manifest.update(dict.fromkeys(art.paths, entry))
            report.rendered.append(art.paths[0])
            report.rendered_files += len(art.paths)
            report.rows += rows
        files = dict(sorted(manifest.items()))
        report.files, report.manifest_paths = len(files), list(files)
        report.size = sum(e.size for e in files.values())
        folder.close(files, previous)
    except BaseException:
        folder.abort()
        raise
    return Manifest(__version__, files)


def _reused(manifest: dict[str, Entry], report: BuildReport, paths: tuple[str, ...], entry: Entry,
            entries: dict[str, Entry] | None = None) -> None:
    """An output taken over from the last build: its manifest entries (one per path), counted once."""
    manifest.update(entries or dict.fromkeys(paths, entry))
    report.reused.append(paths[0])
    report.reused_files += len(paths)
    report.rows += entry.rows


def _fresh_tmp(out: Path) -> Path:
    tmp, old = out.parent / f".{out.name}.gkcat-tmp", out.parent / f".{out.name}.gkcat-old"
    for stale in (tmp, old):  # left by a build that was killed: ours by name, but never followed
        if stale.is_symlink() or (stale.exists() and not stale.is_dir()):
            raise BuildRefused(f"{stale} 应是 gkcat 上次留下的临时文件夹，却是符号链接或文件：为安全起见未删除它，请检查后手动删除")
        if stale.exists():
            shutil.rmtree(stale)
    tmp.mkdir(parents=True)
    return tmp


@dataclass
class Session:
    """What one build lends the next one into the same folder, in one process (gkcat serve).

    The loaded project, whose memo (source/memo.py) holds what the build worked out: the next load takes
    over every value whose fingerprint is unchanged (files parsed, states, check results, the parts of
    project-wide outputs, the localities' groups of outputs). And the manifest of the folder: the folder
    is the session's own, so a rebuild updates it in place, file by file, instead of building a new
    folder beside it; nothing else writes there.
    """

    validation: Validation | None = None
    manifest: Manifest | None = None


def workers(jobs: int, notes: list[str]) -> int:
    """The worker processes of a build: `-j`, at most the CPU count (0: the CPU count); more only compete for them."""
    cpus = os.cpu_count() or 1
    if jobs > cpus:
        notes.append(f"-j {jobs} 多于 CPU 核数，按 {cpus} 个进程生成")
    return min(jobs, cpus) if jobs > 0 else cpus


def build(project_dir: Path, out: Path | None = None, jobs: int = 0, parts: tuple[str, ...] = PARTS,
          session: Session | None = None, cache: bool = False) -> BuildReport:
    """Check the project and write its outputs to OUT (default: site/ in the project).

    InvalidProject (exit 1, nothing written) when it has errors; BuildRefused (exit 2) when OUT is unsafe.
    An output inside the project (the default site/) is written under the project's lock, as every command
    that writes into the project is: an import beside it waits, and the build never reads a half-made change.
    """
    root = find_project(project_dir)
    if (out if out is not None else root / "site").resolve().is_relative_to(root):
        with project_lock(root):
            return _build(project_dir, out, jobs, parts, session, cache)
    return _build(project_dir, out, jobs, parts, session, cache)


def _build(project_dir: Path, out: Path | None, jobs: int, parts: tuple[str, ...], session: Session | None,
           cache: bool) -> BuildReport:
    start = time.perf_counter()
    avoid = out if out is not None else find_project(project_dir) / "site"
    loaded = load_project(project_dir, session.validation if session else None, cache and session is None, avoid)
    v = valid(loaded, "项目有错误，未生成任何文件")
    if session is not None:  # a valid load only: the next one takes over what the last build worked out
        session.validation = loaded
    ours = session.manifest if session is not None else None  # a session's own folder, after its first build
    in_place = ours is not None
    target = check_out(v.project.root_dir, out if out is not None else v.project.root_dir / "site", v.project.config.root,
                       in_place)
    report = BuildReport(target, checked=time.perf_counter() - start, notes=list(loaded.notes))
    if "site" in parts and not v.project.config.site_url:
        report.notes.append("gkcat.yaml 未设置 site_url（网站发布后的地址），所以没有生成各地区的海报 poster.html")
    when = build_time(v.project.root_dir)
    with lock(target):
        if ours is not None:  # nothing foreign can be in the session's own folder
            manifest = ours
        else:
            manifest = read_manifest(target)
            check_foreign(target, manifest)
        history = releases(v.project, report.notes) if "site" in parts else None
        # a locality's outputs are carried over only into the session's own folder, of the same parts
        work, groups = artifacts(v, when, parts, history, None if session is None else in_place and parts == PARTS)
        try:
            written = write_outputs(work, target, workers(jobs, report.notes), report, manifest, in_place,
                                    groups.carried if groups else None)
        except TemplateFailure as err:  # raised while rendering, before anything is written
            raise BuildRefused(str(err)) from None
        except BaseException:
            if session is not None and in_place:
                # the folder may be half updated: the next build renders it all, its groups recorded anew
                session.manifest, session.validation = Manifest(None, {}), None
            raise
        if session is not None:
            session.manifest = written
            if groups is not None and parts == PARTS:  # the next build carries a group's paths as listed here
                groups.record(v.project, work)
    report.seconds = time.perf_counter() - start
    return report
