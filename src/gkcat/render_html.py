"""The site's HTML: jinja2 templates (a project's own `templates/` folder wins over gkcat's), with
autoescaping and StrictUndefined. Renderers return bytes; the build pipeline writes them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, TemplateError, TemplateSyntaxError

from .site_pages import Page

_HTTP = re.compile(r"^https?://[^\s<>\"']+$")


def builtin_templates() -> Path:
    """gkcat's own templates: packaged as gkcat/templates, or the checkout's top-level templates/."""
    here = Path(__file__).resolve().parent
    packaged = here / "templates"
    return packaged if packaged.is_dir() else here.parent.parent / "templates"


def template_dirs(project_dir: Path) -> list[Path]:
    """Where templates are looked up, first match wins: the project's templates/, then gkcat's."""
    own = project_dir / "templates"
    return ([own] if own.is_dir() else []) + [builtin_templates()]


def http_link(value: object) -> bool:
    """Only http(s) links become links; anything else (javascript:, data:) stays text."""
    return isinstance(value, str) and bool(_HTTP.match(value))


def environment(dirs: list[Path]) -> Environment:
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(d)) for d in dirs]),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.tests["http_link"] = http_link
    return env


class TemplateFailure(Exception):
    """A template could not be rendered; the message names the template and line, in Chinese."""


def _failure(err: TemplateError, template: str) -> TemplateFailure:
    where = f"{err.filename or err.name}:{err.lineno}" if isinstance(err, TemplateSyntaxError) else template
    tb = err.__traceback__
    while tb is not None:  # jinja maps template code to the template's file and line
        if tb.tb_frame.f_code.co_filename.endswith(".html"):
            where = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    return TemplateFailure(f"模板出错（{where}）：{err.message or err}")


class HtmlRenderer:
    """Renders pages; templates are compiled once per process (after fork, in each worker)."""

    def __init__(self, dirs: list[Path]):
        self.dirs = dirs
        self._env: Environment | None = None

    def render(self, template: str, page: Page, view: Any, **extra: Any) -> bytes:
        if self._env is None:
            self._env = environment(self.dirs)
        try:
            html = self._env.get_template(template).render(page=page, view=view, **extra)
        except TemplateError as err:
            raise _failure(err, template) from None
        return html.encode("utf-8")
