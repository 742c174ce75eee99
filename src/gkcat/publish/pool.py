"""The worker pool of a build: how many workers, and rendering the outputs to make, in workers by fork or here.

Each worker is a forked process that inherits the artifacts (they hold the resolved project and closures,
which cannot be pickled) and is handed its share of them when it is made: nothing is kept at module
level for it to find, as `multiprocessing.Pool` would need. It sends each result back through its own pipe.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection, wait

from gkcat.publish.artifact import Artifact

Rendered = dict[int, tuple[bytes, int]]


def _worker(work: list[Artifact], share: list[int], conn: Connection) -> None:
    """A worker's whole life: render its share, send each (index, bytes, rows), then None; or the error."""
    # A worker inherits the process's SIGTERM handler (gkcat serve installs one); the parent ends its
    # workers with SIGTERM, which must end them at once, whatever they are doing.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        for i in share:
            data, rows = work[i].render()
            conn.send((i, data, rows))
        conn.send(None)
    except BaseException as err:  # noqa: BLE001  # handed to the parent, which raises it
        try:
            conn.send(err)
        except Exception:  # noqa: BLE001  # an error that cannot be pickled: said in words
            conn.send(RuntimeError(f"{type(err).__name__}: {err}"))
    finally:
        conn.close()


def _here(work: list[Artifact], todo: list[int]) -> Rendered:
    return {i: work[i].render() for i in todo}


def render_all(work: list[Artifact], todo: list[int], jobs: int) -> Rendered:
    local = [i for i in todo if work[i].local]
    away = [i for i in todo if not work[i].local]
    # Workers get the resolved project by fork; where there is no fork (Windows), render here.
    if jobs <= 1 or len(away) < 4 or "fork" not in multiprocessing.get_all_start_methods():
        return _here(work, todo)
    ctx = multiprocessing.get_context("fork")
    readers: list[Connection] = []
    procs = []
    try:
        for k in range(jobs):  # every jobs-th output: the kinds of output (and their sizes) spread evenly
            reader, writer = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_worker, args=(work, away[k::jobs], writer), daemon=True)
            proc.start()
            writer.close()  # the worker's end: the parent sees EOF when the worker is gone
            readers.append(reader)
            procs.append(proc)
        # the local ones meanwhile, here (what they keep in the memo stays in this process), in a thread made
        # after the forks, while this one takes the workers' results as they come
        with ThreadPoolExecutor(1) as here:
            mine = here.submit(_here, work, local)
            done = _collect(readers)
            done.update(mine.result())
        return done
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
            proc.join()
        for reader in readers:
            reader.close()


def _collect(readers: list[Connection]) -> Rendered:
    done: Rendered = {}
    open_ = list(readers)
    while open_:
        for conn in wait(open_):
            assert isinstance(conn, Connection)
            try:
                msg = conn.recv()
            except EOFError:  # killed (out of memory, a signal) before it said it was done
                raise RuntimeError("生成输出的工作进程意外退出，未写入任何文件") from None
            if msg is None:
                open_.remove(conn)
            elif isinstance(msg, BaseException):
                raise msg
            else:
                i, data, rows = msg
                done[i] = (data, rows)
    return done


def workers(jobs: int, notes: list[str]) -> int:
    """The worker processes of a build: `-j`, at most the CPU count (0: the CPU count); more only compete for them."""
    cpus = os.cpu_count() or 1
    if jobs > cpus:
        notes.append(f"-j {jobs} 多于 CPU 核数，按 {cpus} 个进程生成")
    return min(jobs, cpus) if jobs > 0 else cpus
