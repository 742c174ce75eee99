"""Finding and reading a project's files: the only module that reads input.

A project is the folder holding gkcat.yaml. Localities are the folders below the root folder
named in gkcat.yaml; each must hold a locality.yaml. Nothing outside the project is read: a
symlink that leads outside it is refused.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .diagnostics import Diagnostic
from .yamlsource import SourceDoc, parse

CONFIG = "gkcat.yaml"
DOMAINS = "domains.yaml"
LOCALITY = "locality.yaml"
_FOLDER = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class ProjectNotFound(Exception):
    """No gkcat.yaml where the project should be: the command cannot run (exit 2)."""


@dataclass
class LocalitySource:
    path: str  # "shenyang/liaozhong": the stable id
    depth: int  # 0 for the top locality
    parent: str | None
    locality: SourceDoc | None
    domain_files: dict[str, SourceDoc] = field(default_factory=dict)  # by file stem
    children: list[str] = field(default_factory=list)


@dataclass
class SourceTree:
    root_dir: Path
    config: SourceDoc | None
    domains: SourceDoc | None
    localities: dict[str, LocalitySource]  # pre-order: parents before children
    diagnostics: list[Diagnostic]


def find_project(directory: Path) -> Path:
    """The project folder: `directory` itself, which must hold gkcat.yaml."""
    directory = directory.resolve()
    if not (directory / CONFIG).is_file():
        raise ProjectNotFound(f"{directory} 中没有 {CONFIG}：请在项目文件夹中运行，或用 -C 指定项目文件夹")
    return directory


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
    except ValueError:
        return False
    return True


def _read(root: Path, rel: str, diags: list[Diagnostic]) -> SourceDoc | None:
    path = root / rel
    if path.is_symlink() and not _inside(path, root):
        diags.append(Diagnostic.make(rel, (1, 1), "GK108", "此文件是指向项目之外的符号链接，已拒绝读取"))
        return None
    doc, problems = parse(rel, path.read_bytes())
    diags.extend(problems)
    return doc


def load_sources(directory: Path) -> SourceTree:
    """Read gkcat.yaml, domains.yaml and every locality folder of the project."""
    root = find_project(directory)
    diags: list[Diagnostic] = []
    config = _read(root, CONFIG, diags)
    domains = _read(root, DOMAINS, diags) if (root / DOMAINS).exists() else None
    tree = SourceTree(root, config, domains, {}, diags)
    top = config.data.get("root") if config and config.ok and isinstance(config.data, dict) else None
    if isinstance(top, str) and _FOLDER.match(top) and (root / top).is_dir():
        _walk(tree, top, None, 0, set())
    return tree


def _walk(tree: SourceTree, rel: str, parent: str | None, depth: int, seen: set[Path]) -> None:
    root = tree.root_dir
    folder = root / rel
    real = folder.resolve()
    if folder.is_symlink() and not _inside(folder, root):
        tree.diagnostics.append(Diagnostic.make(rel + "/", (1, 1), "GK108", "此地区文件夹是指向项目之外的符号链接，已拒绝读取"))
        return
    if real in seen:  # a symlink back into the tree would otherwise recurse for ever
        tree.diagnostics.append(Diagnostic.make(rel + "/", (1, 1), "GK108", "此地区文件夹是指向项目中另一文件夹的符号链接，已拒绝读取"))
        return
    seen.add(real)
    if not (folder / LOCALITY).is_file():
        tree.diagnostics.append(Diagnostic.make(
            rel + "/", (1, 1), "GK107",
            f"文件夹“{rel}”中没有 {LOCALITY}：地区文件夹都需要它；若不是地区，请把它移到 {tree_root_name(rel)} 之外",
        ))
        return
    source = LocalitySource(rel, depth, parent, _read(root, f"{rel}/{LOCALITY}", tree.diagnostics))
    tree.localities[rel] = source
    subfolders = []
    # Sorted so that diagnostics, ids and output never depend on the file system's order.
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        name = entry.name
        if name.startswith("."):
            continue
        child = f"{rel}/{name}"
        if entry.is_dir():
            if _FOLDER.match(name):
                subfolders.append(child)
            else:
                tree.diagnostics.append(Diagnostic.make(
                    child + "/", (1, 1), "GK109",
                    f"文件夹名“{name}”不合规：地区文件夹名只能用小写字母、数字和“-”，且以字母或数字开头（如 liaozhong）",
                ))
        elif name.endswith(".yaml") and name != LOCALITY:
            doc = _read(root, child, tree.diagnostics)
            if doc is not None:
                source.domain_files[name[: -len(".yaml")]] = doc
        elif name.endswith(".yml"):
            tree.diagnostics.append(Diagnostic.make(child, (1, 1), "GK405", f"文件被忽略：扩展名应为 .yaml（改名为 {name[:-4]}.yaml）"))
    for child in subfolders:
        source.children.append(child)
        _walk(tree, child, rel, depth + 1, seen)
    # A child that failed to load is not a locality; keep `children` to real ones.
    source.children = [c for c in source.children if c in tree.localities]


def tree_root_name(rel: str) -> str:
    return rel.split("/", 1)[0] + "/"
