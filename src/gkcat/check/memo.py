"""Check results kept from one load of a project to the next, by what they were made from.

`gkcat serve` loads the project again after every edit; a file's checks are a function of the
resolved states they read (named by `Resolver.key`) and of the project-wide facts the checker
uses, so results whose key is unchanged are taken over instead of worked out again. A command
that loads once starts from an empty memo and only fills it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class CheckMemo:
    earlier: dict[object, Any] = field(default_factory=dict)  # what the earlier load found
    made: dict[object, Any] = field(default_factory=dict)  # what this load found (the next load's `earlier`)

    def get(self, key: object) -> Any:
        return self.earlier.get(key)

    def keep(self, key: object, found: Any) -> None:
        self.made[key] = found

    def next(self) -> CheckMemo:
        """The memo for the next load: only this load's results, so nothing outlives one edit."""
        return CheckMemo(self.made)
