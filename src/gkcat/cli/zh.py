"""click in Chinese: every word the command line itself says (usage errors, help headings, value errors).

click's own messages are English and come through gettext, which a tool cannot switch for its users. So
gkcat's commands use these classes: parameter types whose errors are Chinese, commands whose help has
Chinese headings, and one function that turns any usage error into the usage line, a hint and a Chinese
message, exit code 2 (docs/cli.md).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import click

HELP = "显示本帮助并退出。"
OPTIONS = "[选项]"


class _Zh:
    """A parameter type whose failure says in Chinese what was given and what is expected."""

    def expected(self, value: Any) -> str:
        raise NotImplementedError

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)  # type: ignore[misc]  # the click type mixed in
        except click.BadParameter:
            raise click.BadParameter(f"“{value}”{self.expected(value)}", ctx, param) from None


class Choice(_Zh, click.Choice):
    def expected(self, value: Any) -> str:
        return f"不是可选的值：可选 {'、'.join(str(c) for c in self.choices)}"


class Level(Choice):
    """A level by its id or by what people call it (县级, 乡镇级 ...): the id is what the command gets."""

    def __init__(self, ids: Sequence[str]) -> None:
        from gkcat.model.vocabulary import LEVEL_NAMES, LEVEL_ZH
        self.ids = list(ids)
        self.names = {name: lv for name, lv in LEVEL_NAMES.items() if lv in self.ids}
        super().__init__([*self.ids, *(LEVEL_ZH[lv] for lv in self.ids)])

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and value.strip() in self.names:
            return self.names[value.strip()]
        return super().convert(value, param, ctx)


class IntRange(_Zh, click.IntRange):
    def expected(self, value: Any) -> str:
        if self.min is not None and self.max is not None:
            return f"应为 {self.min} 到 {self.max} 之间的整数"
        return f"应为不小于 {self.min} 的整数" if self.min is not None else f"应为不大于 {self.max} 的整数"


class Int(_Zh, click.types.IntParamType):
    def expected(self, value: Any) -> str:
        return "不是整数"


class Float(_Zh, click.types.FloatParamType):
    def expected(self, value: Any) -> str:
        return "不是数"


class Date(_Zh, click.DateTime):
    def __init__(self) -> None:
        super().__init__(formats=["%Y-%m-%d"])

    def expected(self, value: Any) -> str:
        return "不是日期：应写成 YYYY-MM-DD，如 2026-12-31"


class PathType(_Zh, click.Path):
    def expected(self, value: Any) -> str:
        import os

        if self.exists and not os.path.lexists(value):
            return "不存在"
        if not self.dir_okay and os.path.isdir(value):
            return "是文件夹，应为文件"
        if not self.file_okay and os.path.exists(value) and not os.path.isdir(value):
            return "是文件，应为文件夹"
        return "无法使用"


_DEFAULT = re.compile(r"\[default: (.*?)\]")


def _help_records(cmd: click.Command, ctx: click.Context) -> list[tuple[str, str]]:
    out = []
    for p in cmd.get_params(ctx):
        record = p.get_help_record(ctx) if isinstance(p, click.Option) else None  # arguments are in the usage line
        if record is not None:
            text = _DEFAULT.sub(lambda m: f"［默认：{m.group(1)}］", record[1]).replace("[required]", "［必填］")
            out.append((record[0], text))
    return out


class _Help:
    """Help in Chinese: the usage line, the option list, the help option's own line."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", OPTIONS)
        super().__init__(*args, **kwargs)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option: click.Option | None = super().get_help_option(ctx)  # type: ignore[misc]  # on a click.Command
        if option is not None:
            option.help = HELP
        return option

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]  # on a click.Command
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix="用法：")

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        records = _help_records(self, ctx)  # type: ignore[arg-type]  # on a click.Command
        if records:
            with formatter.section("选项"):
                formatter.write_dl(records)


class Command(_Help, click.Command):
    """A command whose help is Chinese throughout."""


class Group(_Help, click.Group):
    """A group of commands whose help is Chinese throughout; its commands are `Command`s."""

    command_class = Command
    group_class = type  # subgroups are of this class too

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_options(ctx, formatter)
        commands = [(name, cmd) for name in self.list_commands(ctx) if (cmd := self.get_command(ctx, name)) is not None
                    and not cmd.hidden]
        if commands:
            width = formatter.width - 6 - max(len(name) for name, _ in commands)
            with formatter.section("命令"):
                formatter.write_dl([(name, cmd.get_short_help_str(width)) for name, cmd in commands])


_EXTRA = re.compile(r"^Got unexpected extra arguments? \((.*)\)$", re.S)
_NO_COMMAND = re.compile(r"^No such command '(.*)'\.$", re.S)


def usage_message(err: click.ClickException) -> str:
    """A click error as one Chinese sentence."""
    if isinstance(err, click.MissingParameter) and err.param is not None:
        kind = "参数" if isinstance(err.param, click.Argument) else "选项"
        return f"缺少{kind} {err.param.get_error_hint(err.ctx) if err.ctx else err.param.name}".replace("'", "")
    if isinstance(err, click.BadParameter):
        hint = (err.param.get_error_hint(err.ctx) if err.param is not None and err.ctx else err.param_hint) or ""
        return f"{str(hint).replace(chr(39), '')} 的值无效：{err.message}"
    if isinstance(err, click.NoSuchOption):
        maybe = f"，是否为 {'、'.join(sorted(err.possibilities))}？" if err.possibilities else ""
        return f"没有选项 {err.option_name}{maybe}"
    if isinstance(err, click.BadOptionUsage):
        takes = "不带值" if "does not take" in err.message else "需要一个值"
        return f"选项 {err.option_name} {takes}"
    if m := _EXTRA.match(err.message):
        return f"多余的参数：{m.group(1)}"
    if m := _NO_COMMAND.match(err.message):
        return f"没有命令“{m.group(1)}”"
    if err.message == "Missing command.":
        return "缺少命令"
    return f"命令行有误：{err.message}"


def usage_lines(err: click.ClickException) -> Sequence[str]:
    """The usage line and the help hint of the command the error is about (nothing for other errors)."""
    ctx = getattr(err, "ctx", None)
    if not isinstance(err, click.UsageError) or ctx is None:
        return []
    names = ctx.help_option_names
    hint = f"查看帮助：{ctx.command_path} {names[0]}" if names else ""
    return [ctx.get_usage(), hint]
