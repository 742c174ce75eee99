"""The site's HTML: jinja2 templates (a project's own `templates/` folder wins over gkcat's), with
autoescaping and StrictUndefined. Renderers return bytes; the build pipeline writes them."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.loaders import split_template_path
from markupsafe import Markup

from gkcat.errors import GkcatError
from gkcat.model.fields import FIELDS
from gkcat.model.vocabulary import is_http_link
from gkcat.render.site.pages import Page
from gkcat.source.files import TEMPLATES, inside
from gkcat.source.memo import Kind, Memo


def builtin_templates() -> Path:
    """gkcat's own templates: packaged as gkcat/templates, or the checkout's top-level templates/."""
    package = Path(__file__).resolve().parents[2]  # gkcat/render/site/jinja.py -> gkcat/
    packaged = package / "templates"
    return packaged if packaged.is_dir() else package.parent.parent / "templates"  # src/gkcat -> checkout


def template_dirs(project_dir: Path) -> list[Path]:
    """Where templates are looked up, first match wins: the project's templates/, then gkcat's."""
    own = project_dir / TEMPLATES
    return ([own] if own.is_dir() else []) + [builtin_templates()]


class _ContainedLoader(FileSystemLoader):
    """A FileSystemLoader that never reads a template whose real path leaves `root`.

    Git stores symlinks, so a merged `templates/x.html -> /etc/passwd` plus an include would
    otherwise publish a CI machine's file. Validation reports such links (GK108); this holds
    even for a build that skipped it.
    """

    def __init__(self, folder: Path, root: Path):
        super().__init__(str(folder))
        self.root = root

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        for base in self.searchpath:
            candidate = Path(base, *split_template_path(template))
            if candidate.is_file():
                if not inside(candidate, self.root):
                    raise TemplateFailure(f"模板 {template} 是指向项目之外或 .git 文件夹中的符号链接，已拒绝读取")
                break
        return super().get_source(environment, template)


def http_link(value: object) -> bool:
    """Only http(s) links become links; anything else (javascript:, data:) stays text."""
    return isinstance(value, str) and is_http_link(value)


def environment(dirs: list[Path], project_dir: Path | None = None) -> Environment:
    # a folder inside the project may link anywhere in the project; gkcat's own stay in their folder
    roots = [project_dir if project_dir is not None and inside(d, project_dir) else d for d in dirs]
    env = Environment(
        loader=ChoiceLoader([_ContainedLoader(d, root) for d, root in zip(dirs, roots, strict=True)]),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.tests["http_link"] = http_link
    return env


class TemplateFailure(GkcatError):
    """A template could not be rendered; the message names the template and line, in Chinese."""


def _failure(err: TemplateError, template: str) -> TemplateFailure:
    where = f"{err.filename or err.name}:{err.lineno}" if isinstance(err, TemplateSyntaxError) else template
    tb = err.__traceback__
    while tb is not None:  # jinja maps template code to the template's file and line
        if tb.tb_frame.f_code.co_filename.endswith(".html"):
            where = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    return TemplateFailure(f"模板出错（{where}）：{err.message or err}")


ROW_TEMPLATE, DUTY_ROW_TEMPLATE = "table_row.html", "duty_row.html"
LABELS = {f.id: f.label for f in FIELDS}
# A table or duty-list row's HTML, by the templates, the row template and the row: a town's table repeats most of
# its county's rows, and a duty-list row is the same in every locality that lists it. A few KB each.
HTML_ROW: Kind[Markup] = Kind("html-row", bound=65536)


class Templates:
    """The templates, compiled once per process (before build workers fork, so each has them compiled) and
    kept in the memo for a session's next build. `print`: a digest of their files and folders."""

    def __init__(self, dirs: list[Path], project_dir: Path | None, print: str):
        self.dirs = dirs
        self.project_dir = project_dir
        self.print = print
        self._env: Environment | None = None

    def environment(self) -> Environment:
        if self._env is None:
            self._env = environment(self.dirs, self.project_dir)
            self._env.globals["labels"] = LABELS  # the field registry's column headers, for every template
        return self._env

    def prepare(self) -> None:
        """Compile every template now: before build workers fork, each then has them compiled (and a
        session's next build too). One that does not compile fails when a page asks for it, as before."""
        env, own = self.environment(), builtin_templates()
        # gkcat's own names (a project's file of the same name is the one compiled); not a listing of
        # the project's folder, which may hold links that validation refuses
        for path in sorted(own.glob("*.*")):
            if path.suffix in (".html", ".xml"):
                with contextlib.suppress(TemplateError, TemplateFailure):
                    env.get_template(path.name)


class HtmlRenderer:
    """Renders a build's pages from the templates, with each distinct row rendered once through the build's memo.

    The table template asks `row_cells(r, extra_keys, extra_labels)`, the duty list `duty_row(x)`: both are
    given to every page with its view, and render their row from table_row.html or duty_row.html.
    """

    def __init__(self, templates: Templates, memo: Memo):
        self.templates = templates
        self._memo = memo
        self._env = templates.environment()

    def _fragment(self, template: str, context: dict[str, Any]) -> Markup:
        return Markup(self._env.get_template(template).render(context))

    def _row_cells(self, row: Any, extra_keys: tuple[str, ...], extra_labels: tuple[str, ...] = ()) -> Markup:
        key = (self.templates.print, ROW_TEMPLATE, row.key, extra_keys, extra_labels)
        return self._memo.call(HTML_ROW, key, self._fragment, ROW_TEMPLATE,
                               {"r": row, "extra_keys": extra_keys, "extra_labels": extra_labels})

    def _duty_row(self, x: Hashable) -> Markup:
        # a duty-list row links within its own folder, so it is the same HTML in every locality that lists it
        return self._memo.call(HTML_ROW, (self.templates.print, DUTY_ROW_TEMPLATE, x), self._fragment,
                               DUTY_ROW_TEMPLATE, {"x": x})

    def render(self, template: str, page: Page, view: Any, **extra: Any) -> bytes:
        try:
            html = self._env.get_template(template).render(page=page, view=view, row_cells=self._row_cells,
                                                           duty_row=self._duty_row, **extra)
        except TemplateError as err:
            raise _failure(err, template) from None
        return html.encode("utf-8")
