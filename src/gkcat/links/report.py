"""check-links' results as the user reads them: text, JSON, GitHub Actions annotations.

Each dead or redirected link is reported at every file:line where it is written, with the
localities whose tables show it; links that answered are only counted.
"""

from __future__ import annotations

import json

from gkcat.diagnostics.diagnostic import visible
from gkcat.diagnostics.report import gh_escape
from gkcat.links.probe import DEAD
from gkcat.links.run import Checked, LinkReport

LOCALITIES_SHOWN = 8  # a city's link shown by 1,500 towns names the first few and counts the rest


def _where(c: Checked) -> str:
    names = list(c.use.localities.values())
    more = f" 等 {len(names)} 个地区" if len(names) > LOCALITIES_SHOWN else ""
    return "、".join(names[:LOCALITIES_SHOWN]) + more


def _message(c: Checked) -> str:
    r = c.result
    what = "链接无法访问" if r.state == DEAD else "链接已重定向"
    advice = "" if r.state == DEAD else "：建议改为新地址"
    return f"{what}（{visible(r.summary)}）：{visible(r.url)}{advice}；显示于 {_where(c)}"


def _problems(report: LinkReport) -> list[Checked]:
    return report.dead + report.redirected


def summary(report: LinkReport) -> str:
    cached = sum(1 for c in report.links if c.cached)
    reused = f"（其中 {cached} 个沿用近期的检查结果）" if cached else ""
    return (f"共检查 {len(report.links)} 个链接{reused}：正常 {report.count('ok')} 个，"
            f"重定向 {len(report.redirected)} 个，无法访问 {len(report.dead)} 个。")


def links_text(report: LinkReport) -> str:
    out = []
    for c in _problems(report):
        places = sorted(c.use.places)
        for p in places:
            out.append(f"{visible(p.file)}:{p.line}:{p.column}: {_message(c)}")
        if not places:
            out.append(_message(c))
    out.append(summary(report))
    return "\n".join(out)


def links_github(report: LinkReport) -> str:
    out = []
    for c in _problems(report):
        kind = "error" if c.result.state == DEAD else "warning"
        title = gh_escape("无法访问的链接" if kind == "error" else "重定向的链接", prop=True)
        for p in sorted(c.use.places):
            props = f"file={gh_escape(p.file, True)},line={p.line},col={p.column},title={title}"
            out.append(f"::{kind} {props}::{gh_escape(_message(c))}")
    out.append(summary(report))
    return "\n".join(out)


def links_json(report: LinkReport) -> str:
    body = {
        "checked": len(report.links),
        "ok": report.count("ok"),
        "redirected": len(report.redirected),
        "dead": len(report.dead),
        "links": [
            {
                "url": c.result.url,
                "state": c.result.state,
                "status": c.result.status,
                "final_url": c.result.final or None,
                "error": c.result.error or None,
                "checked_at": c.result.checked,
                "from_cache": c.cached,
                "places": [{"file": p.file, "line": p.line, "column": p.column} for p in sorted(c.use.places)],
                "localities": [{"path": k, "name": v} for k, v in c.use.localities.items()],
            }
            for c in report.links
        ],
    }
    return json.dumps(body, ensure_ascii=False, indent=2)
