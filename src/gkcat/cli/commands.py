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
from pathlib import Path
from typing import Any

import click

import gkcat.cli.zh as zh
from gkcat import __version__
from gkcat.cli.collect import COMMANDS as WRITING
from gkcat.cli.review import COMMANDS as REVIEWING
from gkcat.cli.shell import DIFF_FORMATS, FORMATS, colour, echo_diff, fail, report_format, say
from gkcat.errors import GkcatError, os_error_message


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
            fail(zh.usage_message(err), 2)
        except click.exceptions.Abort:
            fail("已中断", 2)
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except GkcatError as err:
            fail(str(err), err.exit_code, err.details)
        except OSError as err:  # a read-only or full disk, a file where a folder should be ...
            fail(os_error_message(err), 2)
        except KeyboardInterrupt:
            fail("已中断：没有写入任何未完成的文件", 2)


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
    fmt = report_format(fmt)
    loaded = load_project(directory, cache=not no_cache)
    for note in loaded.notes:
        say(f"注意：{note}", err=True)
    diags = loaded.diagnostics
    report: Callable[[], str] = {
        "json": lambda: to_json(diags, strict),
        "github": lambda: format_github(diags, strict),
        "text": lambda: format_text(diags, colour=colour(), strict=strict),
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
        say(f"注意：{note}", err=True)
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
    found = comparisons(directory, a, b, rev)
    shown = [c for c in found if not c.same] or found[:1]
    echo_diff(shown, fmt)
    sys.exit(0 if all(c.same for c in found) else 1)


# the commands that write into the project, and those that review what it publishes
for command in (*WRITING, *REVIEWING):
    main.add_command(command)


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
