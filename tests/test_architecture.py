"""Module dependencies point one way: files -> sources -> models -> resolve -> renderers -> cli."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "gkcat"

# module -> gkcat modules it must not import (directly)
FORBIDDEN = {
    "diagnostics": {"*"},
    "errors": {"validate", "cli", "sources", "pipeline", "models", "project", "resolve"},
    "models": {"*"},
    "yamlsource": {"sources", "project", "resolve", "validate", "cli", "catalog"},
    "sources": {"models", "project", "resolve", "validate", "cli", "catalog"},
    "project": {"resolve", "validate", "cli", "catalog"},
    "resolve": {"validate", "cli", "catalog", "render_json", "render_text"},
    "catalog": {"validate", "cli"},
    "render_json": {"validate", "cli", "sources"},
    "render_text": {"validate", "cli", "sources"},
    # renderers of the site and of diffs return content; only the pipeline (and revisions, for git) do I/O
    "site_pages": {"validate", "cli", "sources", "pipeline", "revisions"},
    "site_tables": {"validate", "cli", "sources", "pipeline", "revisions"},
    "site_history": {"validate", "cli", "sources", "pipeline", "revisions"},
    "search_index": {"validate", "cli", "sources", "pipeline", "revisions"},
    "render_html": {"validate", "cli", "pipeline", "revisions"},  # sources: only the name of templates/
    "outputs": {"validate", "cli", "sources", "pipeline", "revisions"},
    "overview": {"validate", "cli", "sources", "pipeline", "catalog"},
    "diff": {"validate", "cli", "sources", "pipeline", "revisions"},
    "render_diff": {"validate", "cli", "sources", "pipeline", "revisions"},
    "revisions": {"cli", "pipeline"},
    # grids reads the tables given to import through sources.read_input (regular files only)
    "grids": {"validate", "cli", "pipeline", "resolve", "project", "scaffold", "models", "catalog"},
    "table_reader": {"validate", "cli", "sources", "pipeline", "resolve", "project", "scaffold"},
    "importer": {"validate", "cli", "sources", "pipeline", "scaffold", "grids"},
    "scaffold": {"cli", "pipeline"},
    "bounds": {"validate", "cli", "pipeline", "resolve", "project", "scaffold", "models", "catalog", "grids"},
    "outfolder": {"validate", "cli", "pipeline", "resolve", "project", "catalog", "revisions"},
}


def gkcat_imports(module: str) -> set[str]:
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            out.add(node.module or "")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("gkcat"):
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
    for path in PACKAGE.glob("*.py"):
        if path.stem in ("sources", "pipeline", "outfolder", "bounds", "schema", "revisions", "grids", "scaffold", "__main__"):
            continue
        text = path.read_text(encoding="utf-8")
        for call in ("read_bytes(", "read_text(", "open(", "write_text(", "write_bytes("):
            assert call not in text, f"{path.name} calls {call}"


def test_modules_stay_small():
    for path in PACKAGE.glob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 320, path.name
