"""`gkcat assess` as text (a table), markdown (for a merge request or the leadership) and JSON (docs/assess.md)."""

from __future__ import annotations

import unicodedata
from typing import Any

from gkcat.model.assessment import INDICATORS, Assessment, LocalityReport
from gkcat.model.vocabulary import LEVEL_ZH

# the figures of the overview, in order: (indicator key, heading)
COLUMNS = (("items", "本级事项"), ("items_with_links", "有链接"), *((i.id, i.label) for i in INDICATORS))


def assess_json(a: Assessment) -> dict[str, Any]:
    return {"as_of": a.as_of,
            "weights": {k: {"weight": w, "cap": c} for k, (w, c) in a.weights.items()},
            "localities": [{"locality": r.locality, "name": r.name, "level": r.level, "indicators": r.indicators,
                            "findings": [{"indicator": f.indicator, "where": f.where, "text": f.text} for f in r.findings],
                            "score": r.score, "rank": r.rank} for r in a.localities]}


def _links_checked(r: LocalityReport) -> str:
    when = r.indicators.get("links_checked_at")
    return f"链接检查于 {when[:10]}" if when else ("链接未检查" if r.indicators.get("links") else "没有链接")


def _facts(r: LocalityReport) -> str:
    last = r.indicators.get("last_change")
    changed = f"最近提交 {last}（{r.indicators['days_since_change']} 天前）" if last else "未提交到 git"
    return f"{_links_checked(r)}；{changed}"


def _width(text: str) -> int:
    """Columns a text takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(rows: list[list[str]]) -> list[str]:
    """Rows as an aligned text table (the first row is the header)."""
    widths = [max(_width(r[c]) for r in rows) for c in range(len(rows[0]))]
    return ["  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows]


def assess_text(a: Assessment) -> str:
    out = [f"网上检查（截至 {a.as_of}）：{len(a.localities)} 个地区；得分满分 100，按同一层级排名", ""]
    # the table first, with the figures each indicator counts; every locality's findings under it
    head = ["地区", "层级", "得分", "排名", *(label for _, label in COLUMNS)]
    out += _table([head] + [[r.name, LEVEL_ZH.get(r.level, r.level), f"{r.score:g}", str(r.rank),
                             *(str(r.indicators.get(key, 0)) for key, _ in COLUMNS)] for r in a.localities])
    out.append("")
    for r in a.localities:
        figures = "，".join(f"{label} {r.indicators.get(key, 0)}" for key, label in COLUMNS)
        out.append(f"{r.name}（{r.locality}，{LEVEL_ZH.get(r.level, r.level)}）得分 {r.score:g}，第 {r.rank} 名：{figures}；{_facts(r)}")
        out += [f"  {f.where}: [{_label(f.indicator)}] {f.text}" for f in r.findings]
    out.append(_rules())
    return "\n".join(out)


def _label(indicator: str) -> str:
    return next((i.label for i in INDICATORS if i.id == indicator), indicator)


def _rules() -> str:
    return "指标：" + "；".join(f"{i.label}——{i.rule}" for i in INDICATORS)


def assess_markdown(a: Assessment) -> str:
    head = ["地区", "层级", "得分", "排名", *(label for _, label in COLUMNS)]
    lines = [f"## 网上检查（截至 {a.as_of}）", "", "| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for r in a.localities:
        cells = [r.name, LEVEL_ZH.get(r.level, r.level), f"{r.score:g}", str(r.rank),
                 *(str(r.indicators.get(key, 0)) for key, _ in COLUMNS)]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    for r in a.localities:
        if r.findings:
            lines += ["", f"### {r.name}（{r.locality}）：{len(r.findings)} 个问题；{_facts(r)}", ""]
            lines += [f"- `{f.where}` {_label(f.indicator)}：{f.text}" for f in r.findings]
    lines += ["", _rules()]
    return "\n".join(lines)
