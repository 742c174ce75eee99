"""How a renderer asks for a value worked out per locality or per domain, so that a build session
can hand back what an earlier build made from the same inputs (gkcat serve keeps them by the
locality's or the domain's fingerprint) instead of working it out again for each of a province's
1,500 localities or 26 domains."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gkcat.model.files import DomainDef
from gkcat.model.project import Locality

# (locality, kind of value, how to make it) -> make(), or the value an earlier build made for the
# same inputs of that locality. The value is read, never changed.
Keep = Callable[[Locality, str, Callable[[], Any]], Any]
# The same for a value made from one domain across every locality (a 总表 sheet, a domain's spread).
KeepDomain = Callable[[DomainDef, str, Callable[[], Any]], Any]


def make_anew(_of: object, kind: str, make: Callable[[], Any]) -> Any:
    """The Keep (and KeepDomain) that keeps nothing: a build on its own."""
    return make()
