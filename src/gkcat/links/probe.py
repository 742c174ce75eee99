"""Requesting links: HEAD first, GET when a server refuses HEAD; redirects followed and kept.

Requests run concurrently (`jobs` at once) but never more than PER_HOST at a time to one host:
a county's links are mostly on its own government site, which must not be flooded.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import httpx

from gkcat import __version__

PER_HOST = 2
_AGENT = f"gkcat/{__version__} (check-links)"  # header values are ASCII
OK, REDIRECTED, DEAD = "ok", "redirected", "dead"


@dataclass(frozen=True)
class Result:
    url: str
    state: str  # OK | REDIRECTED | DEAD
    status: int | None  # the final HTTP status; None when no response came
    final: str  # where the redirects ended ("" without redirects)
    error: str  # why no response came, in Chinese ("" otherwise)
    checked: str  # when, ISO 8601 UTC

    @property
    def summary(self) -> str:
        """What happened, in a few words: 404, 重定向 301 → …, 超时."""
        if self.error:
            return self.error
        if self.state == REDIRECTED:
            return f"重定向到 {self.final}（最终状态 {self.status}）"
        return f"HTTP {self.status}"


def _cause(err: BaseException) -> str:
    """What the operating system said, found down the chain (anyio wraps it as "All connection attempts failed")."""
    node: BaseException | None = err
    while node is not None:
        if isinstance(node, ConnectionRefusedError):
            return "服务器拒绝连接"
        if isinstance(node, socket.gaierror):
            return "域名无法解析"
        if isinstance(node, ssl.SSLError):
            return "证书或加密连接有误"
        node = node.__cause__ or node.__context__
    return str(err) or "服务器没有响应"


def _error_text(err: httpx.HTTPError, timeout: float) -> str:
    if isinstance(err, httpx.TimeoutException):
        return f"超时：{timeout:g} 秒内没有响应"
    if isinstance(err, httpx.ConnectError):
        return f"无法连接：{_cause(err)}"
    if isinstance(err, httpx.TooManyRedirects):
        return "重定向次数过多（可能是循环重定向）"
    return f"请求失败：{type(err).__name__} {err}".strip()


def _result(url: str, response: httpx.Response, now: str) -> Result:
    status = response.status_code
    if status >= 400:
        return Result(url, DEAD, status, "", "", now)
    final = str(response.url)
    if response.history and final != url:
        return Result(url, REDIRECTED, status, final, "", now)
    return Result(url, OK, status, "", "", now)


async def _request(client: httpx.AsyncClient, method: str, url: str) -> httpx.Response:
    # stream: a GET reads the status and headers, not a large page or file behind the link
    async with client.stream(method, url) as response:
        return response


def _stamp(now: Callable[[], datetime]) -> str:
    return now().isoformat(timespec="seconds")


async def check_one(client: httpx.AsyncClient, url: str, timeout: float, now: Callable[[], datetime]) -> Result:
    """One link: HEAD, then GET when HEAD is refused (an error status or a broken answer)."""
    try:
        httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as err:  # accepted by the link rule yet not a usable address
        return Result(url, DEAD, None, "", f"网址无效：{err}", _stamp(now))
    try:
        response = await _request(client, "HEAD", url)
        if response.status_code < 400:
            return _result(url, response, _stamp(now))
    except httpx.TimeoutException as err:  # a server too slow for HEAD is too slow for GET
        return Result(url, DEAD, None, "", _error_text(err, timeout), _stamp(now))
    except httpx.HTTPError:
        pass
    try:
        response = await _request(client, "GET", url)
    except httpx.HTTPError as err:
        return Result(url, DEAD, None, "", _error_text(err, timeout), _stamp(now))
    return _result(url, response, _stamp(now))


def _host(url: str) -> str:
    try:
        return urlsplit(url).netloc.lower()
    except ValueError:  # a malformed address fails in check_one; here it only needs a key
        return url


async def _check_all(urls: list[str], timeout: float, jobs: int, now: Callable[[], datetime],
                     done: Callable[[Result], None]) -> list[Result]:
    overall = asyncio.Semaphore(jobs)
    hosts: dict[str, asyncio.Semaphore] = {}
    limits = httpx.Limits(max_connections=jobs, max_keepalive_connections=jobs)
    async with httpx.AsyncClient(follow_redirects=True, timeout=timeout, limits=limits,
                                 headers={"User-Agent": _AGENT}) as client:

        async def one(url: str) -> Result:
            host = hosts.setdefault(_host(url), asyncio.Semaphore(PER_HOST))
            async with host, overall:
                try:
                    # the whole budget of one link, from connect to the last byte: httpx's timeout is per
                    # read, which a server sending a byte every half second never reaches
                    result = await asyncio.wait_for(check_one(client, url, timeout, now), timeout)
                except TimeoutError:
                    result = Result(url, DEAD, None, "", f"超时：{timeout:g} 秒内没有响应", _stamp(now))
                except Exception as err:  # one odd link or server must not end the run with a traceback
                    result = Result(url, DEAD, None, "", f"检查时出错：{type(err).__name__} {err}".strip(), _stamp(now))
            done(result)
            return result

        return list(await asyncio.gather(*(one(u) for u in urls)))


def check_urls(urls: list[str], timeout: float, jobs: int, now: Callable[[], datetime],
               done: Callable[[Result], None] = lambda r: None) -> list[Result]:
    """Every URL's result, in the order given; `done` hears of each as it finishes."""
    return asyncio.run(_check_all(urls, timeout, max(1, jobs), now, done))
