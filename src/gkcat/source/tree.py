"""Finding and reading a project's files: the only module that reads input.

A project is the folder holding gkcat.yaml. Localities are the folders below the root folder
named in gkcat.yaml; each must hold a locality.yaml. Nothing outside the project is read: a
symlink that leads outside it is refused.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gkcat.diagnostics.diagnostic import Diagnostic
from gkcat.errors import GkcatError
from gkcat.source.files import (
    CONFIG_FILE,
    DOMAINS_FILE,
    LOCALITY_FILE,
    STATIC,
    TEMPLATES,
    in_git_folder,
    inside,
    read_input,
)
from gkcat.source.memo import Key, Kind, Memo
from gkcat.source.yamldoc import NOT_CACHED, SourceDoc, parse

WORKPLAN_FILE = re.compile(r"^workplan-(\d{4})\.yaml$")  # a locality's work plan for one year, not a domain file
FOLDER = re.compile(r"^[a-z0-9][a-z0-9-]*$")  # a locality folder's name


class ProjectNotFound(GkcatError):
    """No gkcat.yaml where the project should be: the command cannot run (exit 2)."""


@dataclass
class LocalitySource:
    path: str  # "shenyang/liaozhong": the stable id
    depth: int  # 0 for the top locality
    parent: str | None
    locality: SourceDoc | None
    domain_files: dict[str, SourceDoc] = field(default_factory=dict)  # by file stem
    workplan_files: dict[int, SourceDoc] = field(default_factory=dict)  # by year
    children: list[str] = field(default_factory=list)


@dataclass
class SourceTree:
    root_dir: Path
    config: SourceDoc | None
    domains: SourceDoc | None
    localities: dict[str, LocalitySource]  # pre-order: parents before children
    diagnostics: list[Diagnostic]
    # Files below templates/ and static/ by their path there ("assets/site.css"), links checked.
    templates: dict[str, Path] = field(default_factory=dict)
    static: dict[str, Path] = field(default_factory=dict)
    memo: Memo = field(default_factory=Memo)  # what the files were read through (source/memo.py)


def find_project(directory: Path) -> Path:
    """The project folder: `directory` itself, which must hold gkcat.yaml."""
    directory = directory.resolve()
    if not (directory / CONFIG_FILE).is_file():
        raise ProjectNotFound(f"{directory} 中没有 {CONFIG_FILE}：请在项目文件夹中运行，或用 -C 指定项目文件夹")
    return directory


# A file read within RACY of its last change is read again every time, since a second change in the
# same clock tick would leave its status as it was.
RACY = 2_000_000_000  # nanoseconds
_Parsed = tuple[SourceDoc | None, list[Diagnostic]]


def _plain(value: Any) -> bool:
    """Whether a value is what a parsed catalog file holds: text, None, lists and mappings of text keys.
    (A loop over a stack, not recursion: every cached file of a province passes through here.)"""
    stack = [value]
    pop, push = stack.pop, stack.extend
    while stack:
        v = pop()
        t = type(v)
        if t is str or v is None:
            continue
        if t is list:
            push(v)
        elif t is dict:
            if not all(type(k) is str for k in v):
                return False
            push(v.values())
        else:
            return False
    return True


# What a file's bytes parse to (by their digest), kept on disk: what JSON could hold beyond a catalog's
# text (numbers, true) is not a parse result, so such an entry is parsed anew.
PARSED: Kind[Any] = Kind("parsed", dump=lambda data: data, load=lambda data: data if _plain(data) else None)
# In the process: a path's document with its problems, by the path and the digest of its bytes; and by its
# status (device, inode, size, modification and change times), as git's index does: a file whose status
# is unchanged since the last load is not even read again.
DOC: Kind[_Parsed] = Kind("doc")
SEEN: Kind[_Parsed] = Kind("seen")


def _read(root: Path, rel: str, diags: list[Diagnostic], memo: Memo, link: bool | None = None) -> SourceDoc | None:
    """One file, parsed (or as parsed before, for the same bytes); `link`: whether it is a symlink, when known."""
    path = f"{root}/{rel}"
    if (os.path.islink(path) if link is None else link) and not inside(Path(path), root):
        diags.append(Diagnostic.make(rel, (1, 1), "GK108", "此文件是指向项目之外或 .git 文件夹中的符号链接，已拒绝读取"))
        return None
    doc, problems = _parsed(rel, path, memo)
    diags.extend(problems)
    return doc


def _parsed(rel: str, path: str, memo: Memo) -> _Parsed:
    try:
        st = os.stat(path)
    except OSError:
        st = None  # read_input says what is wrong
    seen = Key(SEEN, f"{path}\0{st.st_dev} {st.st_ino} {st.st_size} {st.st_mtime_ns} {st.st_ctime_ns}") \
        if st is not None and stat.S_ISREG(st.st_mode) else None
    found = memo.get(seen) if seen is not None else None
    if found is not None:
        return found
    raw = read_input(Path(path), rel)
    digest = hashlib.sha256(raw).hexdigest()
    doc_key = Key(DOC, f"{rel}\0{digest}")
    found = memo.get(doc_key)
    if found is None:
        parsed = Key(PARSED, digest)
        data = memo.get(parsed)
        found = parse(rel, raw, NOT_CACHED if data is None else data, digest)
        doc, problems = found
        if data is None and doc is not None and doc.ok and not problems:
            memo.keep(parsed, doc.data)
        memo.keep(doc_key, found)
    if seen is not None and st is not None and time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) > RACY:
        memo.keep(seen, found)
    return found


def list_files(root: Path, folder: str, diags: list[Diagnostic]) -> dict[str, Path]:
    """Every file below `folder` of the project, by its path there, sorted; links that leave the project are refused."""
    top = root / folder
    found: dict[str, Path] = {}
    if not (top.is_dir() or top.is_symlink()):
        return found
    seen: set[Path] = set()

    def walk(path: Path, rel: str) -> None:
        shown = f"{folder}/{rel}" if rel else f"{folder}/"
        if in_git_folder((path.name,)):
            diags.append(Diagnostic.make(shown, (1, 1), "GK108", "这是 .git 文件夹，已拒绝读取（不会发布 git 仓库的内容）"))
            return
        if path.is_symlink() and not inside(path, root):
            diags.append(Diagnostic.make(shown, (1, 1), "GK108",
                                         "这是指向项目之外或 .git 文件夹中的符号链接，已拒绝读取（不会发布项目之外和 git 仓库中的文件）"))
            return
        if path.is_dir():
            real = path.resolve()
            if real in seen:  # a link back up the tree would recurse for ever
                diags.append(Diagnostic.make(shown, (1, 1), "GK108", "这是指向本文件夹上级的符号链接，已拒绝读取"))
                return
            seen.add(real)
            for entry in sorted(os.scandir(path), key=lambda e: e.name):
                walk(Path(entry.path), f"{rel}/{entry.name}" if rel else entry.name)
        elif path.is_file():
            found[rel] = path

    walk(top, "")
    return found


def load_sources(directory: Path, memo: Memo | None = None) -> SourceTree:
    """Read gkcat.yaml, domains.yaml and every locality folder of the project, through the memo: what an
    earlier load of this process (gkcat serve) or the project cache (a new process) kept of each file."""
    root = find_project(directory)
    diags: list[Diagnostic] = []
    memo = memo if memo is not None else Memo()
    config = _read(root, CONFIG_FILE, diags, memo)
    domains = _read(root, DOMAINS_FILE, diags, memo) if (root / DOMAINS_FILE).exists() else None
    tree = SourceTree(root, config, domains, {}, diags, list_files(root, TEMPLATES, diags), list_files(root, STATIC, diags),
                      memo)
    top = config.data.get("root") if config and config.ok and isinstance(config.data, dict) else None
    if isinstance(top, str) and FOLDER.match(top) and (root / top).is_dir():
        _walk(tree, top, None, 0, set(), None)
    return tree


def _walk(tree: SourceTree, rel: str, parent: str | None, depth: int, seen: set[Path], above: Path | None) -> None:
    """One locality folder and those below it; `above`: the parent folder's real path."""
    root = tree.root_dir
    folder = root / rel
    link = folder.is_symlink()
    # a plain folder's real path is its parent's and its name: resolving each of 1,500 folders costs
    real = folder.resolve() if link or above is None else above / folder.name
    if link and not inside(folder, root):
        tree.diagnostics.append(Diagnostic.make(rel + "/", (1, 1), "GK108",
                                                "此地区文件夹是指向项目之外或 .git 文件夹中的符号链接，已拒绝读取"))
        return
    if real in seen:  # a symlink back into the tree would otherwise recurse for ever
        tree.diagnostics.append(Diagnostic.make(rel + "/", (1, 1), "GK108", "此地区文件夹是指向项目中另一文件夹的符号链接，已拒绝读取"))
        return
    seen.add(real)
    if not (folder / LOCALITY_FILE).is_file():
        tree.diagnostics.append(Diagnostic.make(
            rel + "/", (1, 1), "GK107",
            f"文件夹“{rel}”中没有 {LOCALITY_FILE}：地区文件夹都需要它；若不是地区，请把它移到 {tree_root_name(rel)} 之外",
        ))
        return
    source = LocalitySource(rel, depth, parent, _read(root, f"{rel}/{LOCALITY_FILE}", tree.diagnostics, tree.memo))
    tree.localities[rel] = source
    subfolders = []
    # Sorted so that diagnostics, ids and output never depend on the file system's order.
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        name = entry.name
        child = f"{rel}/{name}"
        if name.startswith("."):  # .git, editors' swap files: only a hidden folder may be a mistake
            if entry.is_dir():
                msg = f"以“.”开头的文件夹“{name}”被忽略：其中的文件不会被读取"
                tree.diagnostics.append(Diagnostic.make(child + "/", (1, 1), "GK405", msg))
            continue
        if entry.is_dir():
            if FOLDER.match(name):
                subfolders.append(child)
            else:
                tree.diagnostics.append(Diagnostic.make(
                    child + "/", (1, 1), "GK109",
                    f"文件夹名“{name}”不合规：地区文件夹名只能用小写字母、数字和“-”，且以字母或数字开头（如 liaozhong）",
                ))
        elif name.endswith(".yaml") and name != LOCALITY_FILE:
            doc = _read(root, child, tree.diagnostics, tree.memo, entry.is_symlink())
            plan = WORKPLAN_FILE.match(name)
            if doc is not None and plan:
                source.workplan_files[int(plan.group(1))] = doc
            elif doc is not None:
                source.domain_files[name[: -len(".yaml")]] = doc
        elif name.lower().endswith((".yml", ".yaml")) and name != LOCALITY_FILE:
            stem = name.rsplit(".", 1)[0].lower()
            tree.diagnostics.append(Diagnostic.make(child, (1, 1), "GK405", f"文件被忽略：扩展名应为小写的 .yaml（改名为 {stem}.yaml）"))
    for child in subfolders:
        source.children.append(child)
        _walk(tree, child, rel, depth + 1, seen, real)
    # A child that failed to load is not a locality; keep `children` to real ones.
    source.children = [c for c in source.children if c in tree.localities]


def tree_root_name(rel: str) -> str:
    return rel.split("/", 1)[0] + "/"
