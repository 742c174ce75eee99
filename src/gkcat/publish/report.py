"""What a build did, as `gkcat build` prints it and the benchmark reads it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class BuildReport:
    out: Path
    files: int = 0
    rows: int = 0
    rendered: list[str] = field(default_factory=list)  # rendered anew (first paths)
    reused: list[str] = field(default_factory=list)  # inputs unchanged: not rendered
    written: list[str] = field(default_factory=list)  # files whose bytes are new or changed
    size: int = 0  # bytes of all files
    manifest_paths: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the user should know (versions left out of the history)
    seconds: float = 0.0
    checked: float = 0.0  # of which reading and checking the project (`gkcat validate`'s work)
    carried: int = 0  # of `reused`: outputs of unchanged localities, not even listed (a build session's)
    # files (not outputs: an output may be written at several paths), so that the summary adds up
    rendered_files: int = 0
    reused_files: int = 0

    def summary(self) -> str:
        """The one line `gkcat build` prints when it is done."""
        pages = sum(1 for p in self.manifest_paths if p.endswith(".html"))
        # each count said once, and they add up: files = reused + rendered; written is part of rendered
        return (f"已生成到 {self.out}：{self.files} 个文件（其中网页 {pages} 个），共 {self.size / 1048576:.1f} MB，"
                f"工作簿中事项 {self.rows} 行；其中 {self.reused_files} 个输入未变、直接沿用，{self.rendered_files} 个重新生成"
                f"（其中内容有变化、写入的 {len(self.written)} 个）；用时 {self.seconds:.1f} 秒")
