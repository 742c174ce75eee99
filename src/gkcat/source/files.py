"""The project's file names and the one way gkcat reads a file: a regular file, within bounds, never a device,
a FIFO or (where asked) a link. Standard library only, so that every part of source/ can use it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from gkcat.errors import InputError, os_error_message

CONFIG_FILE = "gkcat.yaml"
DOMAINS_FILE = "domains.yaml"
LOCALITY_FILE = "locality.yaml"
TEMPLATES = "templates"  # a project's own templates and assets, over gkcat's
STATIC = "static"  # files published as they are, at the same paths in the site
GIT_FOLDER = ".git"
MANIFEST = ".gkcat-manifest.json"  # what marks a folder as a build's output (publish/outfolder.py)


def in_git_folder(parts: tuple[str, ...]) -> bool:
    """Whether a path's parts pass through a `.git` folder (any case: some file systems ignore it)."""
    return any(p.casefold() == GIT_FOLDER for p in parts)


def inside(path: Path, root: Path) -> bool:
    """Whether `path`, links followed, is `root` or below it and in no `.git` folder: the rule for every input
    gkcat reads. A CI checkout keeps its access token in `.git/config`, inside the project."""
    try:
        rel = path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return not in_git_folder(rel.parts)


_KINDS = ((stat.S_ISDIR, "文件夹"), (stat.S_ISFIFO, "命名管道"), (stat.S_ISSOCK, "套接字"),
          (stat.S_ISCHR, "字符设备"), (stat.S_ISBLK, "块设备"), (stat.S_ISLNK, "符号链接"))


def read_input(path: Path, shown: str, limit: int | None = None, follow: bool = True) -> bytes:
    """The bytes of a regular file; InputError (exit 2) for anything else, so nothing blocks or breaks.

    `limit`: the most bytes accepted (a larger file is refused, never read); `follow=False`: a symlink is refused.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        if not follow and os.path.islink(path):  # where O_NOFOLLOW does not exist (Windows)
            raise InputError(f"无法读取 {shown}：它是符号链接，已拒绝读取")
        # One open and an fstat of what was opened: no second lookup of the path, and O_NONBLOCK
        # so that opening a FIFO returns at once instead of waiting for a writer.
        fd = os.open(path, flags)
    except InputError:
        raise
    except OSError as err:
        if not follow and os.path.islink(path):  # O_NOFOLLOW's ELOOP: say what it is
            raise InputError(f"无法读取 {shown}：它是符号链接，已拒绝读取") from None
        raise InputError(os_error_message(err)) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = next((name for test, name in _KINDS if test(st.st_mode)), "特殊文件")
            raise InputError(f"无法读取 {shown}：它是{kind}，不是普通文件")
        if limit is not None and st.st_size > limit:
            raise InputError(f"无法读取 {shown}：文件过大（{st.st_size:,} 字节，最多 {limit:,} 字节）")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read() if limit is None else f.read(limit + 1)
        if limit is not None and len(data) > limit:  # grew while it was read
            raise InputError(f"无法读取 {shown}：文件过大（最多 {limit:,} 字节）")
        return data
    except OSError as err:
        raise InputError(os_error_message(err)) from None
    finally:
        os.close(fd)
