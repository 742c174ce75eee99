"""The floor for writing workbooks: the same rows and values, written with openpyxl's write-only
mode as plain values (no styles, merges, row heights, protection or print settings): every
locality's domain tables, its fill-in workbook's sheets and its duty lists (责任清单)."""

from __future__ import annotations

import multiprocessing
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import Workbook

from gkcat.model.form import columns
from gkcat.render.xlsx.form import domain_sheet
from gkcat.render.xlsx.layout import domain_table
from gkcat.render.xlsx.workbooks import duty_tables
from gkcat.resolve.catalog import catalogs_for, levels_from
from gkcat.resolve.duties import duty_lists
from gkcat.resolve.form import form_sheets

_STATE: dict[str, object] = {}
_WHEN = datetime(2026, 1, 1, tzinfo=UTC)


def _one(job: tuple[int, str]) -> None:
    i, path = job
    validation, out = _STATE["validation"], _STATE["out"]
    project, resolver = validation.project, validation.resolver
    loc = project.localities[path]
    channels = list(project.config.channels)
    wb = Workbook(write_only=True)
    for cat in catalogs_for(resolver, loc):
        if cat.table:
            ws = wb.create_sheet(cat.domain.id)
            for row in domain_table(cat, levels_from(project, loc), channels).rows:
                ws.append(row)
    wb.save(out / f"{i}.xlsx")
    form = Workbook(write_only=True)
    cols = columns(project.config.channels, project.config.extra_fields)
    for sheet in form_sheets(resolver, loc):
        ws = form.create_sheet(sheet.domain.id)
        for row in domain_sheet(loc, sheet, cols, levels_from(project, loc)).rows:
            ws.append(row)
    form.save(out / f"{i}-form.xlsx")
    duties = Workbook(write_only=True)
    for name, table in duty_tables(duty_lists(resolver, loc), loc, _WHEN):
        ws = duties.create_sheet(name)
        for row in table.rows:
            ws.append(row)
    duties.save(out / f"{i}-duties.xlsx")


def xlsx_floor(validation, jobs: int, out: Path) -> float:
    """Seconds to write every locality's domain tables as plain rows, in `jobs` processes."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    _STATE.update(validation=validation, out=out)
    work = list(enumerate(validation.project.localities))
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        list(pool.imap_unordered(_one, work, chunksize=4))
    took = time.perf_counter() - start
    shutil.rmtree(out)
    return took
