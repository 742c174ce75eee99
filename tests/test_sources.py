"""Reading the project tree: symlinks, folder rules, deterministic order, no writes."""

from __future__ import annotations

import os

from gkcat.check.load import load_project
from gkcat.source.tree import load_sources


def codes(path):
    return [(d.file, d.code) for d in load_project(path).diagnostics]


def test_locality_symlink_leading_outside_is_refused(project, tmp_path):
    outside = tmp_path / "outside"
    (outside).mkdir()
    (outside / "locality.yaml").write_text("name: 外部\nlevel: town\n", encoding="utf-8")
    root = project()
    os.symlink(outside, root / "city/county/evil")
    assert codes(root) == [("city/county/evil/", "GK108")]
    assert "city/county/evil" not in load_sources(root).localities


def test_domain_file_symlink_leading_outside_is_refused(project, tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text("domain: yiwu-jiaoyu\n", encoding="utf-8")
    root = project()
    os.symlink(secret, root / "city/county/yiwu-jiaoyu.yaml")
    assert codes(root) == [("city/county/yiwu-jiaoyu.yaml", "GK108")]


def test_symlink_inside_the_project_back_into_the_tree_is_refused(project):
    root = project()
    os.symlink(root / "city/county", root / "city/county/town-a/loop")
    assert codes(root) == [("city/county/town-a/loop/", "GK108")]


def test_symlinked_file_inside_the_project_is_read(project):
    root = project({"shared/yiwu.yaml": "domain: yiwu-jiaoyu\noverride:\n  zcwj-jyfl:\n    channels: [政府网站]\n"})
    os.symlink(root / "shared/yiwu.yaml", root / "city/county/yiwu-jiaoyu.yaml")
    assert codes(root) == []


def test_hidden_folders_are_reported_and_other_files_ignored(project):
    root = project({"city/.draft/locality.yaml": "x", "city/county/.gitkeep": "", "city/county/README.md": "说明",
                    "city/county/目录.xlsx": b"PK"})
    assert codes(root) == [("city/.draft/", "GK405")]


def test_localities_are_in_sorted_pre_order(project):
    root = project({"city/a-county/locality.yaml": "name: 甲区\nlevel: county\n"})
    assert list(load_sources(root).localities) == [
        "city", "city/a-county", "city/county", "city/county/town-a", "city/county/town-b"]


def test_validate_writes_nothing(project):
    root = project({"city/county/yiwu-jiaoyu.yaml": "domain: yiwu-jiaoyu\noverride:\n  nope: {}\n"})
    before = sorted((p, p.stat().st_mtime_ns) for p in root.rglob("*"))
    load_project(root)
    assert sorted((p, p.stat().st_mtime_ns) for p in root.rglob("*")) == before
