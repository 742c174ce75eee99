"""Projects as they were at a git revision, their YAML files read from git into a temporary folder.

The working tree and the index are never touched. Everything a resolved project needs is in
memory once it is validated, so the temporary folder is gone before the caller uses it.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from gkcat.check.load import Loaded, load_project
from gkcat.diagnostics.diagnostic import CONTROL
from gkcat.diagnostics.report import format_text
from gkcat.errors import GkcatError
from gkcat.source.files import CONFIG_FILE


class RevisionError(GkcatError):
    """A revision cannot be read or its project is invalid (exit code 2); the message says which and where."""


@dataclass(frozen=True)
class Commit:
    sha: str
    date: str  # ISO 8601, committer date
    subject: str
    tags: tuple[str, ...] = ()


def _git(project_dir: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(project_dir), *args], capture_output=True, timeout=120, check=False)
    except (OSError, subprocess.SubprocessError) as err:
        raise RevisionError(f"无法运行 git：{err}") from None


def _text(proc: subprocess.CompletedProcess[bytes]) -> str:
    return proc.stdout.decode("utf-8", "replace").strip()


def _clean(text: str) -> str:
    """Commit subjects and tag names as text fit for XML and a terminal: control characters dropped."""
    return CONTROL.sub("", text)


def repository(project_dir: Path) -> tuple[Path, str]:
    """The repository's top folder and the project's path inside it ("" at the top)."""
    proc = _git(project_dir, "rev-parse", "--show-toplevel")
    if proc.returncode != 0:
        raise RevisionError(f"{project_dir.resolve()} 不在 git 仓库中，无法按版本比较")
    top = Path(_text(proc)).resolve()
    prefix = project_dir.resolve().relative_to(top).as_posix()
    return top, "" if prefix == "." else prefix


def resolve_rev(project_dir: Path, rev: str) -> str:
    """The commit a commit-ish names."""
    proc = _git(project_dir, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
    if proc.returncode != 0 or not _text(proc):
        raise RevisionError(f"未知版本“{rev}”：不是提交、标签或分支")
    return _text(proc)


MAX_FILE = 64 * 2**20  # bytes of one YAML file of an old version
MAX_VERSION = 512 * 2**20  # bytes of all the YAML files of one version
_LINK = "120000"  # git's mode of a symbolic link


@dataclass(frozen=True)
class _Entry:
    mode: str
    sha: str
    size: int
    path: str  # from the repository's top


def _entries(top: Path, commit: str, prefix: str, rev: str) -> list[_Entry]:
    """The files of the project folder at `commit` with their sizes, read from git's tree, not the files."""
    proc = _git(top, "ls-tree", "-r", "-l", "-z", "--full-tree", commit, "--", f"{prefix}/" if prefix else ".")
    if proc.returncode != 0:
        raise RevisionError(f"版本 {rev} 无法读取：{proc.stderr.decode('utf-8', 'replace').strip()}")
    out = []
    for record in filter(None, proc.stdout.split(b"\0")):
        meta, _, path = record.partition(b"\t")
        mode, kind, sha, size = meta.decode("ascii", "replace").split()
        if kind == "blob":
            out.append(_Entry(mode, sha, int(size) if size.isdigit() else 0, path.decode("utf-8", "surrogateescape")))
    return out


def _wanted(e: _Entry) -> bool:
    """What loading a project reads: YAML files (and links, which may be locality folders); not the rest."""
    return e.mode == _LINK or e.path.lower().endswith((".yaml", ".yml"))


def _blobs(top: Path, shas: list[str]) -> Iterator[bytes]:
    """The blobs' bytes in order, one at a time from one `git cat-file --batch` (never all in memory)."""
    try:
        proc = subprocess.Popen(["git", "-C", str(top), "cat-file", "--batch"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    except OSError as err:
        raise RevisionError(f"无法运行 git：{err}") from None
    assert proc.stdin is not None and proc.stdout is not None

    def feed() -> None:  # a thread of its own: git blocks writing when nobody reads, and so would we
        try:
            for sha in shas:
                proc.stdin.write(f"{sha}\n".encode())  # type: ignore[union-attr]  # checked above
            proc.stdin.close()  # type: ignore[union-attr]
        except OSError:
            pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        for _ in shas:
            header = proc.stdout.readline().split()
            if len(header) != 3 or not header[2].isdigit():
                raise RevisionError("git 未能给出版本中的文件")
            data = proc.stdout.read(int(header[2]))
            proc.stdout.read(1)  # the newline after each blob
            yield data
    finally:
        proc.kill()
        proc.wait()
        writer.join()
        proc.stdout.close()
        if not proc.stdin.closed:
            with contextlib.suppress(OSError):  # a pipe git had closed
                proc.stdin.close()


def _extract(top: Path, commit: str, prefix: str, rev: str, dest: Path) -> None:
    """Write the project folder's YAML files at `commit` into `dest`, within MAX_FILE and MAX_VERSION.

    Everything else (workbooks, images, a large file committed by mistake) is never read: only its folder is made.
    """
    entries = _entries(top, commit, prefix, rev)
    wanted = [e for e in entries if _wanted(e)]
    big = next((e for e in wanted if e.size > MAX_FILE), None)
    if big is not None:
        raise RevisionError(f"版本 {rev} 无法读取：其中的 {big.path} 有 {big.size / 2**20:.0f} MB，"
                            f"超过 {MAX_FILE // 2**20} MB 的上限")
    total = sum(e.size for e in wanted)
    if total > MAX_VERSION:
        raise RevisionError(f"版本 {rev} 无法读取：其中的 YAML 文件共 {total / 2**20:.0f} MB，超过 {MAX_VERSION // 2**20} MB 的上限")
    for e in entries:
        (dest / e.path).parent.mkdir(parents=True, exist_ok=True)
    for e, data in zip(wanted, _blobs(top, [e.sha for e in wanted]), strict=True):
        path = dest / e.path
        if e.mode != _LINK:
            path.write_bytes(data)
            continue
        target = os.fsdecode(data)
        if os.path.isabs(target) or not (path.parent / target).resolve().is_relative_to(dest.resolve()):
            # an outward or absolute symlink was committed then: that version is not read at all
            raise RevisionError(f"版本 {rev} 无法读取：其中的 {e.path} 是指向仓库之外的符号链接")
        path.symlink_to(target)


def load_at(project_dir: Path, rev: str) -> Loaded:
    """The project as it was at `rev`, validated; RevisionError when it cannot be read or is invalid."""
    top, prefix = repository(project_dir)
    commit = resolve_rev(project_dir, rev)
    with tempfile.TemporaryDirectory(prefix="gkcat-rev-") as tmp:
        try:
            _extract(top, commit, prefix, rev, Path(tmp))
        except OSError as err:
            raise RevisionError(f"版本 {rev} 无法读取：{err}") from None
        root = Path(tmp) / prefix if prefix else Path(tmp)
        if not (root / CONFIG_FILE).is_file():
            raise RevisionError(f"版本 {rev} 中 {prefix or '仓库顶层'} 没有 {CONFIG_FILE}")
        v = load_project(root)
    if not v.ok() or v.project is None or v.resolver is None:
        errors = [d for d in v.diagnostics if d.severity.value == "error"]
        listing = format_text(errors[:10], colour=False)
        raise RevisionError(f"版本 {rev} 的项目有 {len(errors)} 个错误，无法比较：\n{listing}")
    return Loaded(v.project, v.resolver, v.diagnostics)


def commits(project_dir: Path, limit: int) -> list[Commit]:
    """The last `limit` commits that changed the project folder, newest first."""
    top, prefix = repository(project_dir)
    proc = _git(top, "log", f"-n{limit}", "--format=%H%x00%cI%x00%s", "--", prefix or ".")
    out = []
    for line in filter(None, _text(proc).split("\n")):  # not splitlines: a subject may hold \x1c-\x1e or \x85
        sha, date, subject = line.split("\0", 2)
        out.append(Commit(sha, date, _clean(subject)))
    return out


def last_changes(project_dir: Path) -> dict[str, Commit]:
    """Each file of the project (path relative to it) with the last commit that changed it; {} outside git.

    One `git log` over the project's history, newest first: the first commit a file appears in is its last change.
    """
    try:
        top, prefix = repository(project_dir)
    except RevisionError:
        return {}
    proc = _git(top, "log", "--format=%x00%H%x00%cI%x00%s", "--name-only", "--no-renames", "-z", "--", prefix or ".")
    if proc.returncode != 0:
        return {}
    out: dict[str, Commit] = {}
    strip = f"{prefix}/" if prefix else ""
    commit: Commit | None = None
    fields = proc.stdout.decode("utf-8", "replace").split("\0")
    i = 0
    # "\0sha\0date\0subject\0" then "\nfile\0file\0..." per commit: a header starts with an empty field
    while i < len(fields):
        name = fields[i].strip("\n")
        if name == "" and i + 3 < len(fields) and len(fields[i + 1]) == 40:
            commit = Commit(fields[i + 1], fields[i + 2], _clean(fields[i + 3]))
            i += 4
            continue
        if name and commit is not None and name.startswith(strip):
            out.setdefault(name[len(strip):], commit)
        i += 1
    return out


def tags(project_dir: Path, pattern: str) -> list[Commit]:
    """Tags matching `pattern` (git's glob), newest commit first; several tags on one commit are one release."""
    # One call: for an annotated tag the *-fields describe the commit it points to; for a lightweight
    # tag they are empty and the plain fields are the commit's.
    fields = "%(refname:short) %(*objectname) %(objectname) %(*committerdate:iso-strict) %(committerdate:iso-strict) " \
             "%(*subject) %(subject)"
    proc = _git(project_dir, "for-each-ref", f"--format={fields.replace(' ', '%00')}", f"refs/tags/{pattern}")
    found: dict[str, Commit] = {}
    for line in filter(None, _text(proc).split("\n")):  # not splitlines: a subject may hold \x1c-\x1e or \x85
        name, peeled, obj, peeled_date, date, peeled_subject, subject = line.split("\0")
        sha = peeled or obj
        if not (peeled_date or date):
            continue  # a tag of something that is not a commit
        known = found.get(sha)
        tags_ = tuple(sorted((known.tags if known else ()) + (_clean(name),)))
        found[sha] = Commit(sha, peeled_date or date, _clean(peeled_subject if peeled else subject), tags_)
    return sorted(found.values(), key=lambda c: c.date, reverse=True)


def load_releases(project_dir: Path, pattern: str, limit: int) -> tuple[list[tuple[Commit, Loaded]], bool, list[str]]:
    """The versions the site's history shows, newest first, each validated.

    With tags matching `pattern`, every tagged commit is a release and the oldest is the first
    publication. Without, the last `limit` commits that changed the project, plus the one before
    them as a baseline (returned last; `baseline` is True). Versions whose project is invalid are
    left out and named in the notes. Outside git: no releases.
    """
    try:
        repository(project_dir)
    except RevisionError:
        return [], False, []
    found = tags(project_dir, pattern)
    baseline = not found
    if baseline:
        found = commits(project_dir, limit + 1)
        baseline = len(found) > limit
    out, notes = [], []
    for c in found:
        try:
            out.append((c, load_at(project_dir, c.sha)))
        except RevisionError as err:
            notes.append(f"更新记录跳过版本 {c.sha[:8]}：{str(err).splitlines()[0]}")
    return out, baseline, notes
