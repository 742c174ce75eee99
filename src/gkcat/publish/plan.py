"""Planning a build: the templates in use, every output of the project (the output registry) with its
fingerprint, the checks that no two outputs take one path, and the git versions the site's history shows."""

from __future__ import annotations

import hashlib
import itertools
from datetime import datetime
from pathlib import Path

from gkcat.check.load import Loaded
from gkcat.compare.history import Release, all_histories
from gkcat.compare.revisions import load_releases
from gkcat.model.files import HistoryConfig
from gkcat.model.project import Project
from gkcat.publish.artifact import Artifact, Groups, Reuse
from gkcat.publish.fingerprints import Fingerprints
from gkcat.publish.outfolder import MANIFEST, BuildRefused, safe_path
from gkcat.publish.outputs import OUTPUTS, PARTS, BuildInputs
from gkcat.publish.site import History
from gkcat.render.site.jinja import HtmlRenderer, Templates, builtin_templates, template_dirs
from gkcat.render.site.urls import ASSETS, LOCALITY_PAGES
from gkcat.source.files import STATIC, TEMPLATES, read_input
from gkcat.source.memo import Key, Kind

# The templates compiled (render/site/jinja.py), by their files' digest and their folders.
COMPILED: Kind[Templates] = Kind("templates")


def _site_inputs(project: Project) -> tuple[list[Path], dict[str, bytes], str]:
    """Template folders in use, the static assets they provide (the project's win), and a digest of all of it."""
    dirs = template_dirs(project.root_dir)
    builtin = builtin_templates()
    # a wheel's template folder is a package too: its __init__.py is code (hashed with the code), not a template
    packaged = (p for p in sorted(builtin.rglob("*")) if p.is_file() and p.suffix != ".py" and "__pycache__" not in p.parts)
    layers = [{p.relative_to(builtin).as_posix(): p for p in packaged}, project.templates]
    digest = hashlib.sha256()
    assets: dict[str, bytes] = {}
    for layer, files in enumerate(layers):  # gkcat's first, so that the project's files replace them
        for rel, f in sorted(files.items()):
            data = read_input(f, f"{TEMPLATES}/{rel}")
            # not the folder's absolute path: the manifest must be the same in every checkout
            digest.update(f"{layer}\0{rel}\0".encode() + hashlib.sha256(data).digest())
            if rel.startswith(f"{ASSETS}/"):
                assets[rel[len(ASSETS) + 1:]] = data
    return dirs, assets, digest.hexdigest()


def artifacts(v: Loaded, when: datetime, parts: tuple[str, ...] = PARTS,
              history: History | None = None, carry: bool | None = None) -> tuple[list[Artifact], Groups | None]:
    """Every output of the project, from the output registry (or only the parts asked for), and the groups of a
    session's build (`carry` given): with carry=True, not those of localities whose outputs are carried over."""
    project, resolver, memo = v.project, v.resolver, v.memo
    _no_page_names(project)
    dirs, assets, digest = _site_inputs(project)
    prints = Fingerprints(project, resolver, when.isoformat(), digest)
    # the same templates: a session's next build keeps their compiled code (and the memo the rows they rendered)
    used = f"{digest} {[str(d) for d in dirs]}"
    templates = memo.make(Key(COMPILED, used), lambda: Templates(dirs, project.root_dir, used))
    if "site" in parts:
        templates.prepare()  # here, before any worker forks
    html = HtmlRenderer(templates, memo)
    past = history or History([], False)
    groups = None if carry is None else Groups(memo, prints, bool(past.releases), carry)
    inputs = BuildInputs(project, resolver, prints, when, html, assets, past, Reuse(memo, prints), groups)
    out = [art for part, make in OUTPUTS if part in parts for art in make(inputs)]
    _no_clashes(out, groups.carried if groups else [])
    return out, groups


def _no_page_names(project: Project) -> None:
    """A domain's table page is `<locality>/<domain id>.html`: an id may not be one of a locality's own pages."""
    for d in project.domains:
        if d.id in LOCALITY_PAGES:
            raise BuildRefused(f"领域标识“{d.id}”与每个地区自带的网页 {d.id}.html 同名：请在 domains.yaml 中改用别的标识"
                               f"（{'、'.join(LOCALITY_PAGES)} 已被占用）")


def _no_clashes(work: list[Artifact], carried: list[tuple[str, ...]]) -> None:
    """Every output path once: a static/ file may not take the place of a generated page."""
    taken = {MANIFEST}
    for paths in itertools.chain((art.paths for art in work), carried):
        for p in paths:
            if p in taken:
                raise BuildRefused(f"“{p}”与 gkcat 生成的文件同名：请改名（{STATIC}/ 中的文件按原路径发布到网站）")
            taken.add(safe_path(p))


def releases(project: Project, notes: list[str]) -> History:
    """The git versions the site's 更新记录 shows (gkcat.yaml `history`); none outside git."""
    config = project.config.history or HistoryConfig()
    found, baseline, skipped = load_releases(project.root_dir, config.tags, config.commits)
    notes += skipped
    chosen = [Release(c, v.resolver) for c, v in found]
    # computed here, once: every history page, feed and the project feed read it (workers by fork)
    return History(chosen, baseline, all_histories(chosen, baseline))
