"""`gkcat assess`: the indicators of every locality, each finding with where to fix it, a score and a rank.

Nothing is asked of the units and nothing is fetched: the catalogs, the git history, the link checker's
last results (.gkcat-links.json), the work plans and the round records are all in the repository.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from gkcat.check.load import Loaded, require_valid
from gkcat.check.withheld import overdue as review_overdue
from gkcat.compare.revisions import Commit, last_changes
from gkcat.ingest.rounds import form_lines, latest_round
from gkcat.links.cache import read_cache
from gkcat.links.collect import LinkUse, collect_links
from gkcat.links.probe import DEAD, REDIRECTED, Result
from gkcat.model.assessment import BY_ID, INDICATORS, Assessment, Finding, LocalityReport
from gkcat.model.project import Locality, Project
from gkcat.model.rounds import RoundFile, round_file
from gkcat.resolve.catalog import ResolvedCatalog, catalogs_for, find_locality
from gkcat.resolve.workplan import resolve_plan
from gkcat.source.dates import build_time

SHORT_REASON = 6  # characters: a reason shorter than this says nothing a reader can use
COPIED_REASON = 5  # exclusions of one locality sharing one reason text: copied over, not thought through
PENDING = "待补充"
NO_BASIS = frozenset({"", "无", "暂无", "待补充", "—", "-", "/"})
STALE_DAYS = 365


@dataclass(frozen=True)
class Sources:
    """What the assessment reads beyond the catalogs, read once for every locality."""

    links: dict[str, list[LinkUse]]  # locality -> the links its pages show
    cache: dict[str, Result]
    changes: dict[str, Commit]  # a folder of the project -> the last commit that changed a file right in it
    round: RoundFile | None
    round_lines: dict[str, int]  # form identity -> its line in the round's file


def assess(v: Loaded, under: Locality | None, as_of: date) -> Assessment:
    """Every locality at and below `under` (all by default), assessed as of `as_of`."""
    project, root = v.project, v.project.root_dir
    record = latest_round(root)
    sources = Sources(_by_locality(collect_links(project, v.resolver, under)), read_cache(root), _by_folder(last_changes(root)), record,
                      form_lines(root, record))
    places = list(under.walk()) if under is not None else list(project.localities.values())
    weights = _weights(project)
    reports = [_locality(v, loc, as_of, sources) for loc in places]
    for r in reports:
        r.score = _score(r, weights)
    _rank(reports)
    return Assessment(as_of.isoformat(), weights, reports)


def _by_locality(uses: list[LinkUse]) -> dict[str, list[LinkUse]]:
    out: dict[str, list[LinkUse]] = {}
    for use in uses:
        for path in use.localities:
            out.setdefault(path, []).append(use)
    return out


def _by_folder(changes: dict[str, Commit]) -> dict[str, Commit]:
    """Each folder's last change, from each file's: a locality's own files are those right in its folder."""
    out: dict[str, Commit] = {}
    for path, commit in changes.items():
        folder = path.rsplit("/", 1)[0] if "/" in path else ""
        # as moments, not text: commits made in different time zones compare by when they were made
        if folder not in out or datetime.fromisoformat(commit.date) > datetime.fromisoformat(out[folder].date):
            out[folder] = commit
    return out


def _weights(project: Project) -> dict[str, tuple[float, float]]:
    config = project.config.assessment
    given_w = config.weights if config else {}
    given_c = config.caps if config else {}
    return {i.id: (float(given_w.get(i.id, i.weight)), float(given_c.get(i.id, i.cap))) for i in INDICATORS}


def _score(report: LocalityReport, weights: dict[str, tuple[float, float]]) -> float:
    lost = 0.0
    for ind in INDICATORS:
        weight, cap = weights[ind.id]
        found = report.count(ind.id)
        if ind.ratio:
            base = report.indicators.get("items") or 0
            lost += min(cap, weight * found / base) if base else 0.0
        else:
            lost += min(cap, weight * found)
    return round(max(0.0, 100.0 - lost), 1)


def _rank(reports: list[LocalityReport]) -> None:
    """1 for the best score of its level; equal scores share a rank (1, 2, 2, 4)."""
    by_level: dict[str, list[LocalityReport]] = {}
    for r in reports:
        by_level.setdefault(r.level, []).append(r)
    for group in by_level.values():
        scores = sorted((r.score for r in group), reverse=True)
        for r in group:
            r.rank = scores.index(r.score) + 1


def _locality(v: Loaded, loc: Locality, as_of: date, src: Sources) -> LocalityReport:
    report = LocalityReport(loc.path, loc.name, loc.level, {})
    add = report.findings.append
    home = f"{loc.path}/locality.yaml:1"
    cats = catalogs_for(v.resolver, loc)
    report.indicators["domains"] = len(cats)
    items = [(c, i) for c in cats for i in c.items]
    report.indicators["items"] = len(items)
    report.indicators["items_with_links"] = sum(1 for _, i in items if i.entry.values.links)
    for c in cats:
        if not c.items:
            file = loc.files.get(c.domain.id)
            add(Finding("empty_domains", f"{file.doc.rel}:1" if file else home,
                        f"“{c.domain.name}”领域延伸到本级，本级没有公开的事项"))
    for c, i in items:
        if not i.entry.values.links:
            add(Finding("missing_links", f"{i.entry.origin.file}:{i.entry.origin.line}",
                        f"{c.domain.name} · {i.id}（{i.entry.values.level2}）没有已公开内容链接"))
    _links(loc, src, report)
    _exclusions(loc, cats, report)
    _withheld(loc, cats, as_of, report)
    _tasks(loc, as_of, report)
    _change(loc, as_of, src, report)
    _forms(loc, src, report)
    for ind in INDICATORS:
        report.indicators[ind.id] = report.count(ind.id)
    return report


def _links(loc: Locality, src: Sources, report: LocalityReport) -> None:
    mine = src.links.get(loc.path, [])
    checked = [src.cache[u.url].checked for u in mine if u.url in src.cache]
    report.indicators["links"] = len(mine)
    report.indicators["links_checked"] = len(checked)
    report.indicators["links_checked_at"] = max(checked) if checked else None  # None: 未检查
    for u in mine:
        result = src.cache.get(u.url)
        if result is None or result.state not in (DEAD, REDIRECTED):
            continue
        place = min(u.places) if u.places else None
        where = f"{place.file}:{place.line}" if place else f"{loc.path}/locality.yaml:1"
        kind, word = ("dead_links", "无法访问") if result.state == DEAD else ("redirected_links", "已重定向")
        report.findings.append(Finding(kind, where, f"链接{word}（{result.summary}，检查于 {result.checked[:10]}）：{u.url}"))


def _exclusions(loc: Locality, cats: list[ResolvedCatalog], report: LocalityReport) -> None:
    own = [(c, x) for c in cats for x in c.excluded if x.locality.path == loc.path]
    report.indicators["exclusions"] = len(own)
    copies = Counter(x.reason.strip() for _, x in own)
    for c, x in own:
        where = f"{x.step.file}:{x.step.line}"
        reason = x.reason.strip()
        if reason.startswith(PENDING):
            report.findings.append(Finding("pending_exclusions", where, f"{c.domain.name} · {x.id} 的不适用理由仍是“{reason[:40]}”"))
        elif len(re.sub(r"[\s\W_]+", "", reason)) < SHORT_REASON:
            report.findings.append(Finding("unclear_exclusions", where,
                                           f"{c.domain.name} · {x.id} 的不适用理由“{reason}”少于 {SHORT_REASON} 个字，读者看不出为什么"))
        elif copies[reason] >= COPIED_REASON:
            report.findings.append(Finding("unclear_exclusions", where,
                                           f"{c.domain.name} · {x.id} 的不适用理由与本级另外 {copies[reason] - 1} 个事项的相同"
                                           f"（“{reason[:30]}”）：请逐项写明"))


def _withheld(loc: Locality, cats: list[ResolvedCatalog], as_of: date, report: LocalityReport) -> None:
    own = [w for c in cats for w in c.withheld if w.locality.path == loc.path]
    report.indicators["withheld"] = len(own)
    for w in own:
        where = f"{w.step.file}:{w.step.line}"
        if all(b.strip() in NO_BASIS for b in w.basis):
            report.findings.append(Finding("withheld_without_basis", where, f"负面清单“{w.title}”没有法律依据"))
        if review_overdue(w.reviewed, as_of):
            when = f"最近一次评估是 {w.reviewed}" if w.reviewed else "没有写评估日期（reviewed）"
            report.findings.append(Finding("withheld_not_reviewed", where, f"负面清单“{w.title}”{when}，一年内未重新评估"))


def _tasks(loc: Locality, as_of: date, report: LocalityReport) -> None:
    plan = resolve_plan(loc, as_of.year)
    report.indicators["plan"] = plan is not None
    if plan is None:
        return
    for t in plan.tasks:
        if t.overdue(as_of):
            line = plan.doc.pos(t.path)[0]
            report.findings.append(Finding("overdue_tasks", f"{plan.doc.rel}:{line}",
                                           f"任务 {t.id}“{t.name[:30]}”完成时限“{t.deadline_text}”已过，尚未完成"
                                           f"（牵头：{'、'.join(t.lead_overdue(as_of)) or '未写明'}）"))


def _change(loc: Locality, as_of: date, src: Sources, report: LocalityReport) -> None:
    """The last commit that changed one of the locality's own files (its folder, not the localities below)."""
    last = src.changes.get(loc.path)
    report.indicators["last_change"] = last.date[:10] if last else None
    report.indicators["last_commit"] = last.sha if last else None
    days = (as_of - date.fromisoformat(last.date[:10])).days if last else None
    report.indicators["days_since_change"] = days
    if last is None or (days is not None and days > STALE_DAYS):
        said = f"最近一次提交 {last.sha[:8]} 于 {last.date[:10]}，已 {days} 天未更新" if last else "本地区的文件从未提交到 git"
        report.findings.append(Finding("stale_catalog", f"{loc.path}/locality.yaml:1", f"目录{said}"))


def _forms(loc: Locality, src: Sources, report: LocalityReport) -> None:
    record = src.round
    report.indicators["round"] = record.round if record else None
    forms = [f for f in record.forms if f.locality == loc.path] if record else []
    report.indicators["forms"] = len(forms)
    for f in forms:
        if not f.returns:
            line = src.round_lines.get(f.form, 1)
            report.findings.append(Finding("forms_not_returned", f"{round_file(record.round)}:{line}" if record else "",
                                           f"填报轮次“{record.round if record else ''}”发给{f.unit}的 {f.file} 尚未交回"))


def labels() -> dict[str, str]:
    """Indicator id -> its Chinese name."""
    return {k: v.label for k, v in BY_ID.items()}


def assess_project(project_dir: Path, locality: str | None, as_of: date | None) -> tuple[Loaded, Assessment]:
    """`gkcat assess`: the valid project and its assessment (as of the project's date unless given)."""
    v = require_valid(project_dir)
    under = find_locality(v.project, locality) if locality else None
    return v, assess(v, under, as_of or build_time(v.project.root_dir).date())
