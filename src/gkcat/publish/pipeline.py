"""`gkcat build`: validate, plan every output, render what changed and write it (publish/plan.py,
pool.py, write.py), report. A build session (gkcat serve) lends the next build what this one made.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from gkcat.check.load import Validation, load_project, valid
from gkcat.publish.outfolder import BuildRefused, Manifest, check_foreign, check_out, lock, read_manifest
from gkcat.publish.outputs import PARTS
from gkcat.publish.plan import artifacts, releases
from gkcat.publish.pool import workers
from gkcat.publish.report import BuildReport
from gkcat.publish.write import write_outputs
from gkcat.render.site.jinja import TemplateFailure
from gkcat.source.dates import build_time
from gkcat.source.lock import project_lock
from gkcat.source.tree import find_project


@dataclass
class Session:
    """What one build lends the next one into the same folder, in one process (gkcat serve).

    The loaded project, whose memo (source/memo.py) holds what the build worked out: the next load takes
    over every value whose fingerprint is unchanged (files parsed, states, check results, the parts of
    project-wide outputs, the localities' groups of outputs). And the manifest of the folder: the folder
    is the session's own, so a rebuild updates it in place, file by file, instead of building a new
    folder beside it; nothing else writes there.
    """

    validation: Validation | None = None
    manifest: Manifest | None = None


def build(project_dir: Path, out: Path | None = None, jobs: int = 0, parts: tuple[str, ...] = PARTS,
          session: Session | None = None, cache: bool = False) -> BuildReport:
    """Check the project and write its outputs to OUT (default: site/ in the project).

    InvalidProject (exit 1, nothing written) when it has errors; BuildRefused (exit 2) when OUT is unsafe.
    An output inside the project (the default site/) is written under the project's lock, as every command
    that writes into the project is: an import beside it waits, and the build never reads a half-made change.
    """
    root = find_project(project_dir)
    if (out if out is not None else root / "site").resolve().is_relative_to(root):
        with project_lock(root):
            return _build(project_dir, out, jobs, parts, session, cache)
    return _build(project_dir, out, jobs, parts, session, cache)


def _build(project_dir: Path, out: Path | None, jobs: int, parts: tuple[str, ...], session: Session | None,
           cache: bool) -> BuildReport:
    start = time.perf_counter()
    avoid = out if out is not None else find_project(project_dir) / "site"
    loaded = load_project(project_dir, session.validation if session else None, cache and session is None, avoid)
    v = valid(loaded, "项目有错误，未生成任何文件")
    if session is not None:  # a valid load only: the next one takes over what the last build worked out
        session.validation = loaded
    ours = session.manifest if session is not None else None  # a session's own folder, after its first build
    in_place = ours is not None
    target = check_out(v.project.root_dir, out if out is not None else v.project.root_dir / "site", v.project.config.root,
                       in_place)
    report = BuildReport(target, checked=time.perf_counter() - start, notes=list(loaded.notes))
    if "site" in parts and not v.project.config.site_url:
        report.notes.append("gkcat.yaml 未设置 site_url（网站发布后的地址），所以没有生成各地区的海报 poster.html")
    when = build_time(v.project.root_dir)
    with lock(target):
        if ours is not None:  # nothing foreign can be in the session's own folder
            manifest = ours
        else:
            manifest = read_manifest(target)
            check_foreign(target, manifest)
        history = releases(v.project, report.notes) if "site" in parts else None
        # a locality's outputs are carried over only into the session's own folder, of the same parts
        work, groups = artifacts(v, when, parts, history, None if session is None else in_place and parts == PARTS)
        try:
            written = write_outputs(work, target, workers(jobs, report.notes), report, manifest, in_place,
                                    groups.carried if groups else None)
        except TemplateFailure as err:  # raised while rendering, before anything is written
            raise BuildRefused(str(err)) from None
        except BaseException:
            if session is not None and in_place:
                # the folder may be half updated: the next build renders it all, its groups recorded anew
                session.manifest, session.validation = Manifest(None, {}), None
            raise
        if session is not None:
            session.manifest = written
            if groups is not None and parts == PARTS:  # the next build carries a group's paths as listed here
                groups.record(v.project, work)
        v.memo.save()  # the parts of project-wide outputs, for the next build's process (the project cache)
    report.seconds = time.perf_counter() - start
    return report
