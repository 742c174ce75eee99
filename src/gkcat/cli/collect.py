"""The commands that write into the project: init, import, the fill-in forms and the collection rounds."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

import gkcat.cli.zh as zh
from gkcat.cli.shell import DIFF_FORMATS, colour, echo_diff, fail, say
from gkcat.ingest import KEEP, TAKE

if TYPE_CHECKING:  # a command imports what it runs when it runs: `gkcat --help` and `validate` start fast
    from gkcat.ingest.batch import Batch
    from gkcat.ingest.writer import Outcome


def _outcome(out: Outcome) -> None:
    from gkcat.diagnostics.diagnostic import has_errors
    from gkcat.diagnostics.report import format_text
    for line in out.report:
        say(line)
    if out.changes:
        echo_diff(out.changes, "text")
    if out.dry_run:
        click.echo("试运行（--dry-run）：" + ("以上是导入后的变化，" if out.changes else "导入后目录没有变化，") + "未写入任何文件")
        return
    for rel in out.written:
        click.echo(f"已写入 {rel}")
    if out.diagnostics:
        click.echo(format_text(out.diagnostics, colour=colour()))
    if has_errors(out.diagnostics, False):
        fail("写入的文件未通过检查，请按上面的提示修改", 1)
    click.echo("检查通过（gkcat validate）")


def _batch(batch: Batch) -> None:
    from gkcat.diagnostics.diagnostic import has_errors
    from gkcat.diagnostics.report import format_text
    for res in batch.results:
        for line in res.lines:
            say(line)
        if res.changes:
            echo_diff(res.changes, "text")
        for rel in res.written:
            click.echo(f"已写入 {rel}")
        if has_errors(res.diagnostics, False):
            click.echo(format_text(res.diagnostics, colour=colour()))
        click.echo("")
    dry = "，试运行（--dry-run）：未写入任何文件" if batch.dry_run else ""
    click.echo(f"共 {len(batch.results)} 份填报表（按文件路径的顺序导入）{dry}：")
    for line in batch.summary():
        say(line)
    if batch.commit_message():
        say(f"建议的提交说明：{batch.commit_message()}")
    sys.exit(batch.exit_code)


@click.command("init", cls=zh.Command)
@click.argument("folder", type=zh.PathType(file_okay=False, path_type=Path))
@click.option("--name", required=True, help="顶层地区名称，如 某某市。")
@click.option("--level", default="city", type=zh.Level(["province", "city", "county", "town"]),
              help="顶层地区的层级（英文标识或中文名称，如 county 或 县级）。")
@click.option("--id", "root_id", default=None, help="顶层地区的文件夹名（小写字母、数字、连字符），默认取 FOLDER 的名称。")
def init_command(folder: Path, name: str, level: str, root_id: str | None) -> None:
    """建立新项目：gkcat.yaml、26 个国家试点领域和顶层地区（部门表待填写）。"""
    from gkcat.ingest.init import init_project
    _outcome(init_project(folder, name, level, root_id or folder.resolve().name.lower()))


@click.group("import", cls=zh.Group)
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


@click.command("form", cls=zh.Command)
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


@click.group("round", cls=zh.Group)
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
        say(f"已写入 {started.folder / f.file}（{f.unit}，{f.items} 项）")
    click.echo(f"已写入 {started.folder / REGISTER}")
    click.echo(f"已写入 {started.record}（本轮的记录，请提交到 git）")
    if started.uncovered:
        say(f"注意：按名称填写的公开主体（{'、'.join(started.uncovered)}）不是部门表中的部门，它们的事项不在任何部门的填报表中")
    if started.unsent:
        units = "、".join(dict.fromkeys(u.department.name for u in started.unsent))
        say(f"注意：{units}的事项没有发出填报表（上级部门负责的，或由各乡镇在自己的填报表中填写），已列在登记表的“未发出的事项”中")
    # the next steps as they work when typed: with -C when it was given, paths quoted for the shell
    project = "" if directory == Path(".") else f"-C {shlex.quote(str(directory))} "
    say(f"共 {len(started.forms)} 份填报表。交回后：gkcat {project}import xlsx {shlex.quote(str(started.folder))}/；"
        f"查看：gkcat {project}round status {shlex.quote(name)}")


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
    if fmt == "json":
        click.echo(dumps(status_json(record, v.project)))
    else:  # what units typed on their covers is quoted: printed safe
        say(status_markdown(record, v.project) if fmt == "markdown" else status_text(record, v.project))


COMMANDS = (init_command, import_group, form_command, round_group)
