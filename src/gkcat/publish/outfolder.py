"""The output folder of a build: where a build may write, what in it is gkcat's, one build at a time.

A build replaces OUT whole (temporary folder, then swap), so everything here is about not
destroying what is not gkcat's: never the project or its inputs, never a file the last build's
manifest does not list, never a path that leaves OUT.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from gkcat.diagnostics.diagnostic import CONTROL, visible
from gkcat.errors import GkcatError
from gkcat.render.site.urls import RESERVED
from gkcat.source.files import MANIFEST, STATIC, TEMPLATES, in_git_folder
from gkcat.source.lock import hold


class BuildRefused(GkcatError):
    """The build cannot run as asked (exit code 2): the message says why, in Chinese."""


def check_out(project_dir: Path, out: Path, top: str | None, ours: bool = False) -> Path:
    """OUT resolved, or BuildRefused when writing there could destroy something.

    `ours`: OUT is a build session's own folder (gkcat serve's), whose manifest the session holds.
    """
    out = out.resolve()
    project_dir = project_dir.resolve()
    if out == Path(out.anchor) or out == project_dir or out in project_dir.parents:
        raise BuildRefused(f"不能输出到 {out}：它是项目文件夹、其上级或根目录，生成时会被整体替换")
    if top in RESERVED:
        raise BuildRefused(f"顶层地区文件夹不能命名为“{top}”：网站的 {'、'.join(RESERVED)} 已占用这些名称")
    # inputs of the build: writing into them would publish or read the output as input next time
    for name, what in ((top, "地区文件夹"), (TEMPLATES, "模板文件夹"), (STATIC, "静态文件文件夹")):
        if name and (out == project_dir / name or project_dir / name in out.parents):
            raise BuildRefused(f"不能输出到 {out}：它在{what} {name}/ 之中，那是生成网站时读取的内容")
    if in_git_folder(out.parts):  # the project's own, an enclosing repository's or any other: git's data
        raise BuildRefused(f"不能输出到 {out}：它在 .git 文件夹之中，那是 git 仓库的数据")
    for folder in [out, *out.parents]:
        if folder.exists() or folder.is_symlink():
            if not folder.is_dir():
                raise BuildRefused(f"不能输出到 {out}：{folder} 是一个文件，不是文件夹")
            break
    if not ours and out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise BuildRefused(f"{out} 不是 gkcat 生成的文件夹（其中没有 {MANIFEST}），为免误删其中的文件，请指定空文件夹或新文件夹")
    return out


@dataclass(frozen=True)
class Entry:
    """One output file as the manifest records it: what it was made from, and what it is."""

    inputs: str | None  # the input fingerprint (None: made on every build)
    rows: int  # item rows it holds (workbooks)
    sha256: str
    size: int

    def json(self) -> dict[str, object]:
        return {"inputs": self.inputs, "rows": self.rows, "sha256": self.sha256, "size": self.size}

    @staticmethod
    def read(data: dict[str, object]) -> Entry:
        """An entry as a manifest holds it; anything malformed reads as an entry that is never reused."""
        inputs, rows, sha, size = (data.get(k) for k in ("inputs", "rows", "sha256", "size"))
        return Entry(inputs if isinstance(inputs, str) else None, rows if isinstance(rows, int) else 0,
                     sha if isinstance(sha, str) else "", size if isinstance(size, int) else 0)


@dataclass(frozen=True)
class Manifest:
    """What the last build into OUT wrote: its gkcat version and, per path, the file's entry."""

    version: str | None
    files: dict[str, Entry]


def manifest_text(version: str, files: dict[str, Entry]) -> str:
    """The manifest, as json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True) writes it (one line per
    value, so that a published site's manifest diffs cleanly), made piece by piece: with an indent, json falls
    back to its pure-Python encoder, about a second for a province's 52,000 files."""
    text = json.JSONEncoder(ensure_ascii=False).encode
    out = ['{\n "files": {']
    for i, path in enumerate(sorted(files)):
        e = files[path]
        out.append(f'{"," if i else ""}\n  {text(path)}: {{\n   "inputs": {text(e.inputs)},\n   "rows": {e.rows},'
                   f'\n   "sha256": {text(e.sha256)},\n   "size": {e.size}\n  }}')
    out.append(f'\n }},\n "gkcat": {text(version)}\n}}' if files else f'}},\n "gkcat": {text(version)}\n}}')
    return "".join(out)


def read_manifest(out: Path) -> Manifest:
    """The last build's manifest; an empty one when there is none or it cannot be read (it owns nothing)."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        files = data.get("files")
        version = data.get("gkcat")
    except (OSError, ValueError, AttributeError):
        return Manifest(None, {})
    if not isinstance(files, dict):
        return Manifest(None, {})
    entries = {p: Entry.read(e) for p, e in files.items() if isinstance(p, str) and isinstance(e, dict)}
    return Manifest(version if isinstance(version, str) else None, entries)


def check_foreign(out: Path, manifest: Manifest) -> None:
    """BuildRefused when OUT holds a file or folder that no gkcat build wrote: the swap would delete it.

    Any version's manifest counts here: what an older gkcat wrote is still gkcat's to replace.
    """
    if not out.is_dir():
        return
    owned = set(manifest.files)
    folders: set[str] = set()  # every folder an owned file is in, and those above it (string work: 52,000 paths)
    for p in owned:
        head = p.rpartition("/")[0]
        while head and head not in folders:
            folders.add(head)
            head = head.rpartition("/")[0]
    foreign: list[str] = []
    for here, dirs, files in os.walk(out):  # does not follow symlinks: a linked folder is one entry
        rel = Path(here).relative_to(out).as_posix()
        for name in sorted(dirs + files):
            path = name if rel == "." else f"{rel}/{name}"
            linked_dir = name in dirs and Path(here, name).is_symlink()
            if path == MANIFEST or (path in owned and name in files) or (name in dirs and path in folders and not linked_dir):
                continue
            foreign.append(path + ("/" if name in dirs else ""))
        dirs[:] = [d for d in dirs if (d if rel == "." else f"{rel}/{d}") in folders]
    if foreign:
        more = f"等 {len(foreign)} 项" if len(foreign) > 1 else ""
        raise BuildRefused(f"输出文件夹 {out} 中有不是 gkcat 生成的内容：{foreign[0]}{more}。生成时会替换整个输出文件夹，"
                           f"为免删除它们，未生成任何文件：要随网站发布的文件请放到项目的 {STATIC}/ 文件夹，其余请移出输出文件夹")


# a leading "/", an empty, "." or ".." part, a backslash, a control character: one search per path
_UNSAFE = re.compile(r"^/|//|/$|(?:^|/)\.\.?(?:/|$)|\\|" + CONTROL.pattern)


def safe_path(rel: str) -> str:
    """An output path, checked: relative, inside OUT, no empty, `.` or `..` parts. Never from catalog text,
    but this is where a mistake would write outside the output, so it is checked once more here."""
    if not rel or _UNSAFE.search(rel):
        raise BuildRefused(f"输出路径“{visible(rel)}”不安全，已停止生成（这是 gkcat 的缺陷，请报告）")
    return rel


@contextmanager
def lock(out: Path) -> Iterator[None]:
    """One build at a time into OUT: both would share the temporary folder. The second one stops at once."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with hold(out.parent / f".{out.name}.gkcat-lock", f"输出文件夹 {out}", wait=0):
        yield
