"""Loading and checking a whole project: every file, then every resolved catalog."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gkcat.check.overlays import check_overlays
from gkcat.check.values import ValueChecker, check_roles
from gkcat.diagnostics.diagnostic import Diagnostic, has_errors, sort_diagnostics
from gkcat.model.project import Project, build_project
from gkcat.resolve.resolver import Resolver
from gkcat.source.tree import load_sources


@dataclass
class Validation:
    """A loaded project (None when gkcat.yaml is unusable), its resolver and every problem found."""

    project: Project | None
    resolver: Resolver | None
    diagnostics: list[Diagnostic]

    def ok(self, strict: bool = False) -> bool:
        return not has_errors(self.diagnostics, strict)


def load_project(directory: Path) -> Validation:
    """Load the project in `directory`, resolve it and check it all. Raises ProjectNotFound without gkcat.yaml.

    NOTE: the order is the pipeline's: files, models, resolution (pure), then every check on the
    resolved catalogs; diagnostics are sorted once at the end.
    """
    tree = load_sources(directory)
    project, diags = build_project(tree)
    diags = tree.diagnostics + diags
    if project is None:
        return Validation(None, None, sort_diagnostics(diags))
    resolver = Resolver(project)
    checker = ValueChecker(project, diags)
    _check_defaults(project, checker)
    diags += check_overlays(resolver, checker)
    diags += check_roles(resolver)
    return Validation(project, resolver, sort_diagnostics(diags))


def _check_defaults(project: Project, checker: ValueChecker) -> None:
    if project.config.defaults is not None:
        checker.check_given(project.config_doc, ("defaults",), project.config.defaults.model_dump(exclude_unset=True), None)
    for loc in project.localities.values():
        for src in loc.files.values():
            if src.model is not None and src.model.defaults is not None:
                given = src.model.defaults.model_dump(exclude_unset=True)
                checker.check_given(src.doc, ("defaults",), given, project.domain(src.stem))
