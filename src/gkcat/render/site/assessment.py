"""The 网上检查 page, published only when gkcat.yaml says `assessment: publish: true` (assessment is internal)."""

from __future__ import annotations

from dataclasses import dataclass

from gkcat.model.assessment import INDICATORS, Assessment
from gkcat.model.vocabulary import LEVEL_ZH
from gkcat.render.site.urls import INDEX

ASSESSMENT_PAGE = "assessment.html"


@dataclass(frozen=True)
class AssessedRow:
    name: str
    href: str
    level: str
    score: str
    rank: int
    counts: tuple[int, ...]  # per indicator, in INDICATORS order
    findings: tuple[tuple[str, str, str], ...]  # (indicator label, where, text)


@dataclass(frozen=True)
class AssessmentView:
    as_of: str
    labels: tuple[str, ...]
    rules: tuple[tuple[str, str], ...]
    rows: tuple[AssessedRow, ...]


def assessment_view(a: Assessment) -> AssessmentView:
    labels = {i.id: i.label for i in INDICATORS}
    rows = tuple(AssessedRow(r.name, f"{r.locality}/{INDEX}", LEVEL_ZH.get(r.level, r.level), f"{r.score:g}", r.rank,
                             tuple(r.count(i.id) for i in INDICATORS),
                             tuple((labels.get(f.indicator, f.indicator), f.where, f.text) for f in r.findings))
                 for r in a.localities)
    return AssessmentView(a.as_of, tuple(i.label for i in INDICATORS), tuple((i.label, i.rule) for i in INDICATORS), rows)
