"""The output registry: every part of a build (the workbooks, the site, its static files and 网上检查), each a
function from what the build gathered (`BuildInputs`) to its artifacts. Nothing is written here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path

from gkcat.assess.compute import assess
from gkcat.check.load import Loaded
from gkcat.model.project import Locality, Project
from gkcat.publish.artifact import Artifact, Groups, Reuse
from gkcat.publish.fingerprints import Fingerprints
from gkcat.publish.site import History, site_artifacts
from gkcat.publish.workbooks import workbook_artifacts
from gkcat.render.site.assessment import ASSESSMENT_PAGE, assessment_view
from gkcat.render.site.jinja import HtmlRenderer
from gkcat.render.site.pages import page
from gkcat.resolve.resolver import Resolver
from gkcat.source.files import STATIC, read_input


@dataclass(frozen=True)
class BuildInputs:
    """What every output format is made from, gathered once before anything is rendered."""

    project: Project
    resolver: Resolver
    prints: Fingerprints
    when: datetime
    html: HtmlRenderer
    assets: dict[str, bytes]  # the site's static assets, the project's templates/assets over gkcat's
    history: History
    kept: Reuse
    groups: Groups | None  # a build session's; None: a build on its own lists every output

    def unchanged(self, loc: Locality) -> bool:
        """Whether the locality's own outputs are carried over from the session's last build, unlisted."""
        return self.groups is not None and self.groups.unchanged(loc)


def _workbooks(i: BuildInputs) -> list[Artifact]:
    return workbook_artifacts(i.project, i.resolver, i.prints, i.when, i.kept, i.unchanged)


def _site(i: BuildInputs) -> list[Artifact]:
    return site_artifacts(i.project, i.resolver, i.prints, i.when, i.html, i.assets, i.history, i.kept, i.unchanged)


def _assessment(i: BuildInputs) -> list[Artifact]:
    """网上检查, on the site only when gkcat.yaml asks for it (`assessment: publish: true`): assessment is internal."""
    config = i.project.config.assessment
    if config is None or not config.publish:
        return []
    project, when, html = i.project, i.when, i.html

    def render() -> tuple[bytes, int]:
        found = assess(Loaded(project, i.resolver, []), None, when.date())
        return html.render("assessment.html", page(project, ASSESSMENT_PAGE, "网上检查", when), assessment_view(found)), 0

    # no fingerprint: it reads the git history and the link checker's results, so it is made on every build
    return [Artifact((ASSESSMENT_PAGE,), None, render, local=True)]


def _static_file(path: Path, rel: str) -> tuple[bytes, int]:
    return read_input(path, f"{STATIC}/{rel}"), 0


def _static(i: BuildInputs) -> list[Artifact]:
    """The project's static/ folder, published at the same paths."""
    return [Artifact((rel,), None, partial(_static_file, f, rel)) for rel, f in sorted(i.project.static.items())]


# The output registry: (part, what it makes). A new output format is one function and one entry
# here; `gkcat build` makes every part, the benchmark can ask for one (build(parts=...)).
OUTPUTS: tuple[tuple[str, Callable[[BuildInputs], list[Artifact]]], ...] = (
    ("xlsx", _workbooks),
    ("site", _site),
    ("site", _static),
    ("site", _assessment),
)
PARTS: tuple[str, ...] = tuple(dict.fromkeys(part for part, _ in OUTPUTS))
