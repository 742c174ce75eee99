"""What goes into each workbook: a locality's tables, overview, exclusions and negative list, and
the project-wide map. Returns bytes; the build pipeline decides where they go."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from gkcat.model.files import DomainDef
from gkcat.model.project import Locality, Project
from gkcat.model.vocabulary import EXCLUDED_HEADER, EXCLUDED_SHEET, LEVEL_ZH, OVERVIEW_SHEET, WITHHELD_HEADER, WITHHELD_SHEET
from gkcat.render.text import levels_text
from gkcat.render.xlsx.layout import SheetColumn, Table, domain_table, simple_table
from gkcat.render.xlsx.writer import new_workbook, save, sheet_name, write_table
from gkcat.resolve.catalog import ResolvedCatalog, levels_from
from gkcat.resolve.duties import Department
from gkcat.resolve.resolver import resolve_subject
from gkcat.resolve.spread import Spread
from gkcat.source.memo import Kind, Memo, fits

OVERVIEW, EXCLUDED, WITHHELD, MAP, DEPARTMENTS = OVERVIEW_SHEET, EXCLUDED_SHEET, WITHHELD_SHEET, "公开地图", "部门总览"


def _overview(project: Project, loc: Locality, cats: list[ResolvedCatalog], when: datetime) -> Table:
    parent = loc.parent.name if loc.parent else "—"
    facts = (f"地区：{loc.name}　　上级地区：{parent}　　层级：{LEVEL_ZH[loc.level]}　　行政区划代码：{loc.code or '—'}"
             f"　　生成日期：{when.strftime('%Y-%m-%d')}　　{project.config.title}")
    rows = []
    for i, cat in enumerate(cats, 1):
        lead = "、".join(resolve_subject(loc, tuple(cat.domain.lead)))
        rows.append([str(i), cat.domain.name, str(len(cat.items)), str(len(cat.table)), str(len(cat.excluded)),
                     str(len(cat.withheld)), lead])
    header = ["序号", "领域", "本级公开事项数", "目录所列事项数", "不适用事项数", "负面清单条目数", "牵头部门"]
    kinds = [("text", 6), ("text", 24), ("mark", 10), ("mark", 10), ("mark", 10), ("mark", 10), ("wide", 40)]
    return simple_table(f"{loc.name}政务公开标准目录总览", header, rows, kinds, subtitle=facts)


def _excluded(loc: Locality, cats: list[ResolvedCatalog]) -> Table:
    rows: list[list[str]] = []
    for cat in cats:
        for x in cat.excluded:
            v = x.entry.values
            rows.append([str(len(rows) + 1), cat.domain.name, x.id, v.level1, v.level2, x.reason, x.locality.name,
                         f"{x.step.file}:{x.step.line}"])
    header = list(EXCLUDED_HEADER)
    kinds = [("text", 5), ("text", 12), ("text", 12), ("text", 12), ("text", 20), ("wide", 34), ("text", 12), ("text", 24)]
    return simple_table(f"{loc.name}不适用事项", header, rows, kinds)


def _withheld(loc: Locality, cats: list[ResolvedCatalog]) -> Table:
    rows = [[str(i), cat.domain.name, w.id, w.title, w.reason, "\n".join(w.basis), w.locality.name]
            for i, (cat, w) in enumerate(((c, w) for c in cats for w in c.withheld), 1)]
    header = list(WITHHELD_HEADER)
    kinds = [("text", 5), ("text", 12), ("text", 12), ("wide", 30), ("wide", 26), ("wide", 30), ("text", 12)]
    return simple_table(f"{loc.name}政务公开负面清单", header, rows, kinds)


def locality_workbook(project: Project, cats: list[ResolvedCatalog], loc: Locality, when: datetime,
                      memo: Memo) -> tuple[bytes, int]:
    """A locality's workbook (from its catalogs, resolve.catalog.catalogs_for) and how many item rows it holds."""
    levels = levels_from(project, loc)
    channels = list(project.config.channels)
    wb = new_workbook(memo)
    taken = {OVERVIEW, EXCLUDED, WITHHELD}
    write_table(wb, OVERVIEW, _overview(project, loc, cats, when))
    rows = 0
    for cat in cats:
        if cat.table:
            write_table(wb, sheet_name(cat.domain.name, taken), domain_table(cat, levels, channels))
            rows += len(cat.table)
    write_table(wb, EXCLUDED, _excluded(loc, cats))
    write_table(wb, WITHHELD, _withheld(loc, cats))
    return save(wb, f"{loc.name}政务公开标准目录", when), rows


# A locality's row of 总表's 各地区各领域公开事项数 sheet, by its chain's files.
MAP_ROW: Kind[list[str]] = Kind("map-row", shelf="site", dump=lambda row: row,
                                load=lambda d: d if fits(d, [str]) else None)
# A domain's sheet of 总表 (how many localities publish each item), by the domain's fingerprint. Both kept on disk
# on the site's shelf: a new process renders 总表 after an edit without resolving the whole province again.
COMPARISON: Kind[Table] = Kind("comparison", shelf="site", dump=lambda t: _table_data(t), load=lambda d: _table(d))
_TABLE = (str, [(str, {int, float})], [[{str, type(None)}]], [(int, int, int, int)], int, bool)


def _table_data(t: Table) -> list[Any] | None:
    """A simple table as JSON data; None for one with links, drop-downs or locks (not kept on disk)."""
    if t.links or t.choices or t.protected or t.open_cells or t.hidden or t.identity:
        return None
    return [t.title, [[c.kind, c.width] for c in t.columns], t.rows, [list(m) for m in t.merges], t.header_rows,
            t.subtitle]


def _table(d: Any) -> Table | None:
    if not fits(d, _TABLE):
        return None
    return Table(d[0], [SheetColumn(k, w) for k, w in d[1]], d[2], [(a, b, c, e) for a, b, c, e in d[3]], d[4],
                 subtitle=d[5])


def map_row(loc: Locality, counts: list[int | None]) -> list[str]:
    """A locality's row of 总表's map sheet, from how many items it publishes in each domain (None: not reached)."""
    return (["\u3000" * loc.depth + loc.name, LEVEL_ZH[loc.level]] + ["—" if c is None else str(c) for c in counts]
            + [str(sum(c or 0 for c in counts))])


def _map(project: Project, rows: list[list[str]]) -> Table:
    header = ["地区", "层级"] + [d.name for d in project.domains] + ["合计"]
    kinds = [("text", 18), ("text", 6)] + [("mark", 6)] * len(project.domains) + [("text", 7)]
    return simple_table(f"{project.config.title}：各地区各领域公开事项数", header, rows, kinds)


def comparison_table(project: Project, domain: DomainDef, spreads: list[Spread]) -> Table:
    """总表.xlsx's sheet for one domain: how many localities publish each item (its spread, resolve.spread)."""
    levels = list(project.config.levels)
    header = ["序号", "事项标识", "一级事项", "二级事项", "制定地区", "公开地区数"]
    header += [f"{LEVEL_ZH[lv]}数" for lv in levels] + ["排除地区数"]
    rows = []
    for i, s in enumerate(spreads, 1):
        v = s.entry.values
        rows.append([str(i), s.entry.id, v.level1, v.level2, s.owner.name, str(s.published)]
                    + [str(s.per_level[lv]) for lv in levels] + [str(len(s.exclusions))])
    kinds = [("text", 5), ("text", 12), ("text", 12), ("wide", 30), ("text", 12), ("mark", 8)]
    kinds += [("mark", 7)] * len(levels) + [("mark", 8)]
    return simple_table(f"{domain.name}：各地区公开情况对比", header, rows, kinds)


def project_workbook(project: Project, map_rows: list[list[str]], sheets: list[Table], when: datetime,
                     memo: Memo) -> bytes:
    """总表.xlsx: the disclosure map as a table (a `map_row` per locality), and per domain how many localities
    publish each item (a `comparison_table` per domain, in the project's order)."""
    wb = new_workbook(memo)
    taken = {MAP}
    write_table(wb, MAP, _map(project, map_rows))
    for domain, table in zip(project.domains, sheets, strict=True):
        write_table(wb, sheet_name(domain.name, taken), table)
    return save(wb, project.config.title, when)


def _department_overview(loc: Locality, departments: list[Department], when: datetime) -> Table:
    facts = f"地区：{loc.name}　　层级：{LEVEL_ZH[loc.level]}　　生成日期：{when.strftime('%Y-%m-%d')}"
    rows = [[str(i), d.name, "、".join(d.roles) or "按名称填写", str(len(d.duties)),
             "、".join(dict.fromkeys(x.domain.name for x in d.duties))] for i, d in enumerate(departments, 1)]
    header = ["序号", "部门", "职责角色", "本级公开事项数", "涉及领域"]
    kinds = [("text", 6), ("text", 24), ("text", 24), ("mark", 10), ("wide", 60)]
    return simple_table(f"{loc.name}政务公开责任清单：部门总览", header, rows, kinds, subtitle=facts)


def _department(loc: Locality, dept: Department) -> Table:
    roles = f"职责角色：{'、'.join(dept.roles)}" if dept.roles else "目录中按名称填写的公开主体"
    facts = f"{roles}　　本级公开事项 {len(dept.duties)} 项" + ("（本级目录中暂无由该部门公开的事项）" if not dept.duties else "")
    rows = []
    for i, duty in enumerate(dept.duties, 1):
        v = duty.item.entry.values
        rows.append([str(i), duty.domain.name, v.level1, v.level2, v.deadline or "", "、".join(v.channels),
                     levels_text(v.levels), v.method or "", duty.item.id])
    header = ["序号", "领域", "一级事项", "二级事项", "公开时限", "公开渠道和载体", "公开层级", "公开方式", "事项标识"]
    kinds = [("text", 5), ("text", 14), ("text", 14), ("wide", 26), ("wide", 24), ("wide", 26), ("text", 12), ("mark", 8),
             ("text", 12)]
    return simple_table(f"{loc.name}{dept.name}政务公开责任清单", header, rows, kinds, subtitle=facts)


def duty_tables(departments: list[Department], loc: Locality, when: datetime) -> list[tuple[str, Table]]:
    """责任清单.xlsx's sheets (from the locality's duty lists, resolve.duties.duty_lists): an overview of the
    departments, then one per department (one with no items says so)."""
    taken = {DEPARTMENTS}
    return [(DEPARTMENTS, _department_overview(loc, departments, when))] + [
        (sheet_name(d.name, taken), _department(loc, d)) for d in departments]


def duties_workbook(departments: list[Department], loc: Locality, when: datetime, memo: Memo) -> tuple[bytes, int]:
    """责任清单.xlsx and how many item rows it holds (a row per department and item)."""
    wb = new_workbook(memo)
    rows = 0
    for name, table in duty_tables(departments, loc, when):
        write_table(wb, name, table)
        rows += 0 if name == DEPARTMENTS else len(table.rows) - table.header_rows
    return save(wb, f"{loc.name}政务公开责任清单", when), rows
