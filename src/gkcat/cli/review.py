"""The commands that review a catalog as published: the assessment (网上检查), the links, a work plan's ledger."""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

import click

import gkcat.cli.zh as zh
from gkcat.cli.shell import DIFF_FORMATS, FORMATS, report_format


@click.command("assess", cls=zh.Command)
@click.argument("locality", required=False)
@click.option("--format", "fmt", type=DIFF_FORMATS, default="text", help="输出格式：text（表格）、markdown、json。")
@click.option("-o", "--out", type=zh.PathType(dir_okay=False, path_type=Path), default=None,
              help="另写一个工作簿（.xlsx）：总表和每个地区一张问题清单。")
@click.option("--as-of", "as_of", type=zh.Date(), default=None,
              help="按哪一天检查（YYYY-MM-DD），默认为项目的日期（SOURCE_DATE_EPOCH，否则最后一次提交的日期）。")
@click.pass_obj
def assess_command(directory: Path, locality: str | None, fmt: str, out: Path | None, as_of: datetime | None) -> None:
    """网上检查：LOCALITY 及其下级（默认全部地区）的各项指标、每个问题的位置、得分和同级排名；不联网，不用下级报材料。"""
    from gkcat.assess.compute import assess_project
    from gkcat.publish.forms import write_assessment
    from gkcat.render.assess import assess_json, assess_markdown, assess_text
    from gkcat.render.data import dumps
    from gkcat.render.xlsx.assess import assessment_workbook
    from gkcat.source.dates import build_time
    v, report = assess_project(directory, locality, as_of.date() if as_of else None)
    click.echo({"json": lambda: dumps(assess_json(report)), "markdown": lambda: assess_markdown(report),
                "text": lambda: assess_text(report)}[fmt]())
    if out is not None:
        data = assessment_workbook(report, v.project.config.title, build_time(v.project.root_dir))
        click.echo(f"已写入 {write_assessment(v.project.root_dir, v.project.config.root, out, data)}", err=True)


@click.command("check-links", cls=zh.Command)
@click.argument("locality", required=False)
@click.option("--timeout", type=zh.Float(), default=10.0, show_default=True, help="每个链接等待响应的秒数。")
@click.option("--jobs", type=zh.Int(), default=8, show_default=True, help="同时检查多少个链接（同一网站最多 2 个）。")
@click.option("--max-age", type=zh.Float(), default=24.0, show_default=True,
              help="沿用 .gkcat-links.json 中多少小时内检查正常的结果；0 表示全部重新检查。")
@click.option("--format", "fmt", type=FORMATS, default=None,
              help="输出格式：text（默认）、json、github（设置了 GITHUB_ACTIONS 时默认）。")
@click.pass_obj
def check_links_command(directory: Path, locality: str | None, timeout: float, jobs: int, max_age: float,
                        fmt: str | None) -> None:
    """检查目录中每个“已公开内容链接”能否打开（需要联网；validate 和 build 从不联网）。"""
    from gkcat.links.report import links_github, links_json, links_text
    from gkcat.links.run import LinkOptions, check_links
    fmt = report_format(fmt)
    report = check_links(directory, LinkOptions(locality, timeout, jobs, max_age))
    click.echo({"json": links_json, "github": links_github, "text": links_text}[fmt](report))
    sys.exit(1 if report.dead else 0)


@click.group("workplan", cls=zh.Group)
def workplan_group() -> None:
    """工作要点（workplan-年度.yaml）：回头看等。"""


@workplan_group.command("review")
@click.argument("locality")
@click.argument("year", type=zh.Int())
@click.option("--date", "as_of", type=zh.Date(), default=None,
              help="按哪一天检查（YYYY-MM-DD），默认今天。")
@click.option("--format", "fmt", type=DIFF_FORMATS, default="text", help="输出格式：text、markdown、json。")
@click.pass_obj
def workplan_review(directory: Path, locality: str, year: int, as_of: datetime | None, fmt: str) -> None:
    """回头看：按牵头部门列出到期未完成（不是“已完成”）的任务。"""
    from gkcat.check.load import require_valid
    from gkcat.render.data import dumps
    from gkcat.render.workplan import review_json, review_markdown, review_text
    from gkcat.resolve.catalog import find_locality
    from gkcat.resolve.workplan import find_plan
    v = require_valid(directory)
    plan = find_plan(find_locality(v.project, locality), year)
    today = as_of.date() if as_of else date.today()
    click.echo({"json": lambda: dumps(review_json(plan, today)), "markdown": lambda: review_markdown(plan, today),
                "text": lambda: review_text(plan, today)}[fmt]())


COMMANDS = (assess_command, check_links_command, workplan_group)
