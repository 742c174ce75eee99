"""A locality's catalogs as the rows of its fill-in workbook (model/form.py), and what each row may change.

The writer of the form and the import of it both start here, so that a row is made the same way
when the form is written and when it comes back, and its digest says whether its source changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from gkcat.model.files import DomainDef
from gkcat.model.form import FormRow, make_row
from gkcat.model.project import Locality
from gkcat.resolve.catalog import levels_from, listed
from gkcat.resolve.duties import Department
from gkcat.resolve.resolver import Entry, Resolver, resolve_subject


@dataclass(frozen=True)
class SourceRow:
    """One existing item of a locality's form."""

    row: FormRow
    entry: Entry  # as it stands here; for an exclusion, as it stood in the parent's catalog
    own: bool  # defined by this locality's own file: its local items, every item at the top
    locked: frozenset[str]  # column fields (model.form.Column.field) that may not change

    @property
    def id(self) -> str:
        return self.row.id

    def may_change(self, name: str) -> bool:
        return name not in self.locked and not (name.startswith("extra.") and "extra" in self.locked)


@dataclass(frozen=True)
class FormSheet:
    domain: DomainDef
    rows: tuple[SourceRow, ...]
    new_rows: bool = True  # empty rows for new items: a locality's form, or a department that leads the domain


def form_row(loc: Locality, below: list[str], entry: Entry, applies: bool = True, reason: str = "") -> FormRow:
    """The row of `entry` at `loc`: department names for roles, levels at and below the locality."""
    v = entry.values
    values: dict[str, object] = {name: value for name, value in v.items()}
    values["subject"] = tuple(resolve_subject(loc, v.subject))
    values["levels"] = tuple(lv for lv in v.levels if lv in below)
    return make_row(entry.id, values, applies, reason)


def form_sheets(resolver: Resolver, loc: Locality, dept: Department | None = None) -> list[FormSheet]:
    """Every domain that reaches the locality (domains.yaml order): what its table lists, and the items
    it excluded itself (shown as 否 with the reason, so that an exclusion can be taken back).

    With `dept`, a department's part: the rows whose 公开主体 resolves to it (as its duty list has them),
    in the domains where it has some or that it leads; only a domain it leads takes new items.
    """
    sheets = _all_sheets(resolver, loc)
    if dept is None:
        return sheets
    out = []
    for sheet in sheets:
        rows = tuple(r for r in sheet.rows if dept.name in r.row.subject)
        leads = bool(set(sheet.domain.lead) & set(dept.roles))
        if rows or leads:
            out.append(FormSheet(sheet.domain, rows, leads))
    return out


def _all_sheets(resolver: Resolver, loc: Locality) -> list[FormSheet]:
    project = resolver.project
    below = levels_from(project, loc)
    common = frozenset(project.config.common_fields) | {"id"}
    out = []
    for domain in project.domains:
        if not project.reaches(domain, loc):
            continue
        rows = [SourceRow(form_row(loc, below, e), e, e.owner == loc.path,
                          common | ({"applies", "reason"} if e.owner == loc.path else set()))
                for e in listed(resolver, loc, domain)]
        mine = [x for x in resolver.state(loc, domain).excluded if x.locality.path == loc.path]
        for x in mine:
            row = SourceRow(form_row(loc, below, x.entry, False, x.reason), x.entry, False, common)
            rows.insert(_place(rows, x.entry), row)
        out.append(FormSheet(domain, tuple(rows)))
    return out


def _place(rows: list[SourceRow], entry: Entry) -> int:
    """Where an excluded item goes: after the last row of its 一级事项 group, else at the end."""
    group = [i for i, r in enumerate(rows) if r.row.level1 == entry.values.level1]
    return group[-1] + 1 if group else len(rows)
