"""`gkcat check-links` against a local HTTP server on 127.0.0.1: fine, redirected, missing, slow,
HEAD refused and connection refused links; where each is written and who shows it; the cache."""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time
from collections import Counter

import pytest

from conftest import write_project
from gkcat.links.cache import CACHE_FILE

HITS: Counter[str] = Counter()


class _Handler(http.server.BaseHTTPRequestHandler):
    def _answer(self, body: bool) -> None:
        HITS[f"{self.command} {self.path}"] += 1
        if self.path == "/slow":
            time.sleep(3)
        if self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/ok")
        elif self.path == "/missing":
            self.send_response(404)
        elif self.path == "/nohead" and self.command == "HEAD":
            self.send_response(405)
        else:
            self.send_response(200)
        self.send_header("Content-Length", "2" if body else "0")
        self.end_headers()
        if body:
            self.wfile.write(b"ok")

    def do_HEAD(self) -> None:  # noqa: N802 (the stdlib's name)
        self._answer(False)

    def do_GET(self) -> None:  # noqa: N802
        self._answer(True)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def root(project, server, monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    HITS.clear()
    refused = f"http://127.0.0.1:{_closed_port()}/gone"
    return project({
        "city/county/yiwu-jiaoyu.yaml": f"""
            domain: yiwu-jiaoyu
            override:
              zcwj-jyfl:
                links: ["{server}/ok", "{server}/moved"]
              jygk-ml:
                links: ["{server}/missing", "{server}/nohead"]
        """,
        "city/county/town-b/yiwu-jiaoyu.yaml": f"""
            domain: yiwu-jiaoyu
            override:
              zcwj-gfx:
                links: ["{server}/slow", "{refused}", "{server}/missing"]
        """,
    })


def _line_of(root, rel: str, text: str) -> int:
    lines = (root / rel).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def test_dead_and_redirected_links_are_reported_where_written_with_who_shows_them(root, run, server):
    result = run("-C", root, "check-links", "--timeout", "1", "--format", "text")
    assert result.exit_code == 1, result.output
    out = result.stdout.splitlines()
    county, town = "city/county/yiwu-jiaoyu.yaml", "city/county/town-b/yiwu-jiaoyu.yaml"
    missing = [line for line in out if f"{server}/missing" in line]
    # written twice: reported at both places, each with every locality that shows it
    assert {line.split(": ", 1)[0].rsplit(":", 1)[0] for line in missing} == \
        {f"{county}:{_line_of(root, county, '/missing')}", f"{town}:{_line_of(root, town, '/missing')}"}
    assert all("链接无法访问（HTTP 404）" in line and "显示于 某某区、甲镇、乙街道" in line for line in missing)
    moved = next(line for line in out if f"{server}/moved" in line)
    assert moved.startswith(f"{county}:{_line_of(root, county, '/moved')}:")
    assert f"链接已重定向（重定向到 {server}/ok（最终状态 200））" in moved
    slow = next(line for line in out if "/slow" in line)
    assert slow.startswith(f"{town}:") and "超时：1 秒内没有响应" in slow and "显示于 乙街道" in slow
    assert any("/gone" in line and "无法连接：服务器拒绝连接" in line for line in out)
    assert not any(f"{server}/ok：" in line or "/nohead" in line for line in out)  # fine links are only counted
    assert out[-1] == "共检查 6 个链接：正常 2 个，重定向 1 个，无法访问 3 个。"
    # HEAD refused with 405: asked again with GET, which answers
    assert HITS["HEAD /nohead"] == 1 and HITS["GET /nohead"] == 1
    assert HITS["GET /ok"] == 0  # HEAD was enough


def test_json_and_github_formats(root, run, server):
    result = run("-C", root, "check-links", "--timeout", "1", "--format", "json", "--max-age", "0")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert (data["checked"], data["ok"], data["redirected"], data["dead"]) == (6, 2, 1, 3)
    by_url = {link["url"]: link for link in data["links"]}
    moved = by_url[f"{server}/moved"]
    assert moved["state"] == "redirected" and moved["status"] == 200 and moved["final_url"] == f"{server}/ok"
    assert moved["places"] == [{"file": "city/county/yiwu-jiaoyu.yaml", "line": 5, "column": 35}] or \
        moved["places"][0]["file"] == "city/county/yiwu-jiaoyu.yaml"
    assert [x["path"] for x in moved["localities"]] == ["city/county", "city/county/town-a", "city/county/town-b"]
    assert by_url[f"{server}/missing"]["status"] == 404 and len(by_url[f"{server}/missing"]["places"]) == 2
    github = run("-C", root, "check-links", "--timeout", "1", "--format", "github", "--max-age", "0").stdout
    assert f"::error file=city/county/yiwu-jiaoyu.yaml,line={_line_of(root, 'city/county/yiwu-jiaoyu.yaml', '/missing')}," \
           in github
    assert "::warning file=city/county/yiwu-jiaoyu.yaml" in github and "/moved" in github


def test_a_rerun_reuses_recent_good_results_and_asks_again_for_dead_links(root, run, server):
    assert run("-C", root, "check-links", "--timeout", "1").exit_code == 1
    cache = json.loads((root / CACHE_FILE).read_text(encoding="utf-8"))
    assert sorted(cache["links"]) == sorted(cache["links"])  # written sorted by URL
    assert list(cache["links"]) == sorted(cache["links"])
    assert cache["links"][f"{server}/ok"]["state"] == "ok" and "T" in cache["links"][f"{server}/ok"]["checked"]
    before = HITS.copy()
    again = run("-C", root, "check-links", "--timeout", "1")
    assert "（其中 3 个沿用近期的检查结果）" in again.stdout
    assert HITS["HEAD /ok"] == before["HEAD /ok"] and HITS["HEAD /moved"] == before["HEAD /moved"]
    assert HITS["HEAD /missing"] > before["HEAD /missing"]  # dead: checked again, it may have been fixed
    # --max-age 0 asks again for every link
    run("-C", root, "check-links", "--timeout", "1", "--max-age", "0")
    assert HITS["HEAD /moved"] == before["HEAD /moved"] + 1


def test_one_locality_and_the_exit_codes(root, run, server, tmp_path):
    # the county alone: the town's slow and refused links are not its own
    county = run("-C", root, "check-links", "city/county/town-a", "--timeout", "1", "--format", "json")
    urls = {link["url"] for link in json.loads(county.stdout)["links"]}
    assert urls == {f"{server}/ok", f"{server}/moved", f"{server}/missing", f"{server}/nohead"}
    assert run("-C", root, "check-links", "city/nowhere").exit_code == 2
    assert run("-C", root, "check-links", "--timeout", "0").exit_code == 2
    broken = write_project(tmp_path / "broken", {"city/county/yiwu-jiaoyu.yaml": "domain: yiwu-jiaoyu\noverride: [\n"})
    result = run("-C", broken, "check-links")
    assert result.exit_code == 2 and "GK101" in result.stderr
    # a project whose links all answer
    fine = write_project(tmp_path / "fine", {"city/county/yiwu-jiaoyu.yaml": f"""
        domain: yiwu-jiaoyu
        override:
          zcwj-jyfl:
            links: ["{server}/ok"]
    """})
    ok = run("-C", fine, "check-links", "--timeout", "1", "--max-age", "0")
    assert ok.exit_code == 0 and ok.stdout.strip() == "共检查 1 个链接：正常 1 个，重定向 0 个，无法访问 0 个。"


def test_validate_and_build_never_request_links(root, run, tmp_path):
    before = sum(HITS.values())
    assert run("-C", root, "validate").exit_code == 0
    assert run("-C", root, "build", "-o", tmp_path / "out").exit_code == 0
    assert sum(HITS.values()) == before
    assert not (root / CACHE_FILE).exists()


def test_an_address_that_passes_the_link_rule_but_cannot_be_requested_is_dead_not_a_crash(run, tmp_path):
    odd = write_project(tmp_path / "odd", {"city/county/yiwu-jiaoyu.yaml": """
        domain: yiwu-jiaoyu
        override:
          zcwj-jyfl:
            links: ["http://[x/", "http://127.0.0.1:99999/"]
    """})
    result = run("-C", odd, "check-links", "--timeout", "1", "--max-age", "0")
    assert result.exit_code == 1
    assert "无法访问 2 个" in result.stdout and result.stdout.count("city/county/yiwu-jiaoyu.yaml:") == 2
