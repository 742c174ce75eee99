"""`gkcat serve`: the site built into a temporary folder, served on 127.0.0.1, rebuilt on every change.

What mkdocs serve does: the project is watched (watchfiles), each change rebuilds into the same
folder (so the build's fingerprints reuse whatever did not change), and the open pages reload. The
served pages are the built pages with one script tag added (the reload hook); the build's own
output never has it. While the project is invalid, every page shows its diagnostics instead of
stale content.
"""

from __future__ import annotations

import gc
import signal
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import watchfiles

from gkcat.check.load import paused_collector
from gkcat.errors import GkcatError
from gkcat.publish.pipeline import Session, build
from gkcat.publish.preview import Preview, serving
from gkcat.publish.report import BuildReport
from gkcat.source.files import CONFIG_FILE, MANIFEST, STATIC, TEMPLATES
from gkcat.source.tree import FOLDER, ProjectNotFound


def rebuild(project_dir: Path, preview: Preview, jobs: int, session: Session) -> tuple[BuildReport | None, str]:
    """Build into the preview's folder; (report, "") or (None, what is wrong, in Chinese)."""
    try:
        report = build(project_dir, preview.out, jobs, session=session)
    except ProjectNotFound:
        raise  # not a project at all (or gkcat.yaml deleted): nothing to preview
    except GkcatError as err:
        problem = f"{err.details}\n{err}" if err.details else str(err)
        preview.publish(problem)
        return None, problem
    except OSError as err:  # a file removed while it was read: the next change builds again
        preview.publish(str(err))
        return None, str(err)
    except Exception as err:  # noqa: BLE001  # a bug must not end the preview; it is shown, not hidden
        problem = f"gkcat 内部错误（{type(err).__name__}：{err}）：请把这段文字和项目发给 gkcat 的维护者"
        preview.publish(problem)
        return None, problem
    preview.publish("")
    return report, ""


def project_filter(project_dir: Path) -> Callable[[object, str], bool]:
    """What a change must touch to rebuild: gkcat.yaml, any YAML file, templates/ or static/, or a folder that may be
    a locality (one moved into or out of the project, or renamed, changes the tree with no file event of its own);
    not .git, not hidden files, not a build's output folder."""
    root = project_dir.resolve()

    def wanted(_change: object, path: str) -> bool:
        try:
            parts = Path(path).resolve().relative_to(root).parts
        except ValueError:
            return False
        if not parts or any(p.startswith(".") for p in parts):
            return False
        if parts[0] in (TEMPLATES, STATIC) or parts[-1].endswith(".yaml") or parts[-1] == CONFIG_FILE:
            return True
        # a locality folder's name has no extension; a build's output (the default site/) is no locality
        return all(FOLDER.fullmatch(p) for p in parts) and not (root / parts[0] / MANIFEST).exists()

    return wanted


def _stop(signum: int, frame: object) -> None:
    # build workers do not run this: the pipeline gives them SIGTERM's default back
    raise KeyboardInterrupt  # SIGTERM (a service manager, a test) stops as Ctrl-C does: cleanly


def serve(project_dir: Path, host: str, port: int, jobs: int, echo: Callable[[str], None]) -> None:
    """Build, serve and rebuild on every change until Ctrl-C; the temporary folder goes with it."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop)
        # Ctrl-C stops the preview even when it was started from a script in the background, which
        # hands its children SIGINT ignored (Python then keeps ignoring it)
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        _preview(project_dir, host, port, jobs, echo)
    finally:
        gc.unfreeze()  # the process as it was (the tests run serve in theirs)
    echo("已停止预览")


def _preview(project_dir: Path, host: str, port: int, jobs: int, echo: Callable[[str], None]) -> None:
    with tempfile.TemporaryDirectory(prefix="gkcat-serve-") as tmp:
        preview, session = Preview(Path(tmp) / "site"), Session()
        # Watching starts before the first build, so that an edit made while it runs is not missed:
        # the watcher collects changes while the loop below is busy building.
        changes = watchfiles.watch(project_dir, watch_filter=project_filter(project_dir), debounce=400, step=80,
                                   rust_timeout=500, yield_on_timeout=True,
                                   raise_interrupt=True)  # caught below: watchfiles would print its own English line
        try:
            next(changes, None)  # returns once the watcher is set up
            echo("正在生成网站……")
            _say(echo, *rebuild(project_dir, preview, jobs, session))
            # What the first build leaves (every parsed file, the resolved province) lives as long as
            # the preview: the cycle collector need not go through it again (see check/load.py paused_collector).
            gc.collect()
            gc.freeze()
        except KeyboardInterrupt:
            return
        with serving(preview, host, port) as url:
            echo(f"预览地址：{url}　修改项目中的文件后自动重新生成并刷新页面，按 Ctrl-C 停止")
            try:
                owed = False  # a collection put off until the watcher has nothing to report
                for changed in changes:
                    if not changed:  # the watcher's timeout: nothing changed for half a second
                        if owed:
                            gc.collect()
                            owed = False
                        continue
                    names = sorted({Path(p).relative_to(project_dir.resolve()).as_posix() for _, p in changed
                                    if Path(p).is_relative_to(project_dir.resolve())})
                    echo(f"修改了 {'、'.join(names[:5])}{' 等' if len(names) > 5 else ''}，重新生成……")
                    # In this process now run the server's and the watcher's threads; forking build
                    # workers beside them risks a lock held at fork time. A rebuild renders few files.
                    with paused_collector():
                        _say(echo, *rebuild(project_dir, preview, 1, session))
                    owed = True
            except KeyboardInterrupt:
                pass


def _say(echo: Callable[[str], None], report: BuildReport | None, problem: str) -> None:
    if report is not None:
        echo(f"已生成：重新生成 {report.rendered_files} 个文件，沿用 {report.reused_files} 个，用时 {report.seconds:.1f} 秒")
    else:
        echo(problem)
        echo("项目有错误：页面上显示这些错误，改正后自动恢复")
