"""The build's workers (publish/pool.py): forked with their share of the outputs, results and errors sent back."""

from __future__ import annotations

import os
import signal

import pytest

from gkcat.publish.artifact import Artifact
from gkcat.publish.pool import render_all


def _made(n: int) -> tuple[bytes, int]:
    return f"output {n} from {os.getpid()}".encode(), n


def _work(n: int, seen: list[int]) -> list[Artifact]:
    def local() -> tuple[bytes, int]:
        seen.append(os.getpid())  # in this process's memory only if rendered here
        return b"local", 0

    return [Artifact((f"{i}.html",), None, lambda i=i: _made(i)) for i in range(n)] + \
        [Artifact(("local.html",), None, local, local=True)]


def test_workers_render_their_share_and_local_outputs_stay_here():
    seen: list[int] = []
    work = _work(12, seen)
    done = render_all(work, list(range(len(work))), 2)
    assert sorted(done) == list(range(13)) and seen == [os.getpid()]
    assert [done[i][1] for i in range(12)] == list(range(12))
    pids = {done[i][0].split(b" from ")[1] for i in range(12)}
    assert len(pids) == 2 and str(os.getpid()).encode() not in pids  # two workers, neither of them this process


def test_a_workers_error_is_raised_here():
    def broken() -> tuple[bytes, int]:
        raise ValueError("坏了")

    work = _work(8, []) + [Artifact(("broken.html",), None, broken)]
    with pytest.raises(ValueError, match="坏了"):
        render_all(work, list(range(len(work))), 2)


def test_a_worker_that_dies_is_an_error_not_a_hang():
    def killed() -> tuple[bytes, int]:
        os.kill(os.getpid(), signal.SIGKILL)
        return b"", 0

    work = _work(8, []) + [Artifact(("killed.html",), None, killed)]
    with pytest.raises(RuntimeError, match="意外退出"):
        render_all(work, list(range(len(work))), 2)
