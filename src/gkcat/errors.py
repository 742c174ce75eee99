"""The one root of gkcat's errors: each carries its exit code and a Chinese message for the user.

Problems in a project's files are diagnostics, collected and reported together; a GkcatError is a
reason the command cannot run at all (exit 2 unless a subclass says otherwise). The CLI catches
it, and every OSError, in one place, so that no traceback reaches a user.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gkcat.diagnostics.diagnostic import visible


class GkcatError(Exception):
    """The command cannot run as asked; `str(err)` says why, in Chinese.

    `exit_code` is the contract's: 2 "cannot run" unless a subclass (or the raiser, for a project
    that is invalid) says 1; `details` is printed before the message (the errors that stopped it).
    """

    exit_code = 2

    def __init__(self, message: str, *, details: str = "", exit_code: int | None = None):
        super().__init__(message)
        self.details = details
        if exit_code is not None:
            self.exit_code = exit_code


class InputError(GkcatError):
    """An input file or folder cannot be read (not a regular file, unreadable, too large)."""


_ERRNO_ZH = {
    errno.EROFS: "文件系统是只读的",
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "超出磁盘配额",
    errno.EACCES: "没有权限",
    errno.EPERM: "不允许此操作",
    errno.ENOENT: "文件或文件夹不存在",
    errno.ENOTDIR: "路径中有一部分是文件而不是文件夹",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.EEXIST: "已经存在",
    errno.ENOTEMPTY: "文件夹不是空的",
    errno.ENAMETOOLONG: "文件名过长",
    errno.EMFILE: "打开的文件过多",
    errno.EIO: "读写出错（磁盘或网络文件系统故障）",
    errno.EXDEV: "不能跨文件系统移动",
    errno.ELOOP: "符号链接层数过多（可能是循环链接）",
}


@contextmanager
def naming(path: Path | str) -> Iterator[None]:
    """An OSError raised in the block names `path` when it names nothing itself: a write that fails on a full
    disk says only "No space left on device", and the message must say which file."""
    try:
        yield
    except OSError as err:
        if err.filename is None:
            err.filename = str(path)
        raise


def os_error_message(err: OSError) -> str:
    """`无法写入 PATH：磁盘空间不足` for any OSError: what failed, on which path, why."""
    why = _ERRNO_ZH.get(err.errno or 0) or (err.strerror or str(err))
    paths = [str(p) for p in (err.filename, err.filename2) if p is not None]
    where = "、".join(visible(p) for p in paths)
    return f"无法读写 {where}：{why}" if where else f"文件操作失败：{why}"
