"""The memo: every value gkcat reuses, under a typed key that is a fingerprint of what it is made from.

A `Key` is a `Kind` (what sort of value, hence its type) and a fingerprint: a digest of exactly the inputs
the value is computed from (a file's bytes, a locality's chain of files, a domain's published rows). A value
is a function of its key alone, so a value found under a key is the value that would be computed again.

One memo lives as long as one load, or one build, of a project. `next()` hands the next load of the same
process (gkcat serve, after an edit) what this one used, and only that: nothing outlives an edit that made it
stale, and nothing piles up. A kind that can be written as JSON (`dump`, `load`) is also kept on disk in the
project cache (source/cache.py), so that a new process takes it over from the last one.

A kind with a `bound` is a value asked for very often and made from a few plain values: the rows a build
renders (a table row's HTML, a workbook row's XML, shown on many pages). Its key is those values themselves,
not a digest (a digest would cost more than the row), and it keeps at most `bound` values, in the process
that made them: a province renders over a million rows, and a build's workers each fill their own.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from gkcat.source.cache import Store

T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class Kind(Generic[T]):
    """A sort of reused value. Kept on disk when it has `dump` (to JSON data) and `load` (back, or None for
    data that is not such a value: a foreign or hand-made cache entry is then worked out anew)."""

    name: str
    dump: Callable[[T], Any] | None = None  # may give None: this value is not kept on disk
    load: Callable[[Any], T | None] | None = None
    shelf: str = ""  # its file in the project cache: "" the one every command reads, else one of its own
    bound: int = 0  # > 0: kept by what it is made from, at most this many, in this process only (`Memo.call`)


def fits(data: Any, shape: Any) -> bool:
    """Whether JSON data has a shape, as a kind's `load` checks an entry before it trusts it: a type (an int is
    not a bool), a set of shapes (any of them), `[shape]` (a list of such), a tuple (a list of that length)."""
    if isinstance(shape, (set, frozenset)):
        return any(fits(data, s) for s in shape)
    if isinstance(shape, list):
        if not isinstance(data, list):
            return False
        one = shape[0]  # a list of plain values (a table's rows' cells) is checked without a call per value
        if isinstance(one, type):
            return all(type(d) is one for d in data)
        if isinstance(one, (set, frozenset)) and all(isinstance(s, type) for s in one):
            return all(type(d) in one for d in data)
        return all(fits(d, one) for d in data)
    if isinstance(shape, tuple):
        return isinstance(data, list) and len(data) == len(shape) and all(fits(d, s) for d, s in zip(data, shape, strict=True))
    return type(data) is shape


@dataclass(frozen=True, slots=True)
class Key(Generic[T]):
    kind: Kind[T]
    print: str  # the fingerprint of what the value is made from


class Memo:
    """The values of one load or build: those it made, and those it took over from the last one.

    Values are never None (None means "not here") and never changed once kept: they are shared.
    """

    def __init__(self, store: Store | None = None, earlier: dict[Key[Any], Any] | None = None):
        self.store = store  # the project cache of a new process; None in gkcat serve and with --no-cache
        self._earlier = earlier or {}
        self._used: dict[Key[Any], Any] = {}
        self.made: list[Key[Any]] = []  # the keys of the values worked out anew (benchmarks and tests read it)
        self._bounded: dict[Kind[Any], dict[Hashable, Any]] = {}  # the kinds with a bound, each by its arguments

    def get(self, key: Key[T]) -> T | None:
        found = self._used.get(key)
        if found is None:
            found = self._earlier.get(key)
            if found is None and self.store is not None and key.kind.load is not None:
                data = self.store.get(key.kind.shelf, key.kind.name, key.print)
                found = key.kind.load(data) if data is not None else None
            if found is not None:
                self._used[key] = found
        return found

    def keep(self, key: Key[T], value: T) -> T:
        assert not key.kind.bound, f"{key.kind.name}: a kind with a bound is kept by Memo.call"
        self._used[key] = value
        self.made.append(key)
        if self.store is not None and key.kind.dump is not None:
            data = key.kind.dump(value)
            if data is not None:
                self.store.put(key.kind.shelf, key.kind.name, key.print, data)
        return value

    def make(self, key: Key[T], make: Callable[[], T]) -> T:
        """The value under `key`: as kept, else made now and kept."""
        found = self.get(key)
        return found if found is not None else self.keep(key, make())

    def call(self, kind: Kind[T], key: Hashable, make: Callable[..., T], *args: Any) -> T:
        """`make(*args)` for a kind with a bound, whose `key` is what the value is made from (often `args`
        themselves): as made before in this process, or made now. When the kind holds `bound` values, the
        older half goes (a province's rows outnumber any bound)."""
        table = self._bounded.get(kind)
        if table is None:
            assert kind.bound > 0 and kind.dump is None, f"{kind.name}: Memo.call is for the kinds with a bound"
            table = self._bounded[kind] = {}
        found = table.get(key)
        if found is None:
            if len(table) >= kind.bound:
                for old in list(itertools.islice(table, len(table) // 2)):  # a dict keeps the order of keeping
                    del table[old]
            found = table[key] = make(*args)
        return found

    def next(self) -> Memo:
        """The memo of the next load in this process: what this one used, nothing older; and the kinds with a
        bound as they are (a value of theirs is a function of its arguments alone, and they cannot grow)."""
        following = Memo(None, self._used)
        following._bounded = dict(self._bounded)
        return following

    def save(self) -> None:
        """Write the kinds kept on disk to the project cache (what this run used of it, and what it made)."""
        if self.store is not None:
            self.store.save()
