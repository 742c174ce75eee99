"""Where a value came from: a file and the data path inside it, located only when printed."""

from __future__ import annotations

from dataclasses import dataclass

from gkcat.source.yamldoc import MISSING, Path_, SourceDoc, child


@dataclass(frozen=True)
class Step:
    """One place that set a value: a file, the data path inside it, and what it did there."""

    doc: SourceDoc
    path: Path_
    action: str  # "定义" | "默认值" | "领域层级" | "修改" | "排除"

    @property
    def file(self) -> str:
        return self.doc.rel

    @property
    def line(self) -> int:
        return self.doc.pos(self.path)[0]

    def at(self, *more: str | int) -> Step:
        """The same step, pointing deeper into the value (e.g. one subject of a list)."""
        return Step(self.doc, self.path + more, self.action)

    def value(self) -> object:
        """The value written at this step, read back from its document's data."""
        node: object = self.doc.data
        for part in self.path:
            node = child(node, part)
            if node is MISSING:
                return None
        return node
