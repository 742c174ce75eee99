"""Locks: one gkcat at a time writes into a project, and one build at a time into an output folder.

A lock is a file holding who took it (command and process id), locked with flock and removed by its
holder when done. A second gkcat waits for it a while, then stops with exit code 2 naming the holder:
two imports that each read the project and then write it would otherwise lose one's edits.
"""

from __future__ import annotations

import os
import stat
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gkcat.diagnostics.diagnostic import visible
from gkcat.errors import GkcatError, naming

try:  # POSIX; elsewhere nothing is locked
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

PROJECT_LOCK = ".gkcat-lock"  # at the project root, beside gkcat.yaml; removed when the holder is done
WAIT = 60.0  # seconds a second writer waits before it gives up


class Busy(GkcatError):
    """Another gkcat holds the lock (exit code 2); the message names it."""


def _holder(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return "另一个 gkcat 命令"
    return visible(text[:200]) or "另一个 gkcat 命令"


def _try(path: Path) -> int | None:
    """The open, locked lock file; None when another process holds it."""
    if os.path.islink(path):  # O_NOFOLLOW would say ELOOP, "too many levels of links": say what it is
        raise GkcatError(f"锁文件 {visible(str(path))} 是符号链接，已拒绝使用（gkcat 不会通过链接写入别处）：请删除它后再运行")
    with naming(path):
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0), 0o644)
    if not stat.S_ISREG(os.fstat(fd).st_mode):  # a FIFO or a device put there: neither locked nor removed
        os.close(fd)
        raise GkcatError(f"锁文件 {visible(str(path))} 不是普通文件，已拒绝使用：请删除它后再运行")
    if fcntl is None:
        return fd
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        # The holder removes the file when done: a lock taken on a file it already removed is void.
        if os.stat(path, follow_symlinks=False).st_ino == os.fstat(fd).st_ino:
            return fd
    except (BlockingIOError, FileNotFoundError):
        pass
    os.close(fd)
    return None


@contextmanager
def hold(path: Path, what: str, wait: float | None = None) -> Iterator[None]:
    """Hold the lock file `path` for the block; `what` says in Chinese what the lock guards (for the message)."""
    wait = WAIT if wait is None else wait
    deadline = time.monotonic() + wait
    while (fd := _try(path)) is None:
        if time.monotonic() >= deadline:
            waited = f"，已等待 {wait:g} 秒" if wait > 0 else ""
            raise Busy(f"{_holder(path)} 正在写入{what}{waited}：请等它结束后再运行")
        time.sleep(0.1)
    try:
        command = " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv[:3]))
        with naming(path):
            os.ftruncate(fd, 0)
            os.write(fd, f"gkcat（进程 {os.getpid()}：{command}）".encode())
        yield
    finally:
        path.unlink(missing_ok=True)
        os.close(fd)


@contextmanager
def project_lock(root: Path, wait: float | None = None) -> Iterator[None]:
    """The project's lock: held by every command that writes into the project, from reading it to the last write."""
    with hold(root / PROJECT_LOCK, f"项目 {root}", wait):
        yield
