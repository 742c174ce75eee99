"""The package tree is the pipeline, and imports point one way along it (README, CONTRIBUTING.md).

Every module is checked by the package it lives in, imports under TYPE_CHECKING included, and the
import graph of all modules has no cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "gkcat"

# Lower first. A module may import from its own package and from packages of a lower rank only;
# packages of the same rank (compare, render; ingest) may not import each other.
RANKS = {
    "diagnostics": 0, "errors": 1, "source": 2, "model": 3, "resolve": 4, "check": 5,
    "compare": 6, "render": 7, "ingest": 7, "links": 7, "assess": 8, "publish": 9, "cli": 10, "__main__": 11,
}
# Further arrows that would point the wrong way inside a rank or a package.
FORBIDDEN = {
    ("render.site", "render.xlsx"),  # the site links workbooks by path (render/site/urls), never renders them
    ("render.xlsx", "render.site.pages"), ("render.xlsx", "render.site.tables"), ("render.xlsx", "render.site.jinja"),
}
# Modules that read or write files, and why. Everything else gets content and returns content.
IO = {
    "source/tree": "the only reader of a project's files",
    "source/files": "the one way a file is read: a regular file, bounded, never a device, a FIFO or a refused link",
    "publish/write": "the only writer of a build's output",
    "publish/deliver": "writes `gkcat form`'s workbook where the user says, after checking what is there",
    "source/dates": "asks git for the date of the project's last commit",
    "source/lock": "takes the project's and an output folder's lock (a small file holding who took it)",
    "publish/preview": "serves the built folder of `gkcat serve`",
    "publish/serve": "makes the folder `gkcat serve` builds into and watches the project",
    "publish/outfolder": "reads back its own manifest, takes the lock",
    "source/cache": "reads and writes the project cache (.gkcat-cache/) and its key, and hashes gkcat's own code",
    "compare/revisions": "has git write an old version into a temporary folder",
    "ingest/bounds": "reads the zip directory of a table given to import",
    "ingest/grids": "reads the tables given to import",
    "ingest/writer": "writes what init and import create",
    "model/schema": "writes the JSON Schemas (make schemas)",
    "links/cache": "reads and writes the results of check-links (.gkcat-links.json)",
}


def modules() -> dict[str, Path]:
    """Dotted name below gkcat ('render.site.pages', 'errors') -> file."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts) or "gkcat"] = path
    return out


def imports(path: Path) -> set[str]:
    """gkcat modules a file imports, wherever the import stands (TYPE_CHECKING blocks too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}: relative import; gkcat imports are absolute")
        names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
            [a.name for a in node.names] if isinstance(node, ast.Import) else []
        found |= {n.split(".", 1)[1] for n in names if n.startswith("gkcat.")}
    return found


def test_every_folder_of_code_is_a_regular_package():
    # a folder without __init__.py still imports (as a namespace package), which hides a file git never got
    folders = {p.parent for p in PACKAGE.rglob("*.py")} - {PACKAGE}
    assert all((f / "__init__.py").is_file() for f in folders), sorted(str(f) for f in folders)


def test_every_package_has_a_rank():
    tops = {name.split(".")[0] for name in modules() if name != "gkcat"}
    assert tops == set(RANKS)


def test_imports_point_one_way():
    bad = []
    for name, path in modules().items():
        if name == "gkcat":
            continue
        here = name.split(".")[0]
        for target in imports(path):
            there = target.split(".")[0]
            if there == here:
                continue
            if RANKS[there] >= RANKS[here]:
                bad.append(f"{name} -> {target}")
        bad += [f"{name} -> {t}" for t in imports(path) for a, b in FORBIDDEN if name.startswith(a) and t.startswith(b)]
    assert not bad, "imports against the pipeline:\n" + "\n".join(bad)


def test_no_import_cycle():
    graph = {name: {t for t in imports(path) if t in modules()} for name, path in modules().items()}
    state: dict[str, int] = {}  # 1: on the stack, 2: done

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                raise AssertionError("import cycle: " + " -> ".join(trail[trail.index(nxt):] + [node, nxt]))
            if nxt not in state:
                visit(nxt, trail + [node])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [])


def test_only_the_named_modules_do_io():
    for path in modules().values():
        rel = path.relative_to(PACKAGE).with_suffix("").as_posix()
        if rel in IO or rel == "__main__":
            continue
        text = path.read_text(encoding="utf-8")
        for call in ("read_bytes(", "read_text(", "open(", "write_text(", "write_bytes(", "os.replace(", "shutil."):
            assert call not in text, f"{rel} calls {call}"


def test_renderers_read_resolved_catalogs_not_the_resolvers_state():
    for name, path in modules().items():
        if name.startswith("render."):
            assert ".state(" not in path.read_text(encoding="utf-8"), name


def test_a_failing_rule_is_caught(tmp_path):
    # the checks above read real source: make sure a backwards import would be seen
    bad = tmp_path / "m.py"
    bad.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from gkcat.publish.pipeline import build\n")
    assert imports(bad) == {"publish.pipeline"}


def test_contributing_describes_the_tree_and_its_order():
    """CONTRIBUTING.md's package table names every package and no other; its order is the ranks above."""
    import re

    text = (PACKAGE.parent.parent / "CONTRIBUTING.md").read_text(encoding="utf-8")
    table = set(re.findall(r"^\| `([a-z_]+)(?:/|\.py)` \|", text, re.M))
    assert table == set(RANKS) - {"__main__"}
    order = re.search(r"^(diagnostics < .*)$", text, re.M)
    assert order, "CONTRIBUTING.md states the import order"
    steps = [[p.strip() for p in step.split(",")] for step in order.group(1).split("<")]
    assert [RANKS[p] for step in steps for p in step] == sorted(RANKS[p] for step in steps for p in step)
    assert all(len({RANKS[p] for p in step}) == 1 for step in steps)
    assert {p for step in steps for p in step} == set(RANKS) - {"__main__"}


def _imported(*args: str) -> set[str]:
    """The gkcat and library modules a gkcat command imports, from `python -X importtime`."""
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "gkcat", *args], capture_output=True, text=True,
                          timeout=120, check=False)
    return {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}


def test_help_and_validate_import_only_what_they_use():
    """`gkcat --help` imports no stage at all; `validate` not the build, the workbook writer or the templates."""
    help_ = _imported("--help")
    assert not {m for m in help_ if m.startswith(("gkcat.publish", "gkcat.check", "gkcat.render", "pydantic", "jinja2"))}
    validate = _imported("-C", str(PACKAGE.parent.parent / "catalogs"), "validate")
    assert "gkcat.check.load" in validate
    assert not {m for m in validate if m.startswith(("gkcat.publish", "gkcat.render.xlsx", "gkcat.render.site", "jinja2",
                                                     "openpyxl", "httpx", "watchfiles"))}


def test_every_package_is_in_the_wheel():
    """pyproject.toml lists the packages a wheel carries: a package left out installs broken (`make site` uses a wheel)."""
    import tomllib

    config = tomllib.loads((PACKAGE.parent.parent / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {"gkcat" + "".join(f".{p}" for p in init.parent.relative_to(PACKAGE).parts) for init in PACKAGE.rglob("__init__.py")}
    assert found <= listed, sorted(found - listed)


def test_every_template_is_in_the_wheel():
    """Each file of templates/ matches the package data a wheel carries (feed.xml was once left out)."""
    import fnmatch
    import tomllib

    root = PACKAGE.parent.parent
    patterns = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"]["gkcat.templates"]
    files = [p.relative_to(root / "templates").as_posix() for p in (root / "templates").rglob("*")
             if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".py"]
    assert files and all(any(fnmatch.fnmatch(f, pat) for pat in patterns) for f in files), files


def test_renderers_receive_what_is_resolved_never_a_resolver():
    """Resolve, then render (issue 27): no renderer names the Resolver, so none can resolve while it renders;
    publish/workbooks.py and publish/site.py resolve what each output shows and hand it over."""
    for name, path in modules().items():
        if name == "render" or name.startswith("render."):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
            names |= {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
            names |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
            assert not names & {"Resolver", "resolver"}, name


def test_no_module_keeps_state_of_its_own():
    """What gkcat reuses is in the memo (issue 27): no functools cache, no `global` (a build worker is handed its
    outputs when it is forked, publish/pool.py)."""
    for name, path in modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert not [n for n in ast.walk(tree) if isinstance(n, ast.Global)], name
        functools = {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module == "functools"
                     for a in n.names}
        functools |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)
                      and isinstance(n.value, ast.Name) and n.value.id == "functools"}
        assert not functools & {"lru_cache", "cache", "cached_property"}, name
