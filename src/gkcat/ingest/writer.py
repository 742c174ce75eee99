"""Writing into a project folder: the only module that does (init and import plan, this writes).

Every file is staged beside its place and all are renamed in at once; an existing file is edited
with the smallest change (yamledit), and nothing is written when nothing differs.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from gkcat.check.load import Validation, load_project
from gkcat.compare.diff import Comparison
from gkcat.diagnostics.codes import Severity
from gkcat.diagnostics.diagnostic import Diagnostic
from gkcat.errors import GkcatError, InputError, naming
from gkcat.ingest.yamledit import edit, has_comments
from gkcat.source.files import CONFIG_FILE, DOMAINS_FILE, LOCALITY_FILE, read_input


class Refused(GkcatError):
    """The command cannot run as asked (exit code 2); the message says why, in Chinese."""


@dataclass
class Outcome:
    written: list[str] = field(default_factory=list)
    report: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    changes: list[Comparison] = field(default_factory=list)  # what the import changes, in diff's terms
    dry_run: bool = False
    after: Validation | None = None  # the project loaded again once written (a batch's next form starts from it)
    warnings: list[Diagnostic] = field(default_factory=list)  # what `validate --strict` will refuse in what it writes


@contextmanager
def uninterrupted() -> Iterator[None]:
    """Ctrl-C waits until the block is done (then interrupts as usual), where signals can be blocked."""
    can = hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread()
    if can:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        if can:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@dataclass
class Changes:
    """What an import does to the project's files, decided before anything is written."""

    write: dict[str, str] = field(default_factory=dict)  # rel -> the file's new text
    remove: list[str] = field(default_factory=list)  # overlays that became empty and hold no comment
    report: list[str] = field(default_factory=list)


class _Dumper(yaml.SafeDumper):
    """Lists of plain values on one line ([政府网站, 两微一端]), everything else in blocks indented under
    their key (`items:` then `  - id:`), as the format's examples and people write it."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flat = all(isinstance(x, str) and "\n" not in x for x in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flat)


_Dumper.add_representer(list, _list)


def dump_yaml(data: Any) -> str:
    """YAML as gkcat writes it: Chinese as is, keys in the given order, no line wrapping."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000, default_flow_style=False)


def _is_empty_overlay(data: dict[str, Any]) -> bool:
    return set(data) <= {"domain"}


Staged = dict[str, str | None]  # what a dry run's earlier forms would have written: rel -> text (None: removed)


def _current(root: Path, rel: str, staged: Staged | None) -> str | None:
    """A project file's text as it stands (or would, after `staged`), None when there is none."""
    if staged is not None and rel in staged:
        return staged[rel]
    path = root / rel
    return read_input(path, rel).decode("utf-8") if path.exists() else None


_SCHEMA = re.compile(r"^#\s*yaml-language-server:\s*\$schema=(?P<prefix>\S*?)locality\.schema\.json\s*$", re.M)


def _schema_line(root: Path, rel: str) -> str:
    """A new domain file's first line, the editor's hint of its JSON Schema, as the locality's own files have it:
    found on the locality.yaml beside it (the same folder, so the same way to the schemas); none when it has none."""
    folder = rel.rpartition("/")[0]
    try:
        head = read_input(root / folder / LOCALITY_FILE, f"{folder}/{LOCALITY_FILE}", 1 << 20).decode("utf-8", "replace")
    except InputError:
        return ""
    found = _SCHEMA.search("\n".join(head.splitlines()[:5]))
    if found is None:
        return ""
    kind = "domain-base" if "/" not in folder else "domain-overlay"  # the top locality's files are full catalogs
    return f"# yaml-language-server: $schema={found.group('prefix')}{kind}.schema.json\n"


def planned_changes(root: Path, files: dict[str, dict[str, Any]], force: bool,
                    texts: dict[str, str] | None = None, staged: Staged | None = None) -> Changes:
    """The smallest change that gives each planned domain file its data, and each of `texts` its text.

    A domain file that exists is edited in place (comments, key order and list style kept; that
    needs `--force`) and left alone when nothing differs; a new one is written with dump_yaml. An
    overlay with nothing in it beyond `domain` is not created, and an existing one that becomes so
    is removed if it holds no comment. `texts` (gkcat.yaml edited as text, init's files) are written whole.
    """
    out = Changes()
    refused = []
    for rel in [*files, *(texts or {})]:
        refuse_links(root, rel)
    for rel, data in files.items():
        old = _current(root, rel, staged)
        if old is None:
            if _is_empty_overlay(data):
                out.report.append(f"{rel}：与上级目录相同，不需要文件，未写入")
            else:
                out.write[rel] = _schema_line(root, rel) + dump_yaml(data)
            continue
        if _is_empty_overlay(data) and not has_comments(old):
            refused += [] if force else [rel]
            out.remove.append(rel)
            out.report.append(f"{rel}：与上级目录已无不同，删除此文件")
            continue
        new = edit(old, data)
        if new == old:
            out.report.append(f"{rel}：没有变化，未改动")
            continue
        if not force:
            refused.append(rel)
        out.write[rel] = new
    if refused:
        raise Refused("这些文件已存在，未写入任何文件（确需写入请加 --force：只改动不同之处，保留注释）：" + "、".join(refused))
    for rel, text in (texts or {}).items():
        if _current(root, rel, staged) != text:
            out.write[rel] = text
    return out


def refuse_links(root: Path, rel: str) -> None:
    """Refused when a folder on the way to `rel` is a symbolic link: a write there would land in the folder it points
    to (another locality's, or out of the project). A link at `rel` itself is replaced by the file, never followed."""
    here = root
    for part in Path(rel).parts[:-1]:
        here = here / part
        if here.is_symlink():
            raise Refused(f"不能写入 {rel}：它所在的文件夹 {here.relative_to(root).as_posix()} 是符号链接，gkcat 不通过链接写入"
                          "（写入会落在链接指向的文件夹中）：请把它换成真正的文件夹")


def write_changes(root: Path, changes: Changes, first: Callable[[], Callable[[], None]] | None = None) -> list[str]:
    """Write every file or none: each is staged beside its place, then all are renamed in at once.

    A Ctrl-C or a full disk while staging leaves the project as it was. `first`, when given, puts something else
    in place in the same step (a round's folder of forms, staged by its writer), before the files are renamed
    in; it returns how to take it back, which is done if a rename fails.
    """
    files = changes.write
    for rel in [*files, *changes.remove]:
        refuse_links(root, rel)
    staged: list[tuple[Path, Path]] = []
    made: list[Path] = []  # folders made for the files: removed again when nothing lands
    done = False
    try:
        for rel, text in files.items():
            path = root / rel
            with naming(path):
                made += [p for p in reversed(path.parents) if p.is_relative_to(root) and not p.exists()]
                path.parent.mkdir(parents=True, exist_ok=True)
                # a name of its own: two gkcat processes never share a staging file
                fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".gkcat-tmp", dir=path.parent)
                tmp = Path(name)
                staged.append((tmp, path))
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    f.write(text)
                os.chmod(tmp, 0o644)
        with uninterrupted():
            undo = first() if first is not None else None
            try:
                for tmp, path in staged:
                    with naming(path):
                        os.replace(tmp, path)
            except OSError:
                if undo is not None:
                    undo()
                raise
            for rel in changes.remove:
                (root / rel).unlink(missing_ok=True)
        done = True
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        for folder in reversed(made if not done else []):
            with contextlib.suppress(OSError):
                folder.rmdir()
    return list(files) + changes.remove


def check_on_copy(project_dir: Path, root: str, changes: Changes, staged: Staged | None = None) -> Validation:
    """The project as it would be with the changes made (after `staged`, a dry run's earlier forms), loaded and
    checked on a copy of its YAML files."""

    def others(folder: str, names: list[str]) -> set[str]:
        top = Path(folder).resolve() == project_dir.resolve()
        keep = {CONFIG_FILE, DOMAINS_FILE, root} if top else None
        return {n for n in names if (keep is not None and n not in keep)
                or (keep is None and not n.endswith(".yaml") and not (Path(folder) / n).is_dir())}

    with tempfile.TemporaryDirectory(prefix="gkcat-import-") as tmp:
        copy = Path(tmp) / "project"
        shutil.copytree(project_dir, copy, ignore=others, symlinks=True)
        for rel, text in [*(staged or {}).items(), *changes.write.items(), *((rel, None) for rel in changes.remove)]:
            target = copy / rel
            refuse_links(copy, rel)  # the copy keeps the project's links: never write or remove through one
            target.unlink(missing_ok=True)  # a link there is replaced, as the write replaces it (a rename)
            if text is not None:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
        # Everything is read while the copy exists; the result refers to none of its files.
        return load_project(copy)


def errors(v: Validation) -> list[Diagnostic]:
    return [d for d in v.diagnostics if d.severity is Severity.ERROR]
