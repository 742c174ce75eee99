"""Projects as they were at a git revision, read with `git archive` into a temporary folder.

The working tree and the index are never touched. Everything a resolved project needs is in
memory once it is validated, so the temporary folder is gone before the caller uses it.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from gkcat.check.load import Loaded, load_project
from gkcat.diagnostics.diagnostic import CONTROL
from gkcat.diagnostics.report import format_text
from gkcat.errors import GkcatError
from gkcat.source.tree import CONFIG_FILE


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


def load_at(project_dir: Path, rev: str) -> Loaded:
    """The project as it was at `rev`, validated; RevisionError when it cannot be read or is invalid."""
    top, prefix = repository(project_dir)
    commit = resolve_rev(project_dir, rev)
    proc = _git(top, "archive", "--format=tar", commit, *([f"{prefix}/"] if prefix else []))
    if proc.returncode != 0:
        raise RevisionError(f"版本 {rev} 中没有项目文件夹 {prefix or '.'}：{proc.stderr.decode('utf-8', 'replace').strip()}")
    with tempfile.TemporaryDirectory(prefix="gkcat-rev-") as tmp:
        try:
            with tarfile.TarFile(fileobj=io.BytesIO(proc.stdout)) as tar:
                tar.extractall(tmp, filter="data")  # no links or paths that leave the folder
        except tarfile.FilterError as err:
            # an outward or absolute symlink was committed then: that version is not read at all
            member = getattr(err, "tarinfo", None)
            name = member.name if member is not None else "?"
            raise RevisionError(f"版本 {rev} 无法读取：其中的 {name} 是指向仓库之外的符号链接（{type(err).__name__}）") from None
        except (tarfile.TarError, OSError) as err:
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
