"""Loading and checking a whole project: every file, then every resolved catalog."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from gkcat.check.overlays import check_overlays
from gkcat.check.values import ValueChecker, check_roles
from gkcat.check.withheld import check_withheld
from gkcat.check.workplan import check_workplans
from gkcat.diagnostics.codes import Severity
from gkcat.diagnostics.diagnostic import Diagnostic, has_errors, sort_diagnostics
from gkcat.diagnostics.report import format_text
from gkcat.errors import GkcatError
from gkcat.model.project import Project, build_project
from gkcat.resolve.resolver import Resolver
from gkcat.source.cache import open_store
from gkcat.source.dates import build_time, zone
from gkcat.source.memo import Memo
from gkcat.source.tree import find_project, load_sources


@dataclass
class Validation:
    """A loaded project (None when gkcat.yaml is unusable), its resolver and every problem found."""

    project: Project | None
    resolver: Resolver | None
    diagnostics: list[Diagnostic]
    # what the load worked out, for loading the same project again in this process (source/memo.py)
    memo: Memo = field(default_factory=Memo)
    notes: list[str] = field(default_factory=list)  # what the user should know (the cache was not used ...)

    def ok(self, strict: bool = False) -> bool:
        return not has_errors(self.diagnostics, strict)


class InvalidProject(GkcatError):
    """A command that needs a valid project met an invalid one; `details` lists its errors."""

    exit_code = 1


@dataclass
class Loaded:
    """A valid project and its resolver: what every command past `validate` works on."""

    project: Project
    resolver: Resolver
    diagnostics: list[Diagnostic]  # warnings only
    memo: Memo = field(default_factory=Memo)  # the load's (source/memo.py): what rendering works out goes there too


def require_valid(directory: Path, message: str = "项目有错误，请先修正（gkcat validate）",
                  exit_code: int = 1) -> Loaded:
    """The project loaded and checked, or InvalidProject listing its errors (exit 1, or what the command says)."""
    return valid(load_project(directory), message, exit_code)


def valid(v: Validation, message: str = "项目有错误，请先修正（gkcat validate）", exit_code: int = 1) -> Loaded:
    """A loaded project if it has no errors, else InvalidProject listing them."""
    if v.project is None or v.resolver is None or not v.ok():
        errors = [d for d in v.diagnostics if d.severity is Severity.ERROR]
        raise InvalidProject(message, details=format_text(errors, colour=False), exit_code=exit_code)
    return Loaded(v.project, v.resolver, v.diagnostics, v.memo)


@contextmanager
def paused_collector() -> Iterator[None]:
    """No cycle collection while a project is loaded (or a serve rebuild runs); the collector as it was after.

    A load makes millions of objects that all stay in use, and the collector, run each time enough new
    objects pile up, goes through all of them again and again: on a province of 1,500 localities that
    was half of validating (pydantic took 0.55 s with it, 0.14 s without), and in gkcat serve every
    second rebuild spent 1.5 s of its 2-3 s in a full collection. What a load leaves as garbage is
    collected later, when the collector runs again.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def load_project(directory: Path, earlier: Validation | None = None, cache: bool = False,
                 avoid: Path | None = None) -> Validation:
    """Load the project in `directory`, resolve it and check it all. Raises ProjectNotFound without gkcat.yaml.

    `earlier`, a load of the same project before some files changed (gkcat serve), lends its memo: the
    files parsed, resolved states and check results whose inputs are unchanged (source/memo.py).

    `cache`: read through the project cache (source/cache.py) and keep it up to date; `avoid`: a folder it
    must not be in (the build's output).

    NOTE: the order is the pipeline's: files, models, resolution (pure), then every check on the
    resolved catalogs; diagnostics are sorted once at the end.
    """
    with paused_collector():
        return _load(directory, earlier, cache, avoid)


def _load(directory: Path, earlier: Validation | None, cache: bool, avoid: Path | None) -> Validation:
    store = open_store(find_project(directory), avoid=avoid) if cache and earlier is None else None
    memo = earlier.memo.next() if earlier is not None else Memo(store)
    tree = load_sources(directory, memo)
    project, diags = build_project(tree)
    diags = tree.diagnostics + diags
    notes = [store.note] if store is not None and store.note else []
    if project is None:
        memo.save()
        return Validation(None, None, sort_diagnostics(diags), memo, notes)
    resolver = Resolver(project, memo)
    checker = ValueChecker(project, diags)
    _check_defaults(project, checker)
    diags += check_overlays(resolver, checker, memo)
    diags += check_roles(resolver, memo)
    diags += check_workplans(project)
    diags += check_withheld(project, build_time(project.root_dir).date())
    diags += _check_zone(project)
    memo.save()
    return Validation(project, resolver, sort_diagnostics(diags), memo, notes)


def _check_zone(project: Project) -> list[Diagnostic]:
    name = project.config.timezone
    if zone(name) is not None:
        return []
    return [project.config_doc.diag(("timezone",), "GK203", f"“{name}”不是时区名称：应写 IANA 时区名称，如 Asia/Shanghai")]


def _check_defaults(project: Project, checker: ValueChecker) -> None:
    if project.config.defaults is not None:
        checker.check_given(project.config_doc, ("defaults",), project.config.defaults.model_dump(exclude_unset=True), None)
    for loc in project.localities.values():
        for src in loc.files.values():
            if src.model is not None and src.model.defaults is not None:
                given = src.model.defaults.model_dump(exclude_unset=True)
                checker.check_given(src.doc, ("defaults",), given, project.domain(src.stem))
