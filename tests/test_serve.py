"""`gkcat serve` as a user runs it: a real process on 127.0.0.1, a page fetched, an overlay changed, a
file broken and fixed, the open page reloading by itself, Ctrl-C. (How fast an edit shows is measured
in `make bench`; here the waits are generous.)"""

from __future__ import annotations

import gc
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import CATALOGS, write_project
from gkcat.publish.pipeline import build

TABLE = "city/county/yiwu-jiaoyu.html"
OVERLAY = "city/county/yiwu-jiaoyu.yaml"
PATIENCE = 60.0  # seconds: a slow CI machine builds too; the speed itself is benchmarked


class Server:
    def __init__(self, proc: subprocess.Popen[str], url: str, lines: list[str]):
        self.proc, self.url, self.lines = proc, url, lines

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.url + path, timeout=30) as r:  # noqa: S310  # 127.0.0.1 only
            return r.read().decode("utf-8")

    def until(self, path: str, ok: Callable[[str], bool]) -> str:
        end = time.monotonic() + PATIENCE
        while True:
            text = self.get(path)
            if ok(text) or time.monotonic() > end:
                return text
            time.sleep(0.1)


def _read(proc: subprocess.Popen[str], lines: list[str]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line.rstrip("\n"))


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    yield from _serving(write_project(tmp_path / "p", {}), tmp_path)


@pytest.fixture
def sample_server(tmp_path: Path) -> Iterator[Server]:
    """gkcat serve on a copy of the sample catalogs, as the issue's example asks."""
    root = tmp_path / "catalogs"
    shutil.copytree(CATALOGS, root, ignore=shutil.ignore_patterns("site"))
    yield from _serving(root, tmp_path)


def _serving(root: Path, tmp_path: Path) -> Iterator[Server]:
    (tmp_path / "tmp").mkdir()  # its own TMPDIR: the temporary folder it makes is the only one there
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600", "PYTHONUNBUFFERED": "1", "TMPDIR": str(tmp_path / "tmp")}
    proc = subprocess.Popen([sys.executable, "-m", "gkcat", "-C", str(root), "serve", "--port", "0", "-j", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines: list[str] = []
    reader = threading.Thread(target=_read, args=(proc, lines), daemon=True)
    reader.start()
    end = time.monotonic() + PATIENCE
    url = None
    while url is None and time.monotonic() < end and proc.poll() is None:
        found = [m.group(0) for line in lines for m in [re.search(r"http://127\.0\.0\.1:\d+/", line)] if m]
        url = found[0] if found else None
        time.sleep(0.05)
    assert url, lines
    s = Server(proc, url, lines)
    s.root = root  # type: ignore[attr-defined]  # the project being served
    s.tmp = tmp_path / "tmp"  # type: ignore[attr-defined]
    yield s
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    reader.join(10)
    assert proc.stdout is not None
    proc.stdout.close()


def _edit(root: Path, rel: str, text: str) -> None:
    (root / rel).write_text(text, encoding="utf-8")


def test_serve_shows_edits_diagnostics_and_stops_cleanly(server: Server, tmp_path, monkeypatch):
    root: Path = server.root  # type: ignore[attr-defined]
    page = server.get(TABLE)
    # the built page plus the reload hook, nothing else
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    build(root, tmp_path / "built", jobs=1)
    built = (tmp_path / "built" / TABLE).read_text(encoding="utf-8")
    assert "区教育局" in page and page == built.replace("</body>", '<script src="/__gkcat/reload.js"></script>\n</body>')

    # an overlay changes: the served table shows it
    _edit(root, OVERLAY, "domain: yiwu-jiaoyu\noverride:\n  jygk-ml:\n    channels: [政府网站, 公开查阅点]\n")
    assert "公开查阅点" in server.until(TABLE, lambda t: "公开查阅点" in t)

    # a broken file: every page shows its diagnostics (file:line:col, code, in Chinese), the terminal too
    _edit(root, OVERLAY, "domain: yiwu-jiaoyu\noverride:\n  jygk-ml:\n    channels: [政府网站, 公开查阅点\n")
    broken = server.until(TABLE, lambda t: "项目有错误" in t)
    assert "项目有错误，网站未更新" in broken and f"{OVERLAY}:" in broken and "GK1" in broken
    assert server.get("index.html") == broken  # not the stale content
    assert any(OVERLAY in line for line in server.lines)

    # fixed: the page is back, with the fix
    _edit(root, OVERLAY, "domain: yiwu-jiaoyu\noverride:\n  jygk-ml:\n    channels: [政府网站, 政务服务中心]\n")
    fixed = server.until(TABLE, lambda t: "政务服务中心" in t and "项目有错误" not in t)
    assert "项目有错误" not in fixed and "政务服务中心" in fixed

    # Ctrl-C stops it: exit 0, its temporary folder gone
    tmp: Path = server.tmp  # type: ignore[attr-defined]
    assert [p.name[:12] for p in tmp.iterdir()] == ["gkcat-serve-"]
    server.proc.send_signal(signal.SIGINT)
    assert server.proc.wait(timeout=30) == 0
    time.sleep(0.2)
    assert "已停止预览" in server.lines[-1]
    assert not [line for line in server.lines if "KeyboardInterrupt" in line or "Traceback" in line]  # Chinese only
    assert not list(tmp.iterdir())


SAMPLE_TABLE = "shenyang/liaozhong/liuerbao/shehui-jiuzhu.html"
SAMPLE_OVERLAY = "shenyang/liaozhong/liuerbao/shehui-jiuzhu.yaml"


def test_serve_on_the_sample_shows_an_overlay_edit_a_broken_file_and_the_fix(sample_server: Server):
    root: Path = sample_server.root  # type: ignore[attr-defined]
    text = (root / SAMPLE_OVERLAY).read_text(encoding="utf-8")
    page = sample_server.get(SAMPLE_TABLE)
    assert "刘二堡镇" in page and "便民服务站" not in page
    # the town's overlay changes: its table shows the new channel (how fast is measured in make bench)
    _edit(root, SAMPLE_OVERLAY, text.replace("公开查阅点", "便民服务站"))
    changed = sample_server.until(SAMPLE_TABLE, lambda t: "便民服务站" in t)
    assert "便民服务站" in changed and "项目有错误" not in changed
    # broken: the page shows the file's diagnostic, with its position
    _edit(root, SAMPLE_OVERLAY, text.replace("公开查阅点]", "公开查阅点"))
    broken = sample_server.until(SAMPLE_TABLE, lambda t: "项目有错误" in t)
    assert f"{SAMPLE_OVERLAY}:" in broken and "GK1" in broken
    # fixed: the table is back as it was
    _edit(root, SAMPLE_OVERLAY, text)
    back = sample_server.until(SAMPLE_TABLE, lambda t: "项目有错误" not in t)
    assert back == page


def test_the_reload_hook_answers_when_the_site_changed(server: Server):
    root: Path = server.root  # type: ignore[attr-defined]
    script = server.get("__gkcat/reload.js")
    seen = int(re.search(r"var seen = (\d+);", script).group(1))  # type: ignore[union-attr]
    answer: list[dict] = []
    waiter = threading.Thread(target=lambda: answer.append(json.loads(server.get(f"__gkcat/wait?seen={seen}"))))
    waiter.start()
    time.sleep(0.3)
    assert not answer  # held open while nothing changed
    _edit(root, OVERLAY, "domain: yiwu-jiaoyu\noverride:\n  jygk-ml:\n    channels: [便民服务站]\n")
    waiter.join(PATIENCE)
    assert answer and answer[0]["version"] > seen


def test_an_edit_made_while_the_first_build_runs_is_served(tmp_path: Path):
    # The watcher is set up before the first build starts (the terminal says so with 正在生成网站):
    # an edit made after that line is never lost, however long the first build takes.
    root = write_project(tmp_path / "p", {})
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "gkcat", "-C", str(root), "serve", "--port", "0", "-j", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines: list[str] = []
    reader = threading.Thread(target=_read, args=(proc, lines), daemon=True)
    reader.start()
    try:
        end = time.monotonic() + PATIENCE
        while not any("正在生成网站" in line for line in lines) and time.monotonic() < end:
            time.sleep(0.01)
        _edit(root, OVERLAY, "domain: yiwu-jiaoyu\noverride:\n  jygk-ml:\n    channels: [公开查阅点]\n")
        url = None
        while url is None and time.monotonic() < end:
            found = [m.group(0) for line in lines for m in [re.search(r"http://127\.0\.0\.1:\d+/", line)] if m]
            url = found[0] if found else None
            time.sleep(0.05)
        assert url, lines
        assert "公开查阅点" in Server(proc, url, lines).until(TABLE, lambda t: "公开查阅点" in t)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
        reader.join(10)
        assert proc.stdout is not None
        proc.stdout.close()


def test_paths_outside_the_site_and_the_manifest_are_not_served(server: Server):
    for path in ["../gkcat.yaml", "%2e%2e/gkcat.yaml", ".gkcat-manifest.json", "nope.html"]:
        try:
            server.get(path)
            raise AssertionError(path)
        except urllib.error.HTTPError as err:
            assert err.code == 404, path


def test_an_open_page_reloads_by_itself(server: Server):
    chromium = "/usr/bin/chromium"
    if not os.environ.get("CI") and (not Path(chromium).exists() or not _has_playwright()):
        pytest.skip("needs playwright and Debian's chromium (make test installs them)")
    from playwright.sync_api import sync_playwright

    root: Path = server.root  # type: ignore[attr-defined]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.goto(server.url + TABLE)
        assert "便民服务站" not in page.content()
        _edit(root, OVERLAY, "domain: yiwu-jiaoyu\noverride:\n  jygk-ml:\n    channels: [便民服务站]\n")
        page.wait_for_function("document.body.innerText.includes('便民服务站')", timeout=PATIENCE * 1000)
        browser.close()


def _has_playwright() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


def test_the_build_output_never_has_the_hook(project, tmp_path):
    root = project()
    build(root, tmp_path / "out", jobs=1)
    assert not [p for p in (tmp_path / "out").rglob("*.html") if b"__gkcat" in p.read_bytes()]


def test_no_project_or_a_taken_port_cannot_run(tmp_path, run):
    result = run("-C", tmp_path, "serve", "--port", "0")
    assert result.exit_code == 2 and "gkcat.yaml" in result.stderr
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        root = write_project(tmp_path / "p", {})
        result = run("-C", root, "serve", "--port", str(taken.getsockname()[1]), "-j", "1")
    assert result.exit_code == 2 and "已被占用" in result.stderr
    # serve ran in this process (it built, then could not bind): it gives back the cycle collector as it was
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_failing_rebuild_is_shown_and_the_preview_goes_on(project, tmp_path, monkeypatch):
    from gkcat.publish import serve as serving
    from gkcat.publish.preview import error_page

    root = project()
    preview, session = serving.Preview(tmp_path / "site"), serving.Session()
    report, problem = serving.rebuild(root, preview, 1, session)
    assert report is not None and problem == "" and preview.version == 1
    monkeypatch.setattr(serving, "build", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("坏了")))
    report, problem = serving.rebuild(root, preview, 1, session)
    assert report is None and "坏了" in problem and preview.problem == problem and preview.version == 2
    assert "坏了" in error_page(problem).decode()


def _status(server: Server, path: str) -> int:
    try:
        server.get(path)
        return 200
    except urllib.error.HTTPError as err:
        return err.code


def test_a_locality_folder_moved_out_of_or_into_the_project_is_seen(server: Server, tmp_path):
    """A folder moved (or renamed) is no file event of a YAML file: the tree changes all the same (issue 33)."""
    root: Path = server.root  # type: ignore[attr-defined]
    page = "city/county/town-b/index.html"
    assert _status(server, page) == 200 and "town-b/index.html" in server.get("city/county/index.html")
    aside = tmp_path / "aside"
    aside.mkdir()
    (root / "city/county/town-b").rename(aside / "town-b")  # out of the project
    end = time.monotonic() + PATIENCE
    while _status(server, page) != 404 and time.monotonic() < end:
        time.sleep(0.1)
    assert _status(server, page) == 404
    assert "town-b/index.html" not in server.until("city/county/index.html", lambda t: "town-b/index.html" not in t)
    (aside / "town-b").rename(root / "city/county/town-c")  # back in, under another name
    end = time.monotonic() + PATIENCE
    while _status(server, "city/county/town-c/index.html") != 200 and time.monotonic() < end:
        time.sleep(0.1)
    assert "乙街道" in server.get("city/county/town-c/index.html")
    assert "town-c/index.html" in server.get("city/county/index.html")
