"""The project cache, `.gkcat-cache/` at the project root (as mypy's and ruff's): what a new process may
take over from the last one instead of working it out again: the memo's kinds that are kept on disk
(source/memo.py), such as every YAML file as parsed (by its bytes) and each file's check results.

The cache is a hint, never an authority. Anyone can commit to a catalog repository, and whoever can write
the cache folder could otherwise decide what a hit returns, so:
- data only (JSON): nothing in it can run code when it is read;
- each shelf carries an HMAC of its content under a key kept outside the project (the user's cache home, or
  the CI secret GKCAT_CACHE_KEY): a shelf this machine did not write (forged, copied, committed) is a miss;
- keyed by gkcat's version and a digest of its code, and each entry by the digest of what it is made from;
- read as project inputs are read: regular files only, bounded, a link, a device or a FIFO is not read;
- gkcat adopts only a folder it made (its CACHEDIR.TAG) or an empty one, and removes only files whose header
  says gkcat wrote them; never inside the output folder, a `.git`, or the project's catalog folders; not used
  at all when git tracks it, or when git cannot say whether it does.
`GKCAT_CACHE_DIR` moves it (CI keeps it between runs); `--no-cache` leaves it alone.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gkcat
from gkcat.errors import InputError
from gkcat.source.files import LOCALITY_FILE, MANIFEST, STATIC, TEMPLATES, in_git_folder, read_input

CACHE_DIR = ".gkcat-cache"
ENV = "GKCAT_CACHE_DIR"
KEY_ENV = "GKCAT_CACHE_KEY"  # a CI secret: the key the cache's entries are signed with
TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by gkcat.\n"
TAG_FILE = "CACHEDIR.TAG"
_FORMAT = "gkcat-cache 3"
MAX_SHELF = 512 * 2**20  # bytes: a province's main shelf is tens of MB; anything far larger is not a shelf of ours
_MAX_KEY = 4096


def code_digest() -> str:
    """A hash of gkcat's own code, as installed: any change to it (an editable install, a release
    that forgot to bump the version) makes every cached and built result be worked out anew."""
    package = Path(gkcat.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode("utf-8") + b"\0" + path.read_bytes())
    return digest.hexdigest()


# -- the key ----------------------------------------------------------------------------------------


def user_cache_home() -> Path:
    """Where a user's caches live: XDG_CACHE_HOME, %LOCALAPPDATA% on Windows, else ~/.cache."""
    given = os.environ.get("XDG_CACHE_HOME", "").strip()
    if given and Path(given).is_absolute():
        return Path(given)
    local = os.environ.get("LOCALAPPDATA", "").strip() if os.name == "nt" else ""
    return Path(local) if local else Path.home() / ".cache"


def key_file() -> Path:
    return user_cache_home() / "gkcat" / "key"


@dataclass(frozen=True)
class MachineKey:
    """The secret this machine signs what it keeps with (the cache's shelves, a form's identity), or why none."""

    secret: bytes | None
    where: Path | None  # the key's file; None for the environment's key (or none)
    note: str = ""

    def sign(self, *parts: bytes) -> str:
        assert self.secret is not None
        mac = hmac.new(self.secret, digestmod=hashlib.sha256)
        for part in parts:
            mac.update(len(part).to_bytes(8, "big") + part)  # lengths first: two splits never sign alike
        return mac.hexdigest()

    def verify(self, signature: object, *parts: bytes) -> bool:
        return self.secret is not None and isinstance(signature, str) and hmac.compare_digest(signature, self.sign(*parts))


def machine_key(project: Path | None = None) -> MachineKey:
    """GKCAT_CACHE_KEY, else the key file in the user's cache home (made on first use, readable by the user
    only). Never a key inside the project (`project`): whoever commits there could plant it."""
    given = os.environ.get(KEY_ENV, "")
    if given.strip():
        if len(given.strip()) < MIN_SECRET:
            return MachineKey(None, None, f"环境变量 {KEY_ENV} 太短（至少 {MIN_SECRET} 个字符，建议 64 个随机字符），本次不使用缓存")
        return MachineKey(given.strip().encode("utf-8"), None)
    path = key_file()
    if project is not None and path.resolve().is_relative_to(project.resolve()):
        return MachineKey(None, path, f"存放缓存密钥的文件夹 {path.parent} 在项目之中，本次不使用缓存"
                                      f"（请设置 XDG_CACHE_HOME 或 {KEY_ENV}）")
    try:
        if not path.exists() and not path.is_symlink():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            with contextlib.suppress(FileExistsError):  # another gkcat made it just now: read that one
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
                with os.fdopen(fd, "w", encoding="ascii") as f:
                    f.write(secrets.token_hex(32) + "\n")
        secret = read_input(path, str(path), _MAX_KEY, follow=False).strip()
    except (OSError, InputError) as err:
        return MachineKey(None, path, f"无法使用缓存密钥 {path}（{err}），本次不使用缓存")
    if len(secret) < 32:
        return MachineKey(None, path, f"缓存密钥 {path} 无效（太短），本次不使用缓存：删除它，下次会重新生成")
    return MachineKey(secret, path)


MIN_SECRET = 16  # characters of GKCAT_CACHE_KEY: a key anyone can guess proves nothing


# -- the shelves ------------------------------------------------------------------------------------


@dataclass
class Store:
    """The memo's kinds kept on disk (source/memo.py), as JSON data by kind and fingerprint. A kind's shelf is
    its file: the main one (files parsed, check results) that every command reads, or one of its own (the parts
    of the site's project-wide pages) that only a build reads. A shelf is read when first asked for, and written
    once at the end when it changed."""

    folder: Path | None  # None: no cache (--no-cache, or refused)
    note: str = ""  # why the cache is not used, for the user
    key: MachineKey = field(default_factory=lambda: MachineKey(None, None))
    _shelves: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # shelf -> kind -> key -> data
    _used: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    _new: dict[str, int] = field(default_factory=dict)
    code: str = ""  # code_digest(), worked out once (a few milliseconds) when there is a cache

    def __post_init__(self) -> None:
        if self.folder is not None:
            self.code = code_digest()

    def path(self, shelf: str) -> Path:
        assert self.folder is not None
        return self.folder / f"memo-{self.code[:16]}{'.' + shelf if shelf else ''}.json"

    def _shelf(self, shelf: str) -> dict[str, dict[str, Any]]:
        found = self._shelves.get(shelf)
        if found is None:
            found = self._shelves[shelf] = _read(self.path(shelf), self.code, self.key)
            self._used[shelf], self._new[shelf] = set(), 0
        return found

    def get(self, shelf: str, kind: str, key: str) -> Any:
        """What was kept under `key` in an earlier run, else None."""
        if self.folder is None:
            return None
        data = self._shelf(shelf).get(kind, {}).get(key)
        if data is not None:
            self._used[shelf].add((kind, key))
        return data

    def put(self, shelf: str, kind: str, key: str, data: Any) -> None:
        if self.folder is None:
            return
        self._shelf(shelf).setdefault(kind, {})[key] = data
        self._used[shelf].add((kind, key))
        self._new[shelf] += 1

    def save(self) -> None:
        """Write each shelf this run changed, with the entries it used (so the file holds the project as it
        is), whole or not at all. A shelf this run did not ask for is left as it is."""
        if self.folder is None:
            return
        for shelf, kinds in self._shelves.items():
            used = self._used[shelf]
            if self._new[shelf] or len(used) != sum(map(len, kinds.values())):
                kept: dict[str, dict[str, Any]] = {}
                for kind, key in sorted(used):
                    kept.setdefault(kind, {})[key] = kinds[kind][key]
                if _write(self.path(shelf), kept, self.code, self.key):
                    self._shelves[shelf], self._new[shelf] = kept, 0


def _header(first: bytes) -> dict[str, Any] | None:
    """A shelf's first line as gkcat writes it, or None when it is not one (so not gkcat's)."""
    try:
        head = json.loads(first)
    except (ValueError, RecursionError):
        return None
    return head if isinstance(head, dict) and str(head.get("format", "")).startswith("gkcat-cache") else None


def _read(path: Path, code: str, key: MachineKey) -> dict[str, dict[str, Any]]:
    """A shelf as written by `_write`; empty when there is none, or it is corrupt, cut short, another gkcat's,
    not signed by this machine's key, or no regular file."""
    try:
        first, _, body = read_input(path, str(path), MAX_SHELF, follow=False).partition(b"\n")
    except InputError:
        return {}  # none yet, a link, a device, a FIFO, too large: worked out anew
    head = _header(first)
    if not (head is not None and head.get("format") == _FORMAT and head.get("gkcat") == gkcat.__version__
            and head.get("code") == code and key.verify(head.get("mac"), code.encode(), body)):
        return {}  # another gkcat's, changed since it was written, or not this machine's: worked out anew
    try:
        kept = json.loads(body)
    except (ValueError, RecursionError, MemoryError):
        return {}  # corrupt (deeply nested data included): worked out anew
    # each kind's `load` checks its own entries
    return {k: v for k, v in kept.items() if isinstance(v, dict)} if isinstance(kept, dict) else {}


def _write(path: Path, kept: dict[str, dict[str, Any]], code: str, key: MachineKey) -> bool:
    # a header line (what wrote it, and the HMAC of the rest under this machine's key), then the entries: a file
    # changed in any byte since, by a crash, a full disk or a hand, fails the HMAC and is not read at all
    body = json.dumps(kept, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    head = {"format": _FORMAT, "gkcat": gkcat.__version__, "code": code, "mac": key.sign(code.encode(), body)}
    tmp: str | None = None
    try:
        _prepare(path.parent)
        fd, tmp = tempfile.mkstemp(prefix=".memo.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            f.write(json.dumps(head).encode("utf-8") + b"\n" + body)
        os.replace(tmp, path)
        ours = f"memo-{code[:16]}"
        for stale in [*path.parent.glob("memo-*.json"), *path.parent.glob("parsed-*.json")]:
            # this gkcat's shelves are memo-<code>.json and memo-<code>.<shelf>.json; another gkcat's go (they
            # would only take up room), and only those: a file whose header is not gkcat's is not ours to delete
            if not stale.name.startswith(ours + ".") and _ours(stale):
                stale.unlink(missing_ok=True)
        return True
    except OSError:  # a read-only checkout, a full disk: the cache is only ever a help
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        return False


def _ours(path: Path) -> bool:
    """Whether a file is a shelf some gkcat wrote: a regular file whose first line is gkcat's header."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False
    try:
        if not os.path.isfile(path) or os.path.islink(path):
            return False
        with os.fdopen(fd, "rb", closefd=False) as f:
            first = f.read(4096).partition(b"\n")[0]
    except OSError:
        return False
    finally:
        os.close(fd)
    return _header(first) is not None


def _prepare(folder: Path) -> None:
    """The cache folder with its own .gitignore and CACHEDIR.TAG (backup tools skip it, git ignores it); only
    ever a folder gkcat made or adopted empty (open_store refuses any other)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in ((".gitignore", "# gkcat 的缓存，不要提交\n*\n"), (TAG_FILE, TAG)):
        target = folder / name
        if not target.exists() and not target.is_symlink():
            target.write_text(text, encoding="utf-8")


# -- where it may be --------------------------------------------------------------------------------


def cache_folder(root: Path) -> Path:
    """Where the project's cache is: GKCAT_CACHE_DIR, else .gkcat-cache/ at the project root (links not followed)."""
    given = os.environ.get(ENV, "").strip()
    # "~/.cache/gkcat" as a CI file writes it: no shell expands a tilde in an environment variable's value
    return Path(os.path.abspath(Path(given).expanduser())) if given else root / CACHE_DIR


def _git_top(folder: Path) -> Path | None:
    """The work tree `folder` is in (the nearest folder above it holding `.git`), or None when it is in none."""
    for above in [folder, *folder.parents]:
        if (above / ".git").exists():
            return above
    return None


def _tracked(folder: Path) -> str:
    """Why the cache folder may not be used as far as git is concerned ("" when git says it tracks none of it,
    or it is in no repository): anyone who can commit could otherwise feed it to every build."""
    top = _git_top(folder)
    if top is None:
        return ""
    try:
        proc = subprocess.run(["git", "-C", str(top), "ls-files", "--", str(folder)], capture_output=True,
                              timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        proc = None
    if proc is None or proc.returncode != 0:
        # git missing, or refusing the repository ("dubious ownership", common in CI containers): nothing proves
        # the cache untracked, so it is not used
        said = proc.stderr.decode("utf-8", "replace").strip().splitlines() if proc is not None else []
        why = "找不到 git" if proc is None else (said[0][:120] if said else f"退出码 {proc.returncode}")
        return (f"缓存文件夹 {folder} 在 git 仓库 {top} 中，但 git 未能说明它是否被提交（{why}），本次不使用缓存："
                "缓存可能被人提交进仓库，无法确认时不采信")
    if proc.stdout.strip():
        return (f"缓存文件夹 {folder} 已被提交到 git，本次不使用它：请从 git 中删除它"
                f"（git rm -r --cached {folder.name}），它只供本机使用")
    return ""


def _place_problem(folder: Path, root: Path, avoid: Path | None) -> str:
    """Why the cache may not be kept in `folder` (links followed): inside an output folder, a `.git`, or the
    project's catalog folders, templates/ or static/ ("" when it may)."""
    root = root.resolve()
    said = f"缓存文件夹 {folder}"
    outputs = [a.resolve() for a in (avoid, root / "site") if a is not None]
    if any(folder == out or folder.is_relative_to(out) for out in outputs) or \
            any((above / MANIFEST).is_file() for above in [folder, *folder.parents]):
        return f"{said} 在输出文件夹之中（生成的网站会整体替换它），本次不使用缓存"
    if in_git_folder(folder.parts):
        return f"{said} 在 .git 文件夹之中，本次不使用缓存"
    if folder == root or root.is_relative_to(folder):
        return f"{said} 是项目文件夹或其上级，本次不使用缓存"
    if folder.is_relative_to(root):
        parts = folder.relative_to(root).parts
        if parts[0] in (TEMPLATES, STATIC):
            return f"{said} 在项目的 {parts[0]}/ 之中（其中的文件会被发布），本次不使用缓存"
        for depth in range(1, len(parts) + 1):
            if (root.joinpath(*parts[:depth]) / LOCALITY_FILE).is_file():
                return f"{said} 在地区文件夹 {'/'.join(parts[:depth])}/ 之中，本次不使用缓存"
    return ""


def _adopt_problem(folder: Path) -> str:
    """Why gkcat may not keep its cache in an existing `folder` ("" when it made it, or it is empty)."""
    if not folder.exists():
        return ""
    if not folder.is_dir():
        return f"缓存位置 {folder} 不是文件夹，本次不使用缓存"
    try:
        tag = read_input(folder / TAG_FILE, TAG_FILE, 4096, follow=False).decode("utf-8", "replace")
    except InputError:
        tag = ""
    if tag == TAG:
        return ""
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        if next(entries, None) is None:
            return ""
    return (f"{folder} 不是 gkcat 建立的缓存文件夹（其中没有 gkcat 的 {TAG_FILE}，且不是空的），本次不使用缓存，"
            f"也不会改动其中的文件：请让 {ENV} 指向新的或空的文件夹")


def open_store(root: Path, enabled: bool = True, avoid: Path | None = None) -> Store:
    """The project cache of the project at `root`; a disabled one (with a note saying why) with --no-cache, in a
    place it may not be, in a folder gkcat did not make, when git tracks it or cannot say, or without a key."""
    if not enabled:
        return Store(None)
    named = cache_folder(root)
    if not os.environ.get(ENV, "").strip() and named.is_symlink():
        # the project's own .gkcat-cache is something anyone can commit: a link there is not followed (to a folder
        # out of the project, or into rounds/ to drop a `*` .gitignore there); GKCAT_CACHE_DIR is the place to move it
        return Store(None, note=f"{CACHE_DIR} 是符号链接，本次不使用缓存：要把缓存放在别处，请设置环境变量 {ENV}")
    try:
        folder = named.resolve()  # GKCAT_CACHE_DIR may lead through links: judged where it leads
    except (OSError, RuntimeError):  # a loop of links
        return Store(None, note=f"缓存位置 {named} 是循环的符号链接，本次不使用缓存")
    key = machine_key(root)
    problem = _place_problem(folder, root, avoid) or _adopt_problem(folder)
    if not problem and key.where is not None and (key.where.parent.resolve() == folder or key.where.resolve().is_relative_to(folder)):
        problem = f"缓存文件夹 {folder} 中存放着本机的缓存密钥，本次不使用缓存：请让 {ENV} 指向别的文件夹"
    problem = problem or key.note or (_tracked(folder) if folder.exists() else "")
    return Store(None, note=problem) if problem else Store(folder, key=key)
