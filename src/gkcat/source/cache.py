"""The project cache, `.gkcat-cache/` at the project root (as mypy's and ruff's): what a new process may
take over from the last one instead of working it out again: the memo's kinds that are kept on disk
(source/memo.py), such as every YAML file as parsed (by its bytes) and each file's check results.

Kept safe because anyone can commit to a catalog repository:
- data only (JSON): nothing in it can run code when it is read;
- keyed by gkcat's version and a digest of its code, and each entry by the digest of the file's bytes:
  a new gkcat, an edited file, a corrupt, truncated or foreign cache file all mean "not in the cache";
- created with its own `.gitignore` (`*`) and a CACHEDIR.TAG, and not used at all when git tracks it;
- never inside the build's output folder (the caller checks), and output never depends on it.
`GKCAT_CACHE_DIR` moves it (CI keeps it between runs); `--no-cache` leaves it alone.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gkcat

CACHE_DIR = ".gkcat-cache"
ENV = "GKCAT_CACHE_DIR"
TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by gkcat.\n"
_FORMAT = "gkcat-cache 2"


def code_digest() -> str:
    """A hash of gkcat's own code, as installed: any change to it (an editable install, a release
    that forgot to bump the version) makes every cached and built result be worked out anew."""
    package = Path(gkcat.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode("utf-8") + b"\0" + path.read_bytes())
    return digest.hexdigest()


@dataclass
class Store:
    """The memo's kinds kept on disk (source/memo.py), as JSON data by kind and fingerprint. A kind's shelf is
    its file: the main one (files parsed, check results) that every command reads, or one of its own (the parts
    of the site's project-wide pages) that only a build reads. A shelf is read when first asked for, and written
    once at the end when it changed."""

    folder: Path | None  # None: no cache (--no-cache, or refused)
    note: str = ""  # why the cache is not used, for the user
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
            found = self._shelves[shelf] = _read(self.path(shelf), self.code)
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
                if _write(self.path(shelf), kept, self.code):
                    self._shelves[shelf], self._new[shelf] = kept, 0


def _read(path: Path, code: str) -> dict[str, dict[str, Any]]:
    """A shelf as written by `_write`; empty when there is none, or it is corrupt, cut short or another gkcat's."""
    try:
        first, _, body = path.read_bytes().partition(b"\n")
        head = json.loads(first)
        if not (isinstance(head, dict) and head.get("format") == _FORMAT and head.get("gkcat") == gkcat.__version__
                and head.get("code") == code and head.get("sha256") == hashlib.sha256(body).hexdigest()):
            return {}  # another gkcat's, or changed since it was written: worked out anew
        kept = json.loads(body)
    except (OSError, ValueError):
        return {}  # none yet, or corrupt or cut short: worked out anew
    # each kind's `load` checks its own entries
    return {k: v for k, v in kept.items() if isinstance(v, dict)} if isinstance(kept, dict) else {}


def _write(path: Path, kept: dict[str, dict[str, Any]], code: str) -> bool:
    # a header line (what wrote it, and the digest of the rest), then the entries: a file changed in any
    # byte since, by a crash, a full disk or a hand, fails the digest and is not read at all
    body = json.dumps(kept, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    head = {"format": _FORMAT, "gkcat": gkcat.__version__, "code": code,
            "sha256": hashlib.sha256(body).hexdigest()}
    tmp: str | None = None
    try:
        _prepare(path.parent)
        fd, tmp = tempfile.mkstemp(prefix=".memo.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            f.write(json.dumps(head).encode("utf-8") + b"\n" + body)
        os.replace(tmp, path)
        ours = f"memo-{code[:16]}"
        for stale in [*path.parent.glob("memo-*.json"), *path.parent.glob("parsed-*.json")]:
            if not stale.name.startswith(ours + "."):  # this gkcat's shelves are memo-<code>.json and memo-<code>.<shelf>.json
                stale.unlink(missing_ok=True)  # another gkcat's, or an older format: it would only take up room
        return True
    except OSError:  # a read-only checkout, a full disk: the cache is only ever a help
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        return False


def _prepare(folder: Path) -> None:
    """The cache folder with its own .gitignore and CACHEDIR.TAG (backup tools skip it, git ignores it)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in ((".gitignore", "# gkcat 的缓存，不要提交\n*\n"), ("CACHEDIR.TAG", TAG)):
        target = folder / name
        if not target.exists():
            target.write_text(text, encoding="utf-8")


def cache_folder(root: Path) -> Path:
    """Where the project's cache is: GKCAT_CACHE_DIR, else .gkcat-cache/ at the project root."""
    given = os.environ.get(ENV, "").strip()
    # "~/.cache/gkcat" as a CI file writes it: no shell expands a tilde in an environment variable's value
    return Path(given).expanduser().resolve() if given else root / CACHE_DIR


def _tracked(root: Path, folder: Path) -> bool:
    """Whether git tracks a file in the cache folder: then anyone who can commit could feed it to every build."""
    try:
        proc = subprocess.run(["git", "-C", str(root), "ls-files", "--", str(folder)], capture_output=True,
                              timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode == 0 and bool(proc.stdout.strip())


def open_store(root: Path, enabled: bool = True, avoid: Path | None = None) -> Store:
    """The project cache of the project at `root`; a disabled one with --no-cache, inside `avoid` (the build's
    output folder) or when git tracks it (with a note saying so)."""
    if not enabled:
        return Store(None)
    folder = cache_folder(root)
    if avoid is not None and (folder == avoid.resolve() or folder.is_relative_to(avoid.resolve())):
        return Store(None, note=f"缓存文件夹 {folder} 在输出文件夹之中，本次不使用缓存")
    if folder.exists() and _tracked(root, folder):
        return Store(None, note=f"缓存文件夹 {folder} 已被提交到 git，本次不使用它：请从 git 中删除它"
                                     f"（git rm -r --cached {folder.name}），它只供本机使用")
    return Store(folder)
