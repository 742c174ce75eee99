"""The command line: parse options, call one function, print, pick the exit code.

Every reason not to run is a GkcatError carrying its exit code (1 or 2, as docs/cli.md says);
`_Main.invoke` turns it, any OSError and Ctrl-C into a message on stderr, so no command catches
anything itself.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

import gkcat.cli.zh as zh
from gkcat import __version__
from gkcat.errors import GkcatError, os_error_message
from gkcat.ingest import KEEP, TAKE

if TYPE_CHECKING:  # a command imports what it runs when it runs: `gkcat --help` and `validate` start fast
    from gkcat.ingest.batch import Batch
    from gkcat.ingest.writer import Outcome

FORMATS = zh.Choice(["text", "json", "github"])
DIFF_FORMATS = zh.Choice(["text", "markdown", "json"])
_GIT_COLOURS = {"red": "red", "green": "green", "yellow": "yellow", "cyan": "cyan"}


def _fail(message: str, code: int, details: str = "") -> NoReturn:
    if details:
        click.echo(details, err=True)
    click.echo(f"gkcat: {message}", err=True)
    sys.exit(code)


def _colour() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


class _Main(zh.Group):
    """The one place where a reason not to run becomes a message and an exit code, never a traceback."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as err:  # `gkcat` alone: the help, as click shows it
            click.echo(err.ctx.get_help(), err=True)
            sys.exit(2)
        except click.ClickException as err:  # click's own words are English: said again in Chinese
            for line in zh.usage_lines(err):
                click.echo(line, err=True)
            _fail(zh.usage_message(err), 2)
        except click.exceptions.Abort:
            _fail("已中断", 2)
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except GkcatError as err:
            _fail(str(err), err.exit_code, err.details)
        except OSError as err:  # a read-only or full disk, a file where a folder should be ...
            _fail(os_error_message(err), 2)
        except KeyboardInterrupt:
            _fail("已中断：没有写入任何未完成的文件", 2)


@click.group(name="gkcat", cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-C", "directory", type=zh.PathType(file_okay=False, path_type=Path), default=Path("."),
              help="项目文件夹（含 gkcat.yaml），默认为当前文件夹。")
@click.version_option(__version__, "--version", message="gkcat %(version)s", help="显示 gkcat 的版本并退出。")
@click.pass_context
def main(ctx: click.Context, directory: Path) -> None:
    """gkcat：基层政务公开标准目录工具。"""
    ctx.obj = directory


@main.command()
@click.option("--strict", is_flag=True, help="警告也按错误处理。")
@click.option("--no-cache", "no_cache", is_flag=True, help="不读也不写项目缓存（.gkcat-cache/）。")
@click.option("--format", "fmt", type=FORMATS, default=None,
              help="输出格式：text（默认）、json、github（GitHub Actions 注释；设置了 GITHUB_ACTIONS 时默认）。")
@click.pass_obj
def validate(directory: Path, strict: bool, no_cache: bool, fmt: str | None) -> None:
    """检查所有文件和每个地区的最终目录，列出全部问题。"""
    from gkcat.check.load import load_project
    from gkcat.diagnostics.diagnostic import has_errors
    from gkcat.diagnostics.report import format_github, format_text, to_json
    fmt = fmt or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    loaded = load_project(directory, cache=not no_cache)
    for note in loaded.notes:
        click.echo(f"注意：{note}", err=True)
    diags = loaded.diagnostics
    report: Callable[[], str] = {
        "json": lambda: to_json(diags, strict),
        "github": lambda: format_github(diags, strict),
        "text": lambda: format_text(diags, colour=_colour(), strict=strict),
    }[fmt]
    click.echo(report())
    sys.exit(1 if has_errors(diags, strict) else 0)


@main.command()
@click.argument("locality")
@click.argument("domain", required=False)
@click.option("--department", default=None, metavar="NAME_OR_ROLE",
              help="只列出这个部门（名称或角色）在本级公开的事项：它的责任清单。")
@click.option("--workplan", "year", type=zh.Int(), default=None, metavar="YEAR",
              help="显示这一年的工作要点及任务分解表（workplan-YEAR.yaml）。")
@click.option("--format", "fmt", type=zh.Choice(["text", "json"]), default="text", help="输出格式。")
@click.pass_obj
def show(directory: Path, locality: str, domain: str | None, department: str | None, year: int | None, fmt: str) -> None:
    """显示一个地区（某个领域）的最终目录、一个部门的责任清单，或一年的工作要点。"""
    from gkcat.check.load import require_valid
    from gkcat.render.data import dumps, duties_json, show_data
    from gkcat.render.text import duties_text, show_text
    from gkcat.render.workplan import plan_json, plan_text
    from gkcat.resolve.catalog import catalogs_for, find_locality
    from gkcat.resolve.duties import duty_lists, find_department
    from gkcat.resolve.workplan import find_plan
    v = require_valid(directory)
    loc = find_locality(v.project, locality)
    if year is not None:
        plan = find_plan(loc, year)
        click.echo(dumps(plan_json(plan)) if fmt == "json" else plan_text(plan))
        return
    if department is not None:
        dept = find_department(duty_lists(v.resolver, loc, domain), department)
        click.echo(dumps(duties_json(loc, dept)) if fmt == "json" else duties_text(loc, dept))
        return
    cats = catalogs_for(v.resolver, loc, domain)
    click.echo(dumps(show_data(loc, cats)) if fmt == "json" else show_text(loc, cats))


@main.command(name="explain")
@click.argument("locality")
@click.argument("domain")
@click.argument("item")
@click.argument("field", required=False)
@click.option("--format", "fmt", type=zh.Choice(["text", "json"]), default="text", help="输出格式。")
@click.pass_obj
def explain_command(directory: Path, locality: str, domain: str, item: str, field: str | None, fmt: str) -> None:
    """说明一个事项每个字段（或只说明 FIELD，如 channels 或 公开渠道）的最终取值，以及逐级设置它的文件和行号。

    地区可写文件夹路径或名称（shenyang/liaozhong 或 辽中区），领域可写标识或名称（shehui-jiuzhu 或 社会救助）。
    """
    from gkcat.check.load import require_valid
    from gkcat.render.data import dumps, story_json
    from gkcat.render.text import story_text
    from gkcat.resolve.catalog import explain, find_domain, find_locality
    v = require_valid(directory)
    loc = find_locality(v.project, locality)
    story = explain(v.resolver, loc, find_domain(v.project, loc, domain), item, field)
    click.echo(dumps(story_json(story)) if fmt == "json" else story_text(story))


@main.command()
@click.pass_obj
def summary(directory: Path) -> None:
    """列出地区树及每个地区公开的领域数和事项数。"""
    from gkcat.check.load import require_valid
    from gkcat.render.text import summary_text
    from gkcat.resolve.catalog import catalogs_for
    v = require_valid(directory)
    rows = [(loc, catalogs_for(v.resolver, loc)) for loc in v.project.localities.values()]
    click.echo(summary_text(v.project.config.title, rows))


@main.command(name="build")
@click.option("-o", "--out", type=zh.PathType(path_type=Path), default=None, help="输出文件夹，默认为项目中的 site/。")
@click.option("-j", "--jobs", type=zh.IntRange(min=0), default=0, help="并行进程数，默认且最多为 CPU 核数。")
@click.option("--no-cache", "no_cache", is_flag=True, help="不读也不写项目缓存（.gkcat-cache/）。")
@click.pass_obj
def build_command(directory: Path, out: Path | None, jobs: int, no_cache: bool) -> None:
    """检查项目，通过后生成公开网站（HTML）、各地区的标准目录工作簿（XLSX）和总表。"""
    from gkcat.publish.pipeline import build

    report = build(directory, out, jobs, cache=not no_cache)
    for note in report.notes:
        click.echo(f"注意：{note}", err=True)
    click.echo(report.summary())


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听的地址；默认只有本机可以访问。")
@click.option("--port", type=zh.IntRange(0, 65535), default=8000, show_default=True, help="端口；0 为任选一个空闲端口。")
@click.option("-j", "--jobs", type=zh.IntRange(min=0), default=0, help="并行进程数，默认且最多为 CPU 核数。")
@click.pass_obj
def serve_command(directory: Path, host: str, port: int, jobs: int) -> None:
    """本地预览网站：生成到临时文件夹，修改项目文件后自动重新生成并刷新打开的页面。"""
    from gkcat.publish.serve import serve

    serve(directory, host, port, jobs, click.echo)


@main.command("diff")
@click.argument("a", required=False)
@click.argument("b", required=False)
@click.option("--rev", help="与 git 版本比较：REV（与工作区比）或 A..B（两个版本）。")
@click.option("--format", "fmt", type=DIFF_FORMATS, default="text", help="输出格式：text（默认）、markdown、json。")
@click.pass_obj
def diff_command(directory: Path, a: str | None, b: str | None, rev: str | None, fmt: str) -> None:
    """比较两个地区的最终目录，或比较某个版本与工作区（--rev）。退出码：0 相同，1 有差异，2 出错。"""
    from gkcat.compare.request import comparisons
    from gkcat.render.diff import diff_output
    found = comparisons(directory, a, b, rev)
    shown = [c for c in found if not c.same] or found[:1]
    style = (lambda text, colour: click.style(text, fg=_GIT_COLOURS[colour])) if _colour() else None
    click.echo(diff_output(shown, fmt, style) if style else diff_output(shown, fmt))
    sys.exit(0 if all(c.same for c in found) else 1)


def _outcome(out: Outcome) -> None:
    from gkcat.diagnostics.diagnostic import has_errors
    from gkcat.diagnostics.report import format_text
    from gkcat.render.diff import diff_output
    for line in out.report:
        click.echo(line)
    if out.changes:
        style = (lambda text, colour: click.style(text, fg=_GIT_COLOURS[colour])) if _colour() else None
        click.echo(diff_output(out.changes, "text", style) if style else diff_output(out.changes, "text"))
    if out.dry_run:
        click.echo("试运行（--dry-run）：" + ("以上是导入后的变化，" if out.changes else "导入后目录没有变化，") + "未写入任何文件")
        return
    for rel in out.written:
        click.echo(f"已写入 {rel}")
    if out.diagnostics:
        click.echo(format_text(out.diagnostics, colour=_colour()))
    if has_errors(out.diagnostics, False):
        _fail("写入的文件未通过检查，请按上面的提示修改", 1)
    click.echo("检查通过（gkcat validate）")


def _batch(batch: Batch) -> None:
    from gkcat.diagnostics.diagnostic import has_errors
    from gkcat.diagnostics.report import format_text
    from gkcat.render.diff import diff_output
    for res in batch.results:
        for line in res.lines:
            click.echo(line)
        if res.changes:
            style = (lambda text, colour: click.style(text, fg=_GIT_COLOURS[colour])) if _colour() else None
            click.echo(diff_output(res.changes, "text", style) if style else diff_output(res.changes, "text"))
        for rel in res.written:
            click.echo(f"已写入 {rel}")
        if has_errors(res.diagnostics, False):
            click.echo(format_text(res.diagnostics, colour=_colour()))
        click.echo("")
    dry = "，试运行（--dry-run）：未写入任何文件" if batch.dry_run else ""
    click.echo(f"共 {len(batch.results)} 份填报表（按文件路径的顺序导入）{dry}：")
    for line in batch.summary():
        click.echo(line)
    if batch.commit_message():
        click.echo(f"建议的提交说明：{batch.commit_message()}")
    sys.exit(batch.exit_code)


@main.command("init")
@click.argument("folder", type=zh.PathType(file_okay=False, path_type=Path))
@click.option("--name", required=True, help="顶层地区名称，如 某某市。")
@click.option("--level", default="city", type=zh.Choice(["province", "city", "county", "town"]), help="顶层地区的层级。")
@click.option("--id", "root_id", default=None, help="顶层地区的文件夹名（小写字母、数字、连字符），默认取 FOLDER 的名称。")
def init_command(folder: Path, name: str, level: str, root_id: str | None) -> None:
    """建立新项目：gkcat.yaml、26 个国家试点领域和顶层地区（部门表待填写）。"""
    from gkcat.ingest.init import init_project
    _outcome(init_project(folder, name, level, root_id or folder.resolve().name.lower()))


@main.group("import")
def import_group() -> None:
    """把已有的标准目录表（Excel 工作簿或网页表格）导入项目。"""


_FILE = zh.PathType(exists=True, dir_okay=False, path_type=Path)


_DRY_RUN = click.option("--dry-run", is_flag=True, help="只显示导入后目录的变化（与 gkcat diff 相同的写法），不写入任何文件。")


@import_group.command("xlsx")
@click.argument("files", nargs=-1, required=True, type=zh.PathType(exists=True, path_type=Path))
@click.option("--locality", help="导入到哪个地区（文件夹路径或名称）；填报表自带地区，不用给出。")
@click.option("--domain", help="领域标识或名称；不给时按表的标题判断。")
@click.option("--sheet", help="只导入这个工作表；不给时导入每个是标准目录表的工作表。")
@click.option("--force", is_flag=True, help="写入已有的领域文件：只改动不同之处，保留注释。")
@click.option("--conflicts", type=zh.Choice([KEEP, TAKE]), default=KEEP, show_default=True,
              help="填报表与目录都改了同一格子且不同时：keep 保留目录现在的值，take 写入填报的值。")
@_DRY_RUN
@click.pass_obj
def import_xlsx(directory: Path, files: tuple[Path, ...], locality: str | None, domain: str | None, sheet: str | None,
                force: bool, conflicts: str, dry_run: bool) -> None:
    """导入 Excel 工作簿中的标准目录表，或交回的填报表（一个或多个文件；文件夹即其中每个 .xlsx）。"""
    from gkcat.ingest.batch import import_workbooks
    done = import_workbooks(directory, list(files), locality, domain, sheet, force, dry_run, conflicts)
    from gkcat.ingest.writer import Outcome

    if isinstance(done, Outcome):
        _outcome(done)
        return
    _batch(done)


@import_group.command("html")
@click.argument("file", type=_FILE)
@click.option("--locality", required=True, help="导入到哪个地区（文件夹路径）。")
@click.option("--domain", help="领域标识；不给时按表格前的标题判断。")
@click.option("--table", "sheet", help="只导入第几个表格（如 表格2）。")
@click.option("--force", is_flag=True, help="写入已有的领域文件：只改动不同之处，保留注释。")
@_DRY_RUN
@click.pass_obj
def import_html(directory: Path, file: Path, locality: str, domain: str | None, sheet: str | None, force: bool,
                dry_run: bool) -> None:
    """导入从政府网站保存的网页中的标准目录表。"""
    from gkcat.ingest.importer import import_file
    _outcome(import_file(directory, "html", file, locality, domain, sheet, force, dry_run))


@main.command("form")
@click.argument("locality")
@click.option("--department", default=None, metavar="DEPT",
              help="只给这个部门（角色或名称）：它在本地区公开的事项，以及它牵头的领域中新增事项的空行。")
@click.option("-o", "--out", type=zh.PathType(dir_okay=False, path_type=Path), default=None,
              help="写到哪个文件，默认为当前文件夹中的“<地区文件夹名>-填报表.xlsx”（部门的为“<地区文件夹名>-<角色>-填报表.xlsx”）。")
@click.option("--force", is_flag=True, help="替换已有的填报表（只替换 gkcat 填报表，其他文件从不覆盖）。")
@click.pass_obj
def form_command(directory: Path, locality: str, department: str | None, out: Path | None, force: bool) -> None:
    """生成一个地区（或其中一个部门）的填报表（Excel）：调整目录后交回，用 gkcat import xlsx 导入。"""
    from gkcat.publish.forms import write_form
    path = write_form(directory, locality, out, force, department)
    click.echo(f"已写入 {path}")


@main.group("round")
def round_group() -> None:
    """填报轮次：一次把填报表发给各部门和乡镇，分批收回，查看谁已交回。"""


@round_group.command("start")
@click.argument("name")
@click.argument("locality")
@click.option("-o", "--out", type=zh.PathType(file_okay=False, path_type=Path), default=None,
              help="填报表写到哪个文件夹（须为新的或空的），默认为当前文件夹中以轮次名称命名的文件夹。")
@click.pass_obj
def round_start(directory: Path, name: str, locality: str, out: Path | None) -> None:
    """开始一轮：为 LOCALITY 及其下级写出每份填报表（县级以上每个部门一份，每个乡镇一份）和登记表，并在项目中记录本轮。"""
    from gkcat.model.rounds import REGISTER
    from gkcat.publish.forms import start_round
    started = start_round(directory, name, locality, out)
    for f in started.forms:
        click.echo(f"已写入 {started.folder / f.file}（{f.unit}，{f.items} 项）")
    click.echo(f"已写入 {started.folder / REGISTER}")
    click.echo(f"已写入 {started.record}（本轮的记录，请提交到 git）")
    if started.uncovered:
        click.echo(f"注意：按名称填写的公开主体（{'、'.join(started.uncovered)}）不是部门表中的部门，它们的事项不在任何部门的填报表中")
    click.echo(f"共 {len(started.forms)} 份填报表。交回后：gkcat import xlsx {started.folder}/；查看：gkcat round status {name}")


@round_group.command("status")
@click.argument("name")
@click.option("--format", "fmt", type=DIFF_FORMATS, default="text", help="输出格式：text、markdown、json。")
@click.pass_obj
def round_status(directory: Path, name: str, fmt: str) -> None:
    """本轮每份填报表：是否交回、何时导入、写入和冲突的数目、填报人和联系电话。"""
    from gkcat.check.load import require_valid
    from gkcat.ingest.rounds import read_round
    from gkcat.render.data import dumps
    from gkcat.render.rounds import status_json, status_markdown, status_text
    v = require_valid(directory)
    record = read_round(v.project.root_dir, name)
    click.echo({"json": lambda: dumps(status_json(record, v.project)), "markdown": lambda: status_markdown(record, v.project),
                "text": lambda: status_text(record, v.project)}[fmt]())


@main.command("assess")
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


@main.command("check-links")
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
    fmt = fmt or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    report = check_links(directory, LinkOptions(locality, timeout, jobs, max_age))
    click.echo({"json": links_json, "github": links_github, "text": links_text}[fmt](report))
    sys.exit(1 if report.dead else 0)


@main.group("workplan")
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


def run() -> None:
    """The `gkcat` program (and `python -m gkcat`): `main`, then out of the process at once.

    Everything a command writes is written and closed when it returns; what is left is tearing down the
    heap object by object, which took 0.7 s after validating a province of 1,500 localities. So, as mypy
    does, the process ends there, once what was printed is flushed.
    """
    try:
        main()
        code: object = 0
    except SystemExit as done:
        code = done.code
    if isinstance(code, str):  # as sys.exit would
        print(code, file=sys.stderr)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a reader that went away (gkcat ... | head)
            stream.flush()
    os._exit(code if isinstance(code, int) else 0 if code is None else 1)
