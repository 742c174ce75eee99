"""Loading and checking a whole project: every file, then every resolved catalog."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gkcat.check.values import check_roles
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


def validate_project(directory: Path) -> Validation:
    """Load the project in `directory` and check it all. Raises ProjectNotFound without gkcat.yaml."""
    tree = load_sources(directory)
    project, diags = build_project(tree)
    diags = tree.diagnostics + diags
    if project is None:
        return Validation(None, None, sort_diagnostics(diags))
    resolver = Resolver(project)
    _check_defaults(project, resolver)
    for loc in project.localities.values():
        for domain in project.domains:
            resolver.state(loc, domain)
    check_roles(resolver)
    return Validation(project, resolver, sort_diagnostics(diags + resolver.diagnostics))


def _check_defaults(project: Project, resolver: Resolver) -> None:
    checker = resolver.checker
    if project.config.defaults is not None:
        checker.check_given(project.config_doc, ("defaults",), project.config.defaults.model_dump(exclude_unset=True), None)
    for loc in project.localities.values():
        for src in loc.files.values():
            if src.model is not None and src.model.defaults is not None:
                given = src.model.defaults.model_dump(exclude_unset=True)
                checker.check_given(src.doc, ("defaults",), given, project.domain(src.stem))
