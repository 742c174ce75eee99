"""Duty lists (责任清单): each department of a locality and the items it publishes there, across domains.

The departments, not the disclosure office, publish the items; each asks what it must publish,
where and how fast. A department is a resolved name: the roles that resolve to it at the locality
are listed with it, and a literal subject (a department written by name) is a department of its own.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from gkcat.diagnostics.diagnostic import closest
from gkcat.model.files import DomainDef
from gkcat.model.project import Locality
from gkcat.resolve.catalog import ResolvedItem, Unknown, catalogs_for
from gkcat.resolve.resolver import Resolver


@dataclass(frozen=True)
class Duty:
    domain: DomainDef
    item: ResolvedItem


@dataclass(frozen=True)
class Department:
    name: str  # as it is printed in the tables (公开主体)
    roles: tuple[str, ...]  # the roles that resolve to it at this locality; () for a literal name
    named_by: Locality | None  # the locality whose locality.yaml names it (None: a literal subject)
    duties: tuple[Duty, ...]

    @property
    def anchor(self) -> str:
        """A stable HTML id: from its first role, else from its name (names are catalog text, ids must be safe)."""
        if self.roles:
            return f"dept-{self.roles[0]}"
        return "dept-n" + hashlib.sha256(self.name.encode("utf-8")).hexdigest()[:10]


def duty_lists(resolver: Resolver, loc: Locality, domain_id: str | None = None) -> list[Department]:
    """Every department of the locality with the items it publishes there (domains.yaml and table order).

    The departments the locality names itself come first, in its locality.yaml order, then those
    it inherits or writes by name as they first appear in its catalogs.
    """
    roles_of: dict[str, list[str]] = {}
    named_by: dict[str, Locality] = {}
    for role, (name, where) in loc.roles.items():
        roles_of.setdefault(name, []).append(role)
        if name not in named_by or where.path == loc.path:
            named_by[name] = where
    order = list(loc.departments.values())
    duties: dict[str, list[Duty]] = {}
    for cat in catalogs_for(resolver, loc, domain_id):
        for item in cat.items:
            for name in dict.fromkeys(item.subject):
                duties.setdefault(name, []).append(Duty(cat.domain, item))
    order += list(duties)
    return [Department(name, tuple(sorted(roles_of.get(name, ()))), named_by.get(name), tuple(duties.get(name, ())))
            for name in dict.fromkeys(order)]


def find_department(departments: list[Department], wanted: str) -> Department:
    """A department by its name or one of its roles; Unknown (exit 1) with the nearest one otherwise."""
    for dept in departments:
        if wanted in (dept.name, *dept.roles):
            return dept
    names = [d.name for d in departments] + [r for d in departments for r in d.roles]
    hint = closest(wanted, names)
    raise Unknown(f"本地区没有部门“{wanted}”" + (f"，是否为“{hint}”？" if hint else "；可写部门名称或角色（如 education）"))
