"""The worker pool of a build: how many workers, and rendering the outputs to make, in workers by fork or here."""

from __future__ import annotations

import multiprocessing
import os
import signal

from gkcat.publish.artifact import Artifact


class _Worker:
    """A build worker's artifacts: handed over once, by fork, when the worker starts (never pickled; the
    parent keeps no such state). Only worker processes ever fill `work`."""

    work: list[Artifact] = []

    @staticmethod
    def start(work: list[Artifact]) -> None:
        # A worker inherits the process's SIGTERM handler (gkcat serve installs one); the pool ends its
        # workers with SIGTERM, which must end them at once, whatever they are waiting for.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        _Worker.work = work

    @staticmethod
    def render(index: int) -> tuple[int, bytes, int]:
        data, rows = _Worker.work[index].render()
        return index, data, rows


def render_all(work: list[Artifact], todo: list[int], jobs: int) -> dict[int, tuple[bytes, int]]:
    def here(index: int) -> tuple[int, bytes, int]:
        data, rows = work[index].render()
        return index, data, rows

    local = [i for i in todo if work[i].local]
    away = [i for i in todo if not work[i].local]
    # Workers get the resolved project by fork; where there is no fork (Windows), render here.
    if jobs <= 1 or len(away) < 4 or "fork" not in multiprocessing.get_all_start_methods():
        return {i: (data, rows) for i, data, rows in map(here, todo)}
    with multiprocessing.get_context("fork").Pool(jobs, initializer=_Worker.start, initargs=(work,)) as pool:
        results = pool.imap_unordered(_Worker.render, away, chunksize=4)
        # the local ones meanwhile, here: what they keep in the memo stays in this process
        done = {i: (data, rows) for i, data, rows in map(here, local)}
        done.update((i, (data, rows)) for i, data, rows in results)
        return done


def workers(jobs: int, notes: list[str]) -> int:
    """The worker processes of a build: `-j`, at most the CPU count (0: the CPU count); more only compete for them."""
    cpus = os.cpu_count() or 1
    if jobs > cpus:
        notes.append(f"-j {jobs} 多于 CPU 核数，按 {cpus} 个进程生成")
    return min(jobs, cpus) if jobs > 0 else cpus
