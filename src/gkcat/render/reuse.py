"""How a renderer asks for a value worked out per locality or per domain, so that a build can hand back
what it or an earlier build of the session made from the same inputs (the memo, source/memo.py, keyed by
the locality's chain or the domain's fingerprint) instead of working it out again for each of a province's
1,500 localities or 26 domains. Each such value has its `Kind`, declared beside the renderer that makes it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from gkcat.model.files import DomainDef
from gkcat.model.project import Locality
from gkcat.source.memo import Kind

T = TypeVar("T")

# (locality, kind of value, how to make it) -> make(), or the value made before from the same inputs of that
# locality. The value is read, never changed.
Keep = Callable[[Locality, Kind[Any], Callable[[], Any]], Any]
# The same for a value made from one domain across every locality (a 总表 sheet, a domain's spread).
KeepDomain = Callable[[DomainDef, Kind[Any], Callable[[], Any]], Any]


def make_anew(_of: object, kind: Kind[T], make: Callable[[], T]) -> T:
    """The Keep (and KeepDomain) that keeps nothing: a renderer called on its own."""
    return make()


@dataclass(frozen=True)
class Reuse:
    locality: Keep
    domain: KeepDomain
