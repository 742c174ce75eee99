"""The negative list over time: an entry's `reviewed` date is a real date, and not more than a year old.

Seeds 001 and 004 ask that what is not disclosed be re-assessed every year (每年度对不予公开的政府信息
进行评估). "A year" is measured from the project's date (source/dates.py), so CI and the machine that
made the commit agree.
"""

from __future__ import annotations

from datetime import date, timedelta

from gkcat.diagnostics.diagnostic import Diagnostic
from gkcat.model.project import Project

YEAR = timedelta(days=366)


def review_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def overdue(reviewed: str | None, today: date) -> bool:
    """Whether an entry reviewed on `reviewed` is due for its yearly re-assessment (never reviewed: yes)."""
    when = review_date(reviewed) if reviewed else None
    return when is None or when < today - YEAR


def check_withheld(project: Project, today: date) -> list[Diagnostic]:
    """GK317 for a `reviewed` that is no date, GK408 (a warning) for one more than a year before `today`."""
    out: list[Diagnostic] = []
    for loc in project.localities.values():
        for src in loc.files.values():
            if src.model is None:
                continue
            for i, w in enumerate(src.model.withheld):
                if w.reviewed is None:
                    continue
                when = review_date(w.reviewed)
                if when is None:
                    out.append(src.doc.diag(("withheld", i, "reviewed"), "GK317",
                                            f"“{w.reviewed}”不是有效的日期：应写成 YYYY-MM-DD，如 2026-03-01"))
                elif when < today - YEAR:
                    out.append(src.doc.diag(("withheld", i, "reviewed"), "GK408",
                                            f"负面清单事项“{w.title}”最近一次评估是 {w.reviewed}，已超过一年"
                                            f"（截至 {today.isoformat()}）：请重新评估是否仍不予公开，并更新 reviewed"))
    return out
