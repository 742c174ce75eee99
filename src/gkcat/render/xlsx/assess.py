"""`gkcat assess -o 网上检查.xlsx`: 总表 (one row per locality: indicators, score, rank) and one sheet per
locality with every finding and where it is, print-ready like the other workbooks."""

from __future__ import annotations

from datetime import datetime

from gkcat.model.assessment import Assessment
from gkcat.model.vocabulary import LEVEL_ZH
from gkcat.render.assess import COLUMNS
from gkcat.render.xlsx.layout import simple_table
from gkcat.render.xlsx.writer import new_workbook, save, sheet_name, write_table

OVERVIEW = "总表"


def assessment_workbook(a: Assessment, title: str, when: datetime) -> bytes:
    wb = new_workbook()
    head = ["序号", "地区", "层级", *(label for _, label in COLUMNS), "得分", "排名"]
    rows = [[str(n), r.name, LEVEL_ZH.get(r.level, r.level), *(str(r.indicators.get(k, 0)) for k, _ in COLUMNS),
             f"{r.score:g}", str(r.rank)] for n, r in enumerate(a.localities, 1)]
    kinds = [("text", 6.0), ("text", 14.0), ("text", 8.0), *(("text", 9.0) for _ in COLUMNS), ("text", 8.0), ("text", 6.0)]
    write_table(wb, OVERVIEW, simple_table(f"{title}：网上检查总表", head, rows, kinds, subtitle=f"截至 {a.as_of}"))
    taken = {OVERVIEW}
    for r in a.localities:
        labels = dict((i, label) for i, label in COLUMNS)
        found = [[str(n), labels.get(f.indicator, f.indicator), f.where, f.text] for n, f in enumerate(r.findings, 1)]
        table = simple_table(f"{r.name}网上检查问题清单", ["序号", "指标", "位置", "问题"],
                             found or [["", "", "", "没有发现问题"]], [("text", 6), ("text", 16), ("wide", 40), ("wide", 70)],
                             subtitle=f"{r.locality}，得分 {r.score:g}，同级第 {r.rank} 名，截至 {a.as_of}")
        write_table(wb, sheet_name(r.name, taken), table)
    return save(wb, f"{title}网上检查", when)
