"""Writing a build's outputs, the only writer of a build's output folder: one loop over what was planned,
into a temporary folder swapped in whole (`gkcat build`), or straight into gkcat serve's own folder.

Everything is rendered into a temporary folder beside OUT and swapped in only when all of it
succeeded, so a failed build leaves the old output untouched. A manifest of input fingerprints
lets a rebuild hard-link unchanged outputs from the previous build instead of rendering them.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from pathlib import Path

from gkcat import __version__
from gkcat.errors import naming
from gkcat.publish.artifact import Artifact
from gkcat.publish.outfolder import MANIFEST, BuildRefused, Entry, Manifest, manifest_text
from gkcat.publish.pool import render_all
from gkcat.publish.report import BuildReport


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
    with naming(path):  # a full disk says only "No space left on device": the message names the file
        path.parent.mkdir(parents=True, exist_ok=True)
        if not in_use:
            path.write_bytes(data)
            return
    part = path.with_name(f"{path.name}.gkcat-part")
    try:
        with naming(path):
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
        with naming(Path(self.dest, MANIFEST)):
            Path(self.dest, MANIFEST).write_text(manifest_text(__version__, files) + "\n", encoding="utf-8")
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
        for i, (data, rows) in sorted(render_all(work, todo, jobs).items()):
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
