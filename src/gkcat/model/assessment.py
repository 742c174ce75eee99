"""网上检查: the indicators an office assesses its localities by, their default weights, and a report's shape.

Seed 000 and 004 make disclosure work part of the annual performance review (网上检查、实地督查、年度考核);
seed 002 asks not to burden the grassroots with self-check reports. Everything such a check needs is in
the repository, so gkcat computes it: each indicator counts findings, each finding says where to fix it.
A score out of 100 deducts, per indicator, its weight per finding up to its cap (gkcat.yaml `assessment:`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Indicator:
    id: str
    label: str  # 中文名称, as the report and the workbook show it
    weight: float  # points deducted per finding (for a ratio: for all of them)
    cap: float  # at most this many points for the indicator
    rule: str  # what counts, in words the person assessed can act on
    ratio: bool = False  # deducted as weight × (findings / base) rather than per finding


INDICATORS: tuple[Indicator, ...] = (
    Indicator("empty_domains", "本级无事项的领域", 5, 20, "领域延伸到本级，而本级没有公开的事项"),
    Indicator("missing_links", "缺少已公开内容链接的事项", 20, 20,
              "本级公开的事项没有“已公开内容链接”：按缺少的比例扣分", ratio=True),
    Indicator("dead_links", "无法访问的链接", 2, 10, "最近一次 gkcat check-links 检查时无法访问（4xx、5xx、超时、无法连接）"),
    Indicator("redirected_links", "已重定向的链接", 0.5, 5, "最近一次 gkcat check-links 检查时被重定向：应改为新地址"),
    Indicator("pending_exclusions", "理由待补充的排除", 3, 15, "不适用事项的理由仍以“待补充”开头"),
    Indicator("unclear_exclusions", "理由不清的排除", 1, 5,
              "不适用事项的理由少于 6 个字，或同一段理由照抄在本级 5 个以上的事项上"),
    Indicator("withheld_without_basis", "没有依据的负面清单条目", 3, 10, "负面清单条目的法律依据为空或写着“待补充”“无”"),
    Indicator("withheld_not_reviewed", "一年内未评估的负面清单条目", 1, 5,
              "负面清单条目没有 reviewed 日期，或最近一次评估早于检查日一年以上（每年度应评估一次）"),
    Indicator("overdue_tasks", "到期未完成的工作要点任务", 3, 15,
              "本年度工作要点中完成时限已过、尚未“已完成”的任务（与 workplan review 相同）"),
    Indicator("stale_catalog", "一年以上未更新的目录", 10, 10, "本地区的文件最近一次提交早于检查日一年以上（或从未提交）"),
    Indicator("forms_not_returned", "未交回的填报表", 5, 15, "最近一轮填报中发给本地区、尚未交回的填报表"),
)
BY_ID = {i.id: i for i in INDICATORS}


@dataclass(frozen=True)
class Finding:
    indicator: str
    where: str  # file:line (or a form's cell)
    text: str


@dataclass
class LocalityReport:
    locality: str
    name: str
    level: str
    indicators: dict[str, Any]  # the raw figures: counts, dates, the link check's date
    findings: list[Finding] = field(default_factory=list)
    score: float = 100.0
    rank: int = 0  # among localities of the same level, 1 the best

    def count(self, indicator: str) -> int:
        return sum(1 for f in self.findings if f.indicator == indicator)


@dataclass
class Assessment:
    as_of: str  # YYYY-MM-DD
    weights: dict[str, tuple[float, float]]  # indicator -> (weight, cap) in force
    localities: list[LocalityReport]
