"""What `gkcat serve` serves: the built folder over HTTP on the loopback (or the host asked for), each page with
the reload hook added, or the diagnostics while the project is invalid. publish/serve.py builds and watches."""

from __future__ import annotations

import errno
import html
import ipaddress
import json
import mimetypes
import socket
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from gkcat.errors import GkcatError
from gkcat.publish.outfolder import MANIFEST

HOOK = "/__gkcat/"  # everything the server adds lives under this path, which a site never has
_SCRIPT = f'<script src="{HOOK}reload.js"></script>'
_RELOAD_JS = """// gkcat serve: reload this page when the site was rebuilt (long polling, same origin only)
(function () {
  var seen = %d;
  function wait() {
    fetch("%swait?seen=" + seen, {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (d) {
      if (d.version !== seen) { location.reload(); } else { wait(); }
    }).catch(function () { setTimeout(wait, 1000); });
  }
  wait();
})();
"""
_WAIT = 25.0  # seconds a reload request is held open before it is answered "no change"
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


class ServeRefused(GkcatError):
    """The preview cannot start (exit 2): the port is taken, the host cannot be bound."""


@dataclass
class Preview:
    """What the server shows: the built folder, or the reason it could not be built."""

    out: Path
    version: int = 0
    problem: str = ""  # the diagnostics (or message) of the last build that failed; "" when it succeeded
    changed: threading.Condition = field(default_factory=threading.Condition)
    hosts: tuple[str, ...] = _LOOPBACK  # the names a request's Host header may give (set when serving)
    port: int = 0

    def publish(self, problem: str) -> None:
        with self.changed:
            self.problem = problem
            self.version += 1
            self.changed.notify_all()

    def wait(self, seen: int, timeout: float) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.version != seen, timeout)
            return self.version


def error_page(problem: str) -> bytes:
    """The page every address shows while the project is invalid: its diagnostics, escaped."""
    lines = "\n".join(f"<li><code>{html.escape(line)}</code></li>" for line in problem.splitlines() if line.strip())
    return (f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n<title>项目有错误 · gkcat serve</title>\n'
            '<style>body{font:16px/1.6 system-ui,sans-serif;margin:2rem;color:#222}h1{color:#a00}'
            'li{margin:.3rem 0}code{white-space:pre-wrap}</style>\n</head>\n<body>\n<main>\n'
            f'<h1>项目有错误，网站未更新</h1>\n<p>修改下列文件后，本页会自动刷新。</p>\n<ul>\n{lines}\n</ul>\n'
            f'</main>\n{_SCRIPT}\n</body>\n</html>\n').encode()


def with_hook(page: bytes) -> bytes:
    """A built page with the reload script before </body> (the one difference from the build's output)."""
    at = page.rfind(b"</body>")
    return page[:at] + _SCRIPT.encode() + b"\n" + page[at:] if at >= 0 else page + _SCRIPT.encode()


def _handler(preview: Preview) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "gkcat-serve"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002  # the stdlib's name
            pass  # the terminal shows rebuilds and diagnostics, not every request

        # seconds a connection may take to send its request (and to take each part of the answer): an
        # idle connection is closed, not kept waiting on a thread
        timeout = _IDLE

        def do_GET(self) -> None:  # noqa: N802  # the stdlib's name
            if not _known_host(self.headers.get("Host", ""), preview.port, preview.hosts):
                # DNS rebinding: a web page under another name that resolves here must not read the preview
                self._send(HTTPStatus.MISDIRECTED_REQUEST, "text/plain; charset=utf-8",
                           "本预览只接受以本机地址访问（如 127.0.0.1 或 localhost）".encode())
                return
            url = urllib.parse.urlsplit(self.path)
            path = urllib.parse.unquote(url.path)
            if path.startswith(HOOK):
                self._hook(path[len(HOOK):], urllib.parse.parse_qs(url.query))
                return
            problem = preview.problem
            target = self._file(path)
            if problem and (target is None or target.suffix == ".html"):
                self._send(HTTPStatus.OK, "text/html; charset=utf-8", error_page(problem))
            elif target is None:
                self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", f"没有这个页面：{path}".encode())
            else:
                try:
                    body = target.read_bytes()
                except OSError:  # removed by a rebuild since it was found
                    self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", f"没有这个页面：{path}".encode())
                    return
                kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
                if target.suffix == ".html":
                    body, kind = with_hook(body), "text/html; charset=utf-8"
                self._send(HTTPStatus.OK, kind, body)

        def _file(self, path: str) -> Path | None:
            rel = path.lstrip("/")
            if rel == "" or rel.endswith("/"):
                rel += "index.html"
            parts = [p for p in rel.split("/") if p]
            if any(p in ("..", ".") for p in parts) or rel == MANIFEST:
                return None
            target = preview.out.joinpath(*parts)
            try:  # never outside the built folder, whatever the request says; a name too long is not there
                target.resolve().relative_to(preview.out.resolve())
                return target if target.is_file() else None
            except (ValueError, OSError):
                return None

        def _hook(self, name: str, query: dict[str, list[str]]) -> None:
            if name == "reload.js":
                script = (_RELOAD_JS % (preview.version, HOOK)).encode()
                self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", script)
            elif name == "wait":
                given = query.get("seen", [""])[0]
                seen = int(given) if given.isdigit() else -1
                version = preview.wait(seen, _WAIT)
                self._send(HTTPStatus.OK, "application/json", json.dumps({"version": version}).encode())
            else:
                self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"")

        def _send(self, status: HTTPStatus, kind: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

    return Handler


_IDLE = 5.0  # seconds
_CONNECTIONS = 100  # handled at once; more wait in the listen queue until one is done


def _known_host(header: str, port: int, hosts: tuple[str, ...]) -> bool:
    """Whether a request's Host header names the preview: a loopback name or the bound address, and its port."""
    value = header.strip().lower()
    if value.startswith("["):  # [::1]:8000
        host, _, rest = value[1:].partition("]")
        given = rest[1:] if rest.startswith(":") else rest
    elif value.count(":") == 1:
        host, _, given = value.partition(":")
    else:
        host, given = value, ""
    if given not in ("", str(port)):
        return False
    if host in hosts:
        return True
    # bound to every address (0.0.0.0, ::): reached by an address, never by a name another site controls
    return ("0.0.0.0" in hosts or "::" in hosts) and _is_ip(host)


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


class _Server(ThreadingHTTPServer):
    """A thread per connection, at most _CONNECTIONS of them; client errors (a browser that hung up) are quiet."""

    daemon_threads = True  # a held reload request does not keep Ctrl-C waiting
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.slots = threading.BoundedSemaphore(_CONNECTIONS)
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.slots.acquire(timeout=_IDLE):  # every slot busy for that long: this one is turned away
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], OSError):  # a reset, a time-out, a broken pipe: the client's doing
            super().handle_error(request, client_address)


def _bind_error(host: str, port: int, err: OSError) -> ServeRefused:
    if isinstance(err, socket.gaierror):
        why = f"无法识别地址“{host}”（{err.strerror or err}）：请用 127.0.0.1、::1 或本机的某个地址"
    elif err.errno == errno.EADDRINUSE:
        why = f"端口 {port} 已被占用，请用 --port 换一个（0 为任选空闲端口）"
    elif err.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):
        why = f"本机没有地址 {host}（{err.strerror or err}）"
    elif err.errno == errno.EACCES:
        why = f"没有权限使用端口 {port}（1024 以下的端口需要管理员权限），请用 --port 换一个"
    else:
        why = str(err.strerror or err)
    return ServeRefused(f"无法在 {host}:{port} 上启动预览：{why}")


@contextmanager
def serving(preview: Preview, host: str, port: int) -> Iterator[str]:
    """The server running in a thread for the block; yields its address."""
    try:
        server = _Server((host, port), _handler(preview))
    except OSError as err:
        raise _bind_error(host, port, err) from None
    preview.hosts, preview.port = (*_LOOPBACK, host.strip("[]").lower()), server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, name="gkcat-serve", daemon=True)
    thread.start()
    try:
        shown = f"[{host}]" if ":" in host else host
        yield f"http://{shown}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
