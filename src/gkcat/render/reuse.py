"""How a renderer asks for a value worked out per locality, so that a build session can hand back
what an earlier build made from the same inputs (gkcat serve keeps them by the locality's
fingerprint) instead of working it out again for each of a province's 1,500 localities."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gkcat.model.project import Locality

# (locality, kind of value, how to make it) -> make(), or the value an earlier build made for the
# same inputs of that locality. The value is read, never changed.
Keep = Callable[[Locality, str, Callable[[], Any]], Any]


def make_anew(loc: Locality, kind: str, make: Callable[[], Any]) -> Any:
    """The Keep that keeps nothing: a build on its own."""
    return make()
