"""The workbooks of a build: each locality's standard catalog, fill-in form, duty list and work plans, and the
project's 总表. Each output's render function resolves what it shows, then hands it to render/xlsx."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial

from gkcat.model.files import DomainDef
from gkcat.model.project import Locality, Project
from gkcat.publish.artifact import Artifact, Reuse, domain_spread, published_counts
from gkcat.publish.fingerprints import Fingerprints
from gkcat.render.site.urls import (
    PROJECT_WORKBOOK,
    duties_workbook_path,
    form_path,
    workbook_paths,
    workplan_workbook_path,
)
from gkcat.render.xlsx.form import locality_form
from gkcat.render.xlsx.layout import Table
from gkcat.render.xlsx.workbooks import COMPARISON, MAP_ROW, comparison_table, duties_workbook, locality_workbook, map_row, project_workbook
from gkcat.render.xlsx.workplan import workplan_workbook
from gkcat.resolve.catalog import catalogs_for
from gkcat.resolve.duties import duty_lists
from gkcat.resolve.form import form_sheets
from gkcat.resolve.resolver import Resolver
from gkcat.resolve.workplan import plans_of
from gkcat.source.memo import Memo


def _workbook(project: Project, resolver: Resolver, loc: Locality, when: datetime, memo: Memo) -> tuple[bytes, int]:
    return locality_workbook(project, catalogs_for(resolver, loc), loc, when, memo)


def _form(project: Project, resolver: Resolver, loc: Locality, when: datetime, memo: Memo) -> tuple[bytes, int]:
    made = locality_form(project, form_sheets(resolver, loc, None), loc, when, memo)
    return made.data, made.rows


def _duties(resolver: Resolver, loc: Locality, when: datetime, memo: Memo) -> tuple[bytes, int]:
    return duties_workbook(duty_lists(resolver, loc), loc, when, memo)


def workbook_artifacts(project: Project, resolver: Resolver, prints: Fingerprints, when: datetime,
                       kept: Reuse, unchanged: Callable[[Locality], bool]) -> list[Artifact]:
    out: list[Artifact] = []
    by_locality: dict[str, str] = {}
    memo = kept.memo  # in a worker, its forked copy: the rows it makes are kept there
    for loc in project.localities.values():
        by_locality[loc.path] = made = prints.locality(loc)
        if unchanged(loc):
            continue
        group = loc.path
        # resolved when rendered (in a worker), then handed to the renderer
        out.append(Artifact(workbook_paths(loc), made, partial(_workbook, project, resolver, loc, when, memo),
                            group=group))
        # the fill-in workbook is made from the same inputs as the published one
        out.append(Artifact((form_path(loc),), made, partial(_form, project, resolver, loc, when, memo), group=group))
        out.append(Artifact((duties_workbook_path(loc),), made, partial(_duties, resolver, loc, when, memo),
                            group=group))
        for plan in plans_of(loc):
            out.append(Artifact((workplan_workbook_path(loc, plan.year),), made, partial(workplan_workbook, plan, when, memo),
                                group=group))

    out.append(Artifact((PROJECT_WORKBOOK,), prints.everything(by_locality),
                        partial(_project_workbook, project, resolver, when, kept), local=True))
    return out


# The project-wide outputs' parts: resolved here, through the memo (a part whose inputs did not change is not
# worked out again), then handed to the renderer.


def _project_workbook(project: Project, resolver: Resolver, when: datetime, kept: Reuse) -> tuple[bytes, int]:
    rows = [kept.locality(loc, MAP_ROW, partial(_map_row, project, resolver, loc)) for loc in project.localities.values()]
    sheets = [kept.domain(d, COMPARISON, partial(_comparison, project, resolver, d, kept)) for d in project.domains]
    return project_workbook(project, rows, sheets, when, kept.memo), 0


def _map_row(project: Project, resolver: Resolver, loc: Locality) -> list[str]:
    return map_row(loc, published_counts(project, resolver, loc))


def _comparison(project: Project, resolver: Resolver, d: DomainDef, kept: Reuse) -> Table:
    return comparison_table(project, d, domain_spread(project, resolver, d, kept))
