"""Hardening, fourth round (issue 33): the project cache is a hint, never an authority (signed by this machine,
never adopted, never deleting what is not its own, never in the output, .git or catalog folders, read as
inputs are read); each test here failed on the code before the round."""

from __future__ import annotations

import json
import os
import stat
import sys
import threading
from pathlib import Path

import pytest

from gkcat.source import cache as cache_module
from test_diff import git

BROKEN = "domain: yiwu-jiaoyu\nitems:\n  - id: zcwj-jyfl\n    level1: 政策文件\n    levle2: 教育法律\n"


def _shelf(folder: Path) -> Path:
    found = list(folder.glob("memo-????????????????.json"))
    assert len(found) == 1, found
    return found[0]


def _forge(folder: Path, good: bytes, secret: str | None) -> None:
    """A shelf mapping the broken file's digest to the good file's parse: what a forger would leave. Signed with
    `secret` (None: this machine's own key, as if this machine had written it)."""
    import hashlib
    path = _shelf(folder)
    head, _, body = path.read_bytes().partition(b"\n")
    header, kinds = json.loads(head), json.loads(body)
    parsed, broken = kinds["parsed"], hashlib.sha256(BROKEN.encode()).hexdigest()
    parsed[broken] = parsed.get(hashlib.sha256(good).hexdigest()) or parsed[broken]  # (kept from a forgery before)
    body = json.dumps(kinds, ensure_ascii=False).encode("utf-8")
    key = cache_module.machine_key() if secret is None else cache_module.MachineKey(secret.encode(), None)
    header["mac"] = key.sign(header["code"].encode(), body)
    path.write_bytes(json.dumps(header).encode() + b"\n" + body)


def test_a_forged_or_copied_cache_entry_is_a_miss(project, run, cache_outside):
    root = project()
    assert run("-C", root, "validate").exit_code == 0
    good = _break(root)
    # signed with this machine's key, the forged entry would be taken: the test's forgery is a real one
    _forge(cache_outside, good, None)
    assert run("-C", root, "validate").exit_code == 0
    # written under any other key (another machine's, a forger's guess), it is a miss and the error is found
    _forge(cache_outside, good, "一个别人的密钥" * 4)
    result = run("-C", root, "validate")
    assert result.exit_code == 1 and "GK201" in result.stdout, result.output


def test_a_ci_secret_is_the_key_and_a_new_key_reads_nothing_old(project, run, cache_outside, monkeypatch):
    root = project()
    monkeypatch.setenv("GKCAT_CACHE_KEY", "ci-secret-0123456789abcdef0123456789abcdef")
    assert run("-C", root, "validate").exit_code == 0
    good = _break(root)
    _forge(cache_outside, good, "ci-secret-0123456789abcdef0123456789abcdef")
    assert run("-C", root, "validate").exit_code == 0  # the secret signs it: taken
    monkeypatch.setenv("GKCAT_CACHE_KEY", "another-secret-0123456789abcdef0123456789")
    assert run("-C", root, "validate").exit_code == 1


def _break(root: Path) -> bytes:
    """The city's domain file made invalid (a misspelt key); its good bytes."""
    path = root / "city/yiwu-jiaoyu.yaml"
    good = path.read_bytes()
    path.write_text(BROKEN, encoding="utf-8")
    return good


def _fake_git(folder: Path, stderr: str, code: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "git"
    script.write_text(f"#!/bin/sh\necho '{stderr}' >&2\nexit {code}\n", encoding="utf-8")
    script.chmod(0o755)
    return folder


@pytest.mark.parametrize("how", ["no git", "dubious ownership"])
def test_a_cache_in_a_repository_git_cannot_answer_for_is_not_used(project, run, tmp_path, monkeypatch, how):
    root = project()
    monkeypatch.delenv("GKCAT_CACHE_DIR")
    git(root, "init", "-q", "-b", "main")
    assert run("-C", root, "validate").exit_code == 0
    cache = root / ".gkcat-cache"
    good = _break(root)
    _forge(cache, good, None)  # even an entry this machine's key signs is not taken
    if how == "no git":
        monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    else:
        fake = _fake_git(tmp_path / "bin", "fatal: detected dubious ownership in repository", 128)
        monkeypatch.setenv("PATH", f"{fake}{os.pathsep}{os.environ['PATH']}")
    result = run("-C", root, "validate")
    assert result.exit_code == 1 and "GK201" in result.stdout
    assert "git 未能说明它是否被提交" in result.stderr, result.stderr


def test_an_existing_folder_gkcat_did_not_make_is_neither_adopted_nor_emptied(project, run, tmp_path, monkeypatch):
    root = project()
    theirs = tmp_path / "someone-elses"
    theirs.mkdir()
    files = {"memo-0123456789abcdef.json": b'{"their": "data"}\n', "parsed-1.json": b"[1, 2]", "notes.txt": b"x"}
    for name, data in files.items():
        (theirs / name).write_bytes(data)
    monkeypatch.setenv("GKCAT_CACHE_DIR", str(theirs))
    result = run("-C", root, "validate")
    assert result.exit_code == 0 and "不是 gkcat 建立的缓存文件夹" in result.stderr
    assert {p.name: p.read_bytes() for p in theirs.iterdir()} == files  # nothing deleted, nothing dropped in


def test_an_empty_folder_is_adopted_and_only_gkcats_own_shelves_are_removed(project, run, tmp_path, monkeypatch):
    root = project()
    folder = tmp_path / "empty"
    folder.mkdir()
    monkeypatch.setenv("GKCAT_CACHE_DIR", str(folder))
    assert run("-C", root, "validate").exit_code == 0
    assert (folder / "CACHEDIR.TAG").is_file() and _shelf(folder)
    older = folder / "memo-00000000000000aa.json"  # another gkcat's shelf: its header says so
    older.write_bytes(b'{"format": "gkcat-cache 2", "gkcat": "0.0.1"}\n{}')
    mine = folder / "memo-00000000000000bb.json"  # a user's file of the same name pattern
    mine.write_bytes(b"my own notes, not a cache\n")
    (root / "city/locality.yaml").write_text((root / "city/locality.yaml").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert run("-C", root, "validate").exit_code == 0
    assert not older.exists() and mine.read_bytes() == b"my own notes, not a cache\n"


@pytest.mark.parametrize("where", ["site/.cache", "city/.cache", "city/county/cache", "templates/cache", ".git/cache"])
def test_the_cache_is_never_in_the_output_git_or_catalog_folders(project, run, monkeypatch, where):
    root = project()
    git(root, "init", "-q", "-b", "main")
    (root / "templates").mkdir()
    monkeypatch.setenv("GKCAT_CACHE_DIR", str(root / where))
    result = run("-C", root, "validate")
    assert result.exit_code == 0 and "本次不使用缓存" in result.stderr
    assert not (root / where).exists()
    assert run("-C", root, "build").exit_code == 0  # today validate's site/.cache stopped the next build


@pytest.mark.parametrize("target", ["city", "outside", "rounds", "loop"])
def test_a_cache_link_in_the_project_is_not_followed(project, run, monkeypatch, tmp_path, target):
    """.gkcat-cache is the project's: a link there (which anyone can commit) is not followed; GKCAT_CACHE_DIR moves it."""
    root = project()
    monkeypatch.delenv("GKCAT_CACHE_DIR")
    (root / "rounds").mkdir()
    where = {"city": root / "city", "outside": tmp_path / "outside/new", "rounds": root / "rounds",
             "loop": root / ".gkcat-cache"}[target]
    (root / ".gkcat-cache").symlink_to(where)
    before = sorted(p.name for p in root.rglob("*"))
    result = run("-C", root, "validate")
    assert result.exit_code == 0 and "是符号链接，本次不使用缓存" in result.stderr and "Traceback" not in result.output
    assert sorted(p.name for p in root.rglob("*")) == before and not (tmp_path / "outside").exists()


def test_a_loop_of_links_in_gkcat_cache_dir_is_no_traceback(project, run, monkeypatch, tmp_path):
    root = project()
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    monkeypatch.setenv("GKCAT_CACHE_DIR", str(tmp_path / "a" / "cache"))
    for command in ("validate", "build"):
        result = run("-C", root, command)
        assert result.exit_code == 0 and "循环的符号链接" in result.stderr, result.output


def test_a_short_ci_key_is_no_key(project, run, monkeypatch):
    root = project()
    monkeypatch.setenv("GKCAT_CACHE_KEY", "a")
    result = run("-C", root, "validate")
    assert result.exit_code == 0 and "GKCAT_CACHE_KEY 太短" in result.stderr


def _timeout(seconds: float):
    """Fail (instead of hanging the suite) when the block takes longer than `seconds`."""
    timer = threading.Timer(seconds, lambda: os._exit(3))
    return timer


@pytest.mark.parametrize("kind", ["link to /dev/zero", "fifo", "link to a file", "nested"])
def test_a_cache_entry_that_is_no_regular_file_or_too_deep_is_not_read(project, run, cache_outside, kind):
    root = project()
    expected = run("-C", root, "validate", "--format", "json", "--no-cache").stdout
    assert run("-C", root, "validate").exit_code == 0
    path = _shelf(cache_outside)
    if kind == "nested":
        head, _, _ = path.read_bytes().partition(b"\n")
        header = json.loads(head)
        body = b"[" * 200_000 + b"]" * 200_000
        header["mac"] = cache_module.machine_key().sign(header["code"].encode(), body)  # signed: only the depth is wrong
        path.write_bytes(json.dumps(header).encode() + b"\n" + body)
    else:
        real = path.with_suffix(".real")
        path.rename(real)
        if kind == "fifo":
            os.mkfifo(path)
        else:
            path.symlink_to("/dev/zero" if kind == "link to /dev/zero" else real)
    timer = _timeout(60)
    timer.start()
    try:
        result = run("-C", root, "validate", "--format", "json")
    finally:
        timer.cancel()
    assert result.exit_code == 0 and result.stdout == expected
    assert not path.is_symlink() and path.is_file()  # replaced by a shelf of its own (a rename: nothing written through)


def test_the_key_file_is_the_users_alone(project, run):
    root = project()
    assert run("-C", root, "validate").exit_code == 0
    key = cache_module.key_file()
    assert key.is_file() and not key.resolve().is_relative_to(root.resolve())
    if sys.platform != "win32":
        assert stat.S_IMODE(key.stat().st_mode) == 0o600


# -- forms and rounds -------------------------------------------------------------------------------------

import openpyxl  # noqa: E402
import yaml  # noqa: E402

from test_rounds import _col, _row, _set  # noqa: E402

EPOCH = {"SOURCE_DATE_EPOCH": "1767225600"}
LZ = "shenyang/liaozhong"
ROUND = "2026-第一轮"


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and ".git/" not in p.relative_to(folder).as_posix() + "/"}


def _meta(book: Path, **facts: str) -> None:
    wb = openpyxl.load_workbook(book)
    ws = wb["_gkcat"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value in facts:
            row[1].value = facts[row[0].value]
    wb.save(book)


def _form_with(run, sample: Path, tmp_path: Path, deadline: str) -> tuple[Path, str]:
    """The district's form with ywjy-01's 公开时限 set by openpyxl (which saves a formula without its result, as a
    program that does not compute would); the form and the cell's reference."""
    book = tmp_path / "lz.xlsx"
    assert run("-C", sample, "form", LZ, "-o", book, env=EPOCH).exit_code == 0
    wb = openpyxl.load_workbook(book)
    ws = wb["义务教育"]
    cell = ws.cell(_row(ws, "ywjy-01"), _col(ws, "公开时限"))
    cell.value = deadline
    wb.save(book)
    return book, cell.coordinate


def _edu_form(run, sample: Path, tmp_path: Path) -> Path:
    out = tmp_path / "发出"
    assert run("-C", sample, "round", "start", ROUND, LZ, "-o", out, env=EPOCH).exit_code == 0
    return next(p for p in out.iterdir() if "教育局" in p.name)


def test_a_round_form_edited_to_name_the_city_is_refused_by_name(sample, run, tmp_path):
    book = _edu_form(run, sample, tmp_path)
    _set(book, "义务教育", {("ywjy-01", "公开时限"): "每学年初"})
    _meta(book, locality="shenyang", form="shenyang#education", name="沈阳市")
    before = _files(sample)
    result = run("-C", sample, "import", "xlsx", book)
    assert result.exit_code == 1 and "轮次“2026-第一轮”的记录中没有这份填报表" in result.output, result.output
    _meta(book, form=f"{LZ}#education")  # the record's identity, the city as its place
    result = run("-C", sample, "import", "xlsx", book)
    assert result.exit_code == 1 and "地区写的是 shenyang，发出时是 shenyang/liaozhong" in result.output, result.output
    assert _files(sample) == before  # the city's catalog untouched, no return recorded


@pytest.mark.parametrize("facts", [{"department": "finance"}, {"scope": "locality"}, {"unit": "辽中区人民政府"},
                                   {"round": ""}, {"round": "不存在的轮次"}])
def test_a_round_form_whose_identity_was_edited_is_refused(sample, run, tmp_path, facts):
    book = _edu_form(run, sample, tmp_path)
    _set(book, "义务教育", {("ywjy-01", "公开时限"): "每学年初"})
    _meta(book, **facts)
    before = _files(sample)
    result = run("-C", sample, "import", "xlsx", book)
    assert result.exit_code == 1 and "未导入" in result.output and "Traceback" not in result.output, result.output
    assert _files(sample) == before


def test_a_round_form_with_a_row_added_to_its_meta_sheet_is_refused(sample, run, tmp_path):
    book = _edu_form(run, sample, tmp_path)
    wb = openpyxl.load_workbook(book)
    meta = wb["_gkcat"]
    meta.append(["就业", "jiuye", "", "", "new"])  # asks for new rows in a domain the department does not lead
    wb.save(book)
    result = run("-C", sample, "import", "xlsx", book)
    assert result.exit_code == 1 and "不符" in result.output, result.output


def test_a_form_made_on_its_own_is_trusted_by_its_seal_or_the_offices_word(sample, run, tmp_path):
    book = tmp_path / "lz.xlsx"
    assert run("-C", sample, "form", LZ, "--department", "education", "-o", book, env=EPOCH).exit_code == 0
    _set(book, "义务教育", {("ywjy-01", "公开时限"): "每学年初"})
    good = book.read_bytes()
    _meta(book, locality="shenyang")
    before = _files(sample)
    result = run("-C", sample, "import", "xlsx", book)
    assert result.exit_code == 1 and "无法确认这份填报表是发给谁的" in result.output
    assert _files(sample) == before
    book.write_bytes(good)
    assert run("-C", sample, "import", "xlsx", book).exit_code == 0  # sealed by this machine: taken


@pytest.mark.parametrize("formula", ["=F3", "=cmd|' /C calc'!A0"])
def test_a_formula_cell_of_a_form_is_refused_and_named(sample, run, tmp_path, formula):
    book, cell = _form_with(run, sample, tmp_path, formula)
    before = _files(sample)
    result = run("-C", sample, "import", "xlsx", book)
    assert result.exit_code == 1 and f"义务教育!{cell}：这个格子是公式" in result.output, result.output
    assert _files(sample) == before


def test_a_cell_longer_than_a_cell_holds_is_refused_and_never_written(sample, run, tmp_path):
    book, cell = _form_with(run, sample, tmp_path, "标记的公开时限")
    _replace_in_zip(book, "标记的公开时限", "很长的公开时限" * 150_000)  # openpyxl would cut it
    before = _files(sample)
    result = run("-C", sample, "import", "xlsx", book)
    assert result.exit_code == 2 and f"义务教育!{cell} 的文字有 1,050,000 个字符" in result.output
    assert "32,767" in result.output and _files(sample) == before


def _replace_in_zip(book: Path, old: str, new: str) -> None:
    """A workbook's text edited as another program would write it (openpyxl cuts long cells on saving)."""
    import zipfile
    with zipfile.ZipFile(book) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    found = [name for name, data in parts.items() if old.encode() in data]
    assert len(found) == 1
    parts[found[0]] = parts[found[0]].replace(old.encode(), new.encode())
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def test_a_workbook_never_holds_a_cell_longer_than_a_spreadsheet_holds():
    from gkcat.render.xlsx.writer import clean
    from gkcat.source.yamldoc import TEXT_LIMIT, utf16_length
    for text in ("公开内容" * 100_000, "𠀀" * 40_000, "a" * TEXT_LIMIT):
        out = clean(text)
        assert utf16_length(out) <= TEXT_LIMIT and out.startswith(text[:100])
    assert clean("a" * TEXT_LIMIT) == "a" * TEXT_LIMIT  # what fits is kept whole
    assert "全文见网站" in clean("b" * (TEXT_LIMIT + 1))


def test_a_read_only_rounds_folder_writes_neither_the_edit_nor_the_record(sample, run, tmp_path, monkeypatch):
    import errno

    import gkcat.ingest.writer as writer
    book = _edu_form(run, sample, tmp_path)
    _set(book, "义务教育", {("ywjy-01", "公开时限"): "每学年初"})
    before = _files(sample)
    real = writer.tempfile.mkstemp

    def read_only(*args, **kwargs):  # as a read-only rounds/ refuses it (the tests run as root, which chmod does not stop)
        if Path(kwargs["dir"]).name == "rounds":
            raise OSError(errno.EROFS, "Read-only file system")
        return real(*args, **kwargs)

    monkeypatch.setattr(writer.tempfile, "mkstemp", read_only)
    result = run("-C", sample, "import", "xlsx", book)
    assert result.exit_code == 2 and "文件系统是只读的" in result.output and "rounds/" in result.output, result.output
    assert _files(sample) == before  # the catalog's edit did not land without its record


def test_a_full_disk_between_the_edit_and_the_record_writes_neither(sample, run, tmp_path, monkeypatch):
    import errno

    import gkcat.ingest.writer as writer
    book = _edu_form(run, sample, tmp_path)
    _set(book, "义务教育", {("ywjy-01", "公开时限"): "每学年初"})
    before = _files(sample)
    real = writer.tempfile.mkstemp
    calls = []

    def full(*args, **kwargs):
        calls.append(kwargs.get("dir"))
        if len(calls) == 2:  # the second file staged: the round's record after the catalog's file
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(writer.tempfile, "mkstemp", full)
    result = run("-C", sample, "import", "xlsx", book)
    monkeypatch.setattr(writer.tempfile, "mkstemp", real)
    assert result.exit_code == 2 and "磁盘空间不足" in result.output, result.output
    assert "rounds/2026-第一轮.yaml" in result.output  # the path is named
    assert _files(sample) == before
    # the next import writes both, and a return is recorded once
    assert run("-C", sample, "import", "xlsx", book).exit_code == 0
    record = yaml.safe_load((sample / "rounds/2026-第一轮.yaml").read_text(encoding="utf-8"))
    returns = [r for f in record["forms"] for r in f["returns"]]
    assert len(returns) == 1 and returns[0]["applied"] == 1


def test_a_reimport_repairs_a_lost_record(sample, run, tmp_path):
    book = _edu_form(run, sample, tmp_path)
    _set(book, "义务教育", {("ywjy-01", "公开时限"): "每学年初"})
    record_path = sample / "rounds/2026-第一轮.yaml"
    as_sent = record_path.read_bytes()
    assert run("-C", sample, "import", "xlsx", book).exit_code == 0
    record_path.write_bytes(as_sent)  # the record lost (as an older gkcat could lose it)
    assert run("-C", sample, "import", "xlsx", book).exit_code == 0
    record = yaml.safe_load(record_path.read_text(encoding="utf-8"))
    returns = [r for f in record["forms"] for r in f["returns"]]
    assert len(returns) == 1 and returns[0]["applied"] == 1  # the edit is in the catalog: the return says so


def _fail_on(monkeypatch, module, name: str, after: int, error: BaseException) -> None:
    real = getattr(module, name)
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == after:
            raise error
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, failing)


@pytest.mark.parametrize("how", ["ctrl-c", "full disk", "record unwritable"])
def test_round_start_leaves_no_forms_without_a_record(sample, run, tmp_path, monkeypatch, how):
    import builtins
    import errno

    import gkcat.ingest.writer as writer
    out = tmp_path / "发出"
    if how == "ctrl-c":
        _fail_on(monkeypatch, builtins, "open", 5, KeyboardInterrupt())
    elif how == "full disk":
        _fail_on(monkeypatch, builtins, "open", 3, OSError(errno.ENOSPC, "No space left on device"))
    else:  # the record's folder refuses it, after every form was made (tempfile is one module: only rounds/ fails)
        real = writer.tempfile.mkstemp

        def unwritable(*args, **kwargs):
            if Path(kwargs.get("dir", ".")).name == "rounds":
                raise PermissionError(errno.EACCES, "Permission denied")
            return real(*args, **kwargs)

        monkeypatch.setattr(writer.tempfile, "mkstemp", unwritable)
    result = run("-C", sample, "round", "start", ROUND, LZ, "-o", out, env=EPOCH)
    monkeypatch.undo()
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert not (sample / "rounds").exists() and (not out.exists() or not any(out.iterdir()))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staged folder left behind
    if how == "full disk":
        assert "磁盘空间不足" in result.output and str(out) in result.output
    # and the round can be started again
    assert run("-C", sample, "round", "start", ROUND, LZ, "-o", out, env=EPOCH).exit_code == 0


def test_a_ctrl_c_while_a_workbook_is_zipped_is_an_interruption_not_a_traceback(monkeypatch):
    import zipfile

    from gkcat.render.xlsx.writer import _zipped
    real = zipfile.ZipFile.writestr
    calls = []

    def interrupted(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            self.open(args[0], mode="w")  # a writing handle left open, as an interruption inside a write leaves it
            raise KeyboardInterrupt
        return real(self, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _zipped([("a.xml", "<a/>"), ("b.xml", "<b/>")], (2026, 1, 1, 0, 0, 0))


# -- reading what is not the project ----------------------------------------------------------------------


def test_a_round_record_through_a_link_is_refused(sample, run, tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text("round: 外面\nlocality: shenyang\nstarted: '2026-01-01'\nforms: []\n", encoding="utf-8")
    (sample / "rounds").mkdir()
    (sample / "rounds/外面.yaml").symlink_to(outside)
    result = run("-C", sample, "round", "status", "外面")
    assert result.exit_code == 2 and "符号链接" in result.output and "GK108" in result.output
    (sample / "rounds/外面.yaml").unlink()
    (sample / "rounds/git.yaml").symlink_to(sample / ".git/config")
    assert run("-C", sample, "assess", "--format", "json").exit_code == 2


def test_a_deep_or_tampered_round_record_is_an_error_with_its_file(sample, run, tmp_path):
    (sample / "rounds").mkdir()
    (sample / "rounds/深.yaml").write_text("round: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    result = run("-C", sample, "round", "status", "深")
    assert result.exit_code == 2 and "rounds/深.yaml" in result.output and "RecursionError" not in result.output
    assert "嵌套层数过多" in result.output, result.output
    assert run("-C", sample, "assess").exit_code == 2
    (sample / "rounds/深.yaml").unlink()
    (sample / "rounds/改.yaml").write_text("round: 改\nlocality: shenyang\nstarted: '2026-01-01'\nforms:\n  - form: x\n",
                                          encoding="utf-8")
    result = run("-C", sample, "round", "status", "改")
    assert result.exit_code == 2 and "rounds/改.yaml:5:5" in result.output and "缺少必填字段“file”" in result.output
    assert "validation error" not in result.output, result.output


# -- names and words --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["r1\n", "CON", "nul", "r\u202e1"])
def test_round_names_that_make_no_portable_file_are_refused(sample, run, tmp_path, name):
    result = run("-C", sample, "round", "start", name, LZ, "-o", tmp_path / "out", env=EPOCH)
    assert result.exit_code == 2 and "不能使用" in result.output and "\u202e" not in result.output
    assert not (sample / "rounds").exists()


def test_round_names_differing_in_case_are_one_round(sample, run, tmp_path):
    assert run("-C", sample, "round", "start", "Round1", LZ, "-o", tmp_path / "a", env=EPOCH).exit_code == 0
    result = run("-C", sample, "round", "start", "round1", LZ, "-o", tmp_path / "b", env=EPOCH)
    assert result.exit_code == 2 and "只差大小写" in result.output and not (tmp_path / "b").exists()


def test_form_file_names_are_valid_on_windows(sample, run, tmp_path):
    loc = sample / LZ / "locality.yaml"
    text = loc.read_text(encoding="utf-8")
    assert "区教育局" in text
    loc.write_text(text.replace("区教育局", '区教育局:*?"<>|'), encoding="utf-8")
    out = tmp_path / "发出"
    assert run("-C", sample, "round", "start", ROUND, LZ, "-o", out, env=EPOCH).exit_code == 0
    names = [p.name for p in out.iterdir()]
    assert not [n for n in names if set(n) & set('\\/:*?"<>|')], names
    assert any("区教育局：＊？＂＜＞｜" in n for n in names) and all(len(n) <= 80 for n in names)


def test_a_control_character_in_a_forms_cell_is_named_at_the_cell(sample, run, tmp_path):
    book, cell = _form_with(run, sample, tmp_path, "每学年\u202e初")
    result = run("-C", sample, "import", "xlsx", book)
    assert result.exit_code == 1 and f"义务教育!{cell}：文字中有不可见的控制字符 U+202E" in result.output
    assert "\u202e" not in result.output and ".yaml:" not in result.output


def test_a_lock_that_is_a_link_is_said_to_be_one(sample, run, tmp_path):
    (sample / ".gkcat-lock").symlink_to(tmp_path / "elsewhere")
    book = tmp_path / "lz.xlsx"
    assert run("-C", sample, "form", LZ, "-o", book, env=EPOCH).exit_code == 0
    result = run("-C", sample, "import", "xlsx", book)
    assert result.exit_code == 2 and "是符号链接，已拒绝使用" in result.output and "层数过多" not in result.output
    assert not (tmp_path / "elsewhere").exists()


# -- the fourth round, tried again (what a hostile contributor found after it) -------------------------------


def test_an_import_never_writes_through_a_link_into_another_localitys_file(sample, run, tmp_path):
    town, other = sample / LZ / "liuerbao", sample / LZ / "lengzibao"
    (other / "yanglao-fuwu.yaml").write_text("domain: yanglao-fuwu\n", encoding="utf-8")
    (town / "yanglao-fuwu.yaml").symlink_to(other / "yanglao-fuwu.yaml")  # an absolute link, inside the project
    git(sample, "add", "-A")
    git(sample, "commit", "-qm", "链接")
    book = tmp_path / "lb.xlsx"
    assert run("-C", sample, "form", f"{LZ}/liuerbao", "-o", book, env=EPOCH).exit_code == 0
    wb = openpyxl.load_workbook(book)
    ws = wb["养老服务"]
    ws.cell(3, _col(ws, "公开时限")).value = "刘二堡镇改的时限"
    wb.save(book)
    kept = (other / "yanglao-fuwu.yaml").read_bytes()
    for extra in (["--dry-run"], []):
        run("-C", sample, "import", "xlsx", book, *extra)
        assert (other / "yanglao-fuwu.yaml").read_bytes() == kept  # 冷子堡镇's file, never written through the link


def test_an_import_never_writes_into_a_linked_folder(sample, run, tmp_path):
    outside = tmp_path / "outside-rounds"
    outside.mkdir()
    (sample / "rounds").symlink_to(outside)
    result = run("-C", sample, "round", "start", "R9", LZ, "-o", tmp_path / "out", env=EPOCH)
    assert result.exit_code == 2 and "是符号链接" in result.output
    assert not list(outside.iterdir()) and not (tmp_path / "out").exists()


def test_a_department_form_adds_items_only_where_it_leads(sample, run, tmp_path):
    out = tmp_path / "发出"
    assert run("-C", sample, "round", "start", ROUND, LZ, "-o", out, env=EPOCH).exit_code == 0
    book = out / "辽中区-辽中区人民政府-填报表.xlsx"
    wb = openpyxl.load_workbook(book)
    sheet = next(ws for ws in wb.worksheets if ws.title not in ("说明", "_gkcat"))
    r = sheet.max_row + 1
    for header, value in (("一级事项", "征收"), ("二级事项", "新增的事项"), ("公开层级", "县级")):
        sheet.cell(r, _col(sheet, header)).value = value
    wb.save(book)
    before = {k: v for k, v in _files(sample).items() if not k.startswith("rounds/")}
    result = run("-C", sample, "import", "xlsx", book)
    assert result.exit_code == 1 and "这张表没有新增事项的空行" in result.output, result.output
    assert {k: v for k, v in _files(sample).items() if not k.startswith("rounds/")} == before  # recorded as refused only


def test_a_round_form_with_its_round_cleared_is_refused_even_with_locality(sample, run, tmp_path):
    book = _edu_form(run, sample, tmp_path)
    _set(book, "义务教育", {("ywjy-01", "公开时限"): "每学年初"})
    _meta(book, round="")
    before = _files(sample)
    result = run("-C", sample, "import", "xlsx", book, "--locality", LZ)
    assert result.exit_code == 1 and "是轮次“2026-第一轮”发出的" in result.output, result.output
    assert _files(sample) == before


def test_a_department_form_edits_only_the_departments_rows(sample, run, tmp_path):
    book = _edu_form(run, sample, tmp_path)
    wb = openpyxl.load_workbook(book)
    ws = wb["义务教育"]
    ws.cell(_row(ws, "ywjy-01"), 1).value = "ywjy-05"  # another department's row put into the education bureau's form
    wb.save(book)
    result = run("-C", sample, "import", "xlsx", book)
    assert result.exit_code == 1 and "早期版本" not in result.output


def test_what_a_unit_types_on_its_cover_never_breaks_the_round_record(sample, run, tmp_path):
    book = _edu_form(run, sample, tmp_path)
    _set(book, "义务教育", {("ywjy-01", "公开时限"): "每学年初"}, {"填报人": "\u202e三张\n李四"})
    named = book.with_name("\u202e" + book.name)
    book.rename(named)
    assert run("-C", sample, "import", "xlsx", named).exit_code == 0
    for fmt in ("text", "markdown", "json"):
        status = run("-C", sample, "round", "status", ROUND, "--format", fmt)
        assert status.exit_code == 0 and "\u202e" not in status.output, status.output
    markdown = run("-C", sample, "round", "status", ROUND, "--format", "markdown").output
    assert all(line.startswith(("|", "#")) or not line for line in markdown.splitlines())  # one table row a form


def test_a_formula_in_a_reordered_sheet_is_found_where_openpyxl_puts_it(sample, run, tmp_path):
    import re
    import zipfile
    book, cell = _form_with(run, sample, tmp_path, "=G3")
    with zipfile.ZipFile(book) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    name = next(n for n, d in parts.items() if n.startswith("xl/worksheets/") and b"<f>" in d)
    xml = parts[name].decode("utf-8")
    # rows with their numbers, cells without theirs, and the formula's row moved first: openpyxl still reads it
    # at its row, by the row's number
    xml = re.sub(r'(<c[^>]*?) r="[A-Z]+\d+"', r"\1", xml)
    rows = re.findall(r"<row [^>]*>.*?</row>", xml, re.S)
    formula_row = next(row for row in rows if "<f>" in row)
    body = "".join([formula_row] + [row for row in rows if row is not formula_row])
    xml = re.sub(r"<sheetData>.*</sheetData>", lambda _: f"<sheetData>{body}</sheetData>", xml, flags=re.S)
    parts[name] = xml.encode("utf-8")
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in parts.items():
            z.writestr(n, d)
    result = run("-C", sample, "import", "xlsx", book, "--dry-run")
    assert result.exit_code == 1 and "这个格子是公式" in result.output and "→ （无）" not in result.output, result.output


def _long_content(path: Path, n: int) -> None:
    """ywjy-01's content as three entries of `n` characters each."""
    from gkcat.ingest.writer import dump_yaml
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["items"][0]["content"] = ["长" * n] * 3
    path.write_text(dump_yaml(data), encoding="utf-8")


def test_a_long_item_makes_a_form_that_imports_unchanged(sample, run, tmp_path):
    path = sample / "shenyang/yiwu-jiaoyu.yaml"
    _long_content(path, 10_000)
    result = run("-C", sample, "validate")
    assert result.exit_code == 0 and "GK113" not in result.output, result.output  # 30,006: fits a cell
    book = tmp_path / "lz.xlsx"
    assert run("-C", sample, "form", LZ, "-o", book, env=EPOCH).exit_code == 0
    result = run("-C", sample, "import", "xlsx", book)
    assert result.exit_code == 0 and "没有变化" in result.output, result.output
    _long_content(path, 12_000)
    result = run("-C", sample, "validate")
    assert result.exit_code == 1 and "GK113" in result.output and "列表合起来过长" in result.output


def test_a_column_standing_twice_is_refused_by_name(sample, run, tmp_path):
    book = tmp_path / "lz.xlsx"
    assert run("-C", sample, "form", LZ, "-o", book, env=EPOCH).exit_code == 0
    wb = openpyxl.load_workbook(book)
    ws = wb["义务教育"]
    col = ws.max_column + 1
    ws.cell(2, col).value = "公开时限"
    ws.cell(_row(ws, "ywjy-01"), col).value = "复制出的一列里改的时限"
    wb.save(book)
    result = run("-C", sample, "import", "xlsx", book)
    assert result.exit_code == 1 and "表头“公开时限”在表中出现了两次" in result.output, result.output


@pytest.mark.parametrize("name", ["COM¹", "lpt²"])
def test_more_windows_device_names_are_refused(sample, run, tmp_path, name):
    result = run("-C", sample, "round", "start", name, LZ, "-o", tmp_path / "out", env=EPOCH)
    assert result.exit_code == 2 and "不能使用" in result.output


def test_a_round_name_typed_composed_or_not_or_full_width_is_one_round(sample, run, tmp_path):
    import unicodedata
    assert run("-C", sample, "round", "start", "한1", LZ, "-o", tmp_path / "a", env=EPOCH).exit_code == 0
    for other in (unicodedata.normalize("NFD", "한1"), "한１"):
        result = run("-C", sample, "round", "start", other, LZ, "-o", tmp_path / "b", env=EPOCH)
        assert result.exit_code == 2 and "已经存在" in result.output, other
    assert run("-C", sample, "round", "status", unicodedata.normalize("NFD", "한1")).exit_code == 0


def test_a_lock_that_is_a_fifo_is_refused_and_left(sample, run, tmp_path):
    os.mkfifo(sample / ".gkcat-lock")
    book = tmp_path / "lz.xlsx"
    assert run("-C", sample, "form", LZ, "-o", book, env=EPOCH).exit_code == 0
    result = run("-C", sample, "import", "xlsx", book)
    assert result.exit_code == 2 and "不是普通文件" in result.output
    assert stat.S_ISFIFO(os.lstat(sample / ".gkcat-lock").st_mode)


def test_a_folder_where_a_round_record_should_be_is_said_to_be_one(sample, run):
    (sample / "rounds/X.yaml").mkdir(parents=True)
    result = run("-C", sample, "round", "status", "X")
    assert result.exit_code == 2 and "文件夹" in result.output and "已有：X" not in result.output


def test_a_department_name_on_two_lines_is_an_error(project, run):
    root = project({"city/county/locality.yaml": "name: 某某区\nlevel: county\ndepartments:\n  education: \"区教育局\\n（二）\"\n"})
    result = run("-C", root, "validate")
    assert result.exit_code == 1 and "GK112" in result.output and "换行" in result.output
