"""The project cache (.gkcat-cache/, issue 27): what a new process takes over from the last one. Kept safe:
data only, keyed by gkcat's code, ignored when corrupt or foreign, refused when git tracks it, never in the
output folder, moved by GKCAT_CACHE_DIR, left alone with --no-cache; output never depends on it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import CATALOGS
from gkcat.source import cache as cache_module
from test_diff import git

EPOCH = {"SOURCE_DATE_EPOCH": "1767225600"}


@pytest.fixture
def here(monkeypatch):
    """The cache where it normally is: .gkcat-cache/ at the project root."""
    monkeypatch.delenv("GKCAT_CACHE_DIR", raising=False)


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
            and ".gkcat-manifest" not in p.name}


def _read_cache(path: Path) -> tuple[dict, dict]:
    """The header and the files as parsed (the cache's kind "parsed")."""
    head, kinds = _read_kinds(path)
    return head, kinds["parsed"]


def _read_kinds(path: Path) -> tuple[dict, dict]:
    first, _, body = path.read_bytes().partition(b"\n")
    return json.loads(first), json.loads(body)


def _write_cache(path: Path, head: dict, parsed: dict, digest: bool = True, **kinds: dict) -> None:
    """Write a cache file (the files as parsed, and other kinds as given, the rest as they are); with `digest`,
    its header signed with this machine's key to match the changed entries (as gkcat on this machine would)."""
    body = json.dumps({**_read_kinds(path)[1], "parsed": parsed, **kinds}, ensure_ascii=False).encode("utf-8")
    if digest:
        head = dict(head, mac=cache_module.machine_key().sign(head["code"].encode(), body))
    path.write_bytes(json.dumps(head).encode("utf-8") + b"\n" + body)


def _cache_file(root: Path) -> Path:
    found = list((root / ".gkcat-cache").glob("memo-????????????????.json"))
    assert len(found) == 1, found
    return found[0]


def test_validate_creates_the_cache_with_its_gitignore_and_tag(project, run, here):
    root = project()
    assert run("-C", root, "validate").exit_code == 0
    folder = root / ".gkcat-cache"
    assert (folder / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    assert (folder / "CACHEDIR.TAG").read_text(encoding="utf-8").startswith("Signature: 8a477f597d28d172789f06886806bc55")
    head, parsed = _read_cache(_cache_file(root))
    assert head["code"] == cache_module.code_digest() and len(parsed) == len(list(root.rglob("*.yaml")))
    # --no-cache neither reads nor writes it
    shutil.rmtree(folder)
    assert run("-C", root, "validate", "--no-cache").exit_code == 0 and not folder.exists()


def test_outputs_are_the_same_with_and_without_the_cache_through_edits(project, run, here, tmp_path):
    root = project()
    edits = [
        ("city/county/yiwu-jiaoyu.yaml", "domain: yiwu-jiaoyu\noverride:\n  jygk-ml:\n    channels: [政务服务中心]\n"),
        ("city/county/town-a/locality.yaml", "name: 甲镇\nlevel: town\ndepartments:\n  education: 甲镇教育办\n"),
        ("city/county/yiwu-jiaoyu.yaml", "domain: yiwu-jiaoyu\noverride:\n  jygk-ml:\n    channels: [政府网站]\n"),
        ("gkcat.yaml", (root / "gkcat.yaml").read_text(encoding="utf-8").replace("测试市基层", "测试市（修订）基层")),
        ("city/county/yiwu-jiaoyu.yaml", "domain: yiwu-jiaoyu\noverride:\n  nope:\n    channels: [政府网站]\n"),  # invalid
    ]
    for n, (rel, text) in enumerate(edits):
        (root / rel).write_text(text, encoding="utf-8")
        cached = run("-C", root, "validate", "--format", "json")
        fresh = run("-C", root, "validate", "--format", "json", "--no-cache")
        assert (cached.exit_code, cached.stdout) == (fresh.exit_code, fresh.stdout), rel
        if fresh.exit_code == 0:
            a, b = tmp_path / f"a{n}", tmp_path / f"b{n}"
            assert run("-C", root, "build", "-o", a, env=EPOCH).exit_code == 0
            assert run("-C", root, "build", "-o", b, "--no-cache", env=EPOCH).exit_code == 0
            assert _tree(a) == _tree(b), rel


def test_a_corrupt_truncated_or_foreign_cache_is_ignored_and_remade(project, run, here, monkeypatch):
    root = project()
    expected = run("-C", root, "validate", "--format", "json", "--no-cache").stdout
    assert run("-C", root, "validate").exit_code == 0
    path = _cache_file(root)
    good = path.read_bytes()
    head, parsed = _read_cache(path)
    first = next(iter(parsed))
    damaged = [good[: len(good) // 2], b"not json", good.replace(b'"mac"', b'"mad"', 1)]
    for raw in damaged:
        path.write_bytes(raw)
        result = run("-C", root, "validate", "--format", "json")
        assert result.exit_code == 0 and result.stdout == expected
    for head2, parsed2, digest in ((dict(head, code="0" * 64), parsed, True),  # another gkcat's
                                   (head, {**parsed, first: {"domain": 42}}, True),  # not what a parser gives
                                   (head, {k: "改过的内容" for k in parsed}, False)):  # changed since it was written
        _write_cache(path, head2, parsed2, digest)
        result = run("-C", root, "validate", "--format", "json")
        assert result.exit_code == 0 and result.stdout == expected
    # check results that are not what a check gives (their digest made to match) are worked out anew
    kinds = _read_kinds(path)[1]
    for bad in ([["x"]], {"a": 1}, [["f.yaml", 1, 1, "GK999", "?", "", "error"]], [["f.yaml", True, 1, "GK301", "?", "", "error"]]):
        assert len(kinds) > 1
        _write_cache(path, head, parsed, **{k: {key: bad for key in v} for k, v in kinds.items() if k != "parsed"})
        result = run("-C", root, "validate", "--format", "json")
        assert result.exit_code == 0 and result.stdout == expected, bad
    # a new gkcat (another digest of its code) does not read the old file
    monkeypatch.setattr(cache_module, "code_digest", lambda: "f" * 64)
    assert run("-C", root, "validate").exit_code == 0
    assert [p.name for p in (root / ".gkcat-cache").glob("memo-????????????????.json")] == ["memo-ffffffffffffffff.json"]


def test_a_cache_tracked_by_git_is_not_used(project, run, here):
    root = project()
    assert run("-C", root, "validate").exit_code == 0
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-f", ".gkcat-cache")
    git(root, "commit", "-qm", "不应提交缓存")
    path = _cache_file(root)
    head, parsed = _read_cache(path)
    key = next(k for k, v in parsed.items() if isinstance(v, dict) and v.get("domain") == "yiwu-jiaoyu" and "items" in v)
    parsed[key]["items"] = []  # what a hostile commit could feed every build, its digest made to match
    _write_cache(path, head, parsed)
    result = run("-C", root, "validate")
    assert "已被提交到 git，本次不使用它" in result.stderr
    shown = json.loads(run("-C", root, "show", "city", "--format", "json").stdout)
    assert shown["domains"][0]["items"]  # the items are there: the tampered cache was not read


def test_gkcat_cache_dir_moves_it_and_the_output_folder_never_holds_it(project, run, tmp_path, monkeypatch):
    root = project()
    moved = tmp_path / "ci-cache"
    monkeypatch.setenv("GKCAT_CACHE_DIR", str(moved))
    assert run("-C", root, "validate").exit_code == 0
    assert list(moved.glob("memo-????????????????.json")) and not (root / ".gkcat-cache").exists()
    out = tmp_path / "out"
    monkeypatch.setenv("GKCAT_CACHE_DIR", str(out / "cache"))
    result = run("-C", root, "build", "-o", out, env=EPOCH)
    assert result.exit_code == 0 and "在输出文件夹之中" in result.stderr and not (out / "cache").exists()


def test_the_sample_validates_the_same_from_the_cache(run, here, tmp_path):
    sample = tmp_path / "catalogs"
    shutil.copytree(CATALOGS, sample, ignore=shutil.ignore_patterns("site", ".gkcat-cache"))
    first = run("-C", sample, "validate", "--format", "json")
    again = run("-C", sample, "validate", "--format", "json")
    assert first.stdout == again.stdout and first.exit_code == again.exit_code == 0


def test_a_series_of_edits_builds_the_same_with_and_without_the_cache(project, run, here, tmp_path, monkeypatch):
    """Catalog files, templates, gkcat.yaml, a new gkcat, a corrupted entry, a deleted cache: after each, a build
    through the cache is byte for byte a build from nothing with --no-cache."""
    root = project()

    def edit_file(rel: str, text: str):
        return lambda: (root / rel).parent.mkdir(parents=True, exist_ok=True) or (root / rel).write_text(text, encoding="utf-8")

    def corrupt():
        path = _cache_file(root)
        head, parsed = _read_cache(path)
        _write_cache(path, head, {k: "not a catalog" for k in parsed}, digest=False)  # every entry changed

    steps = [
        ("a catalog file", edit_file("city/county/yiwu-jiaoyu.yaml",
                                     "domain: yiwu-jiaoyu\noverride:\n  jygk-ml:\n    channels: [政务服务中心]\n")),
        ("a template", edit_file("templates/assets/gkcat.css", "body { color: #123; }\n")),
        ("gkcat.yaml", lambda: (root / "gkcat.yaml").write_text(
            (root / "gkcat.yaml").read_text(encoding="utf-8").replace("测试市基层", "测试市（第二版）基层"), encoding="utf-8")),
        ("a new gkcat", lambda: monkeypatch.setattr(cache_module, "code_digest", lambda: "e" * 64)),
        ("a corrupted cache", corrupt),
        ("a deleted cache", lambda: shutil.rmtree(root / ".gkcat-cache")),
    ]
    assert run("-C", root, "validate").exit_code == 0  # the cache exists from the start
    for n, (what, step) in enumerate(steps):
        step()
        cached, fresh = tmp_path / f"cached-{n}", tmp_path / f"fresh-{n}"
        assert run("-C", root, "build", "-o", cached, env=EPOCH).exit_code == 0, what
        assert run("-C", root, "build", "-o", fresh, "--no-cache", env=EPOCH).exit_code == 0, what
        assert _tree(cached) == _tree(fresh), what
        assert (root / ".gkcat-cache").is_dir(), what  # remade after being deleted


def test_a_new_process_takes_the_check_results_over_and_resolves_nothing(project, here, monkeypatch):
    """What makes a second `gkcat validate` fast: every file's check results come from the cache, keyed by its
    chain of files, so no catalog is resolved; after an edit, only the edited chain is."""
    from gkcat.check.load import load_project
    from gkcat.resolve.resolver import Resolver

    root = project()
    resolved: list[str] = []
    real = Resolver._resolve
    monkeypatch.setattr(Resolver, "_resolve", lambda self, loc, d: resolved.append(f"{loc.path} {d.id}") or real(self, loc, d))
    first = load_project(root, cache=True)
    assert resolved
    resolved.clear()
    again = load_project(root, cache=True)
    assert resolved == [] and again.diagnostics == first.diagnostics
    (root / "city/county/yiwu-jiaoyu.yaml").write_text(
        "domain: yiwu-jiaoyu\noverride:\n  nope:\n    channels: [政府网站]\n", encoding="utf-8")
    third = load_project(root, cache=True)
    assert [d.code for d in third.diagnostics] == ["GK302"]
    # the edited domain, along the chains the edit reaches (and the city above, which they start from)
    assert "city/county yiwu-jiaoyu" in resolved and all(r.endswith(" yiwu-jiaoyu") for r in resolved), resolved


def test_gkcat_cache_dir_may_start_with_a_tilde(project, run, tmp_path, monkeypatch):
    """docs/ci.md sets GKCAT_CACHE_DIR: ~/.cache/gkcat, which no shell expands in a CI file's env."""
    root = project()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GKCAT_CACHE_DIR", "~/.cache/gkcat")
    assert run("-C", root, "validate").exit_code == 0
    assert list((tmp_path / "home/.cache/gkcat").glob("memo-????????????????.json")) and not (root / "~").exists()


def test_the_site_parts_shelf_is_taken_over_and_a_foreign_one_is_not(project, run, here, tmp_path):
    """A build keeps the parts of its project-wide pages (the map's rows, 总表's sheets, the search index's
    parts) on a shelf of their own; the next build's process takes them over, and refuses entries that are not
    such parts. Either way it writes what a build without the cache writes."""
    root = project()
    assert run("-C", root, "build", "-o", tmp_path / "first", env=EPOCH).exit_code == 0
    shelves = list((root / ".gkcat-cache").glob("memo-*.site.json"))
    assert len(shelves) == 1
    head, kinds = _read_kinds(shelves[0])
    assert {"matrix-row", "pending", "map-row", "comparison", "search-part"} <= set(kinds)
    (root / "city/county/yiwu-jiaoyu.yaml").write_text(
        "domain: yiwu-jiaoyu\noverride:\n  jygk-ml:\n    channels: [政务服务中心]\n", encoding="utf-8")
    assert run("-C", root, "build", "-o", tmp_path / "fresh", "--no-cache", env=EPOCH).exit_code == 0
    assert run("-C", root, "build", "-o", tmp_path / "cached", env=EPOCH).exit_code == 0
    assert _tree(tmp_path / "cached") == _tree(tmp_path / "fresh")
    head, kinds = _read_kinds(shelves[0])
    bad = {k: {key: [["不是", 1], None, 3.5][n % 3] for n, key in enumerate(v)} for k, v in kinds.items()}
    body = json.dumps(bad, ensure_ascii=False).encode("utf-8")
    mac = cache_module.machine_key().sign(head["code"].encode(), body)  # signed as this machine would: entries checked one by one
    shelves[0].write_bytes(json.dumps(dict(head, mac=mac)).encode("utf-8") + b"\n" + body)
    assert run("-C", root, "build", "-o", tmp_path / "again", env=EPOCH).exit_code == 0
    assert _tree(tmp_path / "again") == _tree(tmp_path / "fresh")
