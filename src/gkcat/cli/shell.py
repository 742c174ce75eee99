"""What every command module shares: how a command fails, whether to colour, the output formats."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, NoReturn

import click

import gkcat.cli.zh as zh

if TYPE_CHECKING:
    from gkcat.compare.diff import Comparison

FORMATS = zh.Choice(["text", "json", "github"])
DIFF_FORMATS = zh.Choice(["text", "markdown", "json"])


def safe(text: str) -> str:
    """Text as gkcat prints it: each line with its control characters (bidirectional overrides too) written as
    escapes. Messages quote catalog text, cells and file names, which must not drive a terminal or a CI log."""
    from gkcat.diagnostics.diagnostic import visible
    return "\n".join(visible(line) for line in text.split("\n"))


def say(text: str, err: bool = False) -> None:
    click.echo(safe(text), err=err)


def fail(message: str, code: int, details: str = "") -> NoReturn:
    if details:
        say(details, err=True)
    say(f"gkcat: {message}", err=True)
    sys.exit(code)


def report_format(fmt: str | None) -> str:
    """The format asked for; else GitHub's annotations in GitHub Actions, else text."""
    return fmt or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")


def colour() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def echo_diff(changes: list[Comparison], fmt: str) -> None:
    """Catalog changes as `gkcat diff` prints them, coloured as git colours them on a terminal."""
    from gkcat.render.diff import diff_output
    if colour():
        click.echo(diff_output(changes, fmt, lambda text, name: click.style(text, fg=name)))
    else:
        click.echo(diff_output(changes, fmt))
