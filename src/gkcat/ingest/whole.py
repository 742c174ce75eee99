"""A whole catalog in one table: many towns publish every domain in one sheet whose first 事项 column
names the domain (merged over its rows), with no 公开层级 column. Such a table is split into one table
per domain; a row whose first column names no domain is named with its row and not imported.
"""

from __future__ import annotations

from dataclasses import replace

from gkcat.ingest.table_reader import LEVEL3_LABEL, ReadTable, TableColumn, norm
from gkcat.model.files import DomainDef
from gkcat.model.project import Project

# Headers of a column above 一级事项 that names the domain
DOMAIN_HEADERS = frozenset({"领域", "公开领域", "所属领域", "事项类别", "类别", "一级目录", "目录类别"})
# Names under which the same domain is printed (the national tables' own, later renamings, short forms):
# a printed name stands for the project's domain named by any name of its group.
SYNONYMS = (
    ("重大建设项目", "重大项目建设", "重大项目"), ("食品药品监管", "食品监管", "食品安全", "药品监管"),
    ("涉农补贴", "农业补贴", "惠农补贴"), ("城乡规划", "国土空间规划", "规划"), ("财政预决算", "财政", "预决算"),
    ("国有土地上房屋征收与补偿", "房屋征收"), ("农村集体土地征收", "土地征收"), ("农村危房改造", "危房改造"),
    ("城市综合执法", "综合执法"), ("义务教育", "教育"), ("卫生健康", "医疗卫生", "卫生"), ("养老服务", "养老"),
    ("公共法律服务", "法律服务"), ("社会保险", "社保"), ("公共文化服务", "文化服务"), ("扶贫", "脱贫攻坚", "乡村振兴"),
    ("救灾", "应急救灾"),
)


def match_domain(project: Project, printed: str, fuzzy: bool = True) -> DomainDef | None:
    """The project's domain a printed name stands for: its name or id, a known printed form, else (`fuzzy`) the
    one name sharing most of its characters (at least 60% both ways), when only one does."""
    text = norm(printed)
    if not text:
        return None
    by_name = {norm(d.name): d for d in project.domains}
    found = by_name.get(text) or project.domain(printed.strip())
    if found is not None:
        return found
    group = next((g for g in SYNONYMS if text in {norm(n) for n in g}), ())
    found = next((by_name[norm(n)] for n in group if norm(n) in by_name), None)
    if found is not None or not fuzzy:
        return found
    scored = []
    for name, d in by_name.items():
        common = len(set(name) & set(text))
        if common / len(set(name)) >= 0.6 and common / len(set(text)) >= 0.6:
            scored.append((common, d))
    best = sorted(scored, key=lambda s: -s[0])
    return best[0][1] if len(best) == 1 or (best and best[0][0] > best[1][0]) else None


def _item_columns(table: ReadTable) -> list[TableColumn]:
    """The 事项 columns in order: one naming the domain (by its header, or 一级事项 holding domain names),
    一级事项, 二级事项, 三级事项."""
    return [c for c in table.columns if c.kind in ("level1", "level2")
            or (c.kind == "extra" and (norm(c.value) in DOMAIN_HEADERS or c.value == LEVEL3_LABEL))]


def split_domains(table: ReadTable, project: Project) -> list[ReadTable] | None:
    """One table per domain when the table's first 事项 column names domains (most of its values do,
    and at least two); None for an ordinary table of one domain."""
    cols = _item_columns(table)
    # a column naming the domain, then 一级 and 二级事项; or only 一级 and 二级事项, the domain in 一级事项
    # (城乡规划, 重大项目建设 …) and the item in 二级事项, which then names the item's group too
    if len(cols) < 3 and not (len(cols) == 2 and cols[0].kind == "level1"):
        return None
    first, rest = cols[0], cols[1:]
    grid = table.grid
    printed = {it.row: grid.cell(it.row, first.index).strip() for it in table.items}
    distinct = {p for p in printed.values() if p}
    # with only 一级 and 二级事项, 一级事项 is mostly a group of items (养老保险): it names domains only when every
    # one of its names is a domain's, as printed (no near match)
    exact = len(rest) == 1
    domains = {p: match_domain(project, p, fuzzy=not exact) for p in distinct}
    hits = {d.id for d in domains.values() if d is not None}
    if len(hits) < 2 or sum(1 for d in domains.values() if d) * 2 < len(distinct) or (exact and None in domains.values()):
        return None
    notes = [f"“{p}”按领域“{d.name}”导入" for p, d in sorted(domains.items()) if d and norm(p) != norm(d.name)]
    if len(rest) == 1:
        notes.append(f"{grid.name}：一级事项列写的是领域名称，各行的二级事项同时作为其一级事项导入")
    parts: dict[str, list] = {}
    dropped = list(table.dropped)
    for it in table.items:
        domain = domains.get(printed[it.row])
        if domain is None:
            dropped.append(f"{grid.ref(it.row, first.index)}：第一列“{printed[it.row] or '（空）'}”不是本项目的领域，这一行未导入")
            continue
        names = [grid.cell(it.row, c.index).strip() for c in rest]
        names = [n for n in names if n]
        if not names:
            dropped.append(f"{grid.ref(it.row, first.index)}：没有事项名称，这一行未导入")
            continue
        extra = {k: v for k, v in it.extra.items() if norm(k) not in DOMAIN_HEADERS and k != LEVEL3_LABEL}
        if len(names) > 2:  # a domain such as 社会救助 carries a further level: kept under its own label
            extra[LEVEL3_LABEL] = "、".join(names[2:])
        level2 = names[-1] if len(names) <= 2 else names[1]  # one name: the item names its group too
        parts.setdefault(domain.id, []).append(replace(it, level1=names[0], level2=level2, extra=extra))
    columns = [c for c in table.columns if c is not first]
    out = [ReadTable(grid, table.title, columns, items, [], table.has_levels, [], domain_id=d)
           for d, items in parts.items()]
    if out:
        out[0].notes, out[0].dropped = table.notes + notes, dropped
    else:
        out = [ReadTable(grid, table.title, columns, [], table.notes + notes, table.has_levels, dropped)]
    return out
