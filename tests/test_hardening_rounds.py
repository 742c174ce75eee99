"""Hardening, third round (issue 24), tried as an attacker and as a careless user would: `form` never
overwrites what is not a form, nothing is read from or written into a `.git`, writers take the project's
lock, check-links keeps its budget, old versions are read within bounds, the preview server holds up
against idle and odd clients, bidirectional controls are escaped, returned forms lose nothing silently."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import openpyxl
import pytest

import gkcat.source.lock as lock_module
from conftest import CATALOGS
from gkcat.compare import revisions
from gkcat.ingest.yamledit import edit
from gkcat.publish.pool import workers
from gkcat.publish.preview import Preview, serving
from gkcat.source.lock import project_lock
from test_diff import git

EPOCH = {"SOURCE_DATE_EPOCH": "1767225600"}
LZ = "shenyang/liaozhong"
GKCAT = [sys.executable, "-m", "gkcat"]


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    root = tmp_path / "repo" / "catalogs"  # in a subfolder of its repository, as the sample is
    shutil.copytree(CATALOGS, root, ignore=shutil.ignore_patterns("site"))
    git(root.parent, "init", "-q", "-b", "main")
    git(root.parent, "add", "-A")
    git(root.parent, "commit", "-qm", "样例")
    return root


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# -- 1. form never overwrites what is not a form ------------------------------------------------------


@pytest.mark.parametrize("target", ["gkcat.yaml", "domains.yaml", "shenyang/liaozhong/yiwu-jiaoyu.yaml",
                                    "shenyang/liaozhong/form.xlsx", "templates/form.xlsx", "static/form.xlsx",
                                    "../.git/config", "../.git/form.xlsx", ".git/form.xlsx"])
def test_form_never_writes_into_the_projects_inputs_or_any_git(sample, run, target):
    before = _files(sample.parent)
    result = run("-C", sample, "form", LZ, "-o", sample / target, "--force", env=EPOCH)
    assert result.exit_code == 2 and "不能写入" in result.stderr and "Traceback" not in result.output
    assert _files(sample.parent) == before


def test_form_refuses_an_existing_file_that_is_not_a_form_even_with_force(sample, run, tmp_path):
    for name, data in (("notes.xlsx", b"PK\x03\x04 not really"), ("table.xlsx", None)):
        path = tmp_path / name
        if data is None:  # a real workbook, just not a gkcat form
            wb = openpyxl.Workbook()
            wb.active["A1"] = "本单位自己的表"
            wb.save(path)
        else:
            path.write_bytes(data)
        kept = path.read_bytes()
        for extra in ([], ["--force"]):
            result = run("-C", sample, "form", LZ, "-o", path, *extra, env=EPOCH)
            assert result.exit_code == 2 and str(path) in result.stderr and "不是 gkcat 填报表" in result.stderr
            assert path.read_bytes() == kept


def test_a_second_form_keeps_the_returned_one_unless_forced(sample, run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run("-C", sample, "form", LZ, env=EPOCH).exit_code == 0
    book = tmp_path / "liaozhong-填报表.xlsx"
    wb = openpyxl.load_workbook(book)
    wb["说明"]["D1"] = "区教育局已填写"  # the unit's work
    wb.save(book)
    edited = book.read_bytes()
    result = run("-C", sample, "form", LZ, env=EPOCH)
    assert result.exit_code == 2 and "liaozhong-填报表.xlsx" in result.stderr and "--force" in result.stderr
    assert book.read_bytes() == edited
    assert run("-C", sample, "form", LZ, "--force", env=EPOCH).exit_code == 0
    assert book.read_bytes() != edited
    assert [p.name for p in tmp_path.iterdir() if "gkcat-tmp" in p.name] == []


def test_form_does_not_follow_a_link_or_take_another_suffix(sample, run, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("不能被覆盖", encoding="utf-8")
    (tmp_path / "link.xlsx").symlink_to(victim)
    assert run("-C", sample, "form", LZ, "-o", tmp_path / "link.xlsx", "--force").exit_code == 2
    assert run("-C", sample, "form", LZ, "-o", victim, "--force").exit_code == 2
    assert victim.read_text(encoding="utf-8") == "不能被覆盖"


# -- 2, 3. nothing from any .git is read, nothing written into one --------------------------------------


@pytest.mark.parametrize("link, target", [("static/config.txt", "../.git/config"),
                                          ("templates/assets/site.css.map", "../../.git/config"),
                                          ("static/up.txt", "../../.git/config")])
def test_links_into_a_git_folder_are_refused(sample, run, tmp_path, link, target):
    (sample / ".git").mkdir()
    (sample / ".git/config").write_text("[remote]\ntoken = SECRET-TOKEN\n", encoding="utf-8")
    (sample / link).parent.mkdir(parents=True, exist_ok=True)
    (sample / link).symlink_to(target)
    result = run("-C", sample, "validate")
    assert result.exit_code == 1 and "GK108" in result.output
    out = tmp_path / "out"
    assert run("-C", sample, "build", "-o", out, env=EPOCH).exit_code == 1
    assert not out.exists() or not any(b"SECRET-TOKEN" in p.read_bytes() for p in out.rglob("*") if p.is_file())


def test_a_git_folder_inside_static_is_not_published(project, run, tmp_path):
    root = project({"static/.git/config": "token = SECRET-TOKEN\n", "static/ok.txt": "ok\n"})
    result = run("-C", root, "validate")
    assert result.exit_code == 1 and "static/.git:1:1" in result.output.replace("static/.git/", "static/.git")


def test_output_into_the_enclosing_repositorys_git_is_refused(sample, run):
    git_dir = sample.parent / ".git"
    before = _files(git_dir)
    for out in (git_dir / "site", git_dir / "objects/x", sample / ".git/site"):
        result = run("-C", sample, "build", "-o", out, env=EPOCH)
        assert result.exit_code == 2 and ".git" in result.stderr
    assert _files(git_dir) == before and not (sample / ".git").exists()


# -- 4. the project's lock ---------------------------------------------------------------------------


def _two_forms(root: Path, tmp_path: Path) -> tuple[Path, Path]:
    """Two copies of the county's form, one editing 义务教育, the other 社会救助."""
    books = []
    for name, sheet, header in (("a.xlsx", "义务教育", "公开时限"), ("b.xlsx", "社会救助", "公开时限")):
        out = tmp_path / name
        subprocess.run([*GKCAT, "-C", str(root), "form", LZ, "-o", str(out)], check=True, capture_output=True,
                       env={**os.environ, **EPOCH}, timeout=120)
        wb = openpyxl.load_workbook(out)
        ws = wb[sheet]
        col = next(c.column for c in ws[2] if c.value == header)
        ws.cell(3, col).value = f"{sheet}：收到申请之日起5个工作日内"
        wb.save(out)
        books.append(out)
    return books[0], books[1]


def test_two_imports_at_once_both_land(sample, tmp_path):
    a, b = _two_forms(sample, tmp_path)
    for _ in range(3):
        procs = [subprocess.Popen([*GKCAT, "-C", str(sample), "import", "xlsx", str(f)], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for f in (a, b)]
        outs = [p.communicate(timeout=300) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], outs
        shown = subprocess.run([*GKCAT, "-C", str(sample), "show", LZ, "--format", "json"], capture_output=True,
                               text=True, check=True, timeout=120).stdout
        assert "义务教育：收到申请之日起5个工作日内" in shown and "社会救助：收到申请之日起5个工作日内" in shown
        assert not (sample / ".gkcat-lock").exists()
        subprocess.run(["git", "-C", str(sample), "checkout", "-q", "--", "."], check=True)


def test_a_held_lock_makes_an_import_wait_then_stop_naming_the_holder(sample, run, tmp_path, monkeypatch):
    book = tmp_path / "f.xlsx"
    assert run("-C", sample, "form", LZ, "-o", book).exit_code == 0
    monkeypatch.setattr(lock_module, "WAIT", 0.3)
    with project_lock(sample.resolve()):
        result = run("-C", sample, "import", "xlsx", book)
    assert result.exit_code == 2 and "进程" in result.stderr and "正在写入项目" in result.stderr
    assert "已写入" not in result.output and "检查通过" not in result.output
    assert run("-C", sample, "import", "xlsx", book).exit_code == 0  # free again


def test_a_build_into_the_project_takes_its_lock_one_outside_does_not(project, run, tmp_path, monkeypatch):
    root = project()
    monkeypatch.setattr(lock_module, "WAIT", 0.3)
    with project_lock(root.resolve()):
        inside = run("-C", root, "build", env=EPOCH)
        outside = run("-C", root, "build", "-o", tmp_path / "out", env=EPOCH)
    assert inside.exit_code == 2 and "正在写入项目" in inside.stderr and not (root / "site").exists()
    assert outside.exit_code == 0
    assert run("-C", root, "build", env=EPOCH).exit_code == 0 and not (root / ".gkcat-lock").exists()


# -- 5, 6. check-links: a budget per link, numbers it can use ---------------------------------------


def _dripping_server() -> tuple[socket.socket, threading.Event]:
    """A server on 127.0.0.1 that answers the status line, then one header byte every half second."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    stop = threading.Event()

    def client(conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(4096)
                conn.sendall(b"HTTP/1.1 200 OK\r\n")
                while not stop.wait(0.5):
                    conn.sendall(b"X")
            except OSError:
                pass

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            threading.Thread(target=client, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    return srv, stop


def test_a_server_dripping_bytes_is_dead_within_the_timeout(project, monkeypatch):
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    srv, stop = _dripping_server()
    url = f"http://127.0.0.1:{srv.getsockname()[1]}/slow"
    root = project({"city/county/yiwu-jiaoyu.yaml": f'domain: yiwu-jiaoyu\noverride:\n  jygk-ml:\n    links: ["{url}"]\n'})
    try:
        start = time.monotonic()
        proc = subprocess.run([*GKCAT, "-C", str(root), "check-links", "--timeout", "2"], capture_output=True,
                              text=True, timeout=60)
        took = time.monotonic() - start
    finally:
        stop.set()
        srv.close()
    assert proc.returncode == 1 and "超时：2 秒内没有响应" in proc.stdout and "Traceback" not in proc.stderr
    assert took < 30  # the drip would go on for ever; the budget ends it


@pytest.mark.parametrize("args", [["--max-age", "inf"], ["--max-age", "1e308"], ["--max-age", "nan"],
                                  ["--timeout", "nan"], ["--timeout", "inf"], ["--timeout", "0"], ["--jobs", "0"],
                                  ["--jobs", "100000"]])
def test_numbers_check_links_cannot_use_exit_2(project, run, args):
    result = run("-C", project(), "check-links", *args)
    assert result.exit_code == 2 and args[0] in result.stderr and "Traceback" not in result.output


# -- 7. a large file in the history ---------------------------------------------------------------------


def test_a_version_with_a_file_over_the_bound_is_skipped_and_named(project, run, tmp_path, monkeypatch):
    monkeypatch.setattr(revisions, "MAX_FILE", 64 * 1024)
    root = project()
    git(root, "init", "-q", "-b", "main")
    (root / "scan.pdf").write_bytes(b"%PDF" + b"0" * 200_000)  # not YAML: never read, the version is fine
    git(root, "add", "-A")
    git(root, "commit", "-qm", "v1")
    git(root, "tag", "v1")
    (root / "city/county/huge.yaml").write_text("# " + "x" * 200_000 + "\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "大文件", date="2026-02-01T08:00:00Z")
    git(root, "tag", "v2")
    (root / "city/county/huge.yaml").unlink()
    git(root, "commit", "-qam", "删除", date="2026-03-01T08:00:00Z")
    git(root, "tag", "v3")
    result = run("-C", root, "build", "-o", tmp_path / "out", env=EPOCH)
    assert result.exit_code == 0, result.output
    assert "更新记录跳过版本" in result.stderr and "city/county/huge.yaml" in result.stderr and "上限" in result.stderr
    result = run("-C", root, "diff", "--rev", "v2")
    assert result.exit_code == 2 and "huge.yaml" in result.stderr and "Traceback" not in result.output
    assert run("-C", root, "diff", "--rev", "v1").exit_code == 0


# -- 8. -j ----------------------------------------------------------------------------------------------


def test_jobs_are_capped_at_the_cpu_count(project, run, tmp_path):
    notes: list[str] = []
    cpus = os.cpu_count() or 1
    assert workers(100_000, notes) == cpus and "100000" in notes[0]
    assert workers(0, []) == cpus and workers(1, []) == 1
    result = run("-C", project(), "build", "-o", tmp_path / "out", "-j", "100000", env=EPOCH)
    assert result.exit_code == 0 and "多于 CPU 核数" in result.stderr


# -- 9-12. the preview server ----------------------------------------------------------------------------


def _get(host: str, port: int, path: str = "/", header_host: str | None = None, family: int = socket.AF_INET) -> bytes:
    with socket.socket(family) as s:
        s.settimeout(20)
        s.connect((host, port))
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {header_host or f'{host}:{port}'}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
        return data


@pytest.fixture
def preview(tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("<html><body>公开地图</body></html>", encoding="utf-8")
    return Preview(out)


def test_idle_connections_do_not_stop_the_preview(preview, capfd):
    with serving(preview, "127.0.0.1", 0) as url:
        port = int(url.rsplit(":", 1)[1].strip("/"))
        idle = []
        for _ in range(250):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(b"GET / HTTP/1.1\r\n")  # a request line, then nothing
            idle.append(s)
        try:
            assert b"200 OK" in _get("127.0.0.1", port)
        finally:
            for s in idle:
                s.close()
    assert "Traceback" not in capfd.readouterr().err


def test_aborted_requests_and_long_names_are_no_traceback(preview, capfd):
    with serving(preview, "127.0.0.1", 0) as url:
        port = int(url.rsplit(":", 1)[1].strip("/"))
        for _ in range(20):  # the browser hangs up before the answer
            s = socket.create_connection(("127.0.0.1", port))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            s.close()
        assert b"404" in _get("127.0.0.1", port, "/" + "a" * 300).split(b"\r\n")[0]
        assert b"200 OK" in _get("127.0.0.1", port)
        time.sleep(0.5)
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize("host, ok", [("127.0.0.1:{port}", True), ("localhost:{port}", True), ("localhost", True),
                                      ("evil.example:{port}", False), ("127.0.0.1.nip.io:{port}", False),
                                      ("localhost:1", False), ("", False)])
def test_only_the_previews_own_names_are_answered(preview, host, ok):
    with serving(preview, "127.0.0.1", 0) as url:
        port = int(url.rsplit(":", 1)[1].strip("/"))
        for path in ("/", "/__gkcat/reload.js"):
            status = _get("127.0.0.1", port, path, host.format(port=port) or " ").split(b"\r\n")[0]
            assert (b" 200 " in status) == ok and (b" 421 " in status) == (not ok)


def test_ipv6_loopback_is_served_or_explained(preview):
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")
    try:
        with serving(preview, "::1", 0) as url:
            port = int(url.rsplit(":", 1)[1].strip("/"))
            assert url.startswith("http://[::1]:")
            assert b"200 OK" in _get("::1", port, "/", f"[::1]:{port}", socket.AF_INET6)
    except Exception as err:  # a machine without an IPv6 loopback: the message says so, not "port taken"
        assert "本机没有地址 ::1" in str(err), err


def test_a_name_that_is_no_address_is_explained(preview):
    from gkcat.publish.preview import ServeRefused

    with pytest.raises(ServeRefused, match="无法识别地址"), serving(preview, "no-such-host.invalid", 0):
        pass


# -- 13. bidirectional controls ---------------------------------------------------------------------------


def test_a_folder_name_with_a_right_to_left_override_is_printed_escaped(project, run):
    root = project({"city/county/evil\u202egnp.exe/locality.yaml": "name: 某镇\nlevel: town\n"})
    result = run("-C", root, "validate")
    assert result.exit_code == 1 and "GK109" in result.output
    assert "\u202e" not in result.output and "\\u202e" in result.output
    data = json.loads(run("-C", root, "validate", "--format", "json").output)
    assert any(d["code"] == "GK109" for d in data["diagnostics"])


def test_bidi_controls_in_catalog_text_are_an_error(project, run):
    root = project({"city/county/yiwu-jiaoyu.yaml": "domain: yiwu-jiaoyu\nitems:\n  - id: a\n    level1: 政策\u2066文件\n"
                                                    "    level2: 说明\n"})
    result = run("-C", root, "validate")
    assert result.exit_code == 1 and "GK112" in result.output and "\u2066" not in result.output


# -- 14, 16. returned forms: every sheet accounted for, hidden things named ------------------------------


def libreoffice_edit(book: Path, actions: list[list[str]], tmp_path: Path) -> None:
    """Edit a workbook in LibreOffice (UNO, Debian's python3-uno) and save it as xlsx, as an office would."""
    soffice = shutil.which("soffice")
    assert soffice, "make test installs libreoffice-calc-nogui"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    office = subprocess.Popen([soffice, "--headless", "--norestore", "--nologo",
                               f"--accept=socket,host=127.0.0.1,port={port};urp;",
                               f"-env:UserInstallation=file://{tmp_path}/lo-profile"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        subprocess.run(["/usr/bin/python3", str(Path(__file__).parent / "office" / "edit.py"), str(book), str(port),
                        json.dumps(actions)], check=True, capture_output=True, timeout=180)
    finally:
        office.terminate()
        office.wait(timeout=60)


def test_a_sheet_renamed_in_libreoffice_is_imported_by_its_identity(sample, run, tmp_path):
    book = tmp_path / "form.xlsx"
    assert run("-C", sample, "form", LZ, "-o", book, env=EPOCH).exit_code == 0
    wb = openpyxl.load_workbook(book)
    ws = wb["义务教育"]
    col = next(c.column for c in ws[2] if c.value == "公开时限")
    ws.cell(3, col).value = "改名后仍能导入的时限"
    wb.save(book)
    libreoffice_edit(book, [["rename", "义务教育", "教育（区教育局已填）"]], tmp_path)
    assert "义务教育" not in openpyxl.load_workbook(book).sheetnames
    result = run("-C", sample, "import", "xlsx", book)
    assert result.exit_code == 0, result.output
    assert "已改名为“教育（区教育局已填）”" in result.output
    assert "改名后仍能导入的时限" in (sample / LZ / "yiwu-jiaoyu.yaml").read_text(encoding="utf-8")


def test_a_sheet_gkcat_did_not_write_refuses_the_form_by_name(sample, run, tmp_path):
    book = tmp_path / "form.xlsx"
    assert run("-C", sample, "form", LZ, "-o", book, env=EPOCH).exit_code == 0
    wb = openpyxl.load_workbook(book)
    copied = wb.copy_worksheet(wb["义务教育"])  # staff copy a sheet and edit the copy
    copied.title = "义务教育（修改稿）"
    wb.save(book)
    before = _files(sample)
    result = run("-C", sample, "import", "xlsx", book)
    assert result.exit_code == 1 and "工作表“义务教育（修改稿）”不是 gkcat 生成的" in result.output
    assert _files(sample) == before


def test_hidden_sheets_rows_and_columns_are_named_in_the_report(sample, run, tmp_path):
    book = tmp_path / "form.xlsx"
    assert run("-C", sample, "form", LZ, "-o", book, env=EPOCH).exit_code == 0
    wb = openpyxl.load_workbook(book)
    wb["就业"].sheet_state = "hidden"
    wb["义务教育"].row_dimensions[4].hidden = True
    wb["义务教育"].column_dimensions["D"].hidden = True
    wb.save(book)
    result = run("-C", sample, "import", "xlsx", book)
    assert result.exit_code == 0, result.output
    assert "工作表“就业”是隐藏的：已照常导入" in result.output
    assert "工作表“义务教育”的第 4 行是隐藏的" in result.output and "工作表“义务教育”的 D 列是隐藏的" in result.output


def test_a_hidden_sheet_of_a_national_table_is_named(sample, run, tmp_path):
    book = tmp_path / "table.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "义务教育"
    for name in ("义务教育", "就业"):
        ws = wb[name] if name in wb.sheetnames else wb.create_sheet(name)
        ws.append([f"辽中区{name}领域基层政务公开标准目录"])
        ws.append(["序号", "一级事项", "二级事项", "公开内容（要素）", "公开依据", "公开时限", "公开主体", "公开渠道和载体"])
        ws.append(["1", "政策文件", "规范性文件", "文件", "《条例》", "20个工作日", "区教育局", "政府网站"])
    wb["就业"].sheet_state = "hidden"
    wb.save(book)
    result = run("-C", sample, "import", "xlsx", book, "--locality", LZ, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "工作表“就业”是隐藏的：已照常导入" in result.output and "就业，1 项" in result.output


# -- 15. comments survive an import unless inside what it removes ----------------------------------------

OVERLAY = """\
# 区教育局意见（文件开头）
domain: yiwu-jiaoyu
override:
  # 渠道由区政府办确定
  zcwj-jyfl:
    channels: [政府网站]  # 本区只用网站
    # 时限的说明
    deadline: 20个工作日
exclude:
  # 本区没有民办学校
  - id: mbjy-xx
    reason: 本区无民办义务教育学校
# 学区划分和校车线路是本区自行增加的事项（区政府常务会议决定）
items:
  - id: lz-xqhf
    level1: 招生管理
    level2: 学区划分
  # 校车线路
  - id: lz-xc
    level1: 招生管理
    level2: 校车
    content: |
      # 这一行是文字，不是注释
      线路表
# 文件结尾
"""
XQHF = {"id": "lz-xqhf", "level1": "招生管理", "level2": "学区划分"}
XC = {"id": "lz-xc", "level1": "招生管理", "level2": "校车", "content": "# 这一行是文字，不是注释\n线路表\n"}
OVERRIDE = {"zcwj-jyfl": {"channels": ["政府网站"], "deadline": "20个工作日"}}
EXCLUDE = [{"id": "mbjy-xx", "reason": "本区无民办义务教育学校"}]


def _comments(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip().startswith("#") and "不是注释" not in line]


def _above(text: str, comment: str) -> str:
    lines = text.splitlines()
    return lines[next(i for i, line in enumerate(lines) if line.strip() == comment) + 1].strip()


@pytest.mark.parametrize("target, gone", [
    # the district's only exclusion lifted: the exclude block goes, the comment above `items:` stays
    ({"domain": "yiwu-jiaoyu", "override": OVERRIDE, "items": [XQHF, XC]}, {"# 本区没有民办学校"}),
    # an override block removed
    ({"domain": "yiwu-jiaoyu", "exclude": EXCLUDE, "items": [XQHF, XC]}, {"# 渠道由区政府办确定", "# 时限的说明"}),
    # one override key removed
    ({"domain": "yiwu-jiaoyu", "override": {"zcwj-jyfl": {"channels": ["政府网站"]}}, "exclude": EXCLUDE,
      "items": [XQHF, XC]}, {"# 时限的说明"}),
    # the last item removed, and the first
    ({"domain": "yiwu-jiaoyu", "override": OVERRIDE, "exclude": EXCLUDE, "items": [XQHF]}, {"# 校车线路"}),
    ({"domain": "yiwu-jiaoyu", "override": OVERRIDE, "exclude": EXCLUDE, "items": [XC]}, set()),
    # entries added at the end of each block
    ({"domain": "yiwu-jiaoyu", "override": {**OVERRIDE, "jygk-ml": {"channels": ["政府网站"]}},
      "exclude": [*EXCLUDE, {"id": "x2", "reason": "本区没有"}],
      "items": [XQHF, XC, {"id": "lz-new", "level1": "招生管理", "level2": "新增"}]}, set()),
])
def test_comments_stay_above_what_they_describe(target, gone):
    new = edit(OVERLAY, target)
    assert set(_comments(OVERLAY)) - set(_comments(new)) == gone
    # text of a block scalar is not a comment: it goes with its item, and only with it
    assert ("# 这一行是文字，不是注释" in new) == any(i["id"] == "lz-xc" for i in target["items"])
    if "items" in target:
        assert _above(new, "# 学区划分和校车线路是本区自行增加的事项（区政府常务会议决定）") == "items:"
    assert _above(new, "# 区教育局意见（文件开头）") == "domain: yiwu-jiaoyu"
    assert new.rstrip().endswith("# 文件结尾")
    if "# 校车线路" not in gone and any(i["id"] == "lz-xc" for i in target["items"]):
        assert _above(new, "# 校车线路") == "- id: lz-xc"
    if "exclude" in target:
        assert _above(new, "# 本区没有民办学校") == "- id: mbjy-xx"


def test_the_issues_example_through_an_import(sample, run, tmp_path):
    overlay = sample / LZ / "yiwu-jiaoyu.yaml"
    comment = "# 学区划分和校车线路是本区自行增加的事项（区政府常务会议决定）"
    overlay.write_text(overlay.read_text(encoding="utf-8") + "exclude:\n  - id: ywjy-n8\n    reason: 本区民办学校信息另行公开\n"
                       f"{comment}\nitems:\n  - id: lz-xqhf\n    level1: 招生管理\n    level2: 学区划分\n"
                       "    content: 本区义务教育学区划分方案\n    subject: [education]\n", encoding="utf-8")
    assert run("-C", sample, "validate").exit_code == 0
    book = tmp_path / "form.xlsx"
    assert run("-C", sample, "form", LZ, "-o", book, env=EPOCH).exit_code == 0
    wb = openpyxl.load_workbook(book)
    ws = wb["义务教育"]
    col = next(c.column for c in ws[2] if c.value == "本级适用")
    for row in ws.iter_rows(min_row=3):
        if row[col - 1].value == "否":
            row[col - 1].value = "是"
    wb.save(book)
    result = run("-C", sample, "import", "xlsx", book)
    assert result.exit_code == 0, result.output
    after = overlay.read_text(encoding="utf-8")
    assert "exclude:" not in after and _above(after, comment) == "items:"


@pytest.mark.parametrize("text", [
    "# 头\n\n\ndomain: yiwu-jiaoyu\n\n\n# 关于排除\nexclude:\n  - id: a\n    reason: x\n\n  # 第二条\n  - id: b\n    reason: y\n# 尾\n",
    "domain: d\nitems:\n  - id: a   # 行尾\n    level1: x\n\n# 末尾\n\n\n",
    "domain: d\noverride:\n  a:\n    channels: [政府网站,\n      # 流内注释\n      两微一端]\n",
])
def test_an_edit_that_changes_nothing_leaves_the_text_as_it_was(text):
    import yaml

    assert edit(text, yaml.safe_load(text)) == text


def test_blank_lines_around_a_kept_comment_stay_as_they_were():
    text = "domain: d\nexclude:\n  - id: a\n    reason: x\n\n\n# 本区新增事项\n\nitems:\n  - id: b\n    level1: x\n"
    new = edit(text, {"domain": "d", "items": [{"id": "b", "level1": "x"}]})
    assert new == "domain: d\n\n\n# 本区新增事项\n\nitems:\n  - id: b\n    level1: x\n"
