"""A catalog repository takes changes from many units and CI builds what is merged: hostile or
careless input must end in a message and the contract's exit code, never a traceback, and nothing
may be written outside the output folder or deleted that gkcat did not write.

Diagnostics have case folders (tests/cases/invalid: control-raw, control-escaped, locality-name-*,
domains-bad-entry, hidden-folder, uppercase-extension, nesting-depth); this file covers the rest.
"""

from __future__ import annotations

import errno
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from gkcat.check.load import load_project
from gkcat.diagnostics.diagnostic import Diagnostic
from gkcat.diagnostics.report import format_github, format_text
from gkcat.model.project import Locality
from gkcat.publish.outfolder import MANIFEST, BuildRefused, lock, safe_path
from gkcat.publish.pipeline import build
from gkcat.render.site.jinja import HtmlRenderer, TemplateFailure, Templates
from gkcat.render.site.urls import workbook_paths
from gkcat.source.memo import Memo
from test_diff import git

EPOCH = {"SOURCE_DATE_EPOCH": "1767225600"}


def tree(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


# -- 1. a locality's name never becomes a path ------------------------------------------------------


def test_a_name_with_dot_dots_is_refused_and_nothing_is_written_anywhere(project, run, tmp_path):
    root = project({"city/county/locality.yaml": "name: '../../../escaped'\nlevel: county\n"})
    before = tree(tmp_path)
    result = run("-C", root, "build", "-o", tmp_path / "a/b/out")
    assert result.exit_code == 1 and "GK209" in result.output
    assert tree(tmp_path) == before  # no output folder, nothing three folders up


@pytest.mark.parametrize("name", ["辽中/区", "辽中\\区", "辽中区 ", ".辽中区", "某" * 51])
def test_names_that_cannot_be_file_names_are_gk209(project, name):
    root = project({"city/county/locality.yaml": json.dumps({"name": name, "level": "county"}, ensure_ascii=False)})
    assert [d.code for d in load_project(root).diagnostics] == ["GK209"]


def test_workbook_paths_come_from_folder_ids(tmp_path):
    def loc(name: str) -> Locality:
        return Locality("city/county", name, "county", 1, None, None)

    # even a name that validation would refuse adds no path part: only the folder's alias is left
    assert workbook_paths(loc("../../../escaped")) == ("city/county/county.xlsx",)
    assert workbook_paths(loc("a\0b")) == ("city/county/county.xlsx",)
    # characters Windows refuses in file names appear in their full-width forms
    assert workbook_paths(loc('某区<新>:"1"|2')) == ("city/county/某区＜新＞：＂1＂｜2政务公开标准目录.xlsx", "city/county/county.xlsx")
    for bad in ("../x", "/etc/passwd", "a//b", "a/./b", "a\\b", "a/\x1b", ""):
        with pytest.raises(BuildRefused):
            safe_path(bad)


def test_a_name_with_reserved_characters_builds_twice_with_a_safe_link(project, run, tmp_path):
    root = project({"city/county/locality.yaml": "name: 某区<新>\nlevel: county\ndepartments:\n  education: 区教育局\n"})
    for _ in range(2):  # a second build into the same folder once crashed with SameFileError
        result = run("-C", root, "build", "-o", tmp_path / "out", env=EPOCH)
        assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    assert (out / "city/county/某区＜新＞政务公开标准目录.xlsx").is_file()
    page = (out / "city/county/index.html").read_text(encoding="utf-8")
    links = [h for h in re.findall(r'href="([^"]+)"', page) if h.endswith(".xlsx")]
    assert "某区&lt;新&gt;" in page and links == ["../../city/county/某区＜新＞政务公开标准目录.xlsx",
                                                "../../city/county/责任清单.xlsx", "../../city/county/county-填报表.xlsx"]
    assert all(not p.startswith("..") for p in json.loads((out / MANIFEST).read_text())["files"])


# -- 2. nothing outside the project is read: templates and static files -----------------------------


def test_an_asset_linked_outside_the_project_is_refused(project, run, tmp_path):
    root = project()
    secret = tmp_path / "secret.txt"
    secret.write_text("机密", encoding="utf-8")
    (root / "templates/assets").mkdir(parents=True)
    os.symlink(secret, root / "templates/assets/passwd.txt")
    result = run("-C", root, "validate")
    assert result.exit_code == 1 and "templates/assets/passwd.txt:1:1: 错误 GK108" in result.output
    assert run("-C", root, "build", "-o", tmp_path / "out").exit_code == 1
    assert not (tmp_path / "out").exists()


def test_an_included_template_linked_outside_is_refused_even_without_validation(project, tmp_path):
    root = project()
    secret = tmp_path / "secret.txt"
    secret.write_text("机密内容", encoding="utf-8")
    (root / "templates").mkdir()
    os.symlink(secret, root / "templates/evil.html")
    (root / "templates/page.html").write_text("{% include 'evil.html' %}", encoding="utf-8")
    assert "GK108" in {d.code for d in load_project(root).diagnostics}
    renderer = HtmlRenderer(Templates([root / "templates"], root, ""), Memo())
    with pytest.raises(TemplateFailure, match="evil.html"):
        renderer.render("page.html", None, None)  # type: ignore[arg-type]


def test_a_linked_templates_folder_outside_is_refused(project, tmp_path):
    root = project()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, root / "templates")
    assert [(d.file, d.code) for d in load_project(root).diagnostics] == [("templates/", "GK108")]


def test_static_files_are_published_and_removed_with_their_source(project, run, tmp_path):
    root = project({"static/CNAME": "gk.example.gov.cn\n", "static/uploads/说明.pdf": b"%PDF-1.4"})
    out = tmp_path / "out"
    assert run("-C", root, "build", "-o", out, env=EPOCH).exit_code == 0
    assert (out / "CNAME").read_text() == "gk.example.gov.cn\n" and (out / "uploads/说明.pdf").read_bytes() == b"%PDF-1.4"
    (root / "static/uploads/说明.pdf").unlink()
    assert run("-C", root, "build", "-o", out, env=EPOCH).exit_code == 0
    assert not (out / "uploads").exists() and (out / "CNAME").is_file()


def test_a_static_file_may_not_replace_a_page(project, run, tmp_path):
    root = project({"static/index.html": "<p>替换首页</p>"})
    result = run("-C", root, "build", "-o", tmp_path / "out")
    assert result.exit_code == 2 and "index.html" in result.stderr and not (tmp_path / "out").exists()


# -- 3. an unreadable old release -------------------------------------------------------------------


def test_an_old_tag_with_an_outward_symlink_is_skipped_and_reported(project, run, tmp_path):
    root = project()
    git(root, "init", "-q", "-b", "main")
    os.symlink("/etc/passwd", root / "city/passwd.yaml")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "误提交的链接")
    git(root, "tag", "v1")
    (root / "city/passwd.yaml").unlink()
    git(root, "add", "-A")
    git(root, "commit", "-qm", "删除链接", date="2026-02-01T08:00:00Z")
    git(root, "tag", "v2")
    result = run("-C", root, "build", "-o", tmp_path / "out", env=EPOCH)
    assert result.exit_code == 0, result.output
    assert "跳过版本" in result.stderr and "city/passwd.yaml" in result.stderr and "符号链接" in result.stderr
    assert (tmp_path / "out/city/更新记录.html").is_file()
    diff = run("-C", root, "diff", "--rev", "v1")
    assert diff.exit_code == 2 and "v1" in diff.stderr and "符号链接" in diff.stderr


def test_a_commit_subject_with_control_characters_keeps_feeds_valid(project, tmp_path):
    root = project()
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "初稿\x01\x1b[2J\x1e完")
    (root / "city/county/locality.yaml").write_text("name: 某某区\nlevel: county\n", encoding="utf-8")
    git(root, "commit", "-qam", "第二次\x07", date="2026-02-01T08:00:00Z")
    build(root, tmp_path / "out", jobs=1)
    for feed in (tmp_path / "out").rglob("feed.xml"):
        ET.parse(feed)  # raises on a control character
    page = (tmp_path / "out/city/county/更新记录.html").read_text(encoding="utf-8")
    assert "第二次" in page and "\x07" not in page


# -- 5. control characters never reach a terminal or a CI log ---------------------------------------


def test_printed_values_have_their_control_characters_escaped():
    d = Diagnostic.make("a\nb.yaml", (3, 4), "GK203", "未知渠道“政府\x1b[2J网\n::error file=x::伪造”")
    text = format_text([d])
    assert "\x1b" not in text and "\\x1b[2J" in text and len(text.splitlines()) == 2
    github = format_github([d])
    assert "\x1b" not in github and len(github.splitlines()) == 2
    assert not any(line.startswith("::error file=x") for line in github.splitlines())


# -- 6 and the low ones -----------------------------------------------------------------------------


def test_a_refused_locality_file_is_one_error_not_a_cascade(project, tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text("name: 某某区\nlevel: county\n", encoding="utf-8")
    root = project({"city/county/town-a/yiwu-jiaoyu.yaml": "domain: yiwu-jiaoyu\noverride:\n  zcwj-gfx:\n    channels: [政府网站]\n"})
    (root / "city/county/locality.yaml").unlink()
    os.symlink(outside, root / "city/county/locality.yaml")
    assert [(d.file, d.code) for d in load_project(root).diagnostics] == [("city/county/locality.yaml", "GK108")]


def test_a_link_with_angle_brackets_is_not_called_a_space_problem(project):
    root = project({"city/county/yiwu-jiaoyu.yaml": "domain: yiwu-jiaoyu\noverride:\n  jygk-ml:\n"
                                                   "    links: ['https://x.gov.cn/<script>']\n"})
    [d] = load_project(root).diagnostics
    assert d.code == "GK207" and "<" in d.message and "空格" not in d.message


# -- every OS error is a message with exit 2 --------------------------------------------------------


def test_output_under_a_file_or_inside_inputs_is_refused(project, run, tmp_path):
    root = project({"templates/.keep": ""})
    (tmp_path / "file").write_text("x")
    for out in (tmp_path / "file/out", root / "templates", root / "templates/site", root / "static/x"):
        result = run("-C", root, "build", "-o", out)
        assert result.exit_code == 2 and "不能输出到" in result.stderr, out


def test_domains_yaml_that_is_a_folder_and_a_fifo_named_yaml(project, tmp_path):
    root = project({"domains.yaml": None})
    (root / "domains.yaml").mkdir()
    proc = subprocess.run([sys.executable, "-m", "gkcat", "-C", str(root), "validate"], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2 and "domains.yaml" in proc.stderr and "文件夹" in proc.stderr
    assert "Traceback" not in proc.stderr
    (root / "domains.yaml").rmdir()
    write = project()
    os.mkfifo(write / "city/county/jiuye.yaml")
    proc = subprocess.run([sys.executable, "-m", "gkcat", "-C", str(write), "validate"], capture_output=True, text=True,
                          timeout=60)  # it used to block for ever reading the pipe
    assert proc.returncode == 2 and "city/county/jiuye.yaml" in proc.stderr and "命名管道" in proc.stderr


@pytest.mark.parametrize("code, why", [(errno.ENOSPC, "磁盘空间不足"), (errno.EROFS, "只读")])
def test_a_full_or_read_only_disk_is_a_message_and_the_old_output_stays(project, run, tmp_path, monkeypatch, code, why):
    root = project()
    out = tmp_path / "out"
    assert run("-C", root, "build", "-o", out, env=EPOCH).exit_code == 0
    (root / "city/county/locality.yaml").write_text("name: 改名区\nlevel: county\n", encoding="utf-8")
    before = {p: (out / p).read_bytes() for p in tree(out) if (out / p).is_file()}
    real = Path.write_bytes

    def failing(self: Path, data: bytes) -> int:
        if ".gkcat-tmp" in str(self):
            raise OSError(code, os.strerror(code), str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", failing)
    result = run("-C", root, "build", "-o", out, "-j", "1", env=EPOCH)
    assert result.exit_code == 2 and why in result.stderr and ".out.gkcat-tmp" in result.stderr
    assert {p: (out / p).read_bytes() for p in tree(out) if (out / p).is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "p"]  # no temporary folder, no lock left


def test_a_leftover_temporary_folder_that_is_a_link_is_not_followed(project, run, tmp_path):
    root = project()
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("重要")
    os.symlink(victim, tmp_path / ".out.gkcat-tmp")
    result = run("-C", root, "build", "-o", tmp_path / "out")
    assert result.exit_code == 2 and ".out.gkcat-tmp" in result.stderr and (victim / "keep.txt").is_file()


@pytest.mark.parametrize("epoch", ["99999999999999", "-5", "2026-01-01", "1e9"])
def test_a_source_date_epoch_out_of_range_is_refused(project, run, tmp_path, epoch):
    result = run("-C", project(), "build", "-o", tmp_path / "out", env={"SOURCE_DATE_EPOCH": epoch})
    assert result.exit_code == 2 and "SOURCE_DATE_EPOCH" in result.stderr and not (tmp_path / "out").exists()


def test_a_second_build_into_the_same_folder_stops(project, run, tmp_path):
    root, out = project(), tmp_path / "out"
    with lock(out):  # what a build holds while it runs
        result = run("-C", root, "build", "-o", out)
    assert result.exit_code == 2 and "正在写入输出文件夹" in result.stderr and not out.exists()
    assert run("-C", root, "build", "-o", out, env=EPOCH).exit_code == 0  # and the lock is released after


# -- the output folder never loses a user's file -----------------------------------------------------


def test_files_a_user_put_in_the_output_stop_the_build(project, run, tmp_path):
    root, out = project(), tmp_path / "out"
    assert run("-C", root, "build", "-o", out, env=EPOCH).exit_code == 0
    for extra in ("CNAME", "uploads/"):
        path = out / extra.rstrip("/")
        path.mkdir() if extra.endswith("/") else path.write_text("gk.example.gov.cn")
        result = run("-C", root, "build", "-o", out, env=EPOCH)
        assert result.exit_code == 2 and extra in result.stderr and "static/" in result.stderr
        assert path.exists()
        path.rmdir() if extra.endswith("/") else path.unlink()
    assert run("-C", root, "build", "-o", out, env=EPOCH).exit_code == 0


def test_an_empty_manifest_owns_nothing(project, run, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / MANIFEST).write_text("{}")
    (out / "公文.docx").write_bytes(b"PK")
    result = run("-C", project(), "build", "-o", out)
    assert result.exit_code == 2 and "公文.docx" in result.stderr and (out / "公文.docx").read_bytes() == b"PK"


def test_a_manifest_of_another_gkcat_version_still_owns_its_files(project, run, tmp_path):
    root, out = project(), tmp_path / "out"
    assert run("-C", root, "build", "-o", out, env=EPOCH).exit_code == 0
    manifest = json.loads((out / MANIFEST).read_text())
    (out / MANIFEST).write_text(json.dumps({**manifest, "gkcat": "0.0.1"}))
    assert run("-C", root, "build", "-o", out, env=EPOCH).exit_code == 0
