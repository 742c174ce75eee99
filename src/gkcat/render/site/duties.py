"""What a locality's duty-list page (责任清单) shows: each department and the items it publishes,
each linked to its row in the table page."""

from __future__ import annotations

from dataclasses import dataclass

from gkcat.model.project import Locality
from gkcat.render.site.pages import Link
from gkcat.render.site.tables import channel_labels
from gkcat.render.site.urls import duties_workbook_path, table_href
from gkcat.render.text import levels_text
from gkcat.resolve.duties import Department


@dataclass(frozen=True)
class DutyLine:
    domain: Link  # the domain's table page, relative to the duty-list page (same folder)
    item: Link  # the item's row in that table, likewise
    level1: str
    deadline: str
    channels: tuple[str, ...]
    levels: str  # where it is published: 县级、乡级


@dataclass(frozen=True)
class DepartmentSection:
    anchor: str
    name: str
    roles: tuple[str, ...]
    inherited: str  # the locality above that names it, when not this one ("" otherwise)
    literal: bool  # written by name in the catalogs, not a role
    lines: tuple[DutyLine, ...]


@dataclass(frozen=True)
class DutiesView:
    title: str
    departments: tuple[DepartmentSection, ...]
    items: int  # item rows over all departments (an item with two departments counts twice)
    workbook: Link


def _section(loc: Locality, dept: Department) -> DepartmentSection:
    lines = []
    for duty in dept.duties:
        v = duty.item.entry.values
        # relative to the duty-list page, which sits beside the table pages (see templates/duty_row.html)
        table = table_href(loc, duty.domain).rsplit("/", 1)[-1]
        lines.append(DutyLine(Link(duty.domain.name, table), Link(v.level2, f"{table}#{duty.item.id}"), v.level1,
                              v.deadline or "", channel_labels(v.channels), levels_text(v.levels)))
    inherited = dept.named_by.name if dept.named_by is not None and dept.named_by.path != loc.path else ""
    return DepartmentSection(dept.anchor, dept.name, dept.roles, inherited, dept.named_by is None, tuple(lines))


def duties_view(departments: list[Department], loc: Locality) -> DutiesView:
    """The duty list page, from the locality's duty lists (resolve.duties.duty_lists)."""
    sections = tuple(_section(loc, d) for d in departments)
    book = duties_workbook_path(loc)
    return DutiesView(f"{loc.name}政务公开责任清单", sections, sum(len(s.lines) for s in sections),
                      Link(book.rsplit("/", 1)[-1], book))
