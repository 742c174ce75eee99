"""Module dependencies point one way: files -> sources -> models -> resolve -> renderers -> cli."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "gkcat"

# module -> gkcat modules it must not import (directly)
FORBIDDEN = {
    "diagnostics.diagnostic": {"*"},
    "errors": {"check.load", "cli.commands", "source.tree", "build.pipeline", "model.files", "model.project", "resolve.resolver"},
    "model.files": {"*"},
    "source.yamldoc": {"source.tree", "model.project", "resolve.resolver", "check.load", "cli.commands", "resolve.catalog"},
    "source.tree": {"model.files", "model.project", "resolve.resolver", "check.load", "cli.commands", "resolve.catalog"},
    "model.project": {"resolve.resolver", "check.load", "cli.commands", "resolve.catalog"},
    "resolve.resolver": {"check.load", "cli.commands", "resolve.catalog", "render.data", "render.text"},
    "resolve.catalog": {"check.load", "cli.commands"},
    "render.data": {"check.load", "cli.commands", "source.tree"},
    "render.text": {"check.load", "cli.commands", "source.tree"},
    # renderers of the site and of diffs return content; only the pipeline (and revisions, for git) do I/O
    "render.site.pages": {"check.load", "cli.commands", "source.tree", "build.pipeline", "compare.revisions"},
    "render.site.tables": {"check.load", "cli.commands", "source.tree", "build.pipeline", "compare.revisions"},
    "render.site.history": {"check.load", "cli.commands", "source.tree", "build.pipeline", "compare.revisions"},
    "render.site.search": {"check.load", "cli.commands", "source.tree", "build.pipeline", "compare.revisions"},
    "render.site.jinja": {"check.load", "cli.commands", "build.pipeline", "compare.revisions"},  # sources: only the name of templates/
    "build.outputs": {"check.load", "cli.commands", "source.tree", "build.pipeline", "compare.revisions"},
    "resolve.spread": {"check.load", "cli.commands", "source.tree", "build.pipeline", "resolve.catalog"},
    "compare.diff": {"check.load", "cli.commands", "source.tree", "build.pipeline", "compare.revisions"},
    "render.diff": {"check.load", "cli.commands", "source.tree", "build.pipeline", "compare.revisions"},
    "compare.revisions": {"cli.commands", "build.pipeline"},
    # grids reads the tables given to import through sources.read_input (regular files only)
    "ingest.grids": {"check.load", "cli.commands", "build.pipeline", "resolve.resolver", "model.project", "ingest.writer", "model.files", "resolve.catalog"},
    "ingest.table_reader": {"check.load", "cli.commands", "source.tree", "build.pipeline", "resolve.resolver", "model.project", "ingest.writer"},
    "ingest.planner": {"check.load", "cli.commands", "source.tree", "build.pipeline", "ingest.writer", "ingest.grids"},
    "ingest.writer": {"cli.commands", "build.pipeline"},
    "ingest.bounds": {"check.load", "cli.commands", "build.pipeline", "resolve.resolver", "model.project", "ingest.writer", "model.files", "resolve.catalog", "ingest.grids"},
    "build.outfolder": {"check.load", "cli.commands", "build.pipeline", "resolve.resolver", "model.project", "resolve.catalog", "compare.revisions"},
}


def gkcat_imports(module: str) -> set[str]:
    tree = ast.parse((PACKAGE / f"{module.replace('.', '/')}.py").read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("gkcat."):
            out.add((node.module or "").split(".", 1)[-1])
    return out


def test_imports_point_one_way():
    for module, forbidden in FORBIDDEN.items():
        found = gkcat_imports(module)
        bad = found if "*" in forbidden else found & forbidden
        assert not bad, f"{module} imports {sorted(bad)}"


def test_only_sources_reads_and_only_the_pipeline_writes():
    # sources reads the project; pipeline writes the output (outfolder reads back its own manifest); revisions has git write an old version into a temporary folder; grids reads the
    # tables given to `gkcat import`; scaffold writes what `gkcat init` and `gkcat import` create
    readers = ("source/tree", "build/pipeline", "build/outfolder", "ingest/bounds", "model/schema", "compare/revisions",
               "ingest/grids", "ingest/writer", "__main__")
    for path in PACKAGE.rglob("*.py"):
        if path.relative_to(PACKAGE).with_suffix("").as_posix() in readers:
            continue
        text = path.read_text(encoding="utf-8")
        for call in ("read_bytes(", "read_text(", "open(", "write_text(", "write_bytes("):
            assert call not in text, f"{path.name} calls {call}"


def test_modules_stay_small():
    for path in PACKAGE.rglob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 320, path.name
